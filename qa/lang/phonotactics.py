"""Is a written word a Vietnamese syllable? Decided by Vietnamese spelling rules, not by names.

A Vietnamese syllable is an onset (b, ch, ngh, qu, gi, ... or none) plus a rhyme (vowels and
an optional final c, ch, m, n, ng, nh, p, t), written with the letters a ă â e ê i o ô ơ u ư y
and at most one tone mark; a syllable closed by c, ch, p or t takes only the acute or the dot
below. The onsets and rhymes are data (qa/data/vi_onsets.txt, vi_rhymes.txt, derived from two
dictionaries by bench/fit_text_data.py). "Kraków", "María", "José", "Zürich", "café" fail;
"hoá", "khuỷu", "người" pass. Does not say whether the syllable is a real word.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from qa.lang.wordlists import words

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave acute tilde hook dot
_STOP_TONES = {"\u0301", "\u0323"}  # the only tones of a syllable closed by c, ch, p, t
VOWELS = frozenset("aăâeêioôơuưy")
_LETTERS = VOWELS | frozenset("bcdđghklmnpqrstvx")


def split_tone(word: str) -> tuple[str, list[str]]:
    """("hoá" -> "hoa", ["\u0301"]): the word without tone marks (NFC) and the marks found.
    Not `text.fold`: the shape marks (ă, ơ, đ...) stay, since they decide the syllable."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in TONES]
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES)), tones


def split_onset(bare: str) -> tuple[str, str]:
    """(onset, rhyme) of a lower-case word without tone: "quốc" -> ("qu", "ôc"), "gì" -> ("g", "i")."""
    i = 0
    while i < len(bare) and bare[i] not in VOWELS:
        i += 1
    onset, rest = bare[:i], bare[i:]
    if onset == "q" and rest.startswith("u") and len(rest) > 1:
        return "qu", rest[1:]
    if onset == "g" and rest.startswith("i") and len(rest) > 1 and rest[1] in VOWELS:
        return "gi", rest[1:]
    return onset, rest


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """True for a word spelt as one Vietnamese syllable (any case, tone marks or not)."""
    bare, tones = split_tone(word.lower())
    if len(tones) > 1 or not bare or not set(bare) <= _LETTERS:
        return False
    onset, rhyme = split_onset(bare)
    if onset and onset not in words("vi_onsets") or rhyme not in words("vi_rhymes"):
        return False
    return not (tones and rhyme.endswith(("c", "ch", "p", "t")) and tones[0] not in _STOP_TONES)
