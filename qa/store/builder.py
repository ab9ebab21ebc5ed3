"""Builder: turns the articles folder into a new build, doing only the work that changed.

Unchanged articles stay in the segments they are in; new and edited ones go into one new
segment, whose data `derive` computes (embedding only text that no segment holds, looked
up by content hash); the newest segments are merged as they grow (`segments.plan_merges`),
and a mostly-dead segment is rewritten. Then the build folder (manifest, accent table, what
the next build reuses) is written under a temporary name, renamed, and named in CURRENT
(`index`). An unchanged corpus keeps the live build. Does not chunk, embed or count terms
itself (`derive`) and does not read builds for searching (`index.load`).
"""
from __future__ import annotations

import json
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from qa.files import fsync_dir, fsync_tree, next_number, write_text
from qa.ingest.chunking import ChunkerSettings
from qa.lang import accents
from qa.records import Article
from qa.settings import default
from qa.store import buildcache, derive, embedcache, vectors
from qa.store import segments as segs
from qa.store.embed import Embedder
from qa.store.index import FIELDS, FORMAT_VERSION, collect_garbage, current_version, exclusive, set_current
from qa.store.segments import Segment, SegmentData


@dataclass(frozen=True)
class BuildReport:
    version: str
    articles: int
    chunks: int
    embedded: int  # distinct texts embedded by this build
    reused: int  # chunk views (sentence, passage) whose vector came from an earlier build
    seconds: float
    unchanged: bool = False  # nothing changed: the current build was kept
    resumed: int = 0  # texts whose vectors an earlier, interrupted run had checkpointed
    problems: tuple[tuple[str, str], ...] = ()  # (file, why) of each article file that was skipped



def previous_build(index_dir: Path, chunker: ChunkerSettings) -> buildcache.Previous:
    """What the next build can reuse from the current one (articles, chunks, counts, shingles)."""
    current = current_version(index_dir)
    return buildcache.Previous.of(index_dir / "builds" / current if current else None, chunker.as_dict())


def read_articles(index_dir: Path, folder: Path, max_bytes: int, chunker: ChunkerSettings):
    """(articles, problems), sources: `articles.load_articles`, re-parsing only changed files;
    pass `sources` (file stats and hashes) on to `build` so that the next read can skip them too."""
    return buildcache.read_articles(folder, max_bytes, previous_build(index_dir, chunker))


def build(index_dir: Path, articles: list[Article], embedder: Embedder, chunker: ChunkerSettings,
          *, index_type: str = default("index_type"), hnsw_threshold: int = default("hnsw_threshold"),
          progress: bool = False, lock_timeout: float = default("lock_timeout_s"), force: bool = False,
          keep_builds: int = default("keep_builds"), locked: bool = False,
          sources: dict | None = None, embedding: derive.Embedding | None = None, embed=None) -> BuildReport:
    """Build (or keep, when nothing changed) the index; `locked=True` when the caller holds the writer lock.
    `embed(keys, texts) -> vectors` replaces the in-process embedding (`ray_embed`)."""
    started = time.perf_counter()
    embedding = embedding or derive.Embedding(progress=progress)
    with nullcontext() if locked else exclusive(index_dir, lock_timeout):
        report = _build_locked(index_dir, articles, embedder, chunker, index_type, hnsw_threshold,
                               embedding, force, started, sources or {}, embed)
        collect_garbage(index_dir, keep_builds)
        return report


def embed_ahead(index_dir: Path, articles: list[Article], embedder: Embedder, chunker: ChunkerSettings,
                embedding: derive.Embedding) -> frozenset:
    """Embed, checkpointed, what a build of `articles` would have to embed, without the writer
    lock: the build that follows (holding it) then finds every vector ready and only publishes.
    Returns the keys embedded here."""
    previous = previous_build(index_dir, chunker)
    live = previous.manifest.get("articles") or {}
    new = [a for a in articles if live.get(a.id) != a.content_hash]
    _, keys, unique = derive.chunked(new, chunker)
    meta = {"id": embedder.id, "dim": embedder.dim}
    if not unique:
        return frozenset()
    have = set(previous.embeddings(set(unique), meta)) if previous.path is not None else set()
    checkpoints = embedcache.Checkpoints(index_dir, meta)
    have |= set(checkpoints.load(set(unique) - have))
    todo = sorted((k, t) for k, t in unique.items() if k not in have)
    if todo:
        derive.embed_with_progress(embedder, todo, checkpoints, embedding)
    return frozenset(k for k, _ in todo)


def _build_locked(index_dir, articles, embedder, chunker, index_type, hnsw_threshold, embedding, force, started,
                  sources, embed=None):
    articles = sorted(articles, key=lambda a: a.id)
    embedder_meta = {"id": embedder.id, "dim": embedder.dim}
    previous = previous_build(index_dir, chunker)
    if not force and _unchanged(previous, articles, embedder_meta, index_type):
        return BuildReport(previous.path.name, len(articles), previous.manifest["chunks"], 0, 0,
                           time.perf_counter() - started, True)
    stamp = {"stamp": buildcache.stamp(embedder_meta, chunker.as_dict()), "index_type_requested": index_type}
    kept = [] if force else _kept(previous, articles, stamp)
    placed = {i for _, ids in kept for i in ids}
    new = [a for a in articles if a.id not in placed]
    checkpoints = embedcache.Checkpoints(index_dir, embedder_meta)
    fresh, embedded, reused_fresh, resumed = derive.segment_data(new, embedder, chunker, previous, checkpoints,
                                                                 embedding, embed)
    parts = _settle(index_dir / "segments", kept, fresh if new else None, stamp, index_type, hnsw_threshold,
                    embedder.dim)
    chunks = sum(_live_rows(seg, ids) for seg, ids in parts)
    manifest = {
        "format_version": FORMAT_VERSION, "embedder": embedder_meta, "chunker": chunker.as_dict(),
        "index_type": vectors.choose_index_type(chunks, index_type, hnsw_threshold),
        "index_type_requested": index_type, "tokenizer": "syllables+bigrams;accented+folded",
        "segments": [{"name": seg.name, "articles": ids} for seg, ids in parts],
        "articles": {a.id: a.content_hash for a in articles}, "chunks": chunks,
    }
    accent_counts = derive.accent_counts(previous, articles, placed, force)
    version = _publish(index_dir, manifest, {
        "accent-counts.json": json.dumps(accent_counts, ensure_ascii=False),
        "accents.json": json.dumps(accents.table_from_counts(accent_counts), ensure_ascii=False),
        buildcache.CACHE_FILE: json.dumps(buildcache.cache_meta(chunker.as_dict(), sources))})
    checkpoints.discard({k for f in FIELDS for k in fresh.keys.get(f, ())})  # published: no longer needed
    reused = reused_fresh + len(FIELDS) * (chunks - fresh.rows)
    return BuildReport(version, len(articles), chunks, embedded, reused, time.perf_counter() - started,
                       resumed=resumed)


def _unchanged(previous, articles: list[Article], embedder_meta: dict, index_type: str) -> bool:
    """The live build already is this build (and is whole: a lost segment makes `qa index` repair it)."""
    manifest = previous.manifest
    return previous.valid and len(previous.segments) == len(manifest.get("segments") or []) and \
        manifest.get("articles") == {a.id: a.content_hash for a in articles} and \
        manifest["embedder"] == embedder_meta and manifest.get("index_type_requested") == index_type and \
        {seg.entries[i].id: seg.entries[i].title for seg, i in previous.live_entries()} == \
        {a.id: a.title for a in articles}  # a new title alone changes what is embedded ("title. passage")


def _kept(previous, articles: list[Article], stamp: dict) -> list[tuple[Segment, list[str]]]:
    """(segment, ids) of the articles that stay where they are: unchanged, in a segment
    made the way this build would make it."""
    wanted = {a.id: a for a in articles}
    kept, placed = [], set()
    for seg, live in previous.segments:
        if {k: seg.meta.get(k) for k in stamp} != stamp:
            continue
        ids = [e.id for e in seg.entries if e.id in live and e.id in wanted and e.id not in placed
               and (e.title, e.content_hash) == (wanted[e.id].title, wanted[e.id].content_hash)]
        if ids:
            kept.append((seg, ids))
            placed.update(ids)
    return kept


def _settle(root: Path, kept: list, fresh: SegmentData | None, stamp: dict, index_type: str, hnsw_threshold: int,
            dim: int) -> list[tuple[Segment, list[str]]]:
    """The build's segments: the kept ones, the newest folded together with the fresh
    articles once they have grown (plan_merges), a mostly-dead one rewritten. Merging
    copies stored rows and embeds nothing."""
    sizes = [_live_rows(seg, ids) for seg, ids in kept]
    folded = max(segs.plan_merges(sizes + [fresh.rows]) - 1, 0) if fresh else segs.plan_merges(sizes)
    pieces = [seg.data().take(ids) for seg, ids in kept[len(kept) - folded:]] if folded else []
    parts = kept[: len(kept) - folded]
    for i, (seg, ids) in enumerate(parts):
        if 2 * _live_rows(seg, ids) < seg.meta["rows"]:
            parts[i] = (segs.write(root, seg.data().take(ids), stamp, index_type, hnsw_threshold), ids)
    pieces += [fresh] if fresh else []
    if pieces:
        data = segs.concat(pieces, dim) if len(pieces) > 1 else pieces[0]
        parts.append((segs.write(root, data, stamp, index_type, hnsw_threshold), [e.id for e in data.entries]))
    return parts


def _publish(index_dir: Path, manifest: dict, files: dict[str, str]) -> str:
    """Write the build folder under a temporary name (manifest last), rename it, point CURRENT at it."""
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    version = _next_version(builds)
    tmp = builds / f".tmp-{version}"
    tmp.mkdir()
    for name, text in files.items():
        write_text(tmp / name, text)
    manifest = {**manifest, "version": version, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    write_text(tmp / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))  # last: marks it whole
    fsync_tree(tmp)
    os.rename(tmp, builds / version)
    fsync_dir(builds)
    set_current(index_dir, version)
    return version


def _live_rows(segment: Segment, ids: list[str]) -> int:
    live = set(ids)
    return sum(e.end - e.start for e in segment.entries if e.id in live)


def _next_version(builds: Path) -> str:
    """"000042-20261121T193940": a sequence number first, so names sort in build order."""
    return f"{next_number(builds):06d}-{time.strftime('%Y%m%dT%H%M%S')}"
