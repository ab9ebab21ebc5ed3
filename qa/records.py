"""The frozen dataclasses that carry data between pipeline stages.

Only data lives here: no I/O, no logic beyond trivial conversions to the JSON contract
described in docs/answer-contract.md.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Article:
    """One cleaned article. `text` is what a person reads; offsets point into it."""

    id: str  # file name without extension
    title: str
    text: str  # cleaned body (title excluded), NFC + canonical tone marks
    date: str | None = None  # "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" when the text has one
    source: str | None = None
    author: str | None = None
    path: str = ""
    content_hash: str = ""  # sha256 of the cleaned text

    def ref(self) -> "ArticleRef":
        return ArticleRef(id=self.id, title=self.title, date=self.date, source=self.source)


@dataclass(frozen=True)
class ArticleRef:
    id: str
    title: str
    date: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Chunk:
    """One sentence of an article with its neighbouring context.

    `start`/`end` are the sentence's offsets into `Article.text`; `context_start`/
    `context_end` bound the sentence plus its neighbours (the passage people are shown).
    """

    article_id: str
    position: int  # sentence number inside the article
    sentence: str
    context: str
    start: int
    end: int
    context_start: int
    context_end: int
    content_hash: str  # hash of what gets embedded; the embedding cache key


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: what a citation points at."""

    rank: int
    score: float
    text: str  # the context passage shown to people
    sentence: str  # the best-matching sentence inside it
    article: ArticleRef
    start: int  # passage offsets into the article's cleaned text
    end: int
    sentence_start: int
    sentence_end: int

    def to_json(self) -> dict:
        return {
            "rank": self.rank,
            "score": round(float(self.score), 4),
            "text": self.text,
            "sentence": self.sentence,
            "article": asdict(self.article),
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class Answer:
    """The span that answers the question, extracted from one cited passage."""

    text: str
    sentence: str
    passage: int  # rank of the cited passage (1-based)
    confidence: float
    kind: str = "other"  # amount, count, percent, person, date, place, list, other
    value: float | None = None  # parsed number, when the answer is a figure
    unit: str | None = None  # "VND", "%", "người", ...

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "sentence": self.sentence,
            "passage": self.passage,
            "confidence": round(float(self.confidence), 3),
            "kind": self.kind,
            "value": self.value,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Part:
    """One part of a multi-part question ("… dài bao nhiêu km và trị giá bao nhiêu?"):
    its own question, and its answer citing one of the result's passages (or None)."""

    question: str
    answer: Answer | None
    note: str | None = None  # why it is unanswered, when it is

    def to_json(self) -> dict:
        return {"question": self.question, "answer": self.answer.to_json() if self.answer else None,
                "note": self.note}


@dataclass(frozen=True)
class AskResult:
    """What `Engine.ask` returns; `to_json` is the answer contract (docs/answer-contract.md)."""

    question: str
    answer: Answer | None
    passages: tuple[Passage, ...]
    took_ms: float
    also: tuple[Answer, ...] = field(default_factory=tuple)  # further answers from other articles
    # Optional, and in the JSON only when set: what to say instead of the bare "not found"
    # ("The articles do not say about Quỳnh Nhai."), and the later parts of a multi-part question.
    note: str | None = None
    parts: tuple[Part, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        out = {
            "question": self.question,
            "answer": self.answer.to_json() if self.answer else None,
            "also": [a.to_json() for a in self.also],
            "passages": [p.to_json() for p in self.passages],
            "took_ms": round(self.took_ms, 2),
        }
        if self.note:
            out["note"] = self.note
        if self.parts:
            out["parts"] = [p.to_json() for p in self.parts]
        return out
