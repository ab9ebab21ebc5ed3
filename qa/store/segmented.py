"""The embedded store (the default): the segment builds of `index`, behind `qa.store.api`.

A `SegmentView` scores every chunk of a loaded build under each signal: dense exactly with
numpy below `exact_below` chunks (QA_HNSW_THRESHOLD, the size from which "auto" builds HNSW
segments), else FAISS top-`pool` per segment; BM25 from the bm25s
model built from the segments' term counts. `SegmentStore` maps the store calls onto
`index` (CURRENT, load, rollback). The builder writes segments itself, so applying a build
is a no-op here. Does not fuse signals (`retrieve`) nor build (`builder`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from qa.records import Chunk
from qa.settings import default
from qa.store import index as index_store
from qa.store import vectors
from qa.store.api import Candidates, Query, chunk_holding
from qa.store.index import LoadedIndex


class SegmentView:
    """A loaded build (`index.LoadedIndex`) as a `qa.store.api.StoreView`."""

    def __init__(self, index: LoadedIndex, exact_below: int = default("hnsw_threshold")):
        self.index, self.exact_below = index, exact_below
        self.version, self.manifest = index.version, index.manifest
        self.articles, self.accents = index.articles, index.accents
        # Chunks are stored grouped by article: the start of each group, for per-article maxima.
        ids = [c.article_id for c in index.chunks]
        self._groups = np.array([i for i in range(len(ids)) if i == 0 or ids[i] != ids[i - 1]], dtype=np.int64)
        self._group_sizes = np.diff(np.append(self._groups, len(ids)))
        self._starts: dict[str, tuple[list[int], list[int]]] | None = None  # for vectors_at, built on first use

    @property
    def size(self) -> int:
        return len(self.index.chunks)

    @property
    def chunks(self) -> list[Chunk]:
        return self.index.chunks

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        chunks = self.index.chunks
        return [chunks[i] for i in rows]

    def vectors_at(self, where: Sequence[tuple[str, int]]) -> dict[str, np.ndarray]:
        if self._starts is None:  # per article: chunk starts in text order and their rows
            starts: dict[str, list[tuple[int, int]]] = {}
            for i, chunk in enumerate(self.index.chunks):
                starts.setdefault(chunk.article_id, []).append((chunk.start, i))
            self._starts = {a: ([s for s, _ in sorted(v)], [i for _, i in sorted(v)]) for a, v in starts.items()}
        rows = [(n, self._starts[a][1][chunk_holding(self._starts[a][0], offset)])
                for n, (a, offset) in enumerate(where) if a in self._starts]
        out = {}
        for field in ("sentence", "context"):
            matrix = self.index.vectors[field]
            out[field] = np.zeros((len(where), matrix.shape[1]), dtype=np.float32)
            if rows:
                at, ids = zip(*rows)
                out[field][list(at)] = matrix[list(ids)]
        return out

    def candidates(self, query: Query, pool: int, article: str | None = None, date: str | None = None) -> Candidates:
        """Every chunk scored (filters are left to the retriever: scoring all costs the same)."""
        folded = self._bm25("folded", query.folded)
        return Candidates(rows=None, scores={
            "sentence": self._dense("sentence", query.vector, pool),
            "context": self._dense("context", query.vector, pool),
            "accented": self._bm25("accented", query.accented),
            "folded": folded,
            "article": np.repeat(np.maximum.reduceat(folded, self._groups), self._group_sizes) if len(folded) else folded,
        })

    def _dense(self, field: str, query: np.ndarray, pool: int) -> np.ndarray:
        """Dense scores for every chunk (exact below `exact_below`, else FAISS top-`pool`)."""
        matrix = self.index.vectors[field]
        if len(matrix) < self.exact_below:
            return np.asarray(matrix @ query, dtype=np.float32)
        scores = np.full(len(matrix), -1.0, dtype=np.float32)
        for vector_index, rows in self.index.faiss[field]:  # one per segment; rows maps to the loaded order
            top_scores, top_ids = vectors.search(vector_index, query[None, :], pool)
            where = rows[top_ids[0]]
            live = where >= 0  # rows of edited or removed articles wait in their segment until a merge
            scores[where[live]] = top_scores[0][live]
        return scores

    def _bm25(self, name: str, query_tokens: list[str]) -> np.ndarray:
        # "???" or "là gì" leaves no token; bm25s cannot score an empty query.
        if not query_tokens:
            return np.zeros(len(self.index.chunks), dtype=np.float32)
        return self.index.bm25[name].get_scores(query_tokens)


class SegmentStore:
    """The segment builds under `index_dir` as a `qa.store.api.Store`."""

    def __init__(self, index_dir: Path, exact_below: int = default("hnsw_threshold")):
        self.index_dir, self.exact_below = index_dir, exact_below

    def live_version(self) -> str | None:
        return index_store.current_version(self.index_dir)

    def open(self, version, embedder, chunker) -> SegmentView:
        return SegmentView(index_store.load(self.index_dir, embedder, chunker, version), self.exact_below)

    def apply_build(self, index_dir: Path, version: str) -> str:
        return version  # the builder's segments are this store
