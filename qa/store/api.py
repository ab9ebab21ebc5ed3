"""The store interface: what the retriever and the builder need from wherever rows live.

Two stores implement it: the embedded segment store (`segmented`, FAISS + bm25s
counts on local disk, the default) and Milvus (`milvus/`, behind the `[milvus]`
extra; a server or a milvus-lite file). A store holds published versions of the corpus
(one is live; applying an older build rolls back to it) and, per query, returns the top
candidates of each signal: dense sentence, dense context, BM25 accented, BM25 folded, and
the best folded BM25 of each candidate's article. Fusion (min-max scaling, the tuned
weights) and the answer stage stay in `retrieve` / `answer`, so they are the same on every
store. `QA_STORE` picks the store (`qa.store.make_store`). Does not chunk, embed or fuse.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Sequence, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from qa.ingest.chunking import ChunkerSettings
    from qa.records import Article, Chunk
    from qa.store.embed import Embedder
    from qa.store.segments import SegmentData


@dataclass(frozen=True)
class Query:
    """A question as every signal needs it (built once by the retriever)."""

    vector: np.ndarray  # the embedded question (diacritics restored), L2-normalised
    accented: list[str]  # accented BM25 tokens
    folded: list[str]  # folded BM25 tokens (plus glossary forms of English words)


@dataclass(frozen=True)
class Candidates:
    """Raw scores of the candidates under each signal (`retrieve.SIGNALS`), aligned.

    `rows` names the chunk of each position (`StoreView.chunks_at`); None means every chunk
    of the view in order (the embedded store scores them all). A candidate one signal did
    not return carries that signal's floor (0 for BM25, the lowest returned dense score)."""

    rows: np.ndarray | None
    scores: dict[str, np.ndarray]


def chunk_holding(starts: Sequence[int], offset: int) -> int:
    """Index, in one article's chunk starts (ascending), of the chunk that holds `offset`.

    >>> chunk_holding([0, 40, 95], 57)
    1
    """
    return max(bisect_right(starts, offset) - 1, 0)


@runtime_checkable
class StoreView(Protocol):
    """One published version, read-only: what a `Retriever` searches."""

    version: str
    manifest: dict  # how it was built (embedder, chunker, articles and their hashes)
    articles: dict[str, "Article"]
    accents: dict[str, str]  # folded syllable (pair) -> accented form

    @property
    def size(self) -> int:
        """How many chunks it holds."""

    def candidates(self, query: Query, pool: int, article: str | None = None,
                   date: str | None = None) -> Candidates:
        """The top `pool` chunks of each signal (a store may also return more)."""

    @property
    def chunks(self) -> Sequence["Chunk"]:
        """Every chunk (listing and counting; a remote store fetches them on first use)."""

    def chunks_at(self, rows: Sequence[int]) -> list["Chunk"]:
        """The chunks of `rows` (positions named by `Candidates.rows`), in that order."""

    def vectors_at(self, where: Sequence[tuple[str, int]]) -> dict[str, np.ndarray]:
        """The stored vectors ("sentence", "context": one row each) of the chunk holding each
        (article id, character offset) — the sentences the answer stage reads; zeros where
        no chunk does."""


class StoreWriter(Protocol):
    """Writing one new version: rows of articles in, articles out, then publish atomically."""

    def write(self, rows: "SegmentData") -> None:
        """Store the rows (chunks, both dense views, both token streams) of whole articles."""

    def delete(self, article_ids: Sequence[str]) -> None:
        """Drop every row of these articles."""

    def publish(self, manifest: dict, accents: dict[str, str]) -> str:
        """Make what was written the live version (atomically); returns its name."""


@runtime_checkable
class Store(Protocol):
    """Published versions of the corpus: which is live, open one, apply a build (also an
    older one: that is how a rollback reaches the store)."""

    def live_version(self) -> str | None: ...

    def open(self, version: str | None, embedder: "Embedder", chunker: "ChunkerSettings") -> StoreView: ...

    def apply_build(self, index_dir, version: str) -> str:
        """Bring the store to the local build `version` (segments under `index_dir`, made by
        `builder`); returns the live version afterwards."""
