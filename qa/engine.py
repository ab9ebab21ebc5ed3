"""Engine: the one API that the CLI, the chat and the HTTP app call.

It validates questions, builds the index on first use, notices a new build between
requests (another process may have rebuilt it) and swaps to it, and turns a question
into an `AskResult`: cited passages plus the answer span. Holds no presentation logic.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from . import buildcache, builder, index as index_store
from .answer import extract_answer
from . import collection
from .chat import Conversation, Turn, place_names
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
        self._load_lock = threading.Lock()
        self.last_problems: list = []
        self._places: tuple[str | None, set[str]] = (None, set())
        self.load_error: tuple[str | None, float, str] | None = None  # (build, when, why) it failed to load

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
        """The retriever over the live build; builds on first use, swaps when CURRENT moves.
        A new build that cannot be loaded (another embedder, files gone) leaves the one in
        use answering: a bad rebuild must not take the bot down. `health` reports it."""
        live = index_store.current_version(self.index_dir)
        current = self._retriever
        if current is not None and (current.index.version == live or self._still_unloadable(live)):
            return current
        with self._load_lock:
            if self._retriever is not None and self._retriever.index.version == live and live is not None:
                return self._retriever
            if live is None:
                self.rebuild()
            try:
                loaded = self._load()
            except (QAError, OSError, ValueError) as exc:
                if self._retriever is None:
                    raise
                self.load_error = (live, time.monotonic(), str(exc))
                log.warning("build %s cannot be loaded (%s); still answering from build %s",
                            live, exc, self._retriever.index.version)
                return self._retriever
            self._retriever, self.load_error = Retriever(loaded, self.embedder, cache=self._cache), None
            return self._retriever

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
                return self.rebuild(force=force, locked=True)
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
            return index_store.rollback(self.index_dir)

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
            return item, self.rebuild(locked=True)

    def remove(self, article_id: str) -> tuple[Path, object]:
        """Move the article out of the collection (to .removed/) and rebuild without it."""
        with self._exclusive():
            moved = collection.remove(self.settings.articles_dir, article_id)
            return moved, self.rebuild(locked=True)

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
        answer, also, passages = self._results.get(
            (retriever.index.version, text, k, article, date), lambda _: self._answer(retriever, text, k, article, date))
        return AskResult(question=question, answer=answer, passages=passages,
                         took_ms=(time.perf_counter() - started) * 1000, also=also)

    @staticmethod
    def _answer(retriever: Retriever, text: str, k: int, article: str | None, date: str | None):
        passages = retriever.search(text, k=k, article=article, date=date)
        authors = {p.article.id: retriever.index.articles[p.article.id].author for p in passages}
        answer, also = extract_answer(retriever.with_diacritics(text), passages, authors,
                                      dense=lambda where: retriever.dense_similarity(text, where))
        return answer, also, tuple(passages)

    def chat(self, conversation: Conversation, message: str, k: int | None = None) -> Turn:
        """One conversational turn: resolve a follow-up against the conversation, answer, remember."""
        if not conversation.gazetteer:
            conversation.gazetteer = frozenset(self.place_names())
        question = conversation.resolve(normalize(message or "").strip())
        result = self.ask(question, k=k)
        return conversation.add(message, question, result)

    def place_names(self) -> set[str]:
        """Place names found in the articles (for follow-ups typed without diacritics)."""
        index = self.retriever().index
        if self._places[0] != index.version:
            texts = [a.title for a in index.articles.values()] + [a.text for a in index.articles.values()]
            self._places = (index.version, place_names(texts))
        return self._places[1]

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
