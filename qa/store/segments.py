"""Segments: the immutable parts that an index build is made of.

A segment holds whole articles and everything derived from them: the cleaned articles,
their chunks, the vectors of both dense views (and a FAISS index over each), BM25 term
counts and near-duplicate shingles, as plain files in `index/segments/<name>/`. It is
written once into a temporary folder, renamed into place (meta.json written last marks it
whole) and never changed. A build names its segments and which of their articles are live;
an edited or removed article is just no longer live, and its rows go when segments merge.
So adding an article writes one small segment, whatever the size of the corpus (the way
Lucene grows an index). Does not decide which articles go where: that is `index`.
"""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from qa.files import fsync_dir, fsync_tree, next_number, write_text
from qa.store import vectors

FORMAT_VERSION = 2  # 2: builds made of segments; 1 was one folder a build
FIELDS = ("sentence", "context")  # the two dense views of a chunk
TERM_FIELDS = ("accented", "folded")  # the two BM25 token streams
MERGE_FACTOR = 2  # a segment is merged into the one before it once it is at least 1/2 its size


@dataclass(frozen=True)
class Entry:
    """One article inside a segment: its identity and its rows [start, end) of chunks."""

    id: str
    title: str
    content_hash: str
    start: int
    end: int


@dataclass(frozen=True)
class SegmentData:
    """A segment's contents in memory, rows in entry order. What `write` stores, what a
    loaded index and a merge are assembled from."""

    entries: tuple[Entry, ...]
    article_lines: tuple[str, ...]  # one JSON line per entry
    chunk_lines: tuple[str, ...]  # one JSON line per row
    vectors: dict  # field -> (rows, dim) float32
    keys: dict  # field -> per-row content hash of the embedded text (the embedding cache key)
    counts: dict  # term field -> (csr (rows, vocab) term frequencies, vocab list)
    shingles: dict  # article content hash -> sorted shingle hashes
    # (keys and shingles are left empty in what is read only to search: Segment.data)

    @property
    def rows(self) -> int:
        return self.entries[-1].end if self.entries else 0

    def take(self, ids: list[str]) -> "SegmentData":
        """The entries named by `ids`, in that order (a subset, a reordering)."""
        by_id = {e.id: i for i, e in enumerate(self.entries)}
        picked = [by_id[i] for i in ids]
        if picked == list(range(len(self.entries))):
            return self
        rows = np.concatenate([np.arange(self.entries[i].start, self.entries[i].end) for i in picked] or
                              [np.zeros(0, np.int64)]).astype(np.int64)
        entries, at = [], 0
        for i in picked:
            e = self.entries[i]
            entries.append(replace(e, start=at, end=at + e.end - e.start))
            at += e.end - e.start
        return SegmentData(
            entries=tuple(entries), article_lines=tuple(self.article_lines[i] for i in picked),
            chunk_lines=tuple(self.chunk_lines[r] for r in rows.tolist()),
            vectors={f: np.asarray(v[rows]) for f, v in self.vectors.items()},
            keys={f: [k[r] for r in rows.tolist()] for f, k in self.keys.items()},
            counts={f: (m[rows], vocab) for f, (m, vocab) in self.counts.items()},
            shingles={e.content_hash: self.shingles[e.content_hash] for e in entries if e.content_hash in self.shingles},
        )


def concat(parts: list[SegmentData], dim: int) -> SegmentData:
    """One SegmentData holding `parts` one after the other (term vocabularies united)."""
    entries, at = [], 0
    for part in parts:
        entries += [replace(e, start=e.start + at, end=e.end + at) for e in part.entries]
        at += part.rows
    return SegmentData(
        entries=tuple(entries), article_lines=tuple(line for p in parts for line in p.article_lines),
        chunk_lines=tuple(line for p in parts for line in p.chunk_lines),
        vectors={f: np.concatenate([np.asarray(p.vectors[f]) for p in parts] or [np.zeros((0, dim), np.float32)])
                 .astype(np.float32, copy=False) for f in FIELDS},
        keys={f: [k for p in parts for k in p.keys[f]] for f in FIELDS if all(f in p.keys for p in parts)},
        counts={f: stack_counts([p.counts[f] for p in parts]) for f in TERM_FIELDS},
        shingles={k: v for p in parts for k, v in p.shingles.items()},
    )


def count_terms(token_lists: list[list[str]]) -> tuple[sp.csr_matrix, list[str]]:
    """(rows, vocabulary) term-frequency matrix of the token lists, and its vocabulary."""
    ids: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for tokens in token_lists:
        row: dict[int, int] = {}
        for token in tokens:
            t = ids.setdefault(token, len(ids))
            row[t] = row.get(t, 0) + 1
        indices += row.keys()
        data += row.values()
        indptr.append(len(indices))
    matrix = sp.csr_matrix((np.asarray(data, np.int32), np.asarray(indices, np.int32), np.asarray(indptr, np.int64)),
                           shape=(len(token_lists), len(ids)))
    matrix.sort_indices()
    return matrix, list(ids)


def stack_counts(parts: list[tuple[sp.csr_matrix, list[str]]]) -> tuple[sp.csr_matrix, list[str]]:
    """Term-count matrices stacked row-wise over one vocabulary (words no row uses dropped)."""
    ids: dict[str, int] = {}
    blocks = []
    for matrix, vocab in parts:
        remap = np.asarray([ids.setdefault(t, len(ids)) for t in vocab], dtype=np.int32)
        m = matrix.tocsr()
        blocks.append((m.data, remap[m.indices] if len(remap) else m.indices.astype(np.int32), m.indptr, m.shape[0]))
    rows = sum(b[3] for b in blocks)
    indptr = np.zeros(rows + 1, dtype=np.int64)
    at, offset = 0, 0
    for _, _, p, n in blocks:
        indptr[at + 1:at + n + 1] = p[1:] - p[0] + offset
        at, offset = at + n, offset + int(p[-1] - p[0])
    data = np.concatenate([d[p[0]:p[-1]] for d, _, p, _ in blocks] or [np.zeros(0, np.int32)]).astype(np.int32)
    indices = np.concatenate([i[p[0]:p[-1]] for _, i, p, _ in blocks] or [np.zeros(0, np.int32)]).astype(np.int32)
    vocab = list(ids)
    used = np.bincount(indices, minlength=len(vocab)) > 0
    new_id = (np.cumsum(used) - 1).astype(np.int32)
    matrix = sp.csr_matrix((data, new_id[indices] if len(indices) else indices, indptr),
                           shape=(rows, int(used.sum())))
    matrix.sort_indices()
    return matrix, [t for t, keep in zip(vocab, used) if keep]


class Segment:
    """A written segment; each part is read from disk on first use."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        self.entries = tuple(Entry(**e) for e in self.meta["entries"])

    def _lines(self, name: str) -> tuple[str, ...]:
        return tuple((self.path / name).read_text(encoding="utf-8").splitlines(keepends=True))

    @cached_property
    def article_lines(self) -> tuple[str, ...]:
        return self._lines("articles.jsonl")

    def keys(self, field: str) -> list[str]:
        return json.loads((self.path / f"{field}.keys.json").read_text())

    def vectors(self, field: str) -> np.ndarray:
        return np.load(self.path / f"{field}.npy", mmap_mode="r")

    def vector_index(self, field: str):
        return vectors.load_vector_index(self.path / f"{field}.faiss")

    def shingles(self) -> dict[str, np.ndarray]:
        """article content hash -> its sorted shingle hashes."""
        with np.load(self.path / "shingles.npz") as z:
            bounds, hashes = z["offsets"], z["hashes"]
            return {k: hashes[bounds[i]:bounds[i + 1]] for i, k in enumerate(z["keys"].astype(str).tolist())}

    def shingle_index(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """(article content hashes, their shingle counts, every shingle hash sorted, its owner)."""
        with np.load(self.path / "shingles.npz") as z:
            return (z["keys"].astype(str).tolist(), np.diff(z["offsets"]), z["sorted_hashes"], z["sorted_owners"])

    def data(self, for_search: bool = False) -> SegmentData:
        """Everything, or (`for_search`) all but what only a later build needs (keys, shingles)."""
        counts = {}
        for field in TERM_FIELDS:
            with np.load(self.path / f"terms-{field}.npz") as z:
                vocab = json.loads((self.path / f"terms-{field}.vocab.json").read_text(encoding="utf-8"))
                counts[field] = (sp.csr_matrix((z["data"], z["indices"], z["indptr"]),
                                               shape=(len(z["indptr"]) - 1, len(vocab))), vocab)
        return SegmentData(entries=self.entries, article_lines=self.article_lines,
                           chunk_lines=self._lines("chunks.jsonl"),
                           vectors={f: self.vectors(f) for f in FIELDS},
                           keys={} if for_search else {f: self.keys(f) for f in FIELDS},
                           counts=counts, shingles={} if for_search else self.shingles())


def write(root: Path, data: SegmentData, stamp: dict, index_type: str, hnsw_threshold: int) -> Segment:
    """Store `data` as a new segment under `root` and return it. `stamp` (embedder, chunker,
    code) says what made it: a later build reuses the segment only when its stamp agrees."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"{next_number(root):06d}-{uuid.uuid4().hex[:8]}"
    tmp = root / f".tmp-{name}"
    tmp.mkdir()
    write_text(tmp / "articles.jsonl", "".join(data.article_lines))
    write_text(tmp / "chunks.jsonl", "".join(data.chunk_lines))
    chosen = vectors.choose_index_type(data.rows, index_type, hnsw_threshold)
    for field in FIELDS:
        matrix = np.ascontiguousarray(data.vectors[field], dtype=np.float32)
        np.save(tmp / f"{field}.npy", matrix)
        write_text(tmp / f"{field}.keys.json", json.dumps(data.keys[field]))
        vectors.save_vector_index(vectors.build_vector_index(matrix, chosen), tmp / f"{field}.faiss")
    for field in TERM_FIELDS:
        m, vocab = data.counts[field]
        np.savez(tmp / f"terms-{field}.npz", data=m.data, indices=m.indices, indptr=m.indptr)
        write_text(tmp / f"terms-{field}.vocab.json", json.dumps(vocab, ensure_ascii=False))
    keys = list(data.shingles)
    offsets = np.cumsum([0] + [len(data.shingles[k]) for k in keys])
    hashes = np.concatenate([data.shingles[k] for k in keys]) if keys else np.zeros(0, np.uint64)
    order = np.argsort(hashes, kind="stable")  # a sorted copy: near-duplicate checks binary-search it
    owners = np.repeat(np.arange(len(keys), dtype=np.int32), np.diff(offsets))
    np.savez(tmp / "shingles.npz", keys=np.asarray(keys, dtype="S"), offsets=offsets, hashes=hashes,
             sorted_hashes=hashes[order], sorted_owners=owners[order])
    meta = {**stamp, "name": name, "rows": data.rows, "index_type": chosen,
            "entries": [vars(e) for e in data.entries]}
    write_text(tmp / "meta.json", json.dumps(meta, ensure_ascii=False))  # last: marks the segment whole
    fsync_tree(tmp)
    os.rename(tmp, root / name)
    fsync_dir(root)
    return Segment(root / name)


def plan_merges(sizes: list[int]) -> int:
    """How many segments at the end of the list to merge into one (0, or 2 and more): newer
    segments fold into the one before once together they reach 1/MERGE_FACTOR of its size,
    so a build keeps O(log n) segments and a row is copied O(log n) times in its life."""
    n, total = 1, sizes[-1] if sizes else 0
    while n < len(sizes) and sizes[-n - 1] <= MERGE_FACTOR * total:
        total += sizes[-n - 1]
        n += 1
    return n if n >= 2 else 0
