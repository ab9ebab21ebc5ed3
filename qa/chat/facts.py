"""The facts table: every figure the articles state, what it counts, whose it is, where it is said.

Built from the sentences of the live build (`Chunk`s, so a fact's citation is a passage the
retriever would show): each figure `qa.lang.numbers.find_quantities` reads (money, percentages,
counts, lengths, areas, weights, volumes, durations), the thing it counts (the noun after
it, or its unit), the place or body it belongs to (the nearest place or body named before
it in the sentence, else the nearest after it, else the article's own place from its title,
else the place the article names most), the article's date, and the sentence with offsets.
Comparisons, superlatives and totals are computed from it (`qa.chat.compare`); editors list it
(`qa facts`, `GET /facts`). Does not decide which figure answers a question.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping, Sequence

from qa.chat.entities import Mention, mentions
from qa.lang.numbers import find_quantities
from qa.lang.text import fold
from qa.records import Article, Chunk, Passage

FIGURE_KINDS = frozenset({"money", "percent", "count", "length", "area", "weight", "volume", "duration"})


@dataclass(frozen=True)
class Fact:
    article_id: str
    value: float
    text: str  # the figure as written ("2 tỷ 652 triệu đồng", "698 mô hình")
    kind: str  # money, percent, count, length, ...
    unit: str | None  # "VND", "%", "km", the counted noun
    counts: str  # what it counts: the noun after it, else its unit
    owner: str | None  # the place or body it belongs to
    owner_kind: str | None  # place or org
    owner_source: str  # "sentence", "title", "article" (most named) or "none"
    date: str | None
    sentence: str
    start: int  # the figure's offsets into the article's text
    end: int
    sentence_start: int
    sentence_end: int
    chunk: int  # the chunk (sentence) it was read from: its passage is the citation

    def to_json(self, title: str | None = None) -> dict:
        out = asdict(self)
        del out["chunk"]
        return {**out, "article_title": title} if title is not None else out


def _owner(found: Sequence[Mention], at: int) -> Mention | None:
    named = [m for m in found if m.kind in ("place", "org")]
    before = [m for m in named if m.end <= at]
    after = [m for m in named if m.start >= at]
    return before[-1] if before else after[0] if after else None


def article_place(article: Article, gazetteer: frozenset[str]) -> str | None:
    """The article's own place: the first named in its title, else the one its text names most."""
    in_title = [m for m in mentions(article.title, gazetteer) if m.kind == "place"]
    if in_title:
        return in_title[0].name
    counts = Counter(m.name for m in mentions(article.text, gazetteer) if m.kind == "place" and m.rank == 0)
    return counts.most_common(1)[0][0] if counts else None


def build(articles: Mapping[str, Article], chunks: Sequence[Chunk], gazetteer: Iterable[str]) -> tuple[Fact, ...]:
    """Every figure stated in `chunks` (one sentence each), in article and reading order."""
    known = frozenset(gazetteer)
    own = {a.id: article_place(a, known) for a in articles.values()}
    facts: list[Fact] = []
    for i, chunk in enumerate(chunks):
        article = articles.get(chunk.article_id)
        if article is None:
            continue
        quantities = [q for q in find_quantities(chunk.sentence) if q.kind in FIGURE_KINDS]
        if not quantities:
            continue
        found = mentions(chunk.sentence, known)
        for q in quantities:
            owner = _owner(found, q.start)
            if owner is not None:
                name, kind, source = owner.name, owner.kind, "sentence"
            else:
                name, kind = own[article.id], "place" if own[article.id] else None
                source = "none" if name is None else "title" if any(
                    m.name == name for m in mentions(article.title, known)) else "article"
            facts.append(Fact(
                article_id=article.id, value=q.value, text=q.text, kind=q.kind, unit=q.unit,
                counts=q.noun or q.unit or q.kind, owner=name, owner_kind=kind, owner_source=source,
                date=article.date, sentence=chunk.sentence, start=chunk.start + q.start, end=chunk.start + q.end,
                sentence_start=chunk.start, sentence_end=chunk.end, chunk=i))
    return tuple(facts)


def about(facts: Iterable[Fact], place: str | None) -> list[Fact]:
    """The facts whose owner is `place` (compared without diacritics); all when None."""
    if place is None:
        return list(facts)
    want = fold(place).strip()
    return [f for f in facts if f.owner and fold(f.owner) == want]


def passage(fact: Fact, chunks: Sequence[Chunk], articles: Mapping[str, Article], rank: int, score: float = 1.0) -> Passage:
    """The citation of `fact`: the passage of the sentence it was read from."""
    c = chunks[fact.chunk]
    return Passage(rank=rank, score=score, text=c.context, sentence=c.sentence,
                   article=articles[c.article_id].ref(), start=c.context_start, end=c.context_end,
                   sentence_start=c.start, sentence_end=c.end)
