"""The `qa` command through typer's runner, with the fake embedder: parse, call, render."""
import json
import re
import unicodedata

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


@pytest.fixture
def env(home, monkeypatch):
    monkeypatch.setenv("QA_HOME", str(home))
    monkeypatch.setenv("QA_EMBEDDER", "fake")
    return home


def test_ask_json_prints_the_contract(env):
    result = runner.invoke(app, ["ask", "quynh nhai huy dong duoc bao nhieu", "--json", "-k", "2"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["question"] == "quynh nhai huy dong duoc bao nhieu"
    assert len(payload["passages"]) == 2
    assert {"rank", "score", "text", "article", "start", "end"} <= set(payload["passages"][0])


def test_ask_shows_qa_top_k_passages_unless_k_is_given(env, monkeypatch):
    monkeypatch.setenv("QA_TOP_K", "3")
    default = runner.invoke(app, ["ask", "quynh nhai huy dong duoc bao nhieu", "--json"])
    given = runner.invoke(app, ["ask", "quynh nhai huy dong duoc bao nhieu", "--json", "-k", "4"])
    assert len(json.loads(default.stdout)["passages"]) == 3 and len(json.loads(given.stdout)["passages"]) == 4


def test_ask_readable_output_cites_title(env):
    result = runner.invoke(app, ["ask", "Sìn Hồ có bao nhiêu đảng viên xây dựng bản cam kết?"])
    assert result.exit_code == 0, result.output
    assert re.search(r"\[\d\] Tạo động lực thi đua trong cán bộ", result.stdout), result.stdout


@pytest.mark.parametrize("args, message", [
    (["ask", ""], "empty"),
    (["ask", "   "], "empty"),
    (["ask", "x" * 20_000], "20,000 characters"),
    (["ask", "Sìn Hồ", "-k", "0"], "k must be between 1 and 50"),
    (["ask", "Sìn Hồ", "--article", "../etc/passwd"], "No article"),
])
def test_bad_input_gets_a_message_not_a_traceback(env, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_nfd_question_gives_the_same_passages(env):
    question = "Quỹ Chỉ thị 05 của Quỳnh Nhai đã trích bao nhiêu tiền?"
    nfc = json.loads(runner.invoke(app, ["ask", question, "--json"]).stdout)
    nfd = json.loads(runner.invoke(app, ["ask", unicodedata.normalize("NFD", question), "--json"]).stdout)
    assert [p["text"] for p in nfc["passages"]] == [p["text"] for p in nfd["passages"]]


def test_index_then_index_again_reports_up_to_date(env):
    first = runner.invoke(app, ["index"])
    assert first.exit_code == 0 and "Built index" in first.stdout
    again = runner.invoke(app, ["index"])
    assert again.exit_code == 0 and "up to date" in again.stdout


def test_index_refuses_another_embedder_with_the_command_to_rebuild(env, monkeypatch):
    assert runner.invoke(app, ["index"]).exit_code == 0
    monkeypatch.setenv("QA_EMBEDDER", "fake:32")
    result = runner.invoke(app, ["ask", "Sìn Hồ"])
    assert result.exit_code == 2
    assert "fake:64" in result.stderr and "fake:32" in result.stderr and "qa index" in result.stderr


def test_eval_prints_a_table_and_json(env, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"question": "quynh nhai huy dong duoc bao nhieu", "answers": ["2 tỷ 652 triệu đồng"]},
                                ensure_ascii=False) + "\n" + json.dumps({"question": "Giá vàng hôm nay?", "answers": []},
                                                                        ensure_ascii=False) + "\n")
    table = runner.invoke(app, ["eval", str(cases)])
    assert table.exit_code == 0 and "hit@1" in table.stdout
    rows = json.loads(runner.invoke(app, ["eval", str(cases), "--json"]).stdout)["groups"]
    assert {r["group"] for r in rows} == {"vi-nodiacritics", "vi", "all"}
    assert next(r for r in rows if r["group"] == "all")["questions"] == 2


def test_eval_refuses_a_file_that_is_not_cases(env, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    result = runner.invoke(app, ["eval", str(bad)])
    assert result.exit_code == 2 and "not an evaluation case" in result.stderr


def test_an_html_page_the_parser_cannot_read_is_skipped_not_a_crash(env, monkeypatch):
    import shutil

    import trafilatura
    from conftest import ROOT

    def broken(*args, **kwargs):
        raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    shutil.copy(ROOT / "tests" / "fixtures" / "articles" / "tin-mau-html.html", env / "seeds")
    built = runner.invoke(app, ["index"])
    assert built.exit_code == 0, built.output
    assert "Skipped" in built.output and "tin-mau-html.html" in built.output and "Built index" in built.output
    asked = runner.invoke(app, ["ask", "Sìn Hồ có bao nhiêu đảng viên?", "--json"])
    assert asked.exit_code == 0 and json.loads(asked.stdout)["passages"]


def test_eval_runs_the_sample_file_that_ships_in_docs(env):
    from conftest import SAMPLE_EVAL

    result = runner.invoke(app, ["eval", str(SAMPLE_EVAL), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["group"]: r for r in json.loads(result.stdout)["groups"]}
    assert set(rows) == {"vi", "vi-nodiacritics", "en", "all"}
    assert (rows["all"]["questions"], rows["all"]["answerable"]) == (10, 8)
    assert rows["all"]["hit@3"] is not None and rows["all"]["abstained"] is not None


@pytest.mark.slow
def test_the_sample_eval_file_is_answerable_from_the_seed_articles(real_engine):
    from conftest import SAMPLE_EVAL

    from qa import evaluate

    rows = {r["group"]: r for r in evaluate.run(real_engine, evaluate.load_cases(SAMPLE_EVAL)).rows()}
    assert rows["all"]["hit@3"] >= 0.75


def test_a_bad_setting_is_one_line_naming_the_variable(env, monkeypatch):
    monkeypatch.setenv("QA_INDEX_TYPE", "foo")
    result = runner.invoke(app, ["ask", "Sìn Hồ"])
    assert result.exit_code == 2 and "QA_INDEX_TYPE" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
