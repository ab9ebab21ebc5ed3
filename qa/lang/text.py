"""Vietnamese text: NFC with one tone-mark placement, diacritic folding, search tokens.

`normalize` is safe for the text people read (it changes no spacing or punctuation, and
moves a tone mark only inside a word spelt as a Vietnamese syllable: "hoá" -> "hóa", while
"Kraków", "María", "José" stay as written); `fold` (the one diacritic folding; `fold_aligned`
keeps offsets), `tokens` and `phrase_spans` are for matching only.
Sentence splitting lives in `chunking`, number parsing in `numbers`, language detection in
`language`, diacritic restoration in `accents`, words of the lexicon and segmentation in `lexicon`.

Why our own tone-mark rule rather than `underthesea.text_normalize`: that is a lookup
table that misses forms (e.g. "loà") and re-spaces punctuation, so it cannot be used on
displayed text. The rule below is the classic ("old style") placement: hóa, thúy, khỏe,
hoàn, người, khuỷu.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from qa.lang.phonotactics import is_vietnamese_syllable, split_tone
from qa.lang.wordlists import words

_MODIFIED = set("âăêôơư")  # vowels that carry a shape diacritic: the tone sits on them
_VOWELS = set("aăâeêioôơuưy")
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=65536)  # a corpus repeats a few thousand distinct words: cache them
def _place_tone(word: str) -> str:
    bare, tones = split_tone(word)
    if not tones:
        return word
    tone = tones[0]
    lower = bare.lower()
    # Skip the consonant part of the onset; "qu" and "gi" (before a vowel) are consonants.
    i = 0
    while i < len(lower) and lower[i] not in _VOWELS:
        i += 1
    onset_glide = lower[i - 1 : i + 1] if i > 0 else ""
    if onset_glide == "qu" or (onset_glide == "gi" and i + 1 < len(lower) and lower[i + 1] in _VOWELS):
        i += 1
    j = i
    while j < len(lower) and lower[j] in _VOWELS:
        j += 1
    nucleus = range(i, j)
    if not nucleus:
        return unicodedata.normalize("NFC", word)
    modified = [k for k in nucleus if lower[k] in _MODIFIED]
    if modified:
        target = modified[-1]
    elif j < len(lower):  # closed syllable: tone on the last vowel (hoàn, tuyết)
        target = j - 1
    elif len(nucleus) == 3:
        target = i + 1  # ngoài, khuỷu
    else:
        target = i  # open syllable: first vowel (hóa, thúy, khỏe, mùa)
    out = bare[:target] + unicodedata.normalize("NFC", bare[target] + tone) + bare[target + 1 :]
    return unicodedata.normalize("NFC", out)


def _canonical(word: str) -> str:
    return word if word.isascii() or not is_vietnamese_syllable(word) else _place_tone(word)


def normalize(text: str) -> str:
    """NFC plus one canonical tone-mark placement on Vietnamese syllables (foreign words are
    left as written); spacing and punctuation untouched."""
    return _WORD.sub(lambda m: _canonical(m.group(0)), unicodedata.normalize("NFC", text))


def fold(text: str) -> str:
    """Lower-case and drop diacritics: "Quỳnh Nhai" -> "quynh nhai", "Đảng" -> "dang"."""
    return _fold_word(text) if len(text) <= 32 else _fold(text)


@lru_cache(maxsize=1 << 16)
def _fold_word(text: str) -> str:  # words and short phrases recur across every question
    return _fold(text)


class _Folds(dict):
    """Code point -> its character's fold, filled as characters are met: decomposition and mark
    removal work per character, so `str.translate` with this table folds a text at C speed."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code))
        self[code] = folded = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").replace("đ", "d")
        return folded


_FOLDS = _Folds()


def _fold(text: str) -> str:
    text = text.lower()
    return text if text.isascii() else text.translate(_FOLDS)


def fold_aligned(text: str) -> str:
    """`fold` with one output character per input character, so that offsets of a match in
    the result are offsets in `text` ("Đảng bộ" -> "dang bo"). A character that folds to
    nothing (a lone combining mark) stays as it is: not a letter, so it joins no word."""
    return "".join((fold(c) or c)[0] for c in text)


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=2)
def question_function_words(folded: bool) -> frozenset[str]:
    """Question words (`qa/data/question_words.txt`), as written or folded: they carry no topic,
    and dropping them keeps BM25 and the answer finder on topic."""
    return frozenset(fold(w) for w in words("question_words")) if folded else words("question_words")


_THOUSANDS_DOT = re.compile(r"(?<=\d)\.(?=\d{3}(?!\d))")


def drop_thousands_dots(figure: str) -> str:
    """The one thousands rule of Vietnamese figures (also used by `numbers`): a dot before
    exactly three digits groups thousands ("4.036" -> "4036", "1.234,5" -> "1234,5"); "1.5"
    keeps its dot."""
    return _THOUSANDS_DOT.sub("", figure)


def syllables(text: str) -> list[str]:
    """Lower-cased syllables and numbers (thousands dots removed: "4.036" -> "4036")."""
    return [drop_thousands_dots(tok) if tok[0].isdigit() else tok for tok in TOKEN.findall(normalize(text).lower())]


def tokens(text: str, *, folded: bool = False, bigrams: bool = True, drop_question_words: bool = False) -> list[str]:
    """Search tokens: syllables (optionally folded) plus adjacent-syllable bigrams."""
    sylls = syllables(text)
    if folded:
        sylls = [fold(s) for s in sylls]
    if drop_question_words:
        stop = question_function_words(folded)
        sylls = [s for s in sylls if s not in stop]
    if not bigrams:
        return sylls
    return sylls + [f"{a}_{b}" for a, b in zip(sylls, sylls[1:])]


def phrase_spans(words: list[str] | tuple[str, ...], phrase: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) word positions of every occurrence of `phrase` in `words`.

    >>> phrase_spans(["ba", "tỷ", "đồng", "và", "ba", "tỷ"], ("ba", "tỷ"))
    [(0, 2), (4, 6)]
    """
    n, out, i = len(phrase), [], -1
    if not n:
        return out
    while True:  # the sequence's own index() scans for the first word: most texts lack it
        try:
            i = words.index(phrase[0], i + 1)
        except ValueError:
            return out
        if tuple(words[i:i + n]) == phrase:
            out.append((i, i + n))
