"""Shared fixtures: a private QA_HOME with a copy of the fixture articles, and settings that use it.

Tests never read or write the checkout's own `seeds/` or `index/` (a user's `qa add` /
`qa remove` changes them): the seed articles the tests use are copies under
`tests/fixtures/seeds/`, and every QA_HOME is a tmp dir."""
from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path

import pytest

from qa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "fixtures" / "seeds"  # copies of the five seed articles
SAMPLE_EVAL = ROOT / "docs" / "sample-eval.jsonl"
# ../shared from the checkout (CI); from a worktree under wt/ it is one level further up.
DEV_SET = next((p / "shared" / "eval" / "dev.jsonl" for p in ROOT.parents[:2] if (p / "shared" / "eval" / "dev.jsonl").exists()),
               ROOT.parent / "shared" / "eval" / "dev.jsonl")
# An article the seeds do not have, for the tests that add one (its id comes from the title).
NEW_ID = "bac-yen-trong-moi-7-321-cay-mac-ca-tren-dat-doc"
NEW_ARTICLE = """Bắc Yên: Trồng mới 7.321 cây mắc ca trên đất dốc

Thứ hai, 06/03/2023 - 09:10

Năm 2023, huyện Bắc Yên đã trồng mới 7.321 cây mắc ca trên đất dốc của bốn xã vùng cao, nâng tổng diện tích mắc ca toàn huyện lên 412 ha.

Ông Giàng A Dình, Phó Chủ tịch UBND xã Tà Xùa, cho biết mỗi hộ tham gia được hỗ trợ 60% giá cây giống và được cán bộ khuyến nông hướng dẫn kỹ thuật chăm sóc.

Theo kế hoạch, đến năm 2025 huyện Bắc Yên phấn đấu có 1.000 ha mắc ca, gắn với xây dựng nông thôn mới và giảm nghèo bền vững.
"""


@pytest.fixture(scope="session", autouse=True)
def no_checkout_home(tmp_path_factory):
    """A test that forgets to pick a home gets an empty tmp one, never the checkout's folders
    (Settings() would otherwise choose the current folder, the checkout, as it has seeds/)."""
    empty = tmp_path_factory.mktemp("no-home")
    saved = os.environ.get("QA_HOME")
    os.environ["QA_HOME"] = str(empty)
    yield empty
    if saved is None:
        os.environ.pop("QA_HOME", None)
    else:
        os.environ["QA_HOME"] = saved


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


def to_cp1258(text: str) -> bytes:
    """Encode as windows-1258 software wrote it: base letter (with its shape mark) + combining tone."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out.append((base + tones).encode("cp1258"))
    return b"".join(out)
