"""Builder: turns the articles folder into a new build, doing only the work that changed.

Unchanged articles stay in the segments they are in; new and edited ones go into one new
segment, embedding only text that no segment holds (looked up by content hash); the
newest segments are merged as they grow (`segments.plan_merges`), and a mostly-dead
segment is rewritten. Then the build folder (manifest, accent table, what the next build
reuses) is written under a temporary name, renamed, and named in CURRENT (`index`). An
unchanged corpus keeps the live build. Does not read builds for searching (`index.load`).
"""
from __future__ import annotations

import json
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import buildcache, segments as segs, vectors
from .chunking import ChunkerSettings, chunk_article, content_hash
from .embed import Embedder
from .files import fsync_dir, fsync_tree, next_number, write_text
from .index import FIELDS, FORMAT_VERSION, collect_garbage, current_version, exclusive, set_current
from .records import Article, Chunk
from .segments import Segment, SegmentData
from .text import tokens


@dataclass(frozen=True)
class BuildReport:
    version: str
    articles: int
    chunks: int
    embedded: int  # distinct texts embedded by this build
    reused: int  # chunk views (sentence, passage) whose vector came from an earlier build
    seconds: float
    unchanged: bool = False  # nothing changed: the current build was kept


def embed_text(chunk: Chunk, article: Article, field: str) -> str:
    """What the embedder sees: the bare sentence, or the title plus the passage."""
    return chunk.sentence if field == "sentence" else f"{article.title}. {chunk.context}"


def bm25_tokens(chunk: Chunk, article: Article, *, folded: bool) -> list[str]:
    # The title is left out: it would make every chunk of an article match its place name.
    return tokens(f"{chunk.context} {chunk.sentence}", folded=folded)


def previous_build(index_dir: Path, chunker: ChunkerSettings) -> buildcache.Previous:
    """What the next build can reuse from the current one (articles, chunks, counts, shingles)."""
    current = current_version(index_dir)
    return buildcache.Previous.of(index_dir / "builds" / current if current else None, chunker.as_dict())


def read_articles(index_dir: Path, folder: Path, max_bytes: int, chunker: ChunkerSettings):
    """(articles, problems), sources: `articles.load_articles`, re-parsing only changed files;
    pass `sources` (file stats and hashes) on to `build` so that the next read can skip them too."""
    return buildcache.read_articles(folder, max_bytes, previous_build(index_dir, chunker))


def build(index_dir: Path, articles: list[Article], embedder: Embedder, chunker: ChunkerSettings,
          *, index_type: str = "auto", hnsw_threshold: int = 50_000, progress: bool = False,
          lock_timeout: float = 60.0, force: bool = False, keep_builds: int = 2, locked: bool = False,
          sources: dict | None = None, embed=None) -> BuildReport:
    """Build (or keep, when nothing changed) the index; `locked=True` when the caller holds the writer lock.
    `embed(keys, texts) -> vectors` replaces the in-process embedding (`ray_embed`)."""
    started = time.perf_counter()
    with nullcontext() if locked else exclusive(index_dir, lock_timeout):
        report = _build_locked(index_dir, articles, embedder, chunker, index_type, hnsw_threshold,
                               progress, force, started, sources or {}, embed)
        collect_garbage(index_dir, keep_builds)
        return report


def _build_locked(index_dir, articles, embedder, chunker, index_type, hnsw_threshold, progress, force, started,
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
    fresh, embedded, reused_fresh = _derive(new, embedder, chunker, previous, progress, embed)
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
    accent_counts = _accent_counts(previous, articles, placed, force)
    version = _publish(index_dir, manifest, {
        "accent-counts.json": json.dumps(accent_counts, ensure_ascii=False),
        "accents.json": json.dumps(buildcache.accent_table(accent_counts), ensure_ascii=False),
        buildcache.CACHE_FILE: json.dumps(buildcache.cache_meta(chunker.as_dict(), sources))})
    reused = reused_fresh + len(FIELDS) * (chunks - fresh.rows)
    return BuildReport(version, len(articles), chunks, embedded, reused, time.perf_counter() - started)


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


def _derive(articles: list[Article], embedder: Embedder, chunker: ChunkerSettings, previous, progress: bool,
            embed=None):
    """(SegmentData of `articles`, texts embedded, texts reused): chunks, vectors (embedding
    only text that no segment of the live build holds), term counts, shingles."""
    per_article = [(a, chunk_article(a, chunker)) for a in articles]
    chunks = [(a, c) for a, own in per_article for c in own]
    texts = {f: [embed_text(c, a, f) for a, c in chunks] for f in FIELDS}
    keys = {f: [content_hash(t) for t in texts[f]] for f in FIELDS}
    unique = {k: t for f in FIELDS for k, t in zip(keys[f], texts[f])}
    cache = previous.embeddings(set(unique), {"id": embedder.id, "dim": embedder.dim}) if unique else {}
    todo = sorted((k, t) for k, t in unique.items() if k not in cache)
    if todo:
        todo_texts = [t for _, t in todo]
        cache.update(zip((k for k, _ in todo), embed([k for k, _ in todo], todo_texts) if embed else
                         _embed_with_progress(embedder, todo_texts, progress)))
    entries, at = [], 0
    for a, own in per_article:
        entries.append(segs.Entry(a.id, a.title, a.content_hash, at, at + len(own)))
        at += len(own)
    data = SegmentData(
        entries=tuple(entries),
        article_lines=tuple(json.dumps(vars(a), ensure_ascii=False) + "\n" for a, _ in per_article),
        chunk_lines=tuple(json.dumps(vars(c), ensure_ascii=False) + "\n" for _, c in chunks),
        vectors={f: np.stack([cache[k] for k in keys[f]]).astype(np.float32) if chunks
                 else np.zeros((0, embedder.dim), np.float32) for f in FIELDS},
        keys=keys,
        counts={name: segs.count_terms([bm25_tokens(c, a, folded=name == "folded") for a, c in chunks])
                for name in segs.TERM_FIELDS},
        shingles={a.content_hash: buildcache.shingle_array(a.text) for a, _ in per_article},
    )
    embedded_now = {k for k, _ in todo}
    return data, len(todo), sum(k not in embedded_now for f in FIELDS for k in keys[f])


def _accent_counts(previous, articles: list[Article], placed: set[str], force: bool) -> dict:
    """The corpus' accent counts: the live build's, plus the new articles, minus those gone."""
    counts = None if force else previous.accent_counts()
    if counts is None:
        return buildcache.update_accent_counts({}, [buildcache.accent_text(a) for a in articles], [])
    gone = [previous.article_of(seg, i) for seg, i in previous.live_entries() if seg.entries[i].id not in placed]
    return buildcache.update_accent_counts(
        counts, add=[buildcache.accent_text(a) for a in articles if a.id not in placed],
        remove=[buildcache.accent_text(a) for a in gone])


def _next_version(builds: Path) -> str:
    """"000042-20261121T193940": a sequence number first, so names sort in build order."""
    return f"{next_number(builds):06d}-{time.strftime('%Y%m%dT%H%M%S')}"


def _embed_with_progress(embedder: Embedder, texts: list[str], progress: bool, batch: int = 32) -> np.ndarray:
    from tqdm import tqdm

    parts = []
    with tqdm(total=len(texts), desc="Embedding", unit="text", disable=not progress, leave=False) as bar:
        for i in range(0, len(texts), batch):
            parts.append(embedder.embed_passages(texts[i : i + batch]))
            bar.update(len(texts[i : i + batch]))
    return np.vstack(parts)
