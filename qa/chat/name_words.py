"""The words that mark a name in a question: place and body head words, family names, forms of address.

Reads the lists in `qa/data/` (`place_heads.txt`, `org_heads.txt`, `institution_heads.txt`,
`surnames.txt`, `person_titles.txt`, `not_names.txt`) through cached functions, and compares a
word with them as the text being read is written: with its diacritics when it has them
(`reading`), folded when it has none. Does not find names in a text or tell their kind
(`qa.chat.entities`).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Iterator

from qa.lang.text import fold, has_diacritics, normalize
from qa.lang.wordlists import words

_BARE: ContextVar[bool] = ContextVar("bare", default=True)  # the text being read has no diacritics


@contextmanager
def reading(text: str) -> Iterator[None]:
    """While open, words are compared as `text` is written: with diacritics when it has them."""
    token = _BARE.set(not has_diacritics(text))
    try:
        yield
    finally:
        _BARE.reset(token)


def reading_bare() -> bool:
    """The text being read has no diacritics (outside `reading`: True, words are compared folded)."""
    return _BARE.get()


@lru_cache(maxsize=1)
def _heads() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    places = frozenset(fold(w) for w in words("place_heads"))
    orgs = frozenset(fold(w) for w in words("org_heads"))
    return places, orgs, frozenset(fold(w) for w in words("surnames")), frozenset(fold(w) for w in words("not_names"))


def place_heads() -> frozenset[str]:
    """The folded place head words ("huyen", "thanh pho", "district")."""
    return _heads()[0]


def org_heads() -> frozenset[str]:
    """The folded body head words ("huyen uy", "dang bo", "committee")."""
    return _heads()[1]


def not_names() -> frozenset[str]:
    """The folded words capitalised for respect or at a sentence start, never a name (`not_names.txt`)."""
    return _heads()[3]


@lru_cache(maxsize=1)
def institution_heads() -> frozenset[str]:  # after these a name is the body's own, not a place's
    return frozenset(fold(w) for w in words("institution_heads"))


@lru_cache(maxsize=1)
def person_titles() -> frozenset[str]:
    """The folded forms of address before a person's name ("dong chi", "ong", "mr")."""
    return frozenset(fold(w) for w in words("person_titles"))


def is_surname(word: str, bare: bool | None = None) -> bool:
    """`word` is a family name (`surnames.txt`): compared with diacritics unless the text being
    read (`bare`: by default, the text `mentions` reads) has none, so "Quảng Bình" and "Quang
    Châu" do not start with "Quàng", nor "Tà Ròng" with "Tạ"."""
    if fold(word) not in _heads()[2]:
        return False
    return (_BARE.get() if bare is None else bare) or normalize(word.lower()) in _accented(_heads()[2])


def head_before(text: str, start: int, heads: frozenset[str]) -> str | None:
    """The head word (up to 4 syllables) that ends right before `start`, folded."""
    before = text[:start].split()[-4:]
    for n in range(len(before), 0, -1):
        if is_head(" ".join(before[-n:]), heads):
            return fold(" ".join(before[-n:]))
    return None


def is_head(word: str, heads: frozenset[str]) -> bool:
    """`word` is one of `heads` (folded entries): compared with diacritics when the text being
    read has them, so "Ban" (a board) is not "bản" (a village) in accented text."""
    if fold(word) not in heads:
        return False
    return _BARE.get() or normalize(word.lower()) in _accented(heads)


@lru_cache(maxsize=8)
def _accented(heads: frozenset[str]) -> frozenset[str]:
    """The accented entries of the head list(s) whose folded entries make up `heads`."""
    lists = [name for name in ("place_heads", "org_heads", "person_titles", "surnames")
             if frozenset(fold(w) for w in words(name)) <= heads]
    return frozenset(normalize(w.lower()) for name in lists for w in words(name))
