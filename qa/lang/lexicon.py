"""Vietnamese words: the lexicon of multi-syllable words (inside the pyvi wheel) and the syllable inventory.

`segment` splits text into words by longest match ("09 tập thể, 41 cá nhân" -> "09", "tập
thể", "41", "cá nhân"); `word_edges` says which syllables open and close a word (an answer is
made of whole words); `is_word`, `opens_word` and `folds_to_syllable` ask the lexicon and the
inventory (`qa/data/vi_syllables.txt`) about one phrase. Read on first use. Does not
normalise or fold text (`text` does) and knows no part of speech.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from qa.lang.text import fold, has_diacritics, normalize
from qa.lang.wordlists import words


@lru_cache(maxsize=1)
def lexicon() -> tuple[frozenset[str], int]:
    """Multi-syllable Vietnamese words (lower-case), from the word list inside the pyvi wheel."""
    from importlib.resources import files

    words = set()
    for line in files("pyvi").joinpath("models/words.txt").read_text(encoding="utf-8").splitlines():
        word = normalize(line.strip()).lower()
        if " " in word:
            words.add(word)
    return frozenset(words), max((w.count(" ") + 1 for w in words), default=1)


@lru_cache(maxsize=1)
def _foldedlexicon() -> frozenset[str]:
    return frozenset(fold(w) for w in lexicon()[0])


@lru_cache(maxsize=1)
def _folded_inventory() -> frozenset[str]:
    return frozenset(fold(w) for w in words("vi_syllables"))


def folds_to_syllable(word: str) -> bool:
    """`word`, read without its marks, is a syllable of the Vietnamese inventory
    (`qa/data/vi_syllables.txt`): typed bare, "Phuong" may be "phường"; "Park" is no syllable.

    >>> folds_to_syllable("Phuong"), folds_to_syllable("Park")
    (True, False)
    """
    return fold(word) in _folded_inventory()


def is_word(phrase: str) -> bool:
    """`phrase` (two or more syllables, any case) is a word of pyvi's lexicon; typed without
    diacritics, a word that folds to it.

    >>> is_word("Đa khoa"), is_word("Da khoa"), is_word("Long An")
    (True, True, False)
    """
    if has_diacritics(phrase):
        return normalize(phrase).lower() in lexicon()[0]
    return fold(phrase) in _foldedlexicon()


_NEXT_SYLLABLE = re.compile(r" ([^\W\d_]+)")


def opens_word(text: str, start: int, end: int) -> bool:
    """The syllable text[start:end] and the lower-case one after it make a word of the lexicon:
    the capital of a body's name on a common word ("Bệnh viện Đa khoa"), no name of its own.

    >>> t = "Bệnh viện Đa khoa tỉnh Long An toàn bộ"
    >>> opens_word(t, 10, 12), opens_word(t, 28, 30)
    (True, True)
    """
    after = _NEXT_SYLLABLE.match(text, end)
    return bool(after) and after.group(1).islower() and is_word(f"{text[start:end]} {after.group(1)}")


def _word_lengths(sylls: Sequence[str]) -> list[int]:
    """How many syllables each word of the longest match of `sylls` against the lexicon takes."""
    words, longest = lexicon()
    lengths, i = [], 0
    while i < len(sylls):
        n = next((n for n in range(min(longest, len(sylls) - i), 1, -1) if " ".join(sylls[i:i + n]).lower() in words), 1)
        lengths.append(n)
        i += n
    return lengths


@lru_cache(maxsize=4096)
def segment(text: str) -> tuple[str, ...]:
    """Words by longest match against a 25k-word lexicon ("09 tập thể, 41 cá nhân" ->
    "09", "tập thể", "41", "cá nhân"); punctuation dropped. Chosen over pyvi's CRF, which
    agrees on the seeds' nouns but costs ~1.3 s to import (it pulls in scikit-learn) on
    every `qa ask`; see tests/test_text.py for the agreement check."""
    sylls = re.findall(r"\w+(?:[.,/-]\w+)*", text)
    out, i = [], 0
    for n in _word_lengths(sylls):
        out.append(" ".join(sylls[i:i + n]))
        i += n
    return tuple(out)


@lru_cache(maxsize=4096)
def word_edges(syllables: tuple[str, ...]) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
    """(opens, closes): does syllable i open / close a word of `segment`'s longest match over
    the lexicon? An answer is made of whole words: "ma trận kề" is one, "trận kề" cuts it.

    >>> word_edges(("dưới", "dạng", "ma", "trận", "kề"))
    ((True, True, True, False, True), (True, True, False, True, True))
    """
    opens: list[bool] = []
    closes: list[bool] = []
    for n in _word_lengths(syllables):
        opens += [True] + [False] * (n - 1)
        closes += [False] * (n - 1) + [True]
    return tuple(opens), tuple(closes)
