"""Build cache: what a rebuild reuses from the build before it, so that adding one article
costs about the same whatever the size of the corpus.

Beside the index, a build stores what it derived from each article: the hash of the file's
bytes (an unchanged file is not parsed and cleaned again), its chunks, the BM25 term counts
of each chunk, accent counts and near-duplicate shingles. The next build reuses them when
the input is the same and the code that derived them has not changed (`code_fingerprint`:
a hash of the source of the modules that do the deriving), and recomputes anything else,
so a missing or stale cache costs time, never correctness. BM25 is built from the counts
with bm25s's own scoring functions, vectorised. Embeddings are cached by `index`, by text.
Decides nothing about what goes into a build; `index` does.
"""
from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable

import bm25s
import numpy as np
import scipy.sparse as sp
from bm25s import scoring

from .articles import LoadResult, load_article, load_articles, shingles
from .chunking import ChunkerSettings, chunk_article
from .records import Article, Chunk
from .text import fold, syllables

CACHE_FILE = "cache.json"  # {"code": fingerprint, "chunker": settings, "sources": {id: sha256 of the file}}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever the code that turns files into cached data may have changed."""
    from . import articles, chunking, htmlpages, index, text

    digest = hashlib.sha256()
    for module in (articles, chunking, htmlpages, index, text, sys.modules[__name__]):
        digest.update(Path(module.__file__).read_bytes())
    for package in ("trafilatura", "charset-normalizer"):
        try:
            digest.update(metadata.version(package).encode())
        except metadata.PackageNotFoundError:
            pass
    return digest.hexdigest()[:16]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Previous:
    """The reusable parts of a build (normally the current one), each read on first use;
    empty when there is no build, or it was made by other code or other chunker settings.
    Read-only: `of` hands the same instance to every step of one `qa add` (builds never change)."""

    @classmethod
    def of(cls, path: Path | None, chunker: dict) -> "Previous":
        try:
            stamp = (path / CACHE_FILE).stat().st_mtime_ns if path is not None else None
        except OSError:
            stamp = None
        return _previous(path, stamp, json.dumps(chunker, sort_keys=True))

    def __init__(self, path: Path | None, chunker: dict):
        self.path, self.meta = None, {}
        try:
            meta = json.loads((path / CACHE_FILE).read_text()) if path is not None else {}
        except (OSError, ValueError):
            meta = {}
        if meta.get("code") == code_fingerprint() and meta.get("chunker") == chunker:
            self.path, self.meta = path, meta

    def _lines(self, name: str) -> list[str]:
        if self.path is None:
            return []
        try:
            return (self.path / name).read_text(encoding="utf-8").splitlines(keepends=True)
        except OSError:
            return []

    @cached_property
    def articles(self) -> dict[str, Article]:
        return {a["id"]: Article(**a) for a in map(json.loads, self._lines("articles.jsonl"))}

    @cached_property
    def chunks(self) -> dict[str, list[Chunk]]:
        return self._chunk_table[0]

    @cached_property
    def chunk_lines(self) -> dict[str, str]:
        """article id -> its lines of chunks.jsonl, to be written again as they are."""
        return self._chunk_table[1]

    @cached_property
    def _chunk_table(self) -> tuple[dict[str, list[Chunk]], dict[str, str]]:
        chunks: dict[str, list[Chunk]] = {}
        lines: dict[str, list[str]] = {}
        for line in self._lines("chunks.jsonl"):
            chunk = Chunk(**json.loads(line))
            chunks.setdefault(chunk.article_id, []).append(chunk)
            lines.setdefault(chunk.article_id, []).append(line)
        return chunks, {article_id: "".join(text) for article_id, text in lines.items()}

    def _npz(self, name: str) -> dict[str, np.ndarray] | None:
        try:
            with np.load(self.path / name, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError, TypeError):
            return None

    def term_counts(self, field: str) -> "TermCounts | None":
        data = self._npz(f"terms-{field}.npz") if self.path else None
        if data is None:
            return None
        try:
            vocab = json.loads((self.path / f"terms-{field}.vocab.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        matrix = sp.csr_matrix((data["data"], data["indices"], data["indptr"]), shape=(len(data["keys"]), len(vocab)))
        return TermCounts(data["keys"].astype(str).tolist(), matrix, vocab)

    def chunks_of(self, article: Article, chunker: ChunkerSettings) -> list[Chunk]:
        """The article's chunks from this build when its title and text are unchanged."""
        before = self.articles.get(article.id)
        if before is not None and (before.title, before.content_hash) == (article.title, article.content_hash) \
                and article.id in self.chunks:
            return self.chunks[article.id]
        return chunk_article(article, chunker)

    def accent_counts_for(self, articles: list[Article]) -> dict[str, dict[str, int]]:
        """Accent counts of `articles`: this build's, updated with what changed since."""
        counts = self.accent_counts()
        before = self.articles if counts is not None else {}
        now = {(a.id, a.title, a.content_hash) for a in articles}
        then = {(a.id, a.title, a.content_hash) for a in before.values()}
        return update_accent_counts(
            counts if before else {},
            add=[_accent_text(a) for a in articles if (a.id, a.title, a.content_hash) not in then],
            remove=[_accent_text(a) for a in before.values() if (a.id, a.title, a.content_hash) not in now])

    def accent_counts(self) -> dict[str, dict[str, int]] | None:
        """A fresh copy each call: the caller updates it."""
        try:
            return json.loads((self.path / "accent-counts.json").read_text(encoding="utf-8")) if self.path else None
        except (OSError, ValueError):
            return None

    @cached_property
    def shingles(self) -> dict[str, np.ndarray]:
        """article content hash -> its sorted shingle hashes."""
        data = self._npz("shingles.npz") if self.path else None
        if data is None:
            return {}
        bounds = data["offsets"]
        return {key: data["hashes"][bounds[i]:bounds[i + 1]] for i, key in enumerate(data["keys"].astype(str).tolist())}


@lru_cache(maxsize=1)
def _previous(path: Path | None, stamp: int | None, chunker: str) -> Previous:
    return Previous(path if stamp is not None else None, json.loads(chunker))


# -- articles --------------------------------------------------------------------------
def read_articles(folder: Path, max_bytes: int, previous: Previous) -> tuple[LoadResult, dict[str, str]]:
    """`articles.load_articles`, but a file whose bytes the previous build saw is not parsed
    again. Also returns each article's file hash, for the next build."""
    known = previous.meta.get("sources", {})
    sources: dict[str, str] = {}

    def load(path: Path, max_bytes: int) -> Article:
        with path.open("rb") as fh:
            digest = _sha(fh.read(max_bytes + 1))
        cached = previous.articles.get(path.stem) if known.get(path.stem) == digest else None
        article = replace(cached, path=str(path)) if cached else load_article(path, max_bytes)
        sources[path.stem] = digest
        return article

    return load_articles(folder, max_bytes, load=load), sources


def cache_meta(chunker: dict, sources: dict[str, str]) -> dict:
    return {"code": code_fingerprint(), "chunker": chunker, "sources": sources}


# -- BM25 from cached term counts ---------------------------------------------------------
@dataclass
class TermCounts:
    keys: list[str]  # one row per chunk: its content hash
    matrix: sp.csr_matrix  # (chunks, vocabulary) term frequencies
    vocab: list[str]

    def save(self, folder: Path, field: str, write: Callable[[Path, str], None]) -> None:
        m = self.matrix
        np.savez(folder / f"terms-{field}.npz", keys=np.asarray(self.keys, dtype="S"), data=m.data,
                 indices=m.indices, indptr=m.indptr)
        write(folder / f"terms-{field}.vocab.json", json.dumps(self.vocab, ensure_ascii=False))


def term_counts(keys: list[str], tokenize: Callable[[int], list[str]], previous: TermCounts | None) -> TermCounts:
    """Term counts of each chunk; rows of chunks seen before are copied, only new ones tokenised."""
    ids = {t: i for i, t in enumerate(previous.vocab)} if previous else {}
    row_of = {k: i for i, k in enumerate(previous.keys)} if previous else {}
    taken, taken_rows, fresh, fresh_rows = [], [], [], []
    for position, key in enumerate(keys):
        if key in row_of:
            taken.append(position)
            taken_rows.append(row_of[key])
        else:
            fresh.append(position)
            fresh_rows.append(Counter(ids.setdefault(t, len(ids)) for t in tokenize(position)))
    width = len(ids)
    parts = []
    if taken:
        old = previous.matrix[np.asarray(taken_rows)]
        parts.append(sp.csr_matrix((old.data, old.indices, old.indptr), shape=(len(taken), width)))
    if fresh:
        indptr = np.cumsum([0] + [len(r) for r in fresh_rows])
        indices = np.fromiter((t for r in fresh_rows for t in r), dtype=np.int32, count=int(indptr[-1]))
        data = np.fromiter((n for r in fresh_rows for n in r.values()), dtype=np.int32, count=int(indptr[-1]))
        block = sp.csr_matrix((data, indices, indptr), shape=(len(fresh), width))
        block.sort_indices()
        parts.append(block)
    matrix = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, width), dtype=np.int32)
    matrix = matrix[np.argsort(np.asarray(taken + fresh, dtype=np.int64), kind="stable")]
    used = np.bincount(matrix.indices, minlength=width) > 0  # drop words no chunk has any more
    new_id = np.cumsum(used) - 1
    vocab = [t for t, keep in zip(ids, used) if keep]
    matrix = sp.csr_matrix((matrix.data.astype(np.int32), new_id[matrix.indices].astype(np.int32), matrix.indptr),
                           shape=(len(keys), len(vocab)))
    return TermCounts(list(keys), matrix, vocab)


def bm25_from_counts(counts: TermCounts) -> bm25s.BM25:
    """The bm25s index that `BM25().index(token lists)` builds, from counts, without its per-document loops."""
    model = bm25s.BM25()
    assert model.method not in model.methods_requiring_nonoccurrence  # the default (lucene) needs none
    n_docs, n_vocab = counts.matrix.shape
    if n_vocab == 0:  # no chunks, or none with a word: what the plain build did
        model.index([[""]] * max(n_docs, 1), show_progress=False)
        return model
    m = counts.matrix
    doc_len = np.asarray(m.sum(axis=1)).ravel()
    df = np.bincount(m.indices, minlength=n_vocab)
    idf_of = scoring._select_idf_scorer(model.idf_method)
    distinct, where = np.unique(df, return_inverse=True)
    idf = np.asarray([idf_of(int(d), N=n_docs) for d in distinct], dtype=model.dtype)[where]
    rows = np.repeat(np.arange(n_docs), np.diff(m.indptr))
    tfc = scoring._select_tfc_scorer(model.method)(  # float32 throughout: half the work of float64
        tf_array=m.data.astype(model.dtype), l_d=doc_len.astype(model.dtype)[rows],
        l_avg=np.float32(doc_len.mean()), k1=np.float32(model.k1), b=np.float32(model.b), delta=model.delta)
    scores = sp.csr_matrix(((idf[m.indices] * tfc).astype(model.dtype), m.indices, m.indptr), shape=m.shape).tocsc()
    model.scores = {"data": scores.data.astype(model.dtype), "indices": scores.indices.astype(model.int_dtype),
                    "indptr": scores.indptr, "num_docs": n_docs}
    model.vocab_dict = {t: i for i, t in enumerate(counts.vocab)}
    model.vocab_dict.setdefault("", n_vocab)  # as `index(create_empty_token=True)` does
    model.nonoccurrence_array = None
    model.unique_token_ids_set = set(model.vocab_dict.values())
    return model


# -- accents ------------------------------------------------------------------------------
def _accent_text(article: Article) -> str:
    return article.title + "\n" + article.text  # what the accent table has always been built from


def accent_counts(text: str) -> Counter:
    """(folded syllable or pair, accented form) -> occurrences, as `text.accent_table` counts."""
    sylls = syllables(text)
    folded = [fold(s) for s in sylls]
    counts = Counter(zip(folded, sylls))
    counts.update((f"{fa} {fb}", f"{a} {b}") for fa, fb, a, b in zip(folded, folded[1:], sylls, sylls[1:]))
    return counts


def update_accent_counts(base: dict[str, dict[str, int]], add: list[str], remove: list[str]) -> dict:
    for texts, sign in ((add, 1), (remove, -1)):
        for text in texts:
            for (key, form), n in accent_counts(text).items():
                forms = base.setdefault(key, {})
                forms[form] = forms.get(form, 0) + sign * n
                if forms[form] <= 0:
                    del forms[form]
                    if not forms:
                        del base[key]
    return base


def accent_table(counts: dict[str, dict[str, int]]) -> dict[str, str]:
    """folded -> most frequent accented form (ties: the greater string, so any build order agrees)."""
    table = {}
    for key, forms in counts.items():
        best = max(forms.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if best != key:
            table[key] = best
    return table


# -- near-duplicates ---------------------------------------------------------------------
def shingle_array(text: str) -> np.ndarray:
    return np.sort(np.fromiter(shingles(text), dtype=np.uint64))


def save_shingles(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    keys = list(arrays)
    offsets = np.cumsum([0] + [len(arrays[k]) for k in keys])
    hashes = np.concatenate([arrays[k] for k in keys]) if keys else np.zeros(0, np.uint64)
    np.savez(folder / "shingles.npz", keys=np.asarray(keys, dtype="S"), offsets=offsets, hashes=hashes)


class NearDuplicates:
    """Jaccard similarity of a text's shingles to every article's, vectorised; the shingles of
    articles the previous build saw come from it, the others are computed here."""

    def __init__(self, articles: list[Article], previous: Previous):
        self.articles: list[Article] = []
        self._arrays: list[np.ndarray] = []
        self._known = previous.shingles
        for article in articles:
            self.add(article)

    def add(self, article: Article) -> None:
        known = self._known.get(article.content_hash)
        self.articles.append(article)
        self._arrays.append(known if known is not None else shingle_array(article.text))

    def similarities(self, text: str) -> np.ndarray:
        """One score per article, in order; equal to `articles.similarity(text, article.text)`."""
        if not self.articles:
            return np.zeros(0)
        mine = shingle_array(text)
        sizes = np.asarray([len(a) for a in self._arrays])
        owner = np.repeat(np.arange(len(sizes)), sizes)
        common = np.bincount(owner[np.isin(np.concatenate(self._arrays), mine)], minlength=len(sizes))
        union = len(mine) + sizes - common
        return np.where(union > 0, common / np.maximum(union, 1), 1.0)
