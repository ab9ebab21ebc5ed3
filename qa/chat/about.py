"""Is an answer about the entity the question asks about? Never answer with another place's figure.

`entity_of(question)` is the place, body or person a question names (a known or head-word
mention: "Quỳnh Nhai", "huyện X", "Đoàn Thanh niên", "ông Nguyễn Văn A"); `is_about` says
whether a sentence answers about it: yes when the sentence names it; no when the sentence
names another entity of that kind and not it ("… Đảng bộ huyện Mộc Châu … 716 nhà" is not
about Quỳnh Nhai); no when its passage does, or when its article's title names another and
neither the title nor the lead names it; otherwise yes when the title, the lead, the passage
or the article's text names it (or the article's own place, the one its title or text names
most, is it). An entity the article never names is never its topic: the check refuses a
district the archive has no article on.
A name of unknown kind (no place, body or person head) has no kind to compare with: for it,
its passage, title or article naming it is enough. Names are compared without diacritics.
Does not pick answers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable, Mapping

from qa.chat.entities import Mention, known_pattern, mentions
from qa.lang.language import detect_language
from qa.lang.lexicon import folds_to_syllable
from qa.lang.text import fold, fold_aligned, has_diacritics
from qa.lang.wordlists import table
from qa.records import Article

ASKED_KINDS = ("place", "org", "person")
NOT_ABOUT = {"vi": "Các bài báo không nói về {entity}.", "en": "The articles do not say about {entity}."}


@dataclass(frozen=True)
class Archive:
    """What the live build says around an answer's article: each article's own place and text
    (by id), and which places hold which (`nested_places`)."""

    places: Mapping[str, str | None] = field(default_factory=dict)
    articles: Mapping[str, Article] = field(default_factory=dict)
    nested: frozenset[tuple[str, str]] = frozenset()


def nested_places(texts: Iterable[str], gazetteer: frozenset[str]) -> frozenset[tuple[str, str]]:
    """(inner, outer) pairs of folded place names that `texts` write as one address: each name
    after its unit's head, the next unit of a higher tier (`qa/data/place_levels.json`) after a
    comma. A place and the one that holds it are not two places an answer could confuse; a list
    of siblings ("thị xã Quế Võ, thành phố Bắc Ninh, huyện Gia Bình") nests nothing.

    >>> sorted(nested_places(["tại xã Phù Lãng, huyện Quế Võ, tỉnh Bắc Ninh."], frozenset({"Phù Lãng", "Quế Võ", "Bắc Ninh"})))
    [('phu lang', 'bac ninh'), ('phu lang', 'que vo'), ('que vo', 'bac ninh')]
    """
    levels = _levels()
    pattern, heads = known_pattern(gazetteer)[0], "|".join(map(re.escape, sorted(levels, key=len, reverse=True)))
    before = re.compile(r"(?:^|\W)(%s)\s+$" % heads)
    joint = re.compile(r",\s*(%s)\s+" % heads)
    pairs: set[tuple[str, str]] = set()
    for text in texts:
        folded = fold_aligned(text)
        chain: list[tuple[str, int]] = []  # (name, tier) of the address being read
        end = 0  # where the last name matched ends
        for m in pattern.finditer(folded):
            link = joint.fullmatch(folded, end, m.start()) if chain else None
            if link and levels[link.group(1)] < chain[-1][1]:
                pairs.update((inner, m.group()) for inner, _ in chain if inner != m.group())
                chain.append((m.group(), levels[link.group(1)]))
            else:
                head = before.search(folded, max(0, m.start() - 16), m.start())
                chain = [(m.group(), levels[head.group(1)])] if head else []
            end = m.end()
    return frozenset(pairs)


@lru_cache(maxsize=1)
def _levels() -> dict[str, int]:
    return {fold(head): level for head, level in table("place_levels")["levels"].items()}


def _mention(question: str, gazetteer: frozenset[str]) -> Mention | None:
    # A name of unknown kind ("Broncos", "Fresno" typed mid-sentence) counts when nothing better is
    # named, in a Vietnamese question, or written with Vietnamese tone marks in an English one
    # ("How much did Hà Nội raise?"): otherwise an English question may name in English what the
    # Vietnamese text names otherwise ("Muscovy ducks" are "vịt Xiêm", "Uncle Ho" is "Bác Hồ").
    vietnamese = detect_language(question) != "en"
    named = [m for m in mentions(question, gazetteer) if m.kind in ASKED_KINDS and m.rank == 0
             or (vietnamese or has_diacritics(m.name)) and m.kind == "name" and m.rank == 1]
    order = ASKED_KINDS + ("name",)
    chosen = min(named, key=lambda m: (order.index(m.kind), m.start)) if named else None
    return chosen if vietnamese or chosen is None else replace(chosen, name=_vietnamese_part(chosen.name))


def _vietnamese_part(name: str) -> str:
    """An English question's name without the English words after its Vietnamese syllables, which
    the articles write otherwise ("Quang Chau Industrial Park" is "Khu công nghiệp Quang Châu");
    a name of fewer than two Vietnamese syllables stays whole ("Hanseong Electronics").

    >>> _vietnamese_part("Quang Chau Industrial Park"), _vietnamese_part("Hanseong Electronics")
    ('Quang Chau', 'Hanseong Electronics')
    """
    parts = name.split()
    n = next((i for i, w in enumerate(parts) if not folds_to_syllable(w)), len(parts))
    return " ".join(parts[:n]) if n >= 2 else name


def entity_of(question: str, gazetteer: frozenset[str] = frozenset()) -> str | None:
    """The place (else body, else person, else a mid-sentence name) `question` names, or None."""
    m = _mention(question, gazetteer)
    return m.name if m else None


def names(text: str, entity: str) -> bool:
    """`text` names `entity` (as a whole word run, with or without diacritics)."""
    return re.search(r"(?<!\w)%s(?!\w)" % re.escape(fold(entity)), fold(text)) is not None


def _others(text: str, entity: str, kind: str, gazetteer: frozenset[str], answer: str | None = None,
            question: str = "", nested: frozenset[tuple[str, str]] = frozenset()) -> list[str]:
    """Entities of `kind` (a place, body or person: `is_about` never asks this of a name of
    unknown kind) that `text` names besides `entity` (and besides names inside it or around
    it, the answer itself: "Quận Duval" answers "Jacksonville nằm ở quận nào?", any the
    question names too: "cao tốc Sơn Tịnh – Sơn Hà" asks of both places, and any that holds it
    or that it holds, by `nested`: "thị xã Quế Võ" in an answer on xã Phù Lãng)."""
    want, given = fold(entity), fold(answer or "")
    return [m.name for m in mentions(text, gazetteer) if m.kind == kind and m.rank == 0
            and want not in fold(m.name) and fold(m.name) not in want and not (given and fold(m.name) in given)
            and not (question and names(question, m.name))
            and (want, fold(m.name)) not in nested and (fold(m.name), want) not in nested]


def is_about(entity: str, sentence: str, passage_text: str, article_title: str,
             gazetteer: frozenset[str] = frozenset(), kind: str = "place", article_place: str | None = None,
             answer: str | None = None, question: str = "", article_text: str = "",
             nested: frozenset[tuple[str, str]] = frozenset()) -> bool:
    """Whether `sentence` (inside `passage_text`, of the article titled `article_title` whose text
    is `article_text` and whose own place is `article_place`, when known) answers about `entity`,
    an entity of `kind`; `answer`, the span that answers, what `question` names and the places
    that hold `entity` or that it holds (`nested`) are never counted as another entity."""
    if names(sentence, entity) or any(names(sentence, m.name) for m in mentions(question, gazetteer)
                                      if m.kind == kind and m.rank == 0):
        return True  # it names the entity, or another the question names with it ("cao tốc Sơn Tịnh – Sơn Hà")
    if kind == "name":
        # A name of unknown kind has no kind to compare with: other names beside the answer are no
        # sign that it is about something else (the sentence that answers a question on the
        # Carolina Panthers names Kony Ealy, Jared Allen and the Pro Bowl). Its passage or its
        # article naming it is the evidence; neither does for a question on the Broncos.
        if names(passage_text, entity) or names(article_title, entity):
            return True
        # Named elsewhere in the article, it still is the topic of a sentence that names no other
        # name ("Tỷ lệ nợ xấu … là 1,87%" in an article on DHBank); not of one that does ("Đội thủ
        # của Panthers …" answering on the Broncos). Places, bodies and people are other kinds.
        given = fold(answer or "")
        return names(article_text, entity) and not any(
            m.kind == "name" and m.rank <= 1 and not names(question, m.name) and fold(m.name) not in given
            for m in mentions(sentence, gazetteer))
    if article_place and names(article_place, entity) and names(article_title, entity):
        # Its title and the place it names most ("Diễn Châu", "Nhi Thanh Hóa" of a hospital) both
        # say the article is about the entity: a sentence of it naming other places ("… 60% ở
        # Nhật Bản", "phẫu thuật viên tại Lyon") still speaks of it.
        return True
    if _others(sentence, entity, kind, gazetteer, answer, question, nested):
        return False  # the sentence is about another place (body, person)
    # A news article says what it is about in its title and its lead, the first paragraph
    # ("Nhà máy điện rác Phù Lãng, đặt tại xã Phù Lãng" under a title that names the province).
    in_title = names(article_title, entity) or names(article_text.split("\n\n", 1)[0], entity)
    title_others = _others(article_title, entity, kind, gazetteer, None, question, nested)
    if in_title and not title_others:
        return True
    if article_place and fold(article_place) == fold(entity):
        return True  # the article is about it, though its title does not say so
    if _others(passage_text, entity, kind, gazetteer, answer, question, nested) and not names(passage_text, entity):
        return False  # the passage speaks of another one
    if title_others and not in_title:
        return False  # so does the article's title
    # Nothing around the sentence speaks of another: the article naming it anywhere is enough
    # ("Marathon Quốc tế Quy Nhơn" in a title that also names the winners' countries).
    return in_title or names(passage_text, entity) or names(article_text, entity)


def kind_asked(question: str, gazetteer: frozenset[str] = frozenset()) -> str:
    m = _mention(question, gazetteer)
    return m.kind if m else "place"


def not_about(entity: str, language: str) -> str:
    return NOT_ABOUT["en" if language == "en" else "vi"].format(entity=entity)
