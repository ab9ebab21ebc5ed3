"""What a question asks: its asked type and where the question phrase that says it stands.

The types and their phrases are `qa/data/question_words.json` (written from grammar): the first
type whose phrase occurs in a Vietnamese question asks, accented or folded; English fronts its
question phrase, so there the phrase standing first asks, and after a bare "what" or "which" the
noun phrase's head says the type. Knows no article and no topic vocabulary; the rest of the
question's analysis is `question.py`.
"""
from __future__ import annotations

import re
from functools import cache

from qa.lang.language import detect_language
from qa.lang.text import fold, has_diacritics, normalize
from qa.lang.wordlists import table, words


def _pattern(phrases, form) -> re.Pattern:
    alternatives = sorted({form(p) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in alternatives) + r")(?!\w)")


@cache
def type_patterns(accented: bool) -> tuple[tuple[str, re.Pattern], ...]:
    """Per type, its phrases as the question is compared: accented (lower-case, tone marks
    placed) when it has diacritics, folded when it has none."""
    form = (lambda p: normalize(p).lower()) if accented else fold
    heads = table("question_words")["heads"]
    return tuple((kind, _pattern([*phrases, *_head_phrases(heads.get(kind, {}), accented)], form))
                 for kind, phrases in table("question_words")["types"])


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"


@cache
def _english_heads() -> dict[str, str]:
    """English head noun (and its plural) -> the type it asks for after "what" or "which"."""
    return {form: kind for kind, heads in table("question_words")["heads"].items() if kind != "_note"
            for noun in heads.get("en", ()) for form in (noun, _plural(noun))}


def _head_phrases(heads: dict[str, list[str]], accented: bool = True) -> list[str]:
    """The question phrases a type's head nouns make: "which nation", "what countries", "quốc gia nào"
    (without diacritics, only heads of two or more syllables: "tinh nao" may be "tính nào").

    >>> _head_phrases({"en": ["city"], "vi": ["tỉnh", "quốc gia"]})
    ['what city', 'which city', 'what cities', 'which cities', 'tỉnh nào', 'quốc gia nào']
    >>> _head_phrases({"vi": ["tỉnh", "quốc gia"]}, accented=False)
    ['quốc gia nào']
    """
    return ([f"{w} {form}" for noun in heads.get("en", ()) for form in (noun, _plural(noun)) for w in ("what", "which")]
            + [f"{noun} nào" for noun in heads.get("vi", ()) if accented or " " in noun])


@cache
def _listed(key: str, accented: bool) -> re.Pattern:
    """The phrases of `question_words.json`'s list `key` ("article_words", "generic") as compared."""
    return _pattern(table("question_words")[key], (lambda p: normalize(p).lower()) if accented else fold)


def names_article(text: str) -> bool:
    """Whether `text` names an article itself ("bài", "article": `question_words.json`), which an
    author question must: "Ai là tác giả cuốn sách …?" asks for a book's author, no byline."""
    accented, compared = compared_text(text)
    return _listed("article_words", accented).search(compared) is not None


def compared_text(text: str) -> tuple[bool, str]:
    """(typed with diacritics?, the text as the question phrases are compared: lower-case, and
    folded when typed without diacritics), offsets agreeing with the text's."""
    accented = has_diacritics(text)
    compared = text.lower() if accented else fold(text)
    return accented, compared if len(compared) == len(text) else text.lower()


def asked_type(text: str) -> str:
    """The asked type of a question (NFC, tone marks placed)."""
    return asking(text, detect_language(text) == "en")[0]


def asking(text: str, english: bool = False) -> tuple[str, tuple[int, int] | None]:
    """(asked type, where the question phrase that says it stands), else a generic question
    word's place ("gì", "what"), else None. English fronts its question phrase, so there the
    first one asks and a later one is a clause's ("What satellite was used when …?" asks what,
    not when; "What is the name of the quarterback who …?" asks what, not who).

    >>> asking("What satellite was used when Sky Digital was launched?", english=True)
    ('other', (0, 4))
    >>> asking("In what year was the Interstate Highway System created?", english=True)
    ('date', (3, 12))
    """
    accented, compared = compared_text(text)
    found = _typed(text, accented, compared)
    if english:
        return _first_asking(found, accented, compared)
    # A phrase inside a longer one is part of it: unaccented "co quan nao" (cơ quan nào) holds
    # "quan nao" (quận nào) but asks for an organisation, not a place.
    kept = [(rank, kind, span) for rank, kind, span in found
            if not any(c <= span[0] and span[1] <= d and d - c > span[1] - span[0] for _, _, (c, d) in found)]
    if kept:
        _, kind, span = min(kept)
        return kind, span
    generic = _listed("generic", accented).search(compared)
    return "other", generic.span() if generic else None


def _typed(text: str, accented: bool, compared: str) -> list[tuple[int, str, tuple[int, int]]]:
    """(rank of its type, the type, span) of every typed question phrase in the question; an
    author phrase only where the question names the article."""
    return [(rank, kind, m.span()) for rank, (kind, pattern) in enumerate(type_patterns(accented))
            for m in pattern.finditer(compared) if kind != "author" or names_article(text)]


def _first_asking(found: list[tuple[int, str, tuple[int, int]]], accented: bool,
                  compared: str) -> tuple[str, tuple[int, int] | None]:
    """Of the typed phrases `found`, and the generic "what" and "which", the English question
    phrase standing first (the longest there), and its type (a generic one's by `_headed`)."""
    first = [(a, -b, rank, kind) for rank, kind, (a, b) in found]
    first += [(m.start(), -m.end(), len(type_patterns(accented)), "other")
              for m in _listed("generic", accented).finditer(compared)]
    if not first:
        return "other", None
    start, end, _, kind = min(first)
    return (_headed(compared, -end) if kind == "other" else kind), (start, -end)


@cache
def _auxiliaries() -> frozenset[str]:
    return frozenset(table("question_words")["auxiliaries"])


_NAME_OF = re.compile(r" (?:is|was|are|were) (?:the |his |her |its |their )?(?:\w+ )?names? of(?: the| an| a)?(?!\w)")


def _headed(compared: str, end: int) -> str:
    """The type a generic "what" or "which" asks by the noun phrase after it: the words up to the
    first function word ("which Panthers player got" asks a person; "what is the name of the
    quarterback who …" too), a possessive modifying, not heading ("what king's palace").

    >>> _headed("which panthers player got a penalty", 5), _headed("what did the king give", 4)
    ('person', 'other')
    >>> _headed("what is the name of the quarterback who was 38", 4)
    'person'

    """
    named = _NAME_OF.match(compared, end)
    run = []
    for word in compared[named.end() if named else end:].split():
        word = word.strip("?,.;:!\"“”")
        if not word or word in words("en_function_words") or word in _auxiliaries():
            break
        run.append(word)
    kinds = [_english_heads().get(w) for w in run if not w.endswith(("'s", "’s"))]
    return next((k for k in reversed(kinds) if k), "other")
