"""The index on disk: versioned builds, an atomically replaced pointer, an embedding cache.

```
index/CURRENT                 name of the live build (os.replace'd, so always whole)
index/builds/<version>/       manifest.json, articles.jsonl, chunks.jsonl,
                              sentence.npy/.faiss, context.npy/.faiss, bm25-accented/, bm25-folded/,
                              and what the next build reuses (cache.json, terms-*, ...: `buildcache`)
index/.lock                   serialises writers (filelock)
```
A build is written into a temporary folder, renamed into place, and only then named in
CURRENT, so a crash at any point leaves the previous build answering. Embeddings are
reused from the current build by content hash, so a rebuild embeds only new text; the
rest of what a build derives from an unchanged article is reused too (`buildcache`).
Does not decide what to retrieve (that is `retrieve`) nor read article files (`articles`).
"""
from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from filelock import FileLock, Timeout

from . import buildcache, vectors
from .chunking import ChunkerSettings, content_hash
from .embed import Embedder
from .errors import IndexBusy, IndexMismatch, IndexMissing
from .records import Article, Chunk
from .text import tokens

FORMAT_VERSION = 1
FIELDS = ("sentence", "context")  # the two dense views of a chunk


@dataclass(frozen=True)
class BuildReport:
    version: str
    articles: int
    chunks: int
    embedded: int  # texts embedded by this build
    reused: int  # texts whose embedding came from the previous build
    seconds: float
    unchanged: bool = False  # nothing changed: the current build was kept


@dataclass(frozen=True)
class LoadedIndex:
    version: str
    path: Path
    manifest: dict
    articles: dict[str, Article]
    chunks: list[Chunk]
    vectors: dict[str, np.ndarray]  # field -> (n, dim) float32
    faiss: dict[str, object]
    bm25: dict[str, bm25s.BM25]  # "accented" / "folded"
    accents: dict[str, str]  # folded syllable (pair) -> accented form, for unaccented questions


def embed_text(chunk: Chunk, article: Article, field: str) -> str:
    """What the embedder sees: the bare sentence, or the title plus the passage."""
    return chunk.sentence if field == "sentence" else f"{article.title}. {chunk.context}"


def bm25_tokens(chunk: Chunk, article: Article, *, folded: bool) -> list[str]:
    # The title is left out: it would make every chunk of an article match its place name.
    return tokens(f"{chunk.context} {chunk.sentence}", folded=folded)


def writer_lock(index_dir: Path, timeout: float) -> FileLock:
    index_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(index_dir / ".lock"), timeout=timeout)


def current_version(index_dir: Path) -> str | None:
    try:
        name = (index_dir / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    return name if name and (index_dir / "builds" / name / "manifest.json").exists() else None


def list_builds(index_dir: Path) -> list[str]:
    root = index_dir / "builds"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "manifest.json").exists() and not p.name.startswith("."))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, data: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_tree(folder: Path) -> None:
    """Every file and folder under `folder` on disk, so a power cut cannot leave a build that
    is named complete but holds empty files (np.save and faiss do not fsync)."""
    for path in sorted(folder.rglob("*"), reverse=True):
        _fsync_dir(path)  # an O_RDONLY fsync works for files too
    _fsync_dir(folder)


def set_current(index_dir: Path, version: str) -> None:
    tmp = index_dir / f".CURRENT.{uuid.uuid4().hex}"
    _write(tmp, version + "\n")
    os.replace(tmp, index_dir / "CURRENT")
    _fsync_dir(index_dir)


def check_compatible(manifest: dict, embedder: Embedder, chunker: ChunkerSettings, where: Path) -> None:
    built_with = manifest.get("embedder", {}).get("id")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(f"The index at {where} has format {manifest.get('format_version')}, this qa reads "
                            f"format {FORMAT_VERSION}. Rebuild it: qa index")
    if built_with != embedder.id or manifest["embedder"].get("dim") != embedder.dim:
        raise IndexMismatch(
            f"The index at {where} was built with embedder {built_with!r}, but the configured embedder is "
            f"{embedder.id!r}. Rebuild it with the configured one (qa index), or set QA_EMBEDDER back to "
            "the one it was built with.")
    if manifest.get("chunker") != chunker.as_dict():
        raise IndexMismatch(f"The index at {where} was built with chunker settings {manifest.get('chunker')}, "
                            f"but the configured ones are {chunker.as_dict()}. Rebuild it: qa index")


def load(index_dir: Path, embedder: Embedder, chunker: ChunkerSettings, version: str | None = None) -> LoadedIndex:
    version = version or current_version(index_dir)
    if version is None:
        raise IndexMissing(f"No index at {index_dir}. Build it: qa index")
    path = index_dir / "builds" / version
    manifest = json.loads((path / "manifest.json").read_text())
    check_compatible(manifest, embedder, chunker, index_dir)
    articles = {a["id"]: Article(**a) for a in map(json.loads, (path / "articles.jsonl").read_text().splitlines())}
    chunks = [Chunk(**c) for c in map(json.loads, (path / "chunks.jsonl").read_text().splitlines())]
    return LoadedIndex(
        version=version, path=path, manifest=manifest, articles=articles, chunks=chunks,
        vectors={f: np.load(path / f"{f}.npy", mmap_mode="r") for f in FIELDS},
        faiss={f: vectors.load_vector_index(path / f"{f}.faiss") for f in FIELDS},
        bm25={name: bm25s.BM25.load(str(path / f"bm25-{name}"), mmap=True) for name in ("accented", "folded")},
        accents=json.loads((path / "accents.json").read_text(encoding="utf-8")),
    )


def _cached_vectors(index_dir: Path, embedder: Embedder) -> dict[str, np.ndarray]:
    """content hash -> vector, from the current build when it used the same embedder."""
    version = current_version(index_dir)
    if version is None:
        return {}
    path = index_dir / "builds" / version
    try:
        manifest = json.loads((path / "manifest.json").read_text())
        if manifest["embedder"]["id"] != embedder.id or manifest["embedder"]["dim"] != embedder.dim:
            return {}
        cache = {}
        for field in FIELDS:
            keys = json.loads((path / f"{field}.keys.json").read_text())
            cache.update(zip(keys, np.load(path / f"{field}.npy")))
        return cache
    except (OSError, KeyError, ValueError):
        return {}  # an unreadable cache only costs time


def previous_build(index_dir: Path, chunker: ChunkerSettings) -> buildcache.Previous:
    """What the next build can reuse from the current one (articles, chunks, counts, shingles)."""
    current = current_version(index_dir)
    return buildcache.Previous.of(index_dir / "builds" / current if current else None, chunker.as_dict())


def read_articles(index_dir: Path, folder: Path, max_bytes: int, chunker: ChunkerSettings):
    """(articles, problems), sources: `articles.load_articles`, re-parsing only changed files;
    pass `sources` (file hashes) on to `build` so that the next read can skip them too."""
    return buildcache.read_articles(folder, max_bytes, previous_build(index_dir, chunker))


def build(index_dir: Path, articles: list[Article], embedder: Embedder, chunker: ChunkerSettings,
          *, index_type: str = "auto", hnsw_threshold: int = 50_000, progress: bool = False,
          lock_timeout: float = 60.0, force: bool = False, keep_builds: int = 2, locked: bool = False,
          sources: dict[str, str] | None = None) -> BuildReport:
    """Build (or keep, when nothing changed) the index; `locked=True` when the caller holds the writer lock."""
    started = time.perf_counter()
    with nullcontext() if locked else exclusive(index_dir, lock_timeout):
        report = _build_locked(index_dir, articles, embedder, chunker, index_type, hnsw_threshold,
                               progress, force, started, sources or {})
        collect_garbage(index_dir, keep_builds)
        return report


@contextmanager
def exclusive(index_dir: Path, timeout: float):
    """Hold the writer lock, or fail with a message when another writer keeps it too long."""
    lock = writer_lock(index_dir, timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        raise IndexBusy(f"Another qa process is writing the index at {index_dir} (lock {exc.lock_file}); "
                        "wait for it to finish and try again.") from exc
    try:
        yield
    finally:
        lock.release()


def _build_locked(index_dir, articles, embedder, chunker, index_type, hnsw_threshold, progress, force, started,
                  sources):
    articles = sorted(articles, key=lambda a: a.id)
    fingerprint = {a.id: a.content_hash for a in articles}
    current = current_version(index_dir)
    if current and not force:
        manifest = json.loads((index_dir / "builds" / current / "manifest.json").read_text())
        if manifest.get("articles") == fingerprint and manifest["embedder"]["id"] == embedder.id \
                and manifest.get("chunker") == chunker.as_dict() and manifest.get("index_type_requested") == index_type:
            return BuildReport(current, len(articles), manifest["chunks"], 0, 0, time.perf_counter() - started, True)
    previous = previous_build(index_dir, chunker)
    by_id = {a.id: a for a in articles}
    per_article = [(a, previous.chunks_of(a, chunker)) for a in articles]
    chunks = [c for _, own in per_article for c in own]
    cache = _cached_vectors(index_dir, embedder)
    texts = {f: [embed_text(c, by_id[c.article_id], f) for c in chunks] for f in FIELDS}
    keys = {f: [content_hash(t) for t in texts[f]] for f in FIELDS}
    todo = sorted({k: t for f in FIELDS for k, t in zip(keys[f], texts[f]) if k not in cache}.items())
    if todo:
        new = _embed_with_progress(embedder, [t for _, t in todo], progress)
        cache.update(zip((k for k, _ in todo), new))
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    version = _next_version(builds)
    tmp = builds / f".tmp-{version}"
    tmp.mkdir()
    # vars(), not asdict(): the records hold plain values, and asdict deep-copies each one (slow)
    _write(tmp / "articles.jsonl", "".join(json.dumps(vars(a), ensure_ascii=False) + "\n" for a in articles))
    _write(tmp / "chunks.jsonl", "".join(  # an unchanged article's lines are copied, not encoded again
        previous.chunk_lines[a.id] if own is previous.chunks.get(a.id)
        else "".join(json.dumps(vars(c), ensure_ascii=False) + "\n" for c in own) for a, own in per_article))
    chosen = vectors.choose_index_type(len(chunks), index_type, hnsw_threshold)
    for field in FIELDS:
        matrix = np.stack([cache[k] for k in keys[field]]).astype(np.float32) if chunks \
            else np.zeros((0, embedder.dim), np.float32)
        np.save(tmp / f"{field}.npy", matrix)
        _write(tmp / f"{field}.keys.json", json.dumps(keys[field]))
        vectors.save_vector_index(vectors.build_vector_index(matrix, chosen), tmp / f"{field}.faiss")
    for name, folded in (("accented", False), ("folded", True)):  # term counts of unchanged chunks are reused
        counts = buildcache.term_counts([c.content_hash for c in chunks], lambda i, folded=folded: bm25_tokens(
            chunks[i], by_id[chunks[i].article_id], folded=folded), previous.term_counts(name))
        counts.save(tmp, name, _write)
        buildcache.bm25_from_counts(counts).save(str(tmp / f"bm25-{name}"))
    accent_counts = previous.accent_counts_for(articles)
    _write(tmp / "accent-counts.json", json.dumps(accent_counts, ensure_ascii=False))
    _write(tmp / "accents.json", json.dumps(buildcache.accent_table(accent_counts), ensure_ascii=False))
    known = previous.shingles
    buildcache.save_shingles(tmp, {a.content_hash: known[a.content_hash] if a.content_hash in known
                                   else buildcache.shingle_array(a.text) for a in articles})
    _write(tmp / buildcache.CACHE_FILE, json.dumps(buildcache.cache_meta(chunker.as_dict(), sources)))
    manifest = {
        "format_version": FORMAT_VERSION, "version": version, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedder": {"id": embedder.id, "dim": embedder.dim}, "chunker": chunker.as_dict(),
        "index_type": chosen, "index_type_requested": index_type, "tokenizer": "syllables+bigrams;accented+folded",
        "articles": fingerprint, "chunks": len(chunks),
    }
    _write(tmp / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))  # written last: marks it whole
    _fsync_tree(tmp)
    os.rename(tmp, builds / version)
    _fsync_dir(builds)
    set_current(index_dir, version)
    embedded = len(todo)
    total = len({k for f in FIELDS for k in keys[f]})
    return BuildReport(version, len(articles), len(chunks), embedded, total - embedded, time.perf_counter() - started)


def _next_version(builds: Path) -> str:
    """"000042-20261121T193940": a sequence number first, so names sort in build order."""
    numbers = [int(p.name.removeprefix(".tmp-").split("-")[0]) for p in builds.iterdir()
               if p.name.removeprefix(".tmp-").split("-")[0].isdigit()]
    return f"{max(numbers, default=0) + 1:06d}-{time.strftime('%Y%m%dT%H%M%S')}"


def _embed_with_progress(embedder: Embedder, texts: list[str], progress: bool, batch: int = 32) -> np.ndarray:
    from tqdm import tqdm

    parts = []
    with tqdm(total=len(texts), desc="Embedding", unit="text", disable=not progress, leave=False) as bar:
        for i in range(0, len(texts), batch):
            parts.append(embedder.embed_passages(texts[i : i + batch]))
            bar.update(len(texts[i : i + batch]))
    return np.vstack(parts)


def collect_garbage(index_dir: Path, keep: int = 2) -> list[str]:
    """Delete old builds and leftovers of crashed ones; keep the newest `keep` and CURRENT."""
    current = current_version(index_dir)
    builds = index_dir / "builds"
    removed = []
    for leftover in builds.glob(".tmp-*") if builds.is_dir() else []:
        shutil.rmtree(leftover, ignore_errors=True)
        removed.append(leftover.name)
    for name in list_builds(index_dir)[:-keep] if keep > 0 else []:
        if name != current:
            # Renamed first (atomic), so a crash half-way through the delete never leaves a
            # build that still has its manifest but lacks files (a rollback could pick it).
            doomed = builds / f".tmp-gc-{name}"
            try:
                os.rename(builds / name, doomed)
            except OSError:
                continue  # kept for now: garbage collection never fails a build
            shutil.rmtree(doomed, ignore_errors=True)
            removed.append(name)
    return removed


def rollback(index_dir: Path) -> str:
    current = current_version(index_dir)
    older = [b for b in list_builds(index_dir) if current is None or b < current]
    if not older:
        raise IndexMissing(f"No earlier build to roll back to in {index_dir / 'builds'}.")
    set_current(index_dir, older[-1])
    return older[-1]
