"""The rule stage's candidate answers in a passage: spans of the kind the question wants.

Figures (`numbers.find_quantities`) of a kind that answers the asked one, places, bodies,
people and list items (`spans`), or whole sentences for any other question; each with how
well it fits the asked kind and noun ("10 học sinh" for "how many students"). Does not
score them against the question's evidence, and does not choose the answer (`stage`). Not
the learned stage's candidates (`qa.answer.candidates`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from qa.answer.rules.evidence import PassageView, tokens
from qa.answer.rules.questions import QuestionType
from qa.answer.rules.spans import Span, list_items, locatives, orgs, people, places
from qa.answer.rules.terms import Term
from qa.lang.numbers import Quantity, find_quantities, unit_kind
from qa.lang.text import drop_thousands_dots, fold, phrase_spans

_QUANTITY_KINDS = {  # question kind -> quantity kinds that can answer it
    "amount": {"money", "length", "area", "weight", "volume"}, "count": {"count", "duration", "number"},
    "percent": {"percent"}, "date": {"date", "year"}, "period": {"period"}, "code": {"code"},
}
_FIGURES = {"money", "percent", "count", "length", "area", "weight", "volume"}
_GENERIC_ORG = {"to chuc", "don vi", "co quan", "doan the", "luc luong"}


# Not frozen: `stage.extract_answer` scales `penalty` when the question asks for a total.
@dataclass
class Candidate:
    """A span of the passage that may answer, and what `stage` scores it by."""

    start: int
    end: int
    text: str
    kind: str
    fit: float  # how well it fits the asked kind and noun, 0..1
    name: list[str] = field(default_factory=list)  # folded words that must not just repeat the question
    value: float | None = None
    unit: str | None = None
    penalty: float = 1.0
    nouns_asked: bool = False  # the question named what it counts, and `fit` says whether this is it


def _noun_fit(view: PassageView, end: int, nouns: tuple[str, ...]) -> float:
    """1 when one of the asked nouns follows the figure ("10 học sinh" for "học sinh")."""
    if not nouns:
        return 0.6
    a, _ = view.token_range(end, end)
    after = [w for w in view.words[a:a + 4] if not w.isdigit()]
    best = 0.0
    for noun in nouns:
        form = tuple(fold(noun).split())
        if phrase_spans(after[:len(form) + 1], form):
            return 1.0
        best = max(best, len(set(form) & set(after[:2])) / len(form) * 0.6)
    return best


def _quantity(view: PassageView, q: Quantity, qtype: QuestionType, asked_numbers: set[str]) -> Candidate | None:
    any_figure = qtype.kind == "count" and not qtype.nouns and not qtype.unknown_noun  # "... là bao nhiêu?"
    if q.kind not in _QUANTITY_KINDS.get(qtype.kind, ()) and not (any_figure and q.kind in _FIGURES):
        return None
    if drop_thousands_dots(q.text.split()[-1]) in asked_numbers or q.text in asked_numbers:
        return None  # the question's own figure ("năm 2021", "82-KH/TU")
    end, fit, penalty = q.end, 1.0, 1.0
    if qtype.kind == "amount":
        unit = (q.unit or "").split("/")[0]
        kind = unit_kind(unit)
        fit = 1.0 if unit == qtype.unit else 0.8 if kind is not None and kind == unit_kind(qtype.unit) else 0.0
        if q.per or qtype.per:  # "15.000đ/1 tháng" is a rate: right for "mỗi tháng", wrong for a total
            penalty *= 1.0 if q.per == qtype.per else 0.6
    elif qtype.kind == "count":
        fit = _noun_fit(view, q.start + len(q.text) - len(q.noun or "") - 1 if q.noun else q.end, qtype.nouns)
        fit = 0.25 if qtype.unknown_noun else fit
        if q.kind == "number":  # "Chỉ thị 05", "Khu 5": a label, unless nothing is named at all
            fit = 0.0 if qtype.nouns else 0.3
    elif qtype.kind == "percent":
        fit = _noun_fit(view, q.end, qtype.nouns)
        end = q.noun_end or q.end
    elif qtype.kind == "code" and qtype.unit:
        fit = 1.0 if (q.unit or "").startswith(qtype.unit) else 0.4
    elif qtype.kind == "date":
        fit = 1.0 if q.kind == "date" else 0.7
    if q.vague:
        penalty *= 0.8  # "hàng trăm em học sinh": an answer, but a loose one
    if fit <= 0:
        return None
    text = view.text[q.start:end]
    return Candidate(q.start, end, text, qtype.kind, fit, [], q.value, q.unit, penalty, bool(qtype.nouns))


def _named(view: PassageView, span: Span, qtype: QuestionType) -> Candidate:
    nouns = {fold(n) for n in qtype.nouns}
    if span.kind == "place":
        fit = (1.0 if fold(span.head) in nouns else 0.3) if nouns else 0.8
    elif span.kind == "org":
        folded = fold(span.text)
        fit = 1.0 if any(n in folded for n in nouns) else 0.9 if not nouns or nouns & _GENERIC_ORG else 0.5
        fit *= 1.0 if span.head[0].isupper() else 0.8
    else:
        fit = 1.0 if span.head else 0.7
    if qtype.kind == "person" and span.kind != "person":
        fit *= 0.6 if qtype.nouns else 0.0  # "do ai phát động?": a body may be the answer
    head_words = set(fold(span.head).split())
    name = [fold(w) for w in re.findall(r"\w+", span.text) if (w[0].isupper() or w.isdigit()) and fold(w) not in head_words]
    if span.kind == "list":
        name = [w for w, *_ in tokens(span.text)]
    return Candidate(span.start, span.end, span.text, qtype.kind, fit, name, penalty=0.6 if span.quoted and span.kind != "list" else 1.0)


def candidates(view: PassageView, qtype: QuestionType, asked_numbers: set[str], stop: set[str],
               terms: Sequence[Term] = ()) -> list[Candidate]:
    text = view.text
    if qtype.kind in _QUANTITY_KINDS:
        found = [_quantity(view, q, qtype, asked_numbers) for q in find_quantities(text)]
        return [c for c in found if c]
    if qtype.kind == "list":
        nouns = qtype.nouns or ("như",)
        names = [f for t in terms if t.name for f in t.forms]
        return [_named(view, s, qtype) for n in nouns for s in list_items(text, n, stop, names)]
    if qtype.kind in ("place", "org", "person"):
        found = {"place": places, "org": orgs, "person": people}[qtype.kind](text)
        if qtype.kind == "person":
            taken = {s.start for s in places(text) + orgs(text)}  # "Đoàn Thanh niên" is no Mr Đoàn
            found = [s for s in found if s.start not in taken]
            found += orgs(text) if qtype.nouns else []
        if qtype.kind == "place" and not qtype.nouns:
            found += locatives(text)  # "ở đâu?": "tại khu vực ao Tiên và đảo An Mã"
        return [_named(view, s, qtype) for s in found]
    return [Candidate(s, e, text[s:e], "other", 0.5) for s, e in view.sentences]
