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
from typing import Callable

from qa.answer import answer_passages
from qa.answer.consensus import Consensus
from qa.chat import answering, compare, meta, multipart
from qa.chat import facts as facts_table
from qa.chat.conversation import Conversation, Turn, reply_language
from qa.chat.tables import BuildTables
from qa.errors import ArticleNotFound, BadQuestion, IndexMissing, NoArticles
from qa.ingest import collection
from qa.ingest.chunking import ChunkerSettings
from qa.lang.text import has_diacritics, normalize
from qa.live import LiveBuild
from qa.records import Article, AskResult
from qa.search.retrieve import QueryCache, Retriever
from qa.settings import Settings
from qa.store import builder, make_store, writes
from qa.store import index as index_store
from qa.store.api import Store
from qa.store.embed import Embedder, make_embedder

log = logging.getLogger(__name__)


class Engine:
    def __init__(self, settings: Settings, embedder: Embedder | None = None, progress: bool = False,
                 on_first_build: Callable[[Path, builder.BuildReport | None, float], None] | None = None):
        """`on_first_build(articles_dir, report, seconds)` is called before (report None) and
        after the build that a first question starts, so a front end can say what is going on."""
        self.settings = settings
        self.on_first_build = on_first_build
        self._embedder = embedder
        self.progress = progress
        self.chunker = ChunkerSettings(context_sentences=settings.context_sentences)
        # Whole results of repeated questions; the key holds the build version, so a swap
        # to a new build never serves an old result.
        self._results = QueryCache(settings.answer_cache)
        self.cancel = threading.Event()  # set: embedding stops between batches (what is done is checkpointed)
        self._store: Store | None = None
        self.live = LiveBuild(settings, lambda: self.store, lambda: self.embedder, self.chunker, self._first_build,
                             prepare=lambda view: BuildTables(view, eager=self.live.watching))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embedder)
        return self._embedder

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir

    @property
    def store(self) -> Store:
        """Where the live version is read from (`QA_STORE`; the local segments by default)."""
        if self._store is None:
            self._store = make_store(self.settings)
        return self._store

    # -- the live build (`qa.live`) ------------------------------------------------------
    def retriever(self) -> Retriever:
        """The retriever over the live build; a watching engine never loads or builds here."""
        return self.live.current()[0]

    def refresh(self, strict: bool = False) -> bool:
        return self.live.refresh(strict)

    def watch(self) -> None:
        """Swap to new builds in a background thread from now on (what a server does). The
        build already loaded (a server's warm-up) gets its facts table now, as the watcher
        gives every later build before swapping to it: no request computes it."""
        if (tables := self.live.derived) is not None:
            tables.facts
        self.live.watch()

    def close(self) -> None:
        self.live.close()

    def published(self, version: str) -> None:  # a new build is current: answer from it now
        self.live.published(version)

    def _first_build(self) -> None:
        started, announce = time.perf_counter(), self.on_first_build or (lambda *args: None)
        announce(self.settings.articles_dir, None, 0.0)
        report = self.rebuild()
        announce(self.settings.articles_dir, report, time.perf_counter() - started)

    # -- writes (`qa.store.writes`): the folder and the index kept in step ---------------------
    def rebuild(self, force: bool = False) -> builder.BuildReport:
        """Rebuild from the articles folder, embedding only new text (`writes.rebuild`)."""
        return writes.rebuild(self, force)

    def rollback(self, steps: int = 1) -> tuple[str, list[Path]]:
        return writes.rollback(self, steps)

    def add(self, paths: list[Path], force: bool = False) -> tuple[list[collection.Added], list[tuple[str, str]], object]:
        return writes.add(self, paths, force)

    def accept_text(self, text: str, title: str | None = None, force: bool = False) -> collection.Added:
        return writes.accept_text(self, text, title, force)

    def add_text(self, text: str, title: str | None = None, force: bool = False) -> tuple[collection.Added, object]:
        return writes.add_text(self, text, title, force)

    def accept_removal(self, article_id: str) -> Path:
        return writes.accept_removal(self, article_id)

    def remove(self, article_id: str) -> tuple[Path, object]:
        return writes.remove(self, article_id)

    def exclusive(self, name: str = ".lock"):
        """The writer lock `name` of the index (`index.exclusive`), waited for up to the settings' timeout."""
        return index_store.exclusive(self.index_dir, self.settings.lock_timeout_s, name)

    # -- questions -------------------------------------------------------------------
    def check_question(self, question: str, k: int | None) -> tuple[str, int]:
        text = normalize(question or "").strip()
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # bytes that were not UTF-8 (a terminal in another encoding)
            raise BadQuestion("The question holds bytes that are not UTF-8 text; check the terminal's "
                              "encoding (UTF-8) and type it again.") from None
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
        retriever, tables = self.live.current()  # loading (or first building) is not answering: not timed
        started = time.perf_counter()
        if not retriever.index.articles:
            folder = self.settings.articles_dir
            raise NoArticles(f"There are no articles yet in {folder}. Add some with: qa add FILE... (.txt, .md or "
                             f"saved .html), or put the files in {folder} and run: qa index")
        if article is not None and article not in retriever.index.articles:
            raise ArticleNotFound(f"No article with id {article!r}. List them with: qa articles")
        answer, also, passages, note, parts = self._results.get(
            (retriever.index.version, text, k, article, date), lambda _: self._answer(retriever, tables, text, k, article, date))
        return AskResult(question=question, answer=answer, passages=passages,
                         took_ms=(time.perf_counter() - started) * 1000, also=also, note=note, parts=parts)

    def _answer(self, retriever: Retriever, tables: "BuildTables", text: str, k: int, article: str | None, date: str | None,
                split: bool = True):
        """(answer, also, passages shown, note, parts), by the first path that applies: a question
        about an article itself (its metadata), a comparison computed from the facts table, a
        multi-part question (each part asked), else the answer stage over one fixed pool."""
        asked, gazetteer = retriever.with_diacritics(text), tables.places
        language, pool, index = reply_language(text), self.settings.answer_pool, retriever.index
        if (field := meta.field_asked(asked)) is not None:
            found = retriever.search(meta.strip_cues(text), k=max(k, pool), article=article, date=date)
            answer, shown, note = meta.answer(asked, field, found, index.articles, gazetteer, language)
            return answer, (), shown[:max(k, 1)], note, ()
        if article is None and date is None and (op := compare.analyse(asked, gazetteer)) is not None:
            found, fused = retriever.fuse(asked, retriever.signals(asked))
            score = dict(zip(found.tolist(), fused.tolist()))
            computed = answering.comparison(op, tables.facts, lambda f: score.get(f.chunk, 0.0), index.chunks,
                                            index.articles, language)
            if computed is not None:
                return (*computed, ())
        if split and len(questions := multipart.split(asked, gazetteer)) > 1:
            answers = [self._answer(retriever, tables, q, k, article, date, split=False) for q in questions]
            return answering.combine(questions, answers)
        passages = retriever.search(text, k=max(k, pool), article=article, date=date)
        authors = {p.article.id: index.articles[p.article.id].author for p in passages}
        dense = lambda where: retriever.dense_similarity(asked, where)  # noqa: E731
        min_confidence = self.settings.learned_min_confidence_en if language == "en" else \
            self.settings.learned_min_confidence
        extract = lambda question, found: answer_passages(  # noqa: E731
            question, found, authors, dense, min_confidence, self.settings.also_ratio, self.settings.max_answers,
            self.settings.learned_pool, self.settings.answer_sentences, self.settings.learned_first_confidence,
            has_diacritics(text), Consensus(self.settings.consensus_temperature, self.settings.consensus_holds,
                                            self.settings.consensus_pool, self.settings.consensus_growth))
        return (*answering.ordinary(asked, passages, k, pool, extract, gazetteer, language, tables.archive), ())

    def chat(self, conversation: Conversation, message: str, k: int | None = None) -> Turn:
        """One conversational turn: resolve a follow-up against the conversation, answer, remember."""
        conversation.gazetteer = self.place_names()  # follows the live build
        text = normalize(message or "").strip()
        if (turn := conversation.non_question(text)) is not None:
            return turn  # a command, "clear", "thanks": answered, never remembered as context
        question = conversation.resolve(text)
        result = self.ask(question, k=k)
        return conversation.add(message, question, result)

    def place_names(self) -> frozenset[str]:
        """Place names found in the articles (for follow-ups typed without diacritics)."""
        return self.live.current()[1].places

    def article_places(self) -> dict[str, str | None]:
        """Each article's own place (its title's, else the one its text names most)."""
        return self.live.current()[1].own_places

    def facts(self, place: str | None = None) -> list[facts_table.Fact]:
        """Every figure the articles of the live build state (about `place`, when given)."""
        return facts_table.about(self.live.current()[1].facts, place)

    # -- articles --------------------------------------------------------------------
    def articles(self) -> list[Article]:
        return sorted(self.retriever().index.articles.values(), key=lambda a: a.id)

    def article(self, article_id: str) -> Article:
        found = self.retriever().index.articles.get(article_id)
        if found is None:
            raise ArticleNotFound(f"No article with id {article_id!r}. List them with: qa articles")
        return found

    def built_ids(self) -> set[str]:
        """The article ids of the live build on disk (not necessarily loaded yet)."""
        return set(builder.previous_build(self.index_dir, self.chunker).manifest.get("articles") or ())

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
            "chunks": index.size, "embedder": index.manifest["embedder"],
            "index_type": index.manifest.get("index_type"),
            **({"newer_build_not_loaded": {"version": self.live.load_error[0], "error": self.live.load_error[2]}}
               if self.live.load_error else {}),
        }
