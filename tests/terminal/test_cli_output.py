"""What the `qa` command prints, as a person reads it: short answers, labelled timings, the
first build announced on stderr, whole article ids at any width, titles never read as markup,
`qa remove` by id, file name or prefix, and an empty collection explained."""
from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()
README_QUESTION = "How much did Quỳnh Nhai raise?"
CITE = re.compile(r"\[(\d+)\] ")


@pytest.fixture
def env(home, monkeypatch):
    monkeypatch.setenv("QA_HOME", str(home))
    monkeypatch.setenv("QA_EMBEDDER", "fake")
    monkeypatch.setenv("COLUMNS", "100")
    return home


def lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


@pytest.mark.slow
def test_the_readme_example_fits_in_eight_lines_at_100_columns(real_engine, monkeypatch):
    monkeypatch.setenv("QA_HOME", str(real_engine.settings.home))
    monkeypatch.delenv("QA_EMBEDDER", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    result = runner.invoke(app, ["ask", README_QUESTION])
    assert result.exit_code == 0, result.output
    shown = lines(result.stdout)
    assert len(shown) <= 8, result.stdout
    assert all(len(line) <= 100 for line in shown), result.stdout
    assert shown[0].startswith("2 tỷ 652 triệu đồng  [1] Sơn La")
    assert "2 tỷ 652 triệu đồng" in shown[1]  # the cited sentence, around the figure
    assert re.fullmatch(r"answered in [\d,.]+ ms.*", shown[-1])
    full = runner.invoke(app, ["ask", README_QUESTION, "-v"])
    assert len(set(CITE.findall(full.stdout))) == 5 and len(lines(full.stdout)) > len(shown)


def test_default_output_is_short_and_v_shows_every_passage(env):
    question = "Sìn Hồ có bao nhiêu đảng viên xây dựng bản cam kết?"
    short = runner.invoke(app, ["ask", question])
    full = runner.invoke(app, ["ask", question, "--sources"])
    assert short.exit_code == 0 and full.exit_code == 0, short.output + full.output
    assert len(lines(short.stdout)) <= 8 and all(len(line) <= 100 for line in lines(short.stdout))
    assert len(set(CITE.findall(short.stdout))) <= 3  # the cited one and at most two short sources
    assert set(CITE.findall(full.stdout)) == {"1", "2", "3", "4", "5"}
    assert re.search(r"^answered in [\d,.]+ ms", lines(short.stdout)[-1])
    assert not re.search(r"^\s*[\d,.]+ ms$", short.stdout + full.stdout, re.MULTILINE)  # no bare figure


def test_json_is_the_contract_alone_on_stdout_and_the_first_build_is_told_on_stderr(env):
    result = runner.invoke(app, ["ask", README_QUESTION, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"question", "answer", "also", "passages", "took_ms"}
    assert "Building the index from" in result.stderr and "(first run)" in result.stderr
    assert re.search(r"built: 5 articles, \d+ passages in \d+ s", result.stderr)
    again = runner.invoke(app, ["ask", README_QUESTION, "--json"])
    assert "first run" not in again.stderr


def test_an_empty_collection_says_how_to_add_articles(env):
    for path in (env / "seeds").iterdir():
        path.unlink()
    result = runner.invoke(app, ["ask", README_QUESTION])
    assert result.exit_code != 0
    assert "no articles yet" in result.stderr and "qa add" in result.stderr
    assert "do not say" not in result.stdout + result.stderr


@pytest.mark.parametrize("columns", ["60", "200"])
def test_articles_shows_whole_ids_at_any_width(env, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    long_id = "bai-co-ten-rat-dai-de-thu-xem-bang-co-cat-mat-ma-so-hay-khong-2024"
    (env / "seeds" / f"{long_id}.txt").write_text(
        "Bài có tên rất dài\n\nMột bài báo mẫu có mã số dài, đủ năm từ trở lên để được đưa vào.\n", "utf-8")
    result = runner.invoke(app, ["articles"])
    assert result.exit_code == 0, result.output
    ids = [p.stem for p in (env / "seeds").iterdir()]
    for article_id in ids:
        assert re.search(rf"(?<![\w-]){re.escape(article_id)}(?![\w-])", result.stdout), (article_id, result.stdout)
    # Only an id longer than the screen (user-named files) may overflow it; nothing else does.
    assert all(len(line) <= int(columns) for line in lines(result.stdout) if long_id not in line)


def test_titles_are_printed_as_written_never_as_markup(env, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # the whole title on one line
    title = "Bài [bold]thử[/] [/] :x: :smile: [red]đỏ"
    (env / "seeds" / "bai-thu.txt").write_text(f"{title}\n\nMột bài báo mẫu để thử cách in tiêu đề ra màn hình.\n",
                                                "utf-8")
    listed = runner.invoke(app, ["articles"])
    assert listed.exit_code == 0, listed.output
    assert title in listed.stdout
    asked = runner.invoke(app, ["ask", "bài báo mẫu để thử cách in tiêu đề", "-v"])
    assert asked.exit_code == 0, asked.output
    assert title in asked.stdout


@pytest.mark.parametrize("name", ["kon-plong-chuyen-bien", "kon-plong-chuyen-bien.txt", "kon-p"])
def test_remove_takes_an_id_a_file_name_or_a_unique_prefix(env, name):
    result = runner.invoke(app, ["remove", name])
    assert result.exit_code == 0, result.output
    assert "Removed kon-plong-chuyen-bien " in result.stdout
    assert not (env / "seeds" / "kon-plong-chuyen-bien.txt").exists()
    assert len(list((env / "seeds" / ".removed").iterdir())) == 1


def test_remove_with_an_ambiguous_prefix_lists_the_candidates_and_changes_nothing(env):
    before = sorted(p.name for p in (env / "seeds").iterdir())
    result = runner.invoke(app, ["remove", "s"])
    assert result.exit_code == 2
    assert "sin-ho-tao-dong-luc-thi-dua" in result.stderr and "son-la-tao-chuyen-bien-manh-me" in result.stderr
    assert sorted(p.name for p in (env / "seeds").iterdir()) == before
