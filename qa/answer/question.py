"""One analysis of the question, computed once and read by every later answer stage.

`analyse(question)` gives its language (`language.detect_language`), the asked type and where
its question phrase stands (`asking`), and its terms in the forms the stages
compare: folded content syllables (question and function words of `qa/data/stopwords.txt`
removed), the names it mentions (capitalised words, numbers), the numbers it quotes, the
words just before and after its question phrase, what it asks besides its names (its
predicate), the noun a "how many" question counts and the unit a figure question names
("bao nhiêu dặm vuông", "how many dollars"). Does not look at any article and knows
no topic vocabulary.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from qa.answer.asking import asking, compared_text, type_patterns
from qa.lang.glossary import english_terms
from qa.lang.language import detect_language
from qa.lang.numbers import unit_kind
from qa.lang.numerals import figure_words
from qa.lang.text import fold, has_diacritics, normalize
from qa.lang.wordlists import table, words

TYPES = ("quantity", "money", "percent", "date", "duration", "person", "place", "organisation",
         "list", "reason", "manner", "yes-no", "author", "other")
_FIGURE_TYPES = frozenset({"quantity", "money", "percent", "duration"})  # types whose answer may carry a unit
ANCHOR = 3  # words on each side of the question phrase kept as its anchors
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str  # the question as asked (NFC, tone marks placed)
    language: str  # "vi", "vi-nodiacritics" or "en"
    asked: str  # one of TYPES
    terms: frozenset[str]  # folded content syllables ("quynh", "nhai", "huy", "dong")
    names: tuple[str, ...]  # folded capitalised words and numbers the question names
    numbers: frozenset[str]  # numbers as written, without thousands separators
    # The folded words just before and after the question phrase ("thiết kế bởi" | "ai" | ""):
    # a declarative sentence that answers often has the answer between the same words.
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    # What it asks besides its names, each as the folded forms the text may hold: a Vietnamese
    # content word (("huy",),), or an English word's glossary forms (("pha", "do"),) as whole
    # phrases, since single syllables such as "do" or "gia" stand in too many words.
    predicate: tuple[tuple[tuple[str, ...], ...], ...] = ()
    # What a "how many" question counts, as the first folded syllable of the word that says it:
    # "bao nhiêu [hộ] dân" -> {"ho"}; in English the glossary's forms ("households" -> "hộ").
    counted: frozenset[str] = frozenset()
    # `after` as typed (lower-case, tone marks kept) when the question has tone marks: compared
    # with text that has them too, "bao nhiêu hồ" (lakes) does not count "48 hộ" (households).
    after_typed: tuple[str, ...] = ()
    # The unit the words after its question phrase name, canonical as `numbers` gives a figure's
    # ("bao nhiêu [dặm vuông]" -> "sq mi", "how many [dollars]" -> "USD"), else None.
    unit: str | None = None
    # A count of something, never a sum of money: an English "how many", or a Vietnamese "bao
    # nhiêu" followed by the noun it counts ("bao nhiêu giáo viên") that is no scale word or unit
    # ("bao nhiêu tỷ đồng" asks a sum). A sum's own nouns ask money ("bao nhiêu tiền", "bao nhiêu
    # vốn": `question_words.json`), and "how much" asks either.
    countable: bool = False

    @property
    def english(self) -> bool:
        return self.language == "en"


@cache
def stopwords(accented: bool = False) -> frozenset[str]:
    """Function words as the words of a text are compared (`compared_word`): as written in a
    text typed with diacritics, folded in one typed without.

    >>> ("cả" in stopwords(True), "ca" in stopwords(True), "ca" in stopwords(False))
    (True, False, True)
    """
    listed = words("stopwords")
    return listed if accented else frozenset(fold(w) for w in listed)


def compared_word(word: str, accented: bool) -> str:
    """`word` as `stopwords(accented)` holds it: a song ("ca") is no "cả" where tone marks are written."""
    return word.lower() if accented else fold(word)


@lru_cache(maxsize=4096)
def word_list(text: str) -> tuple[tuple[str, int, int], ...]:
    """(word, start, end) of the words and numbers of `text`. Cached: the candidates, the
    features and the sentence choice of one question each read the same sentences."""
    return tuple((m.group(0), m.start(), m.end()) for m in _WORD.finditer(text))


def analyse(question: str, marked: bool | None = None) -> QuestionAnalysis:
    """`marked`: whether the asker typed tone marks (None: read from the question). A question
    typed without them and given its marks back (`Retriever.with_diacritics`) may carry wrong ones
    ("giây" restored as "giấy"): only what the asker typed is compared as typed."""
    text = normalize(question).strip()
    accented, compared = compared_text(text)
    phrases = [m.span() for _, pattern in type_patterns(accented) for m in pattern.finditer(compared)]
    stop = stopwords()  # terms are folded: compared folded, so "đó" in a text is never the term "độ"
    spans = word_list(text)
    found = [(w, a, b) for w, a, b in spans if not any(s <= a and b <= e for s, e in phrases)]
    terms = frozenset(fold(w) for w, _, _ in found if w[:1].isdigit() or fold(w) not in stop)
    capital = [w[:1].isupper() for w, _, _ in found]
    names = tuple(fold(w) for i, (w, a, _) in enumerate(found) if w[:1].isdigit() or (
        capital[i] and fold(w) not in stop and (a > 0 or (i + 1 < len(found) and capital[i + 1]))))
    named = set(names)
    predicate = tuple(((t,),) for t in sorted(terms - named))
    language = detect_language(text)
    if language == "en":  # a bilingual table may add evidence, never take it away
        glossed = english_terms(text)
        terms |= frozenset(w for _, forms in glossed for form in forms for w in form)
        predicate = tuple(kept for _, forms in glossed if (kept := tuple(f for f in forms if not set(f) <= named)))
    numbers = frozenset(re.sub(r"[.,](?=\d{3}(?!\d))", "", w) for w, _, _ in found if w[:1].isdigit())
    asked, where = asking(text, language == "en")
    before = after = after_typed = ()
    unit = None
    if where is not None:
        folded = [fold(w) for w, _, _ in spans]
        first = sum(a < where[0] for _, a, _ in spans)
        last = sum(a < where[1] for _, a, _ in spans)
        before, after = tuple(folded[max(0, first - ANCHOR):first]), tuple(folded[last:last + ANCHOR])
        if language != "en" and (has_diacritics(text) if marked is None else marked):
            after_typed = tuple(w.lower() for w, _, _ in spans[last:last + ANCHOR])
        if asked in _FIGURE_TYPES:  # the unit may close the question phrase ("how many dollars") or follow it
            scaled = next((k for k in range(last, len(folded)) if folded[k] not in scale_words()), len(folded))
            unit = next(filter(None, (unit_named(tuple(folded[i:scaled + ANCHOR]))
                                      for i in (*range(first, last + 1), scaled))), None)
            if asked == "quantity" and unit and unit_kind(unit) is None:  # a currency: no measure
                asked = "money"  # "bao nhiêu tỷ đồng": a sum, its scale word before the currency
    return QuestionAnalysis(text=text, language=language, asked=asked, terms=terms, names=names,
                            numbers=numbers, before=before, after=after, predicate=predicate,
                            counted=(counted := _counted_noun(asked, after, language == "en")), after_typed=after_typed,
                            unit=unit, countable=_countable(asked, where, compared, after, counted, unit, language == "en"))


@cache
def _folded_units() -> tuple[tuple[tuple[str, ...], str], ...]:
    """(folded words of a written unit, its canonical unit), longest first: the currencies and
    measures of `numerals.FigureWords.unit_words`; single letters ("m", "đ") are left out, since after a
    question phrase they are more often something else."""
    forms = {tuple(fold(part) for part in _WORD.findall(w)): unit for w, unit in figure_words().unit_words.items()
             if len(w) > 1}
    return tuple(sorted(forms.items(), key=lambda fu: -len(fu[0])))


def unit_named(after: tuple[str, ...]) -> str | None:
    """The canonical unit `after` (folded words) starts with.

    >>> unit_named(("dam", "vuong", "moi", "nam")), unit_named(("km", "2")), unit_named(("dollars",)), unit_named(("nguoi",))
    ('sq mi', 'km2', 'USD', None)
    """
    return next((unit for form, unit in _folded_units() if after[:len(form)] == form), None)


def _countable(asked: str, where: tuple[int, int] | None, compared: str, after: tuple[str, ...],
               counted: frozenset[str], unit: str | None, english: bool) -> bool:
    """Whether a quantity question asks a count (see `QuestionAnalysis.countable`); `counted` is
    its counted noun (`_counted_noun`).

    >>> _countable("quantity", (11, 20), "quynh nhai co bao nhieu giao vien", ("giao", "vien"), frozenset({"giao"}), None, False)
    True
    >>> _countable("quantity", (14, 23), "huy dong duoc bao nhieu ty dong", ("ty", "dong"), frozenset({"ty"}), "VND", False)
    False
    """
    if asked != "quantity" or where is None:
        return False
    if english:
        return "many" in compared[where[0]:where[1]].split()
    return bool(counted) and unit is None and after[0] not in scale_words()


@cache
def scale_words() -> frozenset[str]:
    """Folded number scale words ("nghìn", "triệu", "tỷ"): "bao nhiêu triệu" asks a figure's size."""
    return frozenset(fold(w) for w in table("number_words")["digit_scales"])


def _counted_noun(asked: str, after: tuple[str, ...], english: bool) -> frozenset[str]:
    """The first syllables the noun a "how many" question counts may start with (empty when it
    asks no count, or the word is a function word or unknown to the glossary).

    >>> sorted(_counted_noun("quantity", ("households", "demolished"), english=True))
    ['ho']
    >>> sorted(_counted_noun("quantity", ("hoc", "sinh"), english=False))
    ['hoc']
    """
    if asked != "quantity" or not after or after[0] in stopwords() or after[0][:1].isdigit():
        return frozenset()
    if not english:
        return frozenset({after[0]})
    # A compound the glossary knows is counted whole ("working days" -> "ngày công", not "làm việc").
    first = english_terms(" ".join(after))[:1]
    if not first or first[0][0].split()[0] != after[0]:
        first = english_terms(after[0])[:1]
    return frozenset(form[0] for _, forms in first for form in forms if form)
