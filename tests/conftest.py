"""Shared fixtures: a private QA_HOME with a copy of the seeds, and settings that use it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path


@pytest.fixture
def fake_settings(home: Path) -> Settings:
    return Settings(home=home, embedder="fake")


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory):
    """An Engine over a copy of the seeds with the real default embedder, index built once."""
    from qa.engine import Engine

    home = tmp_path_factory.mktemp("real-home")
    shutil.copytree(SEEDS, home / "seeds")
    engine = Engine(Settings(home=home))
    engine.rebuild()
    return engine
