"""Build cache: what the next build reuses from the live one, so that adding one article
costs about the same whatever the size of the corpus.

Beside its segments (`segments`: chunks, vectors, term counts, shingles of whole
articles), a build stores the hash of each article file's bytes (an unchanged file is not
parsed and cleaned again) and the corpus' accent counts (updated by what changed). The
next build reuses them when the code that derived them has not changed
(`code_fingerprint`: a hash of the source of the modules that do the deriving) and
recomputes anything else, so a missing or stale cache costs time, never correctness.
Embeddings are lent by content hash. BM25 from term counts is `lexical`, accent counts
`qa.lang.accents`, near-duplicates `duplicates`. Decides nothing about what goes into a
build; `builder` does.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from functools import cached_property, lru_cache
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from qa.ingest.articles import LoadResult, load_article, load_articles
from qa.records import Article
from qa.store.segments import FIELDS, FORMAT_VERSION, Segment

# The modules whose code turns article files into what a build caches.
DERIVING = ("qa.ingest.articles", "qa.ingest.chunking", "qa.ingest.htmlpages", "qa.lang.text", "qa.lang.accents",
            "qa.store.builder", "qa.store.derive", "qa.store.segments", "qa.store.buildcache")
CACHE_FILE = "cache.json"  # {"code", "chunker", "sources": {"read_ns", "files": {id: [sha256, size, mtime_ns]}}}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever the code that turns files into cached data may have changed."""
    digest = hashlib.sha256()
    for module in DERIVING:  # located, not imported: the builder imports this module
        digest.update(Path(find_spec(module).origin).read_bytes())
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
    needs to do the same (pass it to `builder.build`)."""
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
