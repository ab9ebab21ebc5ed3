"""Build cache: what the next build reuses from the live one, so that adding one article
costs about the same whatever the size of the corpus.

Beside its segments (`segments`: chunks, vectors, term counts, shingles of whole
articles), a build stores the hash of each article file's bytes (an unchanged file is not
parsed and cleaned again) and the corpus' accent counts (updated by what changed). The
next build reuses them when the code that derived them has not changed
(`code_fingerprint`: a hash of the source of the modules that do the deriving) and
recomputes anything else, so a missing or stale cache costs time, never correctness.
Embeddings are lent by content hash. BM25 is built from term counts with bm25s's own
scoring functions, vectorised. Decides nothing about what goes into a build; `index` does.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path

import bm25s
import numpy as np
import scipy.sparse as sp
from bm25s import scoring

from .articles import LoadResult, load_article, load_articles, shingles
from .records import Article
from .segments import FIELDS, FORMAT_VERSION, Segment
from .text import fold, syllables

CACHE_FILE = "cache.json"  # {"code", "chunker", "sources": {"read_ns", "files": {id: [sha256, size, mtime_ns]}}}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever the code that turns files into cached data may have changed."""
    from . import articles, builder, chunking, htmlpages, segments, text

    digest = hashlib.sha256()
    for module in (articles, builder, chunking, htmlpages, segments, text, sys.modules[__name__]):
        digest.update(Path(module.__file__).read_bytes())
    for package in ("trafilatura", "charset-normalizer", "bm25s"):
        try:
            digest.update(metadata.version(package).encode())
        except metadata.PackageNotFoundError:
            pass
    return digest.hexdigest()[:16]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stamp(embedder: dict, chunker: dict) -> dict:
    """What a segment records of what made it; a build reuses only segments with its own stamp."""
    return {"format": FORMAT_VERSION, "embedder": embedder, "chunker": chunker, "code": code_fingerprint()}


class Previous:
    """The live build as the next build sees it: its segments and which of their articles are
    live, the parsed articles, shingles, accent counts and embeddings it can lend. Everything
    is read on first use; a build of another format, code or chunker lends nothing but its
    embeddings (a missing or stale cache costs time, never correctness). Read-only: `of`
    hands one instance to every step of one `qa add` (builds never change)."""

    @classmethod
    def of(cls, path: Path | None, chunker: dict) -> "Previous":
        try:
            mtime = (path / "manifest.json").stat().st_mtime_ns if path is not None else None
        except OSError:
            mtime = None
        return _previous(path if mtime is not None else None, mtime, json.dumps(chunker, sort_keys=True))

    def __init__(self, path: Path | None, chunker: dict):
        self.path, self.manifest, self.meta = path, {}, {}
        try:
            self.manifest = json.loads((path / "manifest.json").read_text()) if path is not None else {}
            meta = json.loads((path / CACHE_FILE).read_text()) if path is not None else {}
        except (OSError, ValueError):
            meta = {}
        self.valid = self.manifest.get("format_version") == FORMAT_VERSION and \
            meta.get("code") == code_fingerprint() and meta.get("chunker") == chunker
        self.meta = meta if self.valid else {}

    @cached_property
    def segments(self) -> list[tuple[Segment, frozenset[str]]]:
        """(segment, its live article ids) in build order, leaving out any that cannot be read
        (their articles are then derived again; the others are still reused)."""
        if self.manifest.get("format_version") != FORMAT_VERSION:
            return []
        root, found = self.path.parent.parent / "segments", []
        for listed in self.manifest.get("segments") or []:
            try:
                found.append((Segment(root / listed["name"]), frozenset(listed["articles"])))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return found

    def live_entries(self) -> list[tuple[Segment, int]]:
        """(segment, entry number) of every live article."""
        return [(seg, i) for seg, ids in self.segments for i, e in enumerate(seg.entries) if e.id in ids]

    def article_of(self, segment: Segment, entry: int) -> Article:
        return Article(**json.loads(segment.article_lines[entry]))

    @cached_property
    def articles(self) -> dict[str, Article]:
        """id -> live article (with the path it was read from), when the build is valid."""
        if not self.valid:
            return {}
        return {a.id: a for a in (self.article_of(seg, i) for seg, i in self.live_entries())}

    def accent_counts(self) -> dict[str, dict[str, int]] | None:
        """A fresh copy each call (the caller updates it); None when there is none to trust."""
        try:
            return json.loads((self.path / "accent-counts.json").read_text(encoding="utf-8")) if self.valid else None
        except (OSError, ValueError):
            return None

    def embeddings(self, keys: set[str], embedder: dict) -> dict[str, np.ndarray]:
        """content hash -> vector, for those of `keys` that a segment made with `embedder` holds
        (or, for an index from before segments, its build folder: an upgrade re-embeds nothing)."""
        sources = [lambda f, seg=seg: (seg.keys(f), seg.vectors(f)) for seg, _ in self.segments
                   if seg.meta.get("stamp", {}).get("embedder") == embedder]
        if self.manifest.get("format_version") == 1 and self.manifest.get("embedder") == embedder:
            sources.insert(0, lambda f: (json.loads((self.path / f"{f}.keys.json").read_text()),
                                         np.load(self.path / f"{f}.npy", mmap_mode="r")))
        found: dict[str, np.ndarray] = {}
        for rows_of in sources:
            if not keys - found.keys():
                break
            try:
                for field in FIELDS:
                    row_keys, matrix = rows_of(field)
                    found.update((k, np.array(matrix[row])) for row, k in enumerate(row_keys)
                                 if k in keys and k not in found)
            except (OSError, ValueError):
                continue  # an unreadable segment only costs time
        return found


@lru_cache(maxsize=1)
def _previous(path: Path | None, mtime: int | None, chunker: str) -> Previous:
    return Previous(path, json.loads(chunker))


# -- articles --------------------------------------------------------------------------
def read_articles(folder: Path, max_bytes: int, previous: Previous) -> tuple[LoadResult, dict]:
    """`articles.load_articles`, but a file the previous build saw is not parsed again: its
    size and mtime unchanged (and older than that read by a safe margin, as git treats
    "racily clean" files) or else its bytes' hash unchanged. Also returns what the next build
    needs to do the same (pass it to `index.build`)."""
    seen = previous.meta.get("sources", {})
    known, trusted_before = seen.get("files", {}), seen.get("read_ns", 0) - 2_000_000_000
    files: dict[str, list] = {}
    read_ns = time.time_ns()

    def load(path: Path, max_bytes: int) -> Article:
        stat = path.stat()
        before = known.get(path.stem)
        if before and before[1:] == [stat.st_size, stat.st_mtime_ns] and stat.st_mtime_ns < trusted_before:
            digest = before[0]
        else:
            with path.open("rb") as fh:
                digest = _sha(fh.read(max_bytes + 1))
        cached = previous.articles.get(path.stem) if before and before[0] == digest else None
        article = replace(cached, path=str(path)) if cached else load_article(path, max_bytes)
        files[path.stem] = [digest, stat.st_size, stat.st_mtime_ns]
        return article

    return load_articles(folder, max_bytes, load=load), {"read_ns": read_ns, "files": files}


def cache_meta(chunker: dict, sources: dict) -> dict:
    return {"code": code_fingerprint(), "chunker": chunker, "sources": sources}


# -- BM25 from term counts -----------------------------------------------------------
def bm25_from_counts(matrix: sp.csr_matrix, vocab: list[str]) -> bm25s.BM25:
    """The bm25s index that `BM25().index(token lists)` builds, from a term-count matrix
    (`segments.count_terms`), without its per-document loops."""
    model = bm25s.BM25()
    assert model.method not in model.methods_requiring_nonoccurrence  # the default (lucene) needs none
    n_docs, n_vocab = matrix.shape
    if n_vocab == 0:  # no chunks, or none with a word: what the plain build did
        model.index([[""]] * max(n_docs, 1), show_progress=False)
        return model
    m = matrix
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
    model.vocab_dict = {t: i for i, t in enumerate(vocab)}
    model.vocab_dict.setdefault("", n_vocab)  # as `index(create_empty_token=True)` does
    model.nonoccurrence_array = None
    model.unique_token_ids_set = set(model.vocab_dict.values())
    return model


# -- accents ------------------------------------------------------------------------------
def accent_text(article: Article) -> str:
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


class NearDuplicates:
    """Jaccard similarity of a text's shingles to every article's. For articles the live build
    holds, each segment's sorted shingle array is binary-searched (a cost set by the new
    text, not by the corpus); the shingles of any other article are computed here."""

    def __init__(self, articles: list[Article], previous: Previous):
        self.articles: list[Article] = list(articles)
        self._sizes = np.zeros(len(self.articles), dtype=np.int64)
        self._indexes: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, article position or -1)
        self._extra: list[tuple[int, np.ndarray]] = []  # (article position, its shingles)
        position = {a.content_hash: i for i, a in enumerate(self.articles)}
        covered: set[int] = set()
        for seg, _ in previous.segments if previous.valid else []:
            try:
                keys, sizes, hashes, owners = seg.shingle_index()
            except (OSError, ValueError, KeyError):
                continue
            where = np.asarray([position.get(k, -1) for k in keys], dtype=np.int64)
            where[[i for i, w in enumerate(where) if w in covered]] = -1  # an article counts once
            covered.update(int(w) for w in where if w >= 0)
            self._sizes[where[where >= 0]] = sizes[where >= 0]
            self._indexes.append((hashes, where[owners] if len(owners) else owners.astype(np.int64)))
        for i, article in enumerate(self.articles):
            if i not in covered:
                self._add_extra(i, article)

    def _add_extra(self, i: int, article: Article) -> None:
        mine = shingle_array(article.text)
        self._extra.append((i, mine))
        self._sizes[i] = len(mine)

    def add(self, article: Article) -> None:
        self.articles.append(article)
        self._sizes = np.append(self._sizes, 0)
        self._add_extra(len(self.articles) - 1, article)

    def similarities(self, text: str) -> np.ndarray:
        """One score per article, in order; equal to `articles.similarity(text, article.text)`."""
        if not self.articles:
            return np.zeros(0)
        mine = shingle_array(text)
        common = np.zeros(len(self.articles), dtype=np.int64)
        for hashes, owners in self._indexes:
            lo, hi = np.searchsorted(hashes, mine, "left"), np.searchsorted(hashes, mine, "right")
            runs = hi - lo
            at = np.repeat(lo - np.cumsum(runs) + runs, runs) + np.arange(int(runs.sum()))
            hits = owners[at]
            common += np.bincount(hits[hits >= 0], minlength=len(common))
        for i, theirs in self._extra:
            common[i] = np.count_nonzero(np.isin(theirs, mine, assume_unique=True))
        union = len(mine) + self._sizes - common
        return np.where(union > 0, common / np.maximum(union, 1), 1.0)
