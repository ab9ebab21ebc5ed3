"""Candidate answer spans in the sentences of the retrieved passages, general by construction.

For every sentence of a fixed pool of passages (each sentence once, cited at the best-ranked
passage that shows it) it lists typed spans -- figures with their units and dates
(`numbers.find_quantities` plus bare numbers, ranges of two figures such as "30 đến 50 nghìn
dân", and Vietnamese date phrases: `dates.DATE`), names (`names`: Vietnamese and foreign, with their head,
listed), quoted text -- and always clause-level spans: the pieces of the
sentence between punctuation, pairs of them, the whole sentence, the runs of a piece that
do not repeat the question, and what follows a word saying why or how ("do nắng nóng kéo dài",
"bằng cách chia nhỏ": `qa/data/connectives.json`). So a "why" or "how" question still gets the
shortest clause that answers. No span cuts a word or a figure ("Astra 2A", "4:51"). Does not
score anything: `features` and `scorer` do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Sequence

from qa.answer.dates import DATE
from qa.answer.names import names
from qa.answer.question import QuestionAnalysis, compared_word, stopwords, word_list
from qa.ingest.chunking import sentence_spans
from qa.lang.numbers import find_quantities
from qa.lang.numerals import figure_words
from qa.lang.text import fold, has_diacritics
from qa.lang.wordlists import table
from qa.records import Passage

FLAGS = ("number", "money", "percent", "date", "duration", "name", "quoted", "clause", "gap", "sentence", "cause", "means")
_QUANTITY_FLAG = {"money": "money", "percent": "percent", "duration": "duration", "year": "date", "date": "date",
                  "period": "date", "code": "name"}  # "01-KL/TW" numbers a document: it names it, it counts nothing
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?:\s+[^\W\d_]+){0,2}")
_NOT_RANGED = frozenset({"date", "period", "code", "year"})
_QUOTED = re.compile(r"[“\"‘«]([^”\"’»\n]{2,80})[”\"’»]")
# Clause boundaries: punctuation followed by a space (never the comma of "0,62"), brackets, dashes.
_CLAUSE_BREAK = re.compile(r"[,;:](?=\s)\s*|\s*[()\[\]]\s*|\s+[–—-]\s+")


@dataclass(frozen=True)
class Sentence:
    passage: int  # index into the passages given
    start: int  # offsets into the passage's text
    end: int
    text: str
    focus: bool  # the passage's own (best-matching) sentence


@dataclass(frozen=True)
class Candidate:
    sentence: int  # index into the sentences
    start: int  # offsets into the sentence's text
    end: int
    text: str
    flags: frozenset[str]
    value: float | None = None
    unit: str | None = None


def sentences(passages: Sequence[Passage]) -> list[Sentence]:
    """Every sentence of the passages once, at the best-ranked passage showing it."""
    seen, out = set(), []
    for i, p in enumerate(passages):
        for s, e in sentence_spans(p.text):
            key = (p.article.id, p.start + s, p.start + e)
            if key in seen:
                continue
            seen.add(key)
            out.append(Sentence(i, s, e, p.text[s:e], p.sentence_start - p.start <= s < p.sentence_end - p.start))
    return out


def _gaps(text: str, s: int, e: int, asked: frozenset[str], stop: frozenset[str],
          accented: bool) -> list[tuple[int, int]]:
    """Runs of the piece text[s:e] whose words do not repeat the question, function words
    (`stopwords(accented)`) trimmed."""
    words = [(w, a, b) for w, a, b in word_list(text[s:e])]
    if not any(fold(w) in asked for w, _, _ in words):
        return []
    runs, current = [], []
    for w, a, b in words + [("", 0, 0)]:
        if w and fold(w) not in asked:
            current.append((w, a, b))
            continue
        while current and compared_word(current[0][0], accented) in stop:
            current.pop(0)
        while current and compared_word(current[-1][0], accented) in stop:
            current.pop()
        if current:
            runs.append((s + current[0][1], s + current[-1][2]))
        current = []
    return runs


def _whole_tokens(text: str, s: int, e: int) -> tuple[int, int]:
    """(s, e) widened so that no span cuts a word or a figure: "Astra 2A", not "Astra 2"; "4:51", "20:1",
    "28,5". A slash or a hyphen joins words that stand alone ("quý II/2025", "Ji-hoon"): no joint.

    >>> t = "vệ tinh Astra 2A ở 28,5° Đông, lúc 4:51"
    >>> [t[slice(*_whole_tokens(t, t.index(x), t.index(x) + len(x)))] for x in ("Astra 2", "4", "5")]
    ['Astra 2A', '4:51', '28,5']
    """
    def joined(n: int) -> bool:  # "4:51", "28,5"
        if not 0 < n < len(text) - 1 or not (text[n - 1].isalnum() and text[n + 1].isalnum()):
            return False
        return text[n] == ":" or text[n] in ",." and text[n - 1].isdigit() and text[n + 1].isdigit()
    if s < e and text[s].isalnum() and text[e - 1].isalnum():
        while e < len(text) and (text[e].isalnum() or joined(e)):
            e += 1
        while s > 0 and (text[s - 1].isalnum() or joined(s - 1)):
            s -= 1
    return s, e


def in_sentence(text: str, q: QuestionAnalysis) -> dict[tuple[int, int], set[str]]:
    """(start, end) -> flags of every candidate span of one sentence."""
    found: dict[tuple[int, int], set[str]] = {}

    def add(s: int, e: int, flag: str) -> None:
        while s < e and not text[s].isalnum():
            s += 1
        while e > s and not (text[e - 1].isalnum() or text[e - 1] in "%)”\"'’"):
            e -= 1
        s, e = _whole_tokens(text, s, e)
        if e > s:
            found.setdefault((s, e), set()).add(flag)

    accented = has_diacritics(text)
    stop = stopwords(accented)
    quantities = find_quantities(text)
    figures = [(x.start, x.end) for x in quantities]
    for quantity in quantities:
        add(quantity.start, quantity.end, _QUANTITY_FLAG.get(quantity.kind, "number"))
    for low, high in zip(quantities, quantities[1:]):  # a range is one answer: "30 đến 50 nghìn dân"
        digit = next((high.start + i for i, ch in enumerate(high.text) if ch.isdigit()), high.start)  # "tới 0,6 °C"
        ranged = low.kind not in _NOT_RANGED and high.kind not in _NOT_RANGED
        if ranged and _range_join().fullmatch(text, low.end, digit):
            add(low.start, high.end, _QUANTITY_FLAG.get(high.kind, "number"))
    for m in _NUMBER.finditer(text):
        # The number with the words after it up to the first function word ("24 lần", not "24 lần và").
        words = m.group(0).split()
        kept = 1
        while kept < len(words) and compared_word(words[kept], accented) not in stop:
            kept += 1
        for s, e in ((m.start(), m.start() + len(words[0])), (m.start(), m.start() + len(" ".join(words[:kept])))):
            # A parsed figure is one unit: "2 tỷ" out of "2 tỷ 652 triệu đồng" would cut it.
            if not any(a <= s and e <= b and (s, e) != (a, b) for a, b in figures):
                add(s, e, "number")
    for m in DATE.finditer(text):
        add(m.start(), m.end(), "date")
    for s, e in names(text):
        add(s, e, "name")
    for m in _QUOTED.finditer(text):
        add(m.start(1), m.end(1), "quoted")
    pieces = [(a, b) for a, b in _pieces(text) if b > a]
    for n, (a, b) in enumerate(pieces):
        add(a, b, "clause")
        if n + 1 < len(pieces):
            add(a, pieces[n + 1][1], "clause")
        for s, kind in _introduced(text, a, b, accented):
            add(s, b, kind)
        for s, e in _gaps(text, a, b, q.terms, stop, accented):
            # A figure is one unit: "công ty" in the question must not cut "khoảng 9 [tỷ] đồng".
            if not any(s < y and x < e and not (s <= x and y <= e) for x, y in figures):
                add(s, e, "gap")
    add(0, len(text), "sentence")
    return found


@cache
def _range_join() -> re.Pattern:
    """What joins the two ends of a range of figures: "30 đến 50 nghìn", "0,3 tới 0,6 °C", "5 – 7 triệu"."""
    joins = figure_words().range_joins
    return re.compile(r"\s*(?:" + "|".join(sorted({*joins, *map(fold, joins)})) + r"|[-–—])\s*")


@cache
def _connectives(accented: bool) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """By first word (looked up per word of every clause): (a connective's words as compared, kind), longest first."""
    found = {tuple(compared_word(w, accented) for w in phrase.split()): kind for kind in ("cause", "means")
             for phrase in table("connectives")[kind]}  # qa/data/connectives.json
    by_first: dict[str, tuple] = {}
    for phrase, kind in sorted(found.items(), key=lambda item: -len(item[0])):
        by_first[phrase[0]] = by_first.get(phrase[0], ()) + ((phrase, kind),)
    return by_first


def _introduced(text: str, a: int, b: int, accented: bool) -> list[tuple[int, str]]:
    """Where the part of the piece text[a:b] that says why or how starts, with its kind: at a
    connective of `connectives.json` and just after it, when two words or more follow.

    >>> t = "Tôm chết nhiều do nắng nóng kéo dài"
    >>> [(t[s:], kind) for s, kind in _introduced(t, 0, len(t), True)]
    [('do nắng nóng kéo dài', 'cause'), ('nắng nóng kéo dài', 'cause')]
    """
    words = word_list(text[a:b])
    compared = [compared_word(w, accented) for w, _, _ in words]
    out = []
    for i in range(len(words)):
        for phrase, kind in _connectives(accented).get(compared[i], ()):
            if tuple(compared[i:i + len(phrase)]) == phrase and len(words) - i - len(phrase) >= 2:
                out += [(a + words[i][1], kind), (a + words[i + len(phrase)][1], kind)]
                break
    return out


def _asks(text: str) -> bool:
    """True for a sentence that is itself a question ("PV: Vì sao …?")."""
    return text.rstrip(" \t\n”’\"»)").endswith("?")


def _pieces(text: str) -> list[tuple[int, int]]:
    pos, out = 0, []
    for m in _CLAUSE_BREAK.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


def candidates(sents: Sequence[Sentence], q: QuestionAnalysis) -> list[Candidate]:
    out = []
    for i, sent in enumerate(sents):
        if _asks(sent.text):
            continue  # a question in the text (an interviewer's) answers nothing
        quantities = {(x.start, x.end): x for x in find_quantities(sent.text)}
        for (s, e), flags in sorted(in_sentence(sent.text, q).items()):
            quantity = quantities.get((s, e))
            quantity = quantity if quantity is not None and quantity.kind != "code" else None
            out.append(Candidate(i, s, e, sent.text[s:e], frozenset(flags),
                                 quantity.value if quantity else None, quantity.unit if quantity else None))
    return out
