"""Hybrid retrieval: dense (sentence and sentence-in-context) + BM25 (accented and folded), fused.

Given a loaded index and a question, returns ranked `Passage`s. Each signal is min-max
scaled over the candidate pool and the fused score is a weighted sum; the weights were
chosen on the dev set (see README, "Retrieval weights"). Does not extract answers.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Sequence

import numpy as np

from qa.lang.accents import restore_diacritics
from qa.lang.glossary import english_terms
from qa.lang.language import detect_language
from qa.lang.text import normalize, tokens
from qa.records import Passage
from qa.store.api import Candidates, Query, StoreView
from qa.store.embed import Embedder
from qa.store.index import LoadedIndex
from qa.store.segmented import SegmentView

POOL = 100  # candidates taken from each signal before fusion


SIGNALS = ("sentence", "context", "accented", "folded", "article")


@dataclass(frozen=True)
class Weights:
    """Weight of each min-max-scaled signal; `article` is the best folded-BM25 score of the
    chunk's article (which article is this about?), shared by all its chunks."""

    sentence: float = 1.0
    context: float = 1.0
    accented: float = 0.5
    folded: float = 0.5
    article: float = 0.0

    def of(self, signal: str) -> float:
        return getattr(self, signal)


# Per question language (language.detect_language); chosen on the dev set with
# bench/tune_retrieval.py (numbers in README, "Retrieval weights"). Dense-in-context leads
# everywhere; Vietnamese adds both BM25s; unaccented questions lean on folded BM25 and the
# diacritics-restored dense query; English adds the glossary-translated folded BM25 and
# "which article" from names.
DEFAULT_WEIGHTS = {
    "vi": Weights(sentence=0.25, context=1.0, accented=0.5, folded=0.5, article=0.0),
    "vi-nodiacritics": Weights(sentence=0.0, context=1.0, accented=0.0, folded=0.5, article=0.0),
    "en": Weights(sentence=0.25, context=1.0, accented=0.0, folded=0.25, article=0.25),
}


class QueryCache:
    """A small thread-safe LRU keyed by a query: the retriever keeps query embeddings in one
    (repeated questions skip the embedder), the engine whole results in another. Size 0 keeps
    nothing. Two threads missing the same key both compute it; the value is the same."""

    def __init__(self, size: int = 1024):
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key, compute):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute(key)
        if self._size > 0:
            with self._lock:
                self._items[key] = value
                if len(self._items) > self._size:
                    self._items.popitem(last=False)
        return value


def folded_query(text: str) -> list[str]:
    """Folded BM25 query tokens. An English question also gets the Vietnamese glossary forms
    of its words ("fences" -> "tường rào"), the only lexical bridge to Vietnamese text."""
    query = tokens(text, folded=True, drop_question_words=True)
    if detect_language(text) == "en":
        for _, forms in english_terms(text):
            for form in forms:
                query += list(form) + [f"{a}_{b}" for a, b in zip(form, form[1:])]
    return query


def _scaled(values: np.ndarray) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    return (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)


class Retriever:
    def __init__(self, index, embedder: Embedder, weights: dict[str, Weights] | None = None,
                 cache: QueryCache | None = None):
        """`index`: a loaded segment build (`index.LoadedIndex`) or any `qa.store.api.StoreView`."""
        self.index = index
        self.view: StoreView = SegmentView(index) if isinstance(index, LoadedIndex) else index
        self.embedder = embedder
        self.weights = weights or DEFAULT_WEIGHTS
        self.cache = cache or QueryCache()

    def with_diacritics(self, question: str) -> str:
        """The question as the dense model and the accented BM25 need it: a Vietnamese question
        typed without diacritics gets them restored from the corpus' own usage."""
        text = normalize(question)
        return restore_diacritics(text, self.index.accents) if detect_language(text) == "vi-nodiacritics" else text

    def candidates(self, question: str, article: str | None = None, date: str | None = None) -> Candidates:
        """Each signal's top candidates from the store (`qa.store.api.Candidates`)."""
        text = normalize(question)
        accented = self.with_diacritics(text)
        query = Query(vector=self.cache.get(accented, self.embedder.embed_query),
                      accented=tokens(accented, drop_question_words=True), folded=folded_query(text))
        return self.view.candidates(query, POOL, article, date)

    def signals(self, question: str) -> dict[str, np.ndarray]:
        """Raw scores under each signal (used by tuning; on the embedded store, of every chunk)."""
        return self.candidates(question).scores

    def fuse(self, question: str, raw: dict[str, np.ndarray], weights: Weights | None = None,
             allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(candidate chunk ids, fused scores in [0, 1]) over the pool of each signal's top candidates;
        `allowed` (a mask over chunks) keeps others out as if they were not in the corpus."""
        w = weights or self.weights[detect_language(normalize(question))]
        if allowed is not None:
            raw = {s: np.where(allowed, v, np.float32(v.min()) - 1) for s, v in raw.items()}
        pool = np.unique(np.concatenate([np.argsort(-raw[s])[:POOL] for s in SIGNALS if w.of(s)]))
        if allowed is not None:
            pool = pool[allowed[pool]]
        fused = sum(w.of(s) * _scaled(raw[s][pool]) for s in SIGNALS if w.of(s))
        return pool, fused / max(sum(w.of(s) for s in SIGNALS), 1e-9)

    def query_vector(self, question: str) -> np.ndarray:
        """The question's e5 vector (the one `candidates` used: cached, never embedded twice)."""
        return self.cache.get(self.with_diacritics(normalize(question)), self.embedder.embed_query)

    def dense_similarity(self, question: str, where: Sequence[tuple[str, int]]) -> np.ndarray:
        """(question·sentence, question·sentence-in-context) of the chunk holding each (article id,
        offset): the store's own vectors, so the answer stage embeds nothing."""
        if not where:
            return np.zeros((0, 2), dtype=np.float64)
        query, found = self.query_vector(question), self.view.vectors_at(where)
        return np.stack([np.asarray(found[f], dtype=np.float64) @ query for f in ("sentence", "context")], axis=1)

    def search(self, question: str, k: int = 5, article: str | None = None, date: str | None = None,
               exclude: frozenset[str] = frozenset()) -> list[Passage]:
        """The k best passages; articles in `exclude` are treated as absent from the corpus
        (how the answer scorer's fitting makes unanswerable questions)."""
        if not self.view.size:
            return []
        found = self.candidates(question, article, date)
        if found.rows is not None and not len(found.rows):
            return []  # a remote store found nothing under the filters
        allowed = None
        if exclude:
            chunks = self.view.chunks if found.rows is None else self.view.chunks_at(found.rows.tolist())
            allowed = np.array([c.article_id not in exclude for c in chunks])
        pool, fused = self.fuse(question, found.scores, allowed=allowed)
        order = pool[np.argsort(-fused, kind="stable")]
        score_of = dict(zip(pool.tolist(), fused.tolist()))
        chunks = self.view.chunks_at((order if found.rows is None else found.rows[order]).tolist())
        passages: list[Passage] = []
        covered: list[tuple[str, int, int]] = []
        for i, chunk in zip(order.tolist(), chunks):
            meta = self.index.articles[chunk.article_id]
            if article and chunk.article_id != article or date and not (meta.date or "").startswith(date):
                continue
            # A sentence already shown inside a better passage adds nothing new.
            if any(a == chunk.article_id and s <= chunk.start and chunk.end <= e for a, s, e in covered):
                continue
            covered.append((chunk.article_id, chunk.context_start, chunk.context_end))
            passages.append(Passage(
                rank=len(passages) + 1, score=score_of[i], text=chunk.context, sentence=chunk.sentence,
                article=meta.ref(), start=chunk.context_start, end=chunk.context_end,
                sentence_start=chunk.start, sentence_end=chunk.end,
            ))
            if len(passages) == k:
                break
        return passages
