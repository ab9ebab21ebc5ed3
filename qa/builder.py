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
from .files import fsync_dir, fsync_tree, write_text
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
          sources: dict | None = None) -> BuildReport:
    """Build (or keep, when nothing changed) the index; `locked=True` when the caller holds the writer lock."""
    started = time.perf_counter()
    with nullcontext() if locked else exclusive(index_dir, lock_timeout):
        report = _build_locked(index_dir, articles, embedder, chunker, index_type, hnsw_threshold,
                               progress, force, started, sources or {})
        collect_garbage(index_dir, keep_builds)
        return report


def _build_locked(index_dir, articles, embedder, chunker, index_type, hnsw_threshold, progress, force, started,
                  sources):
    articles = sorted(articles, key=lambda a: a.id)
    fingerprint = {a.id: a.content_hash for a in articles}
    embedder_meta = {"id": embedder.id, "dim": embedder.dim}
    previous = previous_build(index_dir, chunker)
    manifest = previous.manifest
    whole = len(previous.segments) == len(manifest.get("segments") or [])  # else `qa index` repairs it
    if previous.valid and whole and not force and manifest.get("articles") == fingerprint and \
            manifest["embedder"] == embedder_meta and manifest.get("index_type_requested") == index_type:
        return BuildReport(previous.path.name, len(articles), manifest["chunks"], 0, 0,
                           time.perf_counter() - started, True)
    stamp = {"stamp": buildcache.stamp(embedder_meta, chunker.as_dict()), "index_type_requested": index_type}
    wanted = {a.id: a for a in articles}
    kept: list[tuple[Segment, list[str]]] = []  # unchanged articles stay in the segments they are in
    placed: set[str] = set()
    for seg, live in [] if force else previous.segments:
        if {k: seg.meta.get(k) for k in stamp} != stamp:
            continue
        ids = [e.id for e in seg.entries if e.id in live and e.id in wanted and e.id not in placed
               and (e.title, e.content_hash) == (wanted[e.id].title, wanted[e.id].content_hash)]
        if ids:
            kept.append((seg, ids))
            placed.update(ids)
    new = [a for a in articles if a.id not in placed]
    fresh, embedded, reused_fresh = _derive(new, embedder, chunker, previous, progress)
    # Fold the newest segments together once they have grown (plan_merges) and rewrite a
    # segment that is mostly dead rows: both copy stored rows and embed nothing.
    sizes = [_live_rows(seg, ids) for seg, ids in kept]
    folded = max(segs.plan_merges(sizes + [fresh.rows]) - 1, 0) if new else segs.plan_merges(sizes)
    pieces = [seg.data().take(ids) for seg, ids in kept[len(kept) - folded:]] if folded else []
    kept = kept[: len(kept) - folded]
    for i, (seg, ids) in enumerate(kept):
        if 2 * _live_rows(seg, ids) < seg.meta["rows"]:
            kept[i] = (segs.write(index_dir / "segments", seg.data().take(ids), stamp, index_type, hnsw_threshold), ids)
    pieces += [fresh] if new else []
    if pieces:
        data = segs.concat(pieces, embedder.dim) if len(pieces) > 1 else pieces[0]
        kept.append((segs.write(index_dir / "segments", data, stamp, index_type, hnsw_threshold),
                     [e.id for e in data.entries]))
    chunks = sum(_live_rows(seg, ids) for seg, ids in kept)
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    version = _next_version(builds)
    tmp = builds / f".tmp-{version}"
    tmp.mkdir()
    accent_counts = _accent_counts(previous, articles, placed, force)
    write_text(tmp / "accent-counts.json", json.dumps(accent_counts, ensure_ascii=False))
    write_text(tmp / "accents.json", json.dumps(buildcache.accent_table(accent_counts), ensure_ascii=False))
    write_text(tmp / buildcache.CACHE_FILE, json.dumps(buildcache.cache_meta(chunker.as_dict(), sources)))
    manifest = {
        "format_version": FORMAT_VERSION, "version": version, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedder": embedder_meta, "chunker": chunker.as_dict(),
        "index_type": vectors.choose_index_type(chunks, index_type, hnsw_threshold),
        "index_type_requested": index_type, "tokenizer": "syllables+bigrams;accented+folded",
        "segments": [{"name": seg.name, "articles": ids} for seg, ids in kept],
        "articles": fingerprint, "chunks": chunks,
    }
    write_text(tmp / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))  # last: marks it whole
    fsync_tree(tmp)
    os.rename(tmp, builds / version)
    fsync_dir(builds)
    set_current(index_dir, version)
    reused = reused_fresh + len(FIELDS) * (chunks - fresh.rows)
    return BuildReport(version, len(articles), chunks, embedded, reused, time.perf_counter() - started)


def _live_rows(segment: Segment, ids: list[str]) -> int:
    live = set(ids)
    return sum(e.end - e.start for e in segment.entries if e.id in live)


def _derive(articles: list[Article], embedder: Embedder, chunker: ChunkerSettings, previous, progress: bool):
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
        cache.update(zip((k for k, _ in todo), _embed_with_progress(embedder, [t for _, t in todo], progress)))
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
