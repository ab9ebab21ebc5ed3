"""Engine: the one API that the CLI, the chat and the HTTP app call.

It validates questions, builds the index on first use, notices a new build between
requests (another process may have rebuilt it) and swaps to it, and turns a question
into an `AskResult`: cited passages plus the answer span (or a computed comparison, an
article's metadata, the parts of a multi-part question: `_answer` tries them in order; the
facts table and each article's own place are kept per build). Holds no presentation logic.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from . import buildcache, builder, index as index_store, readers
from .answer import extract_answer
from . import answering, collection, compare, meta, multipart
from . import facts as facts_table
from .chat import Conversation, Turn, place_names, reply_language
from .chunking import ChunkerSettings
from .embed import Embedder, make_embedder
from .errors import ArticleNotFound, BadArticle, BadQuestion, IndexMissing, QAError
from .records import Article, AskResult
from .retrieve import QueryCache, Retriever
from .settings import Settings
from .text import normalize

log = logging.getLogger(__name__)
RELOAD_RETRY_S = 30.0


class Engine:
    def __init__(self, settings: Settings, embedder: Embedder | None = None, progress: bool = False):
        self.settings = settings
        self._embedder = embedder
        self.progress = progress
        self.chunker = ChunkerSettings(context_sentences=settings.context_sentences)
        self._retriever: Retriever | None = None
        self._cache = QueryCache()  # query embeddings, valid across builds (same embedder)
        # Whole results of repeated questions; the key holds the build version, so a swap
        # to a new build never serves an old result.
        self._results = QueryCache(settings.answer_cache)
        self._load_lock = threading.RLock()  # re-entered by a first-use build, which then loads
        self.last_problems: list = []
        self._places: tuple[str | None, set[str]] = (None, set())
        self._facts: tuple[str | None, tuple[facts_table.Fact, ...]] = (None, ())
        self._own: tuple[str | None, dict[str, str | None]] = (None, {})
        self.load_error: tuple[str | None, float, str] | None = None  # (build, when, why) it failed to load
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()
        self._reader: readers.Reader | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embedder)
        return self._embedder

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir

    # -- index -----------------------------------------------------------------------
    def retriever(self) -> Retriever:
        """The retriever over the live build. A watching engine (a server, `watch`) swaps to a
        new build in a background thread, so a request never waits on a load nor runs a build;
        any other engine (the CLI, library use) builds on first use and loads a new build on
        the first call after CURRENT moves. A new build that cannot be loaded (another
        embedder, files gone) leaves the one in use answering; `health` reports it."""
        current = self._retriever
        if current is not None and self._watcher is not None:
            return current
        if current is None and self._watcher is not None:
            raise IndexMissing("The index is not loaded yet: it is being built or loaded; try again shortly.")
        live = index_store.current_version(self.index_dir)
        if current is not None and (current.index.version == live or self._still_unloadable(live)):
            return current
        if live is None:
            with self._load_lock:
                if index_store.current_version(self.index_dir) is None:
                    self.rebuild()
        self.refresh(strict=self._retriever is None)
        return self._retriever

    def refresh(self, strict: bool = False) -> bool:
        """Load the live build if it is not the one in use; True when it swapped. Only the
        caller waits (the watcher thread, or a writer making sure its own build answers).
        A build that fails to load is remembered (retried after RELOAD_RETRY_S) unless
        `strict` (nothing loaded yet), when the error is raised."""
        with self._load_lock:
            live = index_store.current_version(self.index_dir)
            current = self._retriever
            if live is None or (current is not None and current.index.version == live) or \
                    (not strict and self._still_unloadable(live)):
                return False
            try:
                loaded = self._load()
            except (QAError, OSError, ValueError) as exc:
                if strict:
                    raise
                self.load_error = (live, time.monotonic(), str(exc))
                self._report(failed=live)
                log.warning("build %s cannot be loaded (%s); still answering from build %s", live, exc,
                            current.index.version if current else None)
                return False
            self._retriever, self.load_error = Retriever(loaded, self.embedder, cache=self._cache), None
            self._report()
            return True

    def watch(self) -> None:
        """Swap to new builds in a background thread from now on (what a server does), and
        tell writers in other processes which build this engine answers from."""
        if self._watcher is not None:
            return
        self._reader = readers.Reader(self.index_dir)
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

    def _published(self, version: str) -> None:
        """After a write: answer from the new build here, and wait (bounded) until running
        servers do too, so a write that returned is answered by the next request anywhere."""
        if self._retriever is not None or self._watcher is not None:
            self.refresh()
        behind = readers.wait_for(self.index_dir, version, self.settings.swap_wait_s)
        if behind:
            log.warning("build %s published; %d running server(s) have not loaded it yet", version, len(behind))

    def _load(self) -> index_store.LoadedIndex:
        """Load the live build; if it was replaced while loading (its files collected), the new one."""
        for _ in range(3):
            version = index_store.current_version(self.index_dir)
            try:
                return index_store.load(self.index_dir, self.embedder, self.chunker, version)
            except (OSError, ValueError):
                if index_store.current_version(self.index_dir) == version:
                    raise
        return index_store.load(self.index_dir, self.embedder, self.chunker)

    def _still_unloadable(self, live: str | None) -> bool:
        """A build that failed to load is retried after RELOAD_RETRY_S, not on every request."""
        return self.load_error is not None and self.load_error[0] == live and \
            time.monotonic() - self.load_error[1] < RELOAD_RETRY_S

    def rebuild(self, force: bool = False, locked: bool = False) -> builder.BuildReport:
        """Rebuild from the articles folder; only text not embedded before is embedded."""
        if not locked:  # read the folder only under the lock: a list read before it may be stale
            with self._exclusive():
                report = self.rebuild(force=force, locked=True)
            self._published(report.version)
            return report
        collection.remove_leftovers(self.settings.articles_dir)  # of an add killed half-way
        (articles, problems), sources = self._read_articles()
        self.last_problems = problems
        return builder.build(
            self.index_dir, articles, self.embedder, self.chunker, index_type=self.settings.index_type,
            hnsw_threshold=self.settings.hnsw_threshold, progress=self.progress,
            lock_timeout=self.settings.lock_timeout_s, force=force, keep_builds=self.settings.keep_builds,
            locked=True, sources=sources,
        )

    def _read_articles(self):
        """The articles folder, parsing only files the current build has not seen (index.read_articles)."""
        return builder.read_articles(self.index_dir, self.settings.articles_dir,
                                         self.settings.max_article_bytes, self.chunker)

    def _existing(self) -> tuple[list[Article], object]:
        """The articles now in the folder, and their near-duplicate finder (shingles reused from the build)."""
        (existing, _), _ = self._read_articles()
        return existing, buildcache.NearDuplicates(existing, builder.previous_build(
            self.index_dir, self.chunker))

    def _exclusive(self):
        return index_store.exclusive(self.index_dir, self.settings.lock_timeout_s)

    def rollback(self) -> str:
        with self._exclusive():
            version = index_store.rollback(self.index_dir)
        self._published(version)
        return version

    # -- writes: each change and its rebuild happen under one writer lock ---------------
    def add(self, paths: list[Path], force: bool = False) -> tuple[list[collection.Added], list[tuple[str, str]], object]:
        """Copy article files into the collection and rebuild. Returns (added, refused, build report);
        a refused file (duplicate, unreadable) changes nothing and does not stop the others."""
        added, refused = [], []
        with self._exclusive():
            existing, near = self._existing()
            for path in paths:
                try:
                    item = collection.add_file(self.settings.articles_dir, Path(path), existing,
                                               max_bytes=self.settings.max_article_bytes, force=force, near=near)
                except QAError as exc:
                    refused.append((str(path), str(exc)))
                    continue
                added.append(item)
                existing.append(item.article)
                near.add(existing[-1])
            report = self.rebuild(locked=True) if added else None
        if report is not None:
            self._published(report.version)
        return added, refused, report

    def add_text(self, text: str, title: str | None = None, force: bool = False) -> tuple[collection.Added, object]:
        """Add one article given as text (the HTTP route); the title, if given, becomes its first line."""
        if len(text.encode("utf-8")) > self.settings.max_article_bytes:
            raise BadArticle(f"The article is larger than the {self.settings.max_article_bytes:,}-byte limit.")
        raw = f"{title.strip()}\n\n{text}" if title else text
        if not raw.strip():
            raise BadArticle("The article is empty.")
        with self._exclusive():
            existing, near = self._existing()
            item = collection.add_text(self.settings.articles_dir, raw, ".txt", existing, force=force, near=near)
            report = self.rebuild(locked=True)
        self._published(report.version)
        return item, report

    def remove(self, article_id: str) -> tuple[Path, object]:
        """Move the article out of the collection (to .removed/) and rebuild without it."""
        with self._exclusive():
            moved = collection.remove(self.settings.articles_dir, article_id)
            report = self.rebuild(locked=True)
        self._published(report.version)
        return moved, report

    # -- questions -------------------------------------------------------------------
    def check_question(self, question: str, k: int | None) -> tuple[str, int]:
        text = normalize(question or "").strip()
        if not text:
            raise BadQuestion("The question is empty: type a question, e.g. qa ask \"How much did Quỳnh Nhai raise?\"")
        if len(text) > self.settings.max_question_chars:
            raise BadQuestion(f"The question is {len(text):,} characters long; the limit is "
                              f"{self.settings.max_question_chars:,}. Ask something shorter.")
        k = self.settings.top_k if k is None else k
        if not 1 <= k <= self.settings.max_k:
            raise BadQuestion(f"k must be between 1 and {self.settings.max_k} (got {k}).")
        return text, k

    def ask(self, question: str, k: int | None = None, article: str | None = None,
            date: str | None = None) -> AskResult:
        text, k = self.check_question(question, k)
        started = time.perf_counter()
        retriever = self.retriever()
        if article is not None and article not in retriever.index.articles:
            raise ArticleNotFound(f"No article with id {article!r}. List them with: qa articles")
        answer, also, passages, note, parts = self._results.get(
            (retriever.index.version, text, k, article, date), lambda _: self._answer(retriever, text, k, article, date))
        return AskResult(question=question, answer=answer, passages=passages,
                         took_ms=(time.perf_counter() - started) * 1000, also=also, note=note, parts=parts)

    def _answer(self, retriever: Retriever, text: str, k: int, article: str | None, date: str | None,
                split: bool = True):
        """(answer, also, passages shown, note, parts), by the first path that applies: a question
        about an article itself (its metadata), a comparison computed from the facts table, a
        multi-part question (each part asked), else the answer stage over one fixed pool."""
        asked, gazetteer = retriever.with_diacritics(text), frozenset(self.place_names())
        language, pool, index = reply_language(text), self.settings.answer_pool, retriever.index
        if (field := meta.field_asked(asked)) is not None:
            found = retriever.search(meta.strip_cues(text), k=max(k, pool), article=article, date=date)
            answer, shown, note = meta.answer(asked, field, found, index.articles, gazetteer, language)
            return answer, (), shown[:max(k, 1)], note, ()
        if article is None and date is None and (op := compare.analyse(asked, gazetteer)) is not None:
            found, fused = retriever.fuse(asked, retriever.signals(asked))
            score = dict(zip(found.tolist(), fused.tolist()))
            computed = answering.comparison(op, self.facts(), lambda f: score.get(f.chunk, 0.0), index.chunks,
                                            index.articles, language)
            if computed is not None:
                return (*computed, ())
        if split and len(questions := multipart.split(asked, gazetteer)) > 1:
            answers = [self._answer(retriever, q, k, article, date, split=False) for q in questions]
            return answering.combine(questions, answers)
        passages = retriever.search(text, k=max(k, pool), article=article, date=date)
        authors = {p.article.id: index.articles[p.article.id].author for p in passages}
        extract = lambda question, found: extract_answer(question, found, authors)  # noqa: E731
        return (*answering.ordinary(asked, passages, k, pool, extract, gazetteer, language, self.article_places()), ())

    def chat(self, conversation: Conversation, message: str, k: int | None = None) -> Turn:
        """One conversational turn: resolve a follow-up against the conversation, answer, remember."""
        conversation.gazetteer = frozenset(self.place_names())  # follows the live build
        text = normalize(message or "").strip()
        if (turn := conversation.non_question(text)) is not None:
            return turn  # a command, "clear", "thanks": answered, never remembered as context
        question = conversation.resolve(text)
        result = self.ask(question, k=k)
        return conversation.add(message, question, result)

    def place_names(self) -> set[str]:
        """Place names found in the articles (for follow-ups typed without diacritics)."""
        index = self.retriever().index
        if self._places[0] != index.version:
            texts = [a.title for a in index.articles.values()] + [a.text for a in index.articles.values()]
            self._places = (index.version, place_names(texts))
        return self._places[1]

    def facts(self, place: str | None = None) -> list[facts_table.Fact]:
        """Every figure the articles of the live build state (about `place`, when given); the
        table is computed once per build."""
        index = self.retriever().index
        if self._facts[0] != index.version:
            self._facts = (index.version, facts_table.build(index.articles, index.chunks, self.place_names()))
        return facts_table.about(self._facts[1], place)

    def article_places(self) -> dict[str, str | None]:
        """Each article's own place (its title's, else the one its text names most), once per build."""
        index = self.retriever().index
        if self._own[0] != index.version:
            known = frozenset(self.place_names())
            self._own = (index.version, {a.id: facts_table.article_place(a, known) for a in index.articles.values()})
        return self._own[1]

    # -- articles --------------------------------------------------------------------
    def articles(self) -> list[Article]:
        return sorted(self.retriever().index.articles.values(), key=lambda a: a.id)

    def article(self, article_id: str) -> Article:
        found = self.retriever().index.articles.get(article_id)
        if found is None:
            raise ArticleNotFound(f"No article with id {article_id!r}. List them with: qa articles")
        return found

    def chunk_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in self.retriever().index.chunks:
            counts[chunk.article_id] = counts.get(chunk.article_id, 0) + 1
        return counts

    def health(self) -> dict:
        try:
            index = self.retriever().index
        except IndexMissing:
            return {"status": "no index", "index_version": None}
        return {
            "status": "ok", "index_version": index.version, "articles": len(index.articles),
            "chunks": len(index.chunks), "embedder": index.manifest["embedder"],
            "index_type": index.manifest.get("index_type"),
            **({"newer_build_not_loaded": {"version": self.load_error[0], "error": self.load_error[2]}}
               if self.load_error else {}),
        }
