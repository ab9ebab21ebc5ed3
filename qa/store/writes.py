"""Changes to the collection and the index, for `Engine`: rebuild, add files or text, remove, roll back.

Each keeps the articles folder and the index in step: an article is checked by the
builder's own rule before it is written; files are read and embedded (checkpointed)
before the writer lock is taken, so the lock is held only to write and publish; a Ctrl-C
or a failed build takes out what the call wrote; a rollback takes out what it undoes.
The HTTP routes use the `accept_*` halves (no rebuild: a journalled job does it). Does
not build (`builder`) nor decide what an article may be (`articles.article_text`).
"""
from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from qa.errors import ArticleNotFound, QAError
from qa.ingest import articles, collection
from qa.ingest.chunking import ChunkerSettings
from qa.records import Article
from qa.settings import Settings
from qa.store import builder, derive
from qa.store import index as index_store
from qa.store.api import Store
from qa.store.duplicates import NearDuplicates
from qa.store.embed import Embedder


class Writer(Protocol):
    """What these writes need of their caller (`qa.engine.Engine` passes itself): the settings
    and the index, its embedder, store and chunking, the writer locks, and a way to say that a
    new build is current. A protocol, so the store layer never imports the engine."""
    settings: Settings
    chunker: ChunkerSettings
    progress: bool
    cancel: threading.Event

    @property
    def index_dir(self) -> Path: ...

    @property
    def embedder(self) -> Embedder: ...

    @property
    def store(self) -> Store: ...

    def exclusive(self, name: str = ".lock") -> AbstractContextManager: ...

    def published(self, version: str) -> None: ...


def rebuild(engine: Writer, force: bool = False) -> builder.BuildReport:
    """Rebuild from the articles folder; only text not embedded before is embedded. The
    embedding is done first, without the writer lock (checkpointed), and the lock is held
    only to publish."""
    (ahead, _), _ = _read_articles(engine)
    fresh = frozenset() if engine.settings.ray_address else \
        builder.embed_ahead(engine.index_dir, ahead, engine.embedder, engine.chunker, _embedding(engine))
    with engine.exclusive():  # read the folder again under the lock: a list read before it may be stale
        report = _rebuild_locked(engine, force=force, fresh=fresh)
    engine.published(report.version)
    return report


def _rebuild_locked(engine: Writer, force: bool = False, fresh: frozenset = frozenset()) -> builder.BuildReport:
    """The build, by a caller holding the writer lock; `fresh`: texts embedded ahead of it."""
    with engine.exclusive(index_store.COLLECTION_LOCK):  # no write is in progress: leftovers are dead ones
        collection.remove_leftovers(engine.settings.articles_dir)  # of an add killed half-way
    (found, problems), sources = _read_articles(engine)
    embed = None
    if engine.settings.ray_address:  # the embedding step on a Ray cluster (the [ray] extra)
        from qa.store.ray_embed import RayEmbedding

        embed = RayEmbedding(engine.settings, engine.index_dir)
    report = builder.build(
        engine.index_dir, found, engine.embedder, engine.chunker, index_type=engine.settings.index_type,
        hnsw_threshold=engine.settings.hnsw_threshold, lock_timeout=engine.settings.lock_timeout_s, force=force,
        keep_builds=engine.settings.keep_builds, locked=True, sources=sources,
        embedding=_embedding(engine, fresh), embed=embed)
    engine.store.apply_build(engine.index_dir, report.version)  # a no-op on the default store
    if embed is not None:
        embed.clear()  # its vectors are in the build now
    return replace(report, problems=tuple((str(path), why) for path, why in problems))


def _embedding(engine: Writer, fresh: frozenset = frozenset()) -> derive.Embedding:
    return derive.Embedding(every=engine.settings.embed_checkpoint_texts, progress=engine.progress,
                            cancel=engine.cancel, fresh=fresh)


def _read_articles(engine: Writer):
    """The articles folder, parsing only files the current build has not seen (`builder.read_articles`)."""
    return builder.read_articles(engine.index_dir, engine.settings.articles_dir,
                                 engine.settings.max_article_bytes, engine.chunker)


def rollback(engine: Writer, steps: int = 1) -> tuple[str, list[Path]]:
    """Go back `steps` builds, and take the articles that undoes out of the collection (to
    .removed/), so that the next rebuild does not bring them back. Returns (build, moved)."""
    with engine.exclusive(), engine.exclusive(index_store.COLLECTION_LOCK):
        target, undone = index_store.rollback_target(engine.index_dir, steps)
        moved = []
        for article_id in sorted(undone):
            try:
                moved.append(collection.remove(engine.settings.articles_dir, article_id))
            except ArticleNotFound:
                continue  # its file is gone already
        index_store.set_current(engine.index_dir, target)
        index_store.discard_newer(engine.index_dir, target)
        engine.store.apply_build(engine.index_dir, target)  # Milvus: the alias goes back too
    engine.published(target)  # running servers answer from it before this returns
    return target, moved


def add(engine: Writer, paths: list[Path],
        force: bool = False) -> tuple[list[collection.Added], list[tuple[str, str]], object]:
    """Copy article files into the collection and rebuild. Returns (added, refused, build report);
    a refused file (duplicate, unreadable) changes nothing and does not stop the others.
    Files are read and embedded (checkpointed) before the writer lock is taken, so a Ctrl-C
    then leaves the collection as it was; one interrupted later is taken out again. A file
    already in the folder but not in the live build (an add killed before its rebuild) is
    added: the rebuild completes it."""
    ready, refused = [], []
    for path in paths:
        try:
            ready.append(collection.read_source(Path(path), engine.settings.max_article_bytes))
        except QAError as exc:
            refused.append((str(path), str(exc)))
    pending = [articles.describe("pending", s.cleaned, s.path) for s in ready]
    fresh = builder.embed_ahead(engine.index_dir, pending, engine.embedder, engine.chunker, _embedding(engine))
    with engine.exclusive():
        with engine.exclusive(index_store.COLLECTION_LOCK):
            added, more_refused = _store(engine, ready, force)
        written = [item.path for item in added if item.written]
        try:
            report = _rebuild_locked(engine, fresh=fresh) if added else None
        except BaseException:  # Ctrl-C or a failed build: the files just written go again
            for path in written:
                path.unlink(missing_ok=True)
            raise
    if report is not None:
        engine.published(report.version)  # running servers answer from it before this returns
    return added, refused + more_refused, report


def _store(engine: Writer, sources: list[collection.Source], force: bool):
    """Write the sources into the collection (hold both locks): (added, refused)."""
    existing, near = _existing(engine)
    unbuilt = _unbuilt(engine, existing)
    added, refused = [], []
    for source in sources:
        try:
            item = collection.add_text(engine.settings.articles_dir, source.raw, source.suffix, existing,
                                       name=source.path.name, force=force, near=near, cleaned=source.cleaned,
                                       unbuilt=unbuilt)
        except QAError as exc:
            refused.append((str(source.path), str(exc)))
            continue
        added.append(item)
        unbuilt.discard(item.id)  # given twice in one call: added once
        if item.written:
            existing.append(item.article)
            near.add(item.article)
    return added, refused


def _unbuilt(engine: Writer, existing: list[Article]) -> set[str]:
    """Ids of articles in the folder that the live build does not hold as they are."""
    live = builder.previous_build(engine.index_dir, engine.chunker).manifest.get("articles") or {}
    return {a.id for a in existing if live.get(a.id) != a.content_hash}


def accept_text(engine: Writer, text: str, title: str | None = None, force: bool = False) -> collection.Added:
    """Write one article given as text (the HTTP route) into the collection, durably, after
    the checks the builder applies; the title, if given, becomes its first line. Does not
    rebuild (the caller queues that). Re-sending an article that is in the folder but not
    yet built returns it again instead of refusing it."""
    raw = f"{title.strip()}\n\n{text}" if title else text
    raw = raw if raw.endswith("\n") else raw + "\n"
    raw = articles.article_text(raw.encode("utf-8", "surrogatepass"), "the article", engine.settings.max_article_bytes)
    with engine.exclusive(index_store.COLLECTION_LOCK):
        existing, near = _existing(engine)
        return collection.add_text(engine.settings.articles_dir, raw, ".txt", existing, force=force, near=near,
                                   unbuilt=_unbuilt(engine, existing))


def add_text(engine: Writer, text: str, title: str | None = None,
             force: bool = False) -> tuple[collection.Added, object]:
    """`accept_text`, then rebuild."""
    item = accept_text(engine, text, title=title, force=force)
    return item, rebuild(engine)


def accept_removal(engine: Writer, article_id: str) -> Path:
    """Move the article's file out of the collection (to .removed/), durably; no rebuild."""
    with engine.exclusive(index_store.COLLECTION_LOCK):
        return collection.remove(engine.settings.articles_dir, article_id)


def remove(engine: Writer, article_id: str) -> tuple[Path, object]:
    """Move the article out of the collection (to .removed/) and rebuild without it."""
    with engine.exclusive(), engine.exclusive(index_store.COLLECTION_LOCK):
        moved = collection.remove(engine.settings.articles_dir, article_id)
    return moved, rebuild(engine)


def _existing(engine: Writer) -> tuple[list[Article], NearDuplicates]:
    """The articles now in the folder, and their near-duplicate finder (shingles reused from the build)."""
    (existing, _), _ = _read_articles(engine)
    return existing, NearDuplicates(existing, builder.previous_build(engine.index_dir, engine.chunker))
