"""Which of a question's words a passage must contain (the rule stage's evidence terms).

`question_terms`: the evidence to look for (names, numbers, quoted names, content words),
folded so questions typed without diacritics match; `names_in`: the question's proper names.
Does not classify the question (`questions`), and does not look at passages (`evidence`
finds the terms in them).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.answer.rules.questions import QUOTE, QuestionType, is_english, is_stopword
from qa.lang.glossary import english_terms, glossary, vi_synonyms
from qa.lang.numbers import vi_words
from qa.lang.numwords import as_digits
from qa.lang.text import drop_thousands_dots, fold, has_diacritics, normalize


@dataclass(frozen=True)
class Term:
    """One piece of evidence: any of `forms` (folded syllable tuples) found in a passage."""

    forms: tuple[tuple[str, ...], ...]
    weight: float
    required: bool = False  # proper names and numbers: a passage without them is off topic
    label: str = ""
    single: bool = False  # a one-syllable word: found inside a compound ("giá" in "giá trị") it counts less
    name: bool = False  # a proper name of the question
    # A quoted name, word by word (alternative folded forms of each): found loosely, see
    # `evidence.loose_hits`. `scattered`: an English quote translated word by word, whose
    # Vietnamese words may come in any order with other words between them.
    parts: tuple[tuple[tuple[str, ...], ...], ...] = ()
    scattered: bool = False


_TOKEN = re.compile(r"\d+(?:[.,/-]\d+)*(?:-[A-ZĐ]+/[A-ZĐ]+)?|[^\W\d_]+", re.UNICODE)

# Phrases that only set the time of asking or the form of the answer.
_STOP_PHRASES = re.compile(r"(?i)\b(hiện nay|hôm nay|bây giờ|như thế nào|thế nào|là gì|là bao nhiêu|bao nhiêu|"
                           r"(?:ngày|năm|tháng|khi|lúc|thời gian|thời điểm) nào|bao giờ|ở đâu|tại đâu|là ai)\b")
_CODE = re.compile(r"\d+\s?[-–]\s?[A-ZĐ]+/[A-ZĐ]+")


def _forms(phrase: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in re.findall(r"\w+", phrase))


def names_in(question: str) -> list[str]:
    """Proper names: runs of capitalised syllables not opening the question ("Quỳnh Nhai")."""
    text = QUOTE.sub(" , ", re.sub(r"[“”\"‘’][^“”\"‘’]*[“”\"‘’]", " , ", normalize(question)))  # quotes are terms of their own
    english = is_english(question)
    names, run = [], []
    for m in re.finditer(r"\w+|[^\w\s]", text):
        word = m.group(0)
        # The question's first word is capitalised anyway: a name only if a capitalised word follows.
        following = re.match(r"\s+(\w)", text[m.end():])
        opening = not names and not run and not text[:m.start()].strip() and not (
            following and following.group(1).isupper()) or (not names and not run and fold(word) in glossary().english_words)
        if word[0].isupper() and not word[0].isdigit() and not opening and not (english and fold(word) in glossary().english_words):
            run.append(word)
            continue
        if run:
            names.append(" ".join(run))
        run = []
    if run:
        names.append(" ".join(run))
    # One syllable without diacritics ("Ho", "KH") is too weak to call a name.
    return [n for n in names if " " in n or fold(n) != n.lower()]



def _digit_variant(forms: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """The forms plus their spelled-out numbers as digits ("thu bay" -> also "thu 7")."""
    # One syllable alone is too ambiguous without diacritics ("bay" is also "fly").
    extra = tuple(d for f in forms if len(f) > 1 and (d := tuple(as_digits(w) for w in f)) != f and d not in forms)
    return forms + extra


def _quote_term(quote: str, english: bool) -> tuple[Term | None, set[str]]:
    """The evidence for a quoted name, and the English words it covers. A Vietnamese quote
    must be found nearly as written (spelled-out numbers = digits, a word more or less); an
    English one through the glossary, word by word. A passage without it is off topic."""
    words = _forms(quote)
    vietnamese = has_diacritics(quote) or not english or not any(w in glossary().english_words for w in words)
    if vietnamese:
        parts = tuple(((as_digits(w),),) for w in words)
        return Term(_digit_variant((words,)), 1.0 + 0.3 * len(words), required=len(words) >= 2, label=quote,
                    parts=parts if len(words) >= 2 else ()), set()
    # Words the glossary does not know stay as parts nobody can find: "Friday for the
    # environment" is not found through "environment" alone.
    parts = tuple(forms for _, forms in english_terms(quote))
    if len(parts) < 2:  # one word: evidence like any other word
        return None, set()
    return Term((), 1.0 + 0.3 * len(parts), required=True, label=quote, parts=parts, scattered=True), \
        {fold(w) for w in re.findall(r"[^\W\d_]+", quote)}


def question_terms(question: str, qtype: QuestionType) -> list[Term]:
    """The evidence a passage should hold: names and numbers (required), quotes, content words."""
    text = normalize(question)
    english = is_english(text)
    terms: list[Term] = []
    quoted_english: set[str] = set()
    for m in QUOTE.finditer(text):
        term, english_words = _quote_term(m.group(1) or m.group(2), english)
        terms.extend([term] if term else [])
        quoted_english |= english_words
    for name in names_in(text):
        several = " " in name  # a one-syllable capitalised word may be a common noun ("Bác")
        terms.append(Term((_forms(name),), 2.0 if several else 1.5, required=several, label=name, name=True))
    for code in _CODE.findall(text):
        terms.append(Term((_forms(code),), 1.5, label=code))
    for num in re.findall(r"\b\d+(?:[./]\d+)*\b", QUOTE.sub(" , ", text)):  # a quote's numbers are its own
        terms.append(Term(((drop_thousands_dots(num),),), 1.5, required=len(num) >= 4, label=num))
    skip = {fold(w) for n in qtype.nouns for w in n.split()}
    covered = {w for t in terms for f in t.forms for w in f}
    if english:
        for label, forms in english_terms(text, covered | quoted_english):
            if not forms:  # an English word the glossary does not know: evidence nobody can find
                terms.append(Term((), 1.0, label=label))
            elif not any(set(f) <= skip for f in forms):
                terms.append(Term(forms, 1.0, label=label))
        return terms
    text = _STOP_PHRASES.sub(" , ", QUOTE.sub(" , ", _CODE.sub(" , ", text)))
    accented = has_diacritics(text)
    written = [w for w in _TOKEN.findall(text) if not w[0].isdigit()]
    words = [None if is_stopword(w, accented) else fold(w) for w in written]
    pairs = list(zip(words, words[1:]))
    if accented:  # whole words: "giá" must not be found inside "giá trị"
        segmented = [tuple(fold(w) for w in word.split()) for word in vi_words(text)]
        for word, sylls in zip(vi_words(text), segmented):
            if not sylls or sylls[0][:1].isdigit() or set(sylls) <= covered or all(is_stopword(w, True) for w in word.split()):
                continue
            if len(sylls) == 1:
                terms.append(Term((sylls,), 0.5 if sylls[0] in skip else 0.8, single=True, label=word))
            else:
                for i in range(len(sylls) - 1):
                    pair = sylls[i:i + 2]
                    terms.append(Term(vi_synonyms(pair), 0.6 if set(pair) <= skip else 1.2, label=" ".join(pair)))
        # Adjacent one-syllable words may still be one word in the article ("thiện nguyện").
        singles = [s[0] if len(s) == 1 and not is_stopword(s[0], False) else None for s in segmented]
        pairs = list(zip(singles, singles[1:]))
    else:
        for w in dict.fromkeys(w for w in words if w and w not in covered):
            terms.append(Term(((w,),), 0.6 if w in skip else 1.0, label=w))
    labels = {t.label for t in terms}
    for a, b in pairs:
        if a and b and not {a, b} <= covered and f"{a} {b}" not in labels:
            terms.append(Term(((a, b),), 0.8, label=f"{a} {b}"))
    return [replace(t, forms=_digit_variant(t.forms)) if not (t.name or t.parts) else t for t in terms]
