"""Which language a question is typed in: "vi", "vi-nodiacritics" or "en".

Each word votes. English function words (qa/data/en_function_words.txt) vote English; a
lower-case word that is spelt as a Vietnamese syllable (qa.lang.phonotactics) and, when typed
without diacritics, is one of the known syllables folded (qa/data/vi_syllables.txt) votes
Vietnamese; a lower-case word that is neither ("raise", "stadium") votes English. Capitalised
words are names in either language ("Broncos", "Quỳnh Nhai", "Super Bowl") and do not vote,
except the first word of the question, which counts half. Acronyms and codes ("UBND",
"KL/TW") never vote. Does not detect languages other than these two.
"""
from __future__ import annotations

import re
from functools import lru_cache

from qa.lang.phonotactics import is_vietnamese_syllable
from qa.lang.text import fold, has_diacritics
from qa.lang.wordlists import words

_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _folded_syllables() -> frozenset[str]:
    return frozenset(fold(w) for w in words("vi_syllables"))


@lru_cache(maxsize=65536)  # a corpus repeats a few thousand distinct words
def _vote(word: str) -> tuple[float, float, bool]:
    """(English vote, Vietnamese vote, carries diacritics) of one lower-case word."""
    folded = fold(word)
    english = word in words("en_function_words")
    # Typed without marks, "duoc" is spelt as no syllable ("uoc" lacks its horns): look it up folded.
    vietnamese = folded in _folded_syllables() if folded == word else is_vietnamese_syllable(word)
    if english and vietnamese:  # "the", "to", "in": both languages spell them
        return 0.0, 0.0, False
    if english:
        return 1.0, 0.0, False
    if vietnamese:
        return 0.0, 1.0, folded != word
    return 1.0, 0.0, False  # a lower-case word no Vietnamese syllable spells


def detect_language(text: str) -> str:
    """"en" when it reads English (names may still carry diacritics), else "vi" (with
    diacritics) or "vi-nodiacritics" (Vietnamese typed without them)."""
    english = vietnamese = 0.0
    accented = plain = 0
    for i, word in enumerate(_WORD.findall(text)):
        if word.isupper() and len(word) > 1:  # an acronym: neither language
            continue
        lower = word.lower()
        function_word = lower in words("en_function_words")
        capitalised = word[0].isupper() and not function_word
        if capitalised and i > 0:
            continue  # a name, in either language
        en, vi, marks = _vote(lower)
        weight = 0.5 if capitalised else 1.0
        english += en * weight
        vietnamese += vi * weight
        if vi:
            accented += marks
            plain += not marks
    if english > vietnamese:
        return "en"
    return "vi" if accented or not plain and has_diacritics(text) else "vi-nodiacritics"
