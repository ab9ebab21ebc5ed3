"""One analysis of the question, computed once and read by every later answer stage.

`analyse(question)` gives its language (`language.detect_language`), the asked type (the first
entry of `qa/data/question_words.json` whose phrase occurs in it, accented or folded), and its
terms in the forms the stages compare: folded content syllables (question and function words
of `qa/data/stopwords.txt` removed), the names it mentions (capitalised words, numbers) and
the numbers it quotes. Does not look at any article and knows no topic vocabulary.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from qa.lang.glossary import english_terms
from qa.lang.language import detect_language
from qa.lang.text import fold, has_diacritics, normalize
from qa.lang.wordlists import table, words

TYPES = ("quantity", "money", "percent", "date", "duration", "person", "place", "organisation",
         "list", "reason", "manner", "yes-no", "author", "other")
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str  # the question as asked (NFC, tone marks placed)
    language: str  # "vi", "vi-nodiacritics" or "en"
    asked: str  # one of TYPES
    terms: frozenset[str]  # folded content syllables ("quynh", "nhai", "huy", "dong")
    names: tuple[str, ...]  # folded capitalised words and numbers the question names
    numbers: frozenset[str]  # numbers as written, without thousands separators

    @property
    def english(self) -> bool:
        return self.language == "en"


def _pattern(phrases, form) -> re.Pattern:
    alternatives = sorted({form(p) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in alternatives) + r")(?!\w)")


@cache
def _type_patterns(accented: bool) -> tuple[tuple[str, re.Pattern], ...]:
    """Per type, its phrases as the question is compared: accented (lower-case, tone marks
    placed) when it has diacritics, folded when it has none."""
    form = (lambda p: normalize(p).lower()) if accented else fold
    return tuple((kind, _pattern(phrases, form)) for kind, phrases in table("question_words")["types"])


@cache
def _article_words(accented: bool) -> re.Pattern:
    return _pattern(table("question_words")["article_words"], (lambda p: normalize(p).lower()) if accented else fold)


def stopwords() -> frozenset[str]:
    return words("stopwords")


def asked_type(text: str) -> str:
    """The asked type of a question (NFC, tone marks placed)."""
    accented = has_diacritics(text)
    compared = text.lower() if accented else fold(text)
    for kind, pattern in _type_patterns(accented):
        if pattern.search(compared) and (kind != "author" or _article_words(accented).search(compared)):
            return kind
    return "other"


def word_list(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of the words and numbers of `text`."""
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def analyse(question: str) -> QuestionAnalysis:
    text = normalize(question).strip()
    accented = has_diacritics(text)
    compared = text.lower() if accented else fold(text)
    if len(compared) != len(text):  # offsets must agree with the text's (NFC keeps them so)
        compared = text.lower()
    asking = [m.span() for _, pattern in _type_patterns(accented) for m in pattern.finditer(compared)]
    stop = stopwords()
    found = [(w, a, b) for w, a, b in word_list(text) if not any(s <= a and b <= e for s, e in asking)]
    terms = frozenset(fold(w) for w, _, _ in found if w[:1].isdigit() or fold(w) not in stop)
    capital = [w[:1].isupper() for w, _, _ in found]
    names = tuple(fold(w) for i, (w, a, _) in enumerate(found) if w[:1].isdigit() or (
        capital[i] and fold(w) not in stop and (a > 0 or (i + 1 < len(found) and capital[i + 1]))))
    if detect_language(text) == "en":  # a bilingual table may add evidence, never take it away
        terms |= frozenset(w for _, forms in english_terms(text) for form in forms for w in form)
    numbers = frozenset(re.sub(r"[.,](?=\d{3}(?!\d))", "", w) for w, _, _ in found if w[:1].isdigit())
    return QuestionAnalysis(text=text, language=detect_language(text), asked=asked_type(text),
                            terms=terms, names=names, numbers=numbers)
