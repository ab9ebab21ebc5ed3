"""The live build: which build answers, and swapping to a new one without stalling requests.

A watching process (a server) loads new builds in a background thread, so a request never
waits on a load nor runs a build; any other (the CLI, library use) builds on first use and
loads a new build on the first call after CURRENT moves. A build that cannot be loaded
(another embedder, files gone) leaves the one in use answering and is retried after
RELOAD_RETRY_S. Writers call `published` to wait (bounded) until running servers answer
from their build. Knows nothing of questions or answers.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from qa.errors import IndexMissing, QAError
from qa.ingest.chunking import ChunkerSettings
from qa.search.retrieve import QueryCache, Retriever
from qa.settings import Settings
from qa.store import readers
from qa.store.api import Store, StoreView
from qa.store.embed import Embedder

log = logging.getLogger(__name__)
RELOAD_RETRY_S = 30.0


class LiveBuild:
    def __init__(self, settings: Settings, store: Callable[[], Store], embedder: Callable[[], Embedder],
                 chunker: ChunkerSettings, first_build: Callable[[], object],
                 prepare: Callable[[StoreView], object] = lambda view: None):
        """`prepare(view)`: what the answer paths derive from a whole build (place names, the
        facts table), computed with the load, so a request never computes it."""
        self.settings, self.chunker = settings, chunker
        self._store, self._embedder, self._first_build, self._prepare = store, embedder, first_build, prepare
        self._current: tuple[Retriever, object] | None = None  # swapped as one: a request sees one build
        self._cache = QueryCache(settings.query_cache)  # query embeddings, valid across builds (same embedder)
        self._load_lock = threading.RLock()  # re-entered by a first-use build, which then loads
        self.load_error: tuple[str | None, float, str] | None = None  # (build, when, why) it failed to load
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()
        self._reader: readers.Reader | None = None

    @property
    def store(self) -> Store:
        return self._store()

    @property
    def embedder(self) -> Embedder:
        return self._embedder()

    @property
    def watching(self) -> bool:
        return self._watcher is not None

    @property
    def derived(self) -> object | None:
        """What `prepare` derived from the build in use, or None before any is loaded."""
        return self._current[1] if self._current is not None else None

    @property
    def _retriever(self) -> Retriever | None:
        return self._current[0] if self._current is not None else None

    def current(self) -> tuple[Retriever, object]:
        """(retriever, what `prepare` derived) of the live build (see the module's docstring
        for when it swaps)."""
        current = self._current
        if current is not None and self._watcher is not None:
            return current
        if current is None and self._watcher is not None:
            raise IndexMissing("The index is not loaded yet: it is being built or loaded; try again shortly.")
        live = self.store.live_version()
        if current is not None and (current[0].index.version == live or self._still_unloadable(live)):
            return current
        if live is None:
            with self._load_lock:
                if self.store.live_version() is None:
                    self._first_build()
        self.refresh(strict=self._current is None)
        return self._current

    def refresh(self, strict: bool = False) -> bool:
        """Load the live build if it is not the one in use; True when it swapped. Only the
        caller waits (the watcher thread, or a writer making sure its own build answers).
        A build that fails to load is remembered (retried after RELOAD_RETRY_S) unless
        `strict` (nothing loaded yet), when the error is raised."""
        with self._load_lock:
            live = self.store.live_version()
            current = self._retriever
            if live is None or (current is not None and current.index.version == live) or \
                    (not strict and self._still_unloadable(live)):
                return False
            try:
                loaded = self._load()
                derived = self._prepare(loaded)
            except (QAError, OSError, ValueError) as exc:
                if strict:
                    raise
                self.load_error = (live, time.monotonic(), str(exc))
                self._report(failed=live)
                log.warning("build %s cannot be loaded (%s); still answering from build %s", live, exc,
                            current.index.version if current else None)
                return False
            self._current, self.load_error = (Retriever(loaded, self.embedder, cache=self._cache), derived), None
            self._report()
            return True

    def watch(self) -> None:
        """Swap to new builds in a background thread from now on (what a server does), and
        tell writers in other processes which build this engine answers from."""
        if self._watcher is not None:
            return
        self._reader = readers.Reader(self.settings.index_dir)
        self._report()
        self._stopping.clear()
        self._watcher = threading.Thread(target=self._watch_loop, name="qa-build-watcher", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        """Stop watching (a server's shutdown)."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(timeout=60)
            self._watcher = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _watch_loop(self) -> None:
        while not self._stopping.wait(self.settings.reload_poll_s):
            try:
                self.refresh()
            except Exception:  # never let the watcher die: the next poll tries again
                log.exception("looking for a new build failed")

    def _report(self, failed: str | None = None) -> None:
        if self._reader is not None:
            self._reader.report(self._retriever.index.version if self._retriever else None, failed)

    def published(self, version: str) -> None:
        """After a write: answer from the new build here, and wait (bounded) until running
        servers do too, so a write that returned is answered by the next request anywhere."""
        if self._retriever is not None or self._watcher is not None:
            self.refresh()
        behind = readers.wait_for(self.settings.index_dir, version, self.settings.swap_wait_s)
        if behind:
            log.warning("build %s published; %d running server(s) have not loaded it yet", version, len(behind))

    def _load(self) -> StoreView:
        """Load the live build; if it was replaced while loading (its files collected), the new one."""
        for _ in range(3):
            version = self.store.live_version()
            try:
                return self.store.open(version, self.embedder, self.chunker)
            except (OSError, ValueError):
                if self.store.live_version() == version:
                    raise
        return self.store.open(None, self.embedder, self.chunker)

    def _still_unloadable(self, live: str | None) -> bool:
        """A build that failed to load is retried after RELOAD_RETRY_S, not on every request."""
        return self.load_error is not None and self.load_error[0] == live and \
            time.monotonic() - self.load_error[1] < RELOAD_RETRY_S
