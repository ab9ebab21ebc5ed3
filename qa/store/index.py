"""The index on disk: segments, versioned builds, an atomically replaced pointer; reading it.

```
index/CURRENT                 name of the live build (os.replace'd, so always whole)
index/builds/<version>/       manifest.json (its segments and their live articles),
                              accent-counts.json, accents.json, cache.json (`buildcache`)
index/segments/<name>/        immutable parts shared by builds (`segments`)
index/.lock                   serialises writers (filelock)
```
`builder` writes a build's new segment and folder under temporary names, renames them into
place, and only then names the build in CURRENT, so a crash at any point leaves the
previous build answering. Loading puts the live rows of all segments together in
article-id order, so a build reads the same however it grew. Also here: the writer lock,
garbage collection (old builds, segments no build names) and rollback. Does not decide
what to retrieve (`retrieve`) nor what goes into a build (`builder`).
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from filelock import FileLock, Timeout

from qa.errors import IndexBusy, IndexMismatch, IndexMissing
from qa.files import fsync_dir, write_text
from qa.ingest.chunking import ChunkerSettings
from qa.records import Article, Chunk
from qa.store import lexical
from qa.store import segments as segs
from qa.store.embed import Embedder
from qa.store.segments import FIELDS, FORMAT_VERSION, Segment


@dataclass(frozen=True)
class LoadedIndex:
    version: str
    path: Path
    manifest: dict
    articles: dict[str, Article]
    chunks: list[Chunk]
    vectors: dict[str, np.ndarray]  # field -> (n, dim) float32
    faiss: dict[str, list[tuple[object, np.ndarray]]]  # field -> per segment (index, global row of each row; -1 dead)
    bm25: dict[str, bm25s.BM25]  # "accented" / "folded"
    accents: dict[str, str]  # folded syllable (pair) -> accented form, for unaccented questions


COLLECTION_LOCK = ".collection.lock"


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


def set_current(index_dir: Path, version: str) -> None:
    tmp = index_dir / f".CURRENT.{uuid.uuid4().hex}"
    write_text(tmp, version + "\n")
    os.replace(tmp, index_dir / "CURRENT")
    fsync_dir(index_dir)


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
    parts = [(Segment(index_dir / "segments" / s["name"]), s["articles"]) for s in manifest["segments"]]
    whole = segs.concat([seg.data(for_search=True).take(ids) for seg, ids in parts], embedder.dim)
    whole = whole.take(sorted(e.id for e in whole.entries))  # article-id order, however the build grew
    start_of = {e.id: e.start for e in whole.entries}
    faiss: dict[str, list] = {f: [] for f in FIELDS}
    for seg, ids in parts:
        rows, live = np.full(seg.meta["rows"], -1, dtype=np.int64), set(ids)
        for e in seg.entries:
            if e.id in live:
                rows[e.start:e.end] = np.arange(start_of[e.id], start_of[e.id] + e.end - e.start)
        for field in FIELDS:
            faiss[field].append((seg.vector_index(field), rows))
    return LoadedIndex(
        version=version, path=path, manifest=manifest,
        articles={a.id: a for a in (Article(**json.loads(line)) for line in whole.article_lines)},
        chunks=[Chunk(**json.loads(line)) for line in whole.chunk_lines],
        vectors=whole.vectors, faiss=faiss,
        bm25={f: lexical.bm25_from_counts(*whole.counts[f]) for f in segs.TERM_FIELDS},
        accents=json.loads((path / "accents.json").read_text(encoding="utf-8")),
    )


@contextmanager
def exclusive(index_dir: Path, timeout: float, name: str = ".lock"):
    """Hold the writer lock, or fail with a message when another writer keeps it too long.
    `name=COLLECTION_LOCK`: the short lock that serialises changes to the articles folder
    (check for duplicates, then write), so that accepting an article never waits for a build."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / name), timeout=timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        raise IndexBusy(f"Another qa process is writing the index at {index_dir} (lock {exc.lock_file}); "
                        "wait for it to finish and try again.") from exc
    try:
        yield
    finally:
        lock.release()


def collect_garbage(index_dir: Path, keep: int = 2) -> list[str]:
    """Delete old builds and leftovers of crashed ones; keep the newest `keep` and CURRENT."""
    current = current_version(index_dir)
    builds = index_dir / "builds"
    removed = []
    for orphan in index_dir.glob(".CURRENT.*"):  # of a writer killed between writing and renaming it
        orphan.unlink(missing_ok=True)
        removed.append(orphan.name)
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
    return removed + _collect_segments(index_dir)


def _collect_segments(index_dir: Path) -> list[str]:
    """Delete segments no remaining build names (merged away, or left by a crashed build)."""
    root = index_dir / "segments"
    if not root.is_dir():
        return []
    used: set[str] = set()
    for name in list_builds(index_dir):
        try:
            used.update(s["name"] for s in json.loads((index_dir / "builds" / name / "manifest.json").read_text())
                        .get("segments", []))
        except (OSError, ValueError, KeyError, TypeError):
            return []  # cannot tell what that build needs: delete nothing
    removed = []
    for path in root.iterdir():
        if path.name in used:
            continue
        doomed = path if path.name.startswith(".tmp-") else root / f".tmp-gc-{path.name}"
        try:
            if doomed != path:
                os.rename(path, doomed)  # first, so a half-deleted segment never looks whole
        except OSError:
            continue
        shutil.rmtree(doomed, ignore_errors=True)
        removed.append(path.name)
    return removed


def discard_newer(index_dir: Path, version: str) -> list[str]:
    """Delete the builds after `version` (those a rollback undid), so that garbage collection
    keeps the good ones, not them."""
    builds, removed = index_dir / "builds", []
    for name in list_builds(index_dir):
        if name > version:
            doomed = builds / f".tmp-gc-{name}"
            os.rename(builds / name, doomed)
            shutil.rmtree(doomed, ignore_errors=True)
            removed.append(name)
    return removed


def rollback_target(index_dir: Path, steps: int = 1) -> tuple[str, dict[str, str]]:
    """(the build `steps` before the live one, the articles {id: content hash} of the live build
    that it does not have as they are: added or edited since). Changes nothing."""
    current = current_version(index_dir)
    older = [b for b in list_builds(index_dir) if current is None or b < current]
    if not older:
        raise IndexMissing(f"No earlier build to roll back to in {index_dir / 'builds'}.")
    if steps < 1 or steps > len(older):
        raise IndexMissing(f"Cannot roll back {steps} builds: {len(older)} earlier build(s) kept in "
                           f"{index_dir / 'builds'} (QA_KEEP_BUILDS keeps more).")
    target = older[-steps]

    def articles_of(version: str) -> dict[str, str]:
        return json.loads((index_dir / "builds" / version / "manifest.json").read_text()).get("articles") or {}

    before = articles_of(target)
    undone = {i: h for i, h in (articles_of(current).items() if current else ()) if before.get(i) != h}
    return target, undone


def rollback(index_dir: Path, steps: int = 1) -> str:
    """Point CURRENT `steps` builds back (the index only; `Engine.rollback` also takes the
    undone articles out of the collection)."""
    target, _ = rollback_target(index_dir, steps)
    set_current(index_dir, target)
    return target
