"""Is an answer about the entity the question asks about? Never answer with another place's figure.

`entity_of(question)` is the place, body or person a question names (a known or head-word
mention: "Quỳnh Nhai", "huyện X", "Đoàn Thanh niên", "ông Nguyễn Văn A"); `is_about` says
whether a sentence answers about it: yes when the sentence names it; no when the sentence
names another entity of that kind and not it ("… Đảng bộ huyện Mộc Châu … 716 nhà" is not
about Quỳnh Nhai); otherwise yes when its article's title or its passage names it and the
passage names no other one (or the article's own place, the one its text names most, is it).
A name of unknown kind (no place, body or person head) has no kind to compare with: for it,
its passage or its article's title naming it is enough. Names are compared without
diacritics. Does not pick answers.
"""
from __future__ import annotations

import re

from qa.chat.entities import Mention, mentions
from qa.lang.language import detect_language
from qa.lang.text import fold, has_diacritics

ASKED_KINDS = ("place", "org", "person")
NOT_ABOUT = {"vi": "Các bài báo không nói về {entity}.", "en": "The articles do not say about {entity}."}


def _mention(question: str, gazetteer: frozenset[str]) -> Mention | None:
    # A name of unknown kind ("Broncos", "Fresno" typed mid-sentence) counts when nothing better is
    # named, in a Vietnamese question, or written with Vietnamese tone marks in an English one
    # ("How much did Hà Nội raise?"): otherwise an English question may name in English what the
    # Vietnamese text names otherwise ("Muscovy ducks" are "vịt Xiêm", "Uncle Ho" is "Bác Hồ").
    vietnamese = detect_language(question) != "en"
    named = [m for m in mentions(question, gazetteer) if m.kind in ASKED_KINDS and m.rank == 0
             or (vietnamese or has_diacritics(m.name)) and m.kind == "name" and m.rank == 1]
    order = ASKED_KINDS + ("name",)
    return min(named, key=lambda m: (order.index(m.kind), m.start)) if named else None


def entity_of(question: str, gazetteer: frozenset[str] = frozenset()) -> str | None:
    """The place (else body, else person, else a mid-sentence name) `question` names, or None."""
    m = _mention(question, gazetteer)
    return m.name if m else None


def names(text: str, entity: str) -> bool:
    """`text` names `entity` (as a whole word run, with or without diacritics)."""
    return re.search(r"(?<!\w)%s(?!\w)" % re.escape(fold(entity)), fold(text)) is not None


def _others(text: str, entity: str, kind: str, gazetteer: frozenset[str], answer: str | None = None,
            question: str = "") -> list[str]:
    """Entities of `kind` (a place, body or person: `is_about` never asks this of a name of
    unknown kind) that `text` names besides `entity` (and besides names inside it or around
    it, the answer itself: "Quận Duval" answers "Jacksonville nằm ở quận nào?", and any the
    question names too: "cao tốc Sơn Tịnh – Sơn Hà" asks of both places)."""
    want, given = fold(entity), fold(answer or "")
    return [m.name for m in mentions(text, gazetteer) if m.kind == kind and m.rank == 0
            and want not in fold(m.name) and fold(m.name) not in want and not (given and fold(m.name) in given)
            and not (question and names(question, m.name))]


def is_about(entity: str, sentence: str, passage_text: str, article_title: str,
             gazetteer: frozenset[str] = frozenset(), kind: str = "place", article_place: str | None = None,
             answer: str | None = None, question: str = "") -> bool:
    """Whether `sentence` (inside `passage_text`, of the article titled `article_title`, whose
    own place is `article_place` when known) answers about `entity`, an entity of `kind`;
    `answer`, the span that answers, and what `question` names are never counted as another entity."""
    if names(sentence, entity) or any(names(sentence, m.name) for m in mentions(question, gazetteer)
                                      if m.kind == kind and m.rank == 0):
        return True  # it names the entity, or another the question names with it ("cao tốc Sơn Tịnh – Sơn Hà")
    if kind == "name":
        # A name of unknown kind has no kind to compare with: other names beside the answer are no
        # sign that it is about something else (the sentence that answers a question on the
        # Carolina Panthers names Kony Ealy, Jared Allen and the Pro Bowl). Its passage or its
        # article naming it is the evidence; neither does for a question on the Broncos.
        return names(passage_text, entity) or names(article_title, entity)
    if article_place and names(article_place, entity) and names(article_title, entity):
        # Its title and the place it names most ("Diễn Châu", "Nhi Thanh Hóa" of a hospital) both
        # say the article is about the entity: a sentence of it naming other places ("… 60% ở
        # Nhật Bản", "phẫu thuật viên tại Lyon") still speaks of it.
        return True
    if _others(sentence, entity, kind, gazetteer, answer, question):
        return False  # the sentence is about another place (body, person)
    if names(article_title, entity) and not _others(article_title, entity, kind, gazetteer):
        return True
    if article_place and fold(article_place) == fold(entity):
        return True  # the article is about it, though its title does not say so
    return names(passage_text, entity) and not _others(passage_text, entity, kind, gazetteer, answer, question)


def kind_asked(question: str, gazetteer: frozenset[str] = frozenset()) -> str:
    m = _mention(question, gazetteer)
    return m.kind if m else "place"


def not_about(entity: str, language: str) -> str:
    return NOT_ABOUT["en" if language == "en" else "vi"].format(entity=entity)
