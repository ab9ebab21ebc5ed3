"""The suite never depends on the checkout's own seeds/ or index/ (a user's `qa add` and
`qa remove` change them, e.g. leave a `seeds/.removed/` folder)."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, SEEDS

from qa.settings import Settings

TESTS = Path(__file__).resolve().parent


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def test_fixture_home_is_a_tmp_copy_never_the_checkout(home, fake_settings):
    assert not _inside(home, ROOT)
    assert not _inside(fake_settings.articles_dir, ROOT / "seeds")
    assert not _inside(fake_settings.index_dir, ROOT / "index")
    assert sorted(p.name for p in (home / "seeds").iterdir()) == sorted(p.name for p in SEEDS.iterdir())


def test_the_fixture_articles_are_the_tests_own_copies():
    assert _inside(SEEDS, TESTS / "fixtures") and len(list(SEEDS.glob("*.txt"))) == 5


def test_a_test_that_picks_no_home_gets_an_empty_tmp_one():
    settings = Settings()
    assert not _inside(settings.home, ROOT)
    assert not _inside(settings.articles_dir, ROOT / "seeds")


def test_a_removed_folder_in_the_articles_folder_is_not_an_article(home, fake_settings):
    """What `qa remove` leaves behind in a checkout: the suite and the build skip it."""
    from qa.ingest.articles import load_articles

    trash = home / "seeds" / ".removed"
    trash.mkdir()
    (trash / "20260101T000000-old.txt").write_text("Tiêu đề\n\nMột bài đã gỡ khỏi bộ sưu tập.\n", "utf-8")
    articles, problems = load_articles(home / "seeds")
    assert len(articles) == 5 and problems == []


def test_no_test_module_reads_the_checkouts_seeds_or_index():
    pattern = re.compile(r"""(ROOT|parent\.parent|parents\[\d+\]|dirname\(os\.path\.dirname\([^)]*\)\))\s*[/,]\s*["'](seeds|index)["']""")
    offenders = [f"{path.relative_to(TESTS)}:{n}" for path in TESTS.rglob("*.py") if path.name != "test_hermetic.py"
                 for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
