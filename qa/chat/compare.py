"""Comparisons, superlatives and totals, computed from the facts table, never guessed.

`analyse` recognises "Huyện nào … nhiều … nhất?", "Which raised more, X or Y?", "So sánh …",
"Tổng cộng … bao nhiêu?" from cue words (`qa/data/compare.json`). `compute` picks, per place
or body, the stated figure that fits the question (the kind of figure its words ask for, the
noun it counts, and how relevant its sentence is to the question, a score the caller gives),
checks that the figures are comparable (same kind and same thing counted) and returns the
winner, or the sum, with every figure cited -- or a refusal that says why. Does not retrieve
and does not read articles (`qa.chat.facts` did).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from qa.chat import cues
from qa.chat.entities import mentions
from qa.chat.facts import Fact
from qa.chat.name_words import org_heads, place_heads
from qa.lang.text import fold, tokens
from qa.lang.wordlists import table

RELEVANT = 0.5  # a figure's sentence must score this share of the best one to count, when no noun says what is counted


_LOCATED = re.compile(r",?\s*(?:o|tai|thuoc|in|of)\s+(?:\w+\s+)?")  # "… ở (tỉnh) …", "… in (the) …"


@dataclass(frozen=True)
class Comparison:
    op: str  # max, min (superlative), more, less (comparison), total
    entities: tuple[str, ...]  # the places or bodies named (empty: all of them)
    kinds: frozenset[str]  # kinds of figure asked for (money, length, ...); empty: any
    noun: str | None  # what is counted, when the question says it ("mô hình")

    @property
    def kind(self) -> str:
        return {"max": "superlative", "min": "superlative", "total": "total"}.get(self.op, "comparison")


@dataclass(frozen=True)
class Outcome:
    op: Comparison
    winner: Fact | None  # the answer (the sum's first figure for a total); None: refused
    figures: tuple[Fact, ...]  # every figure compared, best first
    total: float | None = None
    reason: str | None = None  # why it was refused


@lru_cache(maxsize=1)
def _data() -> dict:
    return table("compare")


def _kinds(question: str) -> frozenset[str]:
    return frozenset(k for k, words in _data()["kinds"].items() if cues.has(question, words))


def _noun(question: str) -> str | None:
    """The counted noun: the two syllables after "nhiều", "ít", "bao nhiêu", "số"."""
    for m in cues.find(question, _data()["noun_after"]):
        after = tokens(question[m.end():], bigrams=False)[:2]
        after = [w for w in after if fold(w) not in {"nhat", "hon", "nhieu"}]
        if after and not after[0][0].isdigit():
            return " ".join(after)
    return None


def _not_a_figure_cue(question: str, m) -> bool:
    """"ít nhất 5 …" (at least), "hơn 500 …" (more than): a qualifier of a figure, not a comparison."""
    rest = question[m.end():].lstrip()
    return rest[:1].isdigit()


def _split_cue(question: str, opens, close: str) -> bool:
    """"nhiều mô hình nhất": an opening word, then the closing word within five words."""
    if not opens:
        return False
    ends = [m.start() for m in cues.find(question, [close])]
    return any(0 < len(question[m.end():e].split()) <= 5 for m in cues.find(question, opens) for e in ends)


def _asks_for_a_place(question: str) -> bool:
    """"Huyện nào …", "Which district …", "xã nào": the question asks which place or body, by a
    head word next to its question word ("Who …", "Which player …" ask for something else)."""
    heads = place_heads() | org_heads()
    words = [fold(w) for w in re.findall(r"\w+", question)]
    for i, w in enumerate(words):
        if w in ("nao", "which", "what"):
            before = {" ".join(words[max(0, i - n):i]) for n in (1, 2)}
            after = {" ".join(words[i + 1:i + 1 + n]) for n in (1, 2)}
            if before & heads and w == "nao" or after & heads and w != "nao":
                return True
    return False


def _sized_place(question: str) -> bool:
    """"the largest city": a superlative of the place itself, not of a figure it states."""
    data = _data()
    return any(fold(question[m.end():]).split()[:1] and fold(question[m.end():]).split()[0] in place_heads()
               for m in cues.find(question, data["max"] + data["min"]))


def analyse(question: str, gazetteer: frozenset[str] = frozenset()) -> Comparison | None:
    """The comparison `question` asks for, or None for any other question. Places and bodies
    are what is compared: named ones (two or more), or "which district/huyện nào"."""
    data = _data()

    def cue(name: str) -> bool:
        return any(not _not_a_figure_cue(question, m) for m in cues.find(question, data[name])) or \
            _split_cue(question, *data["split"].get(name, ((), "")))

    found = [m for m in mentions(question, gazetteer) if m.kind in ("place", "org") and m.rank == 0]
    # "Phù Lãng ở Bắc Ninh" names one place and where it lies, not two places to compare.
    found = [m for n, m in enumerate(found) if not (n and _LOCATED.fullmatch(fold(question[found[n - 1].end:m.start])))]
    named = tuple(dict.fromkeys(m.name for m in found))
    kinds, noun = _kinds(question), _noun(question)
    which = _asks_for_a_place(question)
    if cue("total") and (len(named) >= 2 or which or not named and _mentions_place_heads(question)):
        return Comparison("total", named, kinds, noun)
    for op in ("max", "min"):
        if cue(op) and which and len(named) != 1 and not _sized_place(question):
            return Comparison(op, named, kinds, noun)
    for op in ("less", "more"):
        if cue(op) and len(named) >= 2:
            return Comparison(op, named, kinds, noun)
    if cue("compare") and len(named) >= 2:
        return Comparison("more", named, kinds, noun)
    return None


def _mentions_place_heads(question: str) -> bool:
    return any(w in place_heads() for w in fold(question).split())


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and fold(a) == fold(b)


def _counts_noun(fact: Fact, noun: str) -> bool:
    counted, asked = fold(fact.counts).split(), fold(noun).split()
    n = min(len(counted), len(asked))
    return n > 0 and counted[:n] == asked[:n]


def _unit(op: Comparison, scored: list[tuple[float, Fact]]) -> tuple[str, str]:
    """What the compared figures count: the (kind, thing counted) that most of the named places
    state (all places, for a superlative), then not a rate ("đ/1 tháng"), then the most relevant."""
    best: dict[tuple[str, str], tuple[int, bool, float]] = {}
    owners: dict[tuple[str, str], set[str]] = {}
    for r, f in scored:
        key = (f.kind, fold(f.counts))
        owners.setdefault(key, set()).add(fold(f.owner))
        held = best.get(key, (0, True, 0.0))
        best[key] = (len(owners[key]), "/" not in (f.unit or ""), max(held[2], r))
    return max(best, key=lambda k: best[k])


def compute(op: Comparison, facts: Sequence[Fact], relevance: Callable[[Fact], float]) -> Outcome:
    """The answer to `op` from `facts`; `relevance` scores a fact's sentence against the question."""
    pool = [f for f in facts if f.owner and (not op.kinds or f.kind in op.kinds)]
    if op.entities:
        pool = [f for f in pool if any(_same(f.owner, e) for e in op.entities)]
    if op.noun:
        counted = [f for f in pool if _counts_noun(f, op.noun)]
        pool = counted or ([] if not op.kinds else pool)
    scored = sorted(((relevance(f), f) for f in pool), key=lambda x: -x[0])
    if not scored or scored[0][0] <= 0 and not op.noun:
        return Outcome(op, None, (), reason="none")
    best = scored[0][0]
    if not op.noun:  # only figures from sentences about what was asked
        scored = [(r, f) for r, f in scored if r >= RELEVANT * best]
    unit = _unit(op, scored)
    per_owner: dict[str, tuple[float, Fact]] = {}
    for r, f in scored:
        if (f.kind, fold(f.counts)) != unit:
            continue
        key = fold(f.owner)
        held = per_owner.get(key)
        # Within an owner: the most relevant sentence; in one sentence, the largest figure (the total).
        if held is None or (r, f.value) > (held[0], held[1].value) and r >= held[0]:
            per_owner[key] = (r, f)
    figures = [f for _, f in per_owner.values()]
    missing = [e for e in op.entities if not any(_same(f.owner, e) for f in figures)]
    if missing:
        other = sorted({f.counts for _, f in scored if any(_same(f.owner, e) for e in missing)})
        return Outcome(op, None, tuple(figures), reason="not comparable" if other else "missing:" + ", ".join(missing))
    if op.op != "total" and len(figures) < 2:
        return Outcome(op, None, tuple(figures), reason="one")
    reverse = op.op in ("max", "more", "total")
    figures.sort(key=lambda f: f.value, reverse=reverse)
    total = sum(f.value for f in figures) if op.op == "total" else None
    return Outcome(op, figures[0], tuple(figures), total=total)


def amount_text(value: float, fact: Fact) -> str:
    """A computed figure in the articles' own style: "1.327 mô hình", "5,452 tỷ đồng"."""
    def vi(number: float, decimals: int = 0) -> str:
        text = f"{number:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        return text.rstrip("0").rstrip(",") if decimals else text

    if fact.unit and fact.unit.startswith("VND"):
        for scale, word in ((1e9, "tỷ"), (1e6, "triệu")):
            if value >= scale:
                return f"{vi(value / scale, 3)} {word} đồng"
        return f"{vi(value)} đồng"
    number = vi(value) if float(value).is_integer() else vi(value, 2)
    return f"{number}{fact.unit}" if fact.unit in ("%",) else f"{number} {fact.counts}"


def summary(outcome: Outcome, language: str) -> str:
    """One line a person reads: every figure compared, or why nothing was compared."""
    parts = "; ".join(f"{f.owner}: {f.text}" for f in outcome.figures)
    if outcome.winner is not None:
        if outcome.total is not None:
            head = {"vi": "Tổng", "en": "Total"}[language]
            return f"{head} {amount_text(outcome.total, outcome.winner)} ({parts})"
        return parts
    reason = outcome.reason or "none"
    if reason.startswith("missing:"):
        who = reason.split(":", 1)[1]
        return {"vi": f"Các bài báo không nêu số liệu so sánh được về {who}.",
                "en": f"The articles state no comparable figure about {who}."}[language] + (f" ({parts})" if parts else "")
    if reason == "not comparable":
        return {"vi": "Không so sánh được: các số liệu khác đơn vị hoặc đếm những thứ khác nhau.",
                "en": "Not comparable: the figures have different units or count different things."}[language] + (
            f" ({parts})" if parts else "")
    if reason == "one":
        return {"vi": "Chỉ một nơi nêu số liệu này, không có gì để so sánh.",
                "en": "Only one place states this figure; there is nothing to compare."}[language] + (
            f" ({parts})" if parts else "")
    return {"vi": "Các bài báo không nêu số liệu nào để so sánh.",
            "en": "The articles state no figures to compare."}[language]
