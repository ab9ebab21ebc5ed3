"""What a figure counts: the noun after a candidate's number against the one a "how many"
question asks ("16.000 loài" for "bao nhiêu loài cây", not "56 gương" for "bao nhiêu hộ").
Read by `features`; compares folded words and knows no topic vocabulary.
"""
from __future__ import annotations

from functools import cache

from qa.answer.question import scale_words
from qa.lang.numerals import figure_words
from qa.lang.text import fold


def counted_share(words: list[str], after: tuple[str, ...]) -> float:
    """How much of `after` (the question's words after its question phrase) the words after the
    candidate's last number repeat, from the first on (0..1).

    >>> counted_share(["16.000", "loai"], ("loai", "cay", "trong"))
    0.3333333333333333
    >>> counted_share(["khoang", "390", "ty", "cay"], ("loai", "cay", "trong"))
    0.0
    """
    last = _last_number(words)
    return 0.0 if last is None else prefix_match(words, last + 1, after)


def counts_other(words: list[str], counted: frozenset[str]) -> float:
    """1.0 when the candidate's numbers count only other nouns: some number is followed by a
    word that does not start the counted noun, and none by one that does.

    >>> counts_other(["56", "guong"], frozenset({"ho"})), counts_other(["300", "ho"], frozenset({"ho"}))
    (1.0, 0.0)
    >>> counts_other(["co", "300", "ho", "va", "56", "guong"], frozenset({"ho"})), counts_other(["56"], frozenset({"ho"}))
    (0.0, 0.0)
    >>> counts_other(["30", "den", "50", "nghin", "dan"], frozenset({"dan"})), counts_other(["50", "nghin", "dan"], frozenset({"nguoi"}))
    (0.0, 1.0)
    """
    following, i = [], 0
    while i < len(words):
        if words[i][:1].isdigit():
            while i < len(words) and in_figure(words[i]):
                i += 1
            if i < len(words):
                following.append(words[i])
        i += 1
    return float(bool(following) and not any(w in counted for w in following))


@cache
def _figure_words() -> frozenset[str]:
    """Folded words that continue a figure rather than name what it counts: scale words
    ("nghìn", "million") and the words joining a range (`numerals.FigureWords.range_joins`: "đến", "to")."""
    return scale_words() | frozenset(fold(w) for w in figure_words().range_joins)


def in_figure(word: str) -> bool:
    return word[:1].isdigit() or fold(word) in _figure_words()


def _last_number(words: list[str]) -> int | None:
    """Position of the last word that is a number, if any."""
    return max((i for i, w in enumerate(words) if w[:1].isdigit()), default=None)


def prefix_match(words: list[str], start: int, anchor: tuple[str, ...]) -> float:
    """How much of the start of `anchor` the words from position `start` repeat (0..1).

    >>> prefix_match(["manning", "la", "thu", "quan", "gia"], 1, ("la", "thu", "quan"))
    1.0
    """
    k = 0
    while k < len(anchor) and 0 <= start + k < len(words) and words[start + k] == anchor[k]:
        k += 1
    return k / len(anchor) if anchor else 0.0
