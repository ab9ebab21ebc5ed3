"""Index lifecycle through the Engine: incremental rebuilds, garbage collection, rollback,
refusing a mismatched index, the writer lock, and a zero-downtime swap under a live server.
Fake embedder throughout (the embedder is not what is under test here)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import bm25s
import httpx
import numpy as np
import pytest
from conftest import NEW_ARTICLE, NEW_ID

from qa.engine import Engine
from qa.errors import IndexBusy, IndexMismatch, IndexMissing
from qa.ingest.articles import load_article, load_articles, similarity
from qa.ingest.chunking import chunk_article
from qa.lang import accents
from qa.lang.accents import accent_table
from qa.lang.text import tokens
from qa.settings import Settings
from qa.store import buildcache, builder, derive, writes
from qa.store import index as index_store
from qa.store.duplicates import NearDuplicates
from qa.store.embed import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
UNIQUE_QUESTION = "Bắc Yên trồng mới bao nhiêu cây mắc ca?"


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, remembering every passage text it was asked to embed."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []

    def embed_passages(self, texts):
        self.texts.extend(texts)
        return super().embed_passages(texts)


def new_article(folder: Path, name: str = "bac-yen.txt", text: str = NEW_ARTICLE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def env_for(settings: Settings, **extra) -> dict:
    return {**os.environ, "QA_HOME": str(settings.home), "QA_EMBEDDER": "fake", **extra}


def run_cli(settings: Settings, *args, **extra_env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *map(str, args)], cwd=ROOT, env=env_for(settings, **extra_env),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def counting():
    return CountingEmbedder()


@pytest.fixture
def engine(fake_settings, counting):
    return Engine(fake_settings, embedder=counting)


# -- incremental rebuilds ---------------------------------------------------------------
def test_adding_an_article_embeds_exactly_its_new_texts(engine, counting, tmp_path):
    first = engine.rebuild()
    assert first.embedded == len(counting.texts) == len(set(counting.texts)) > 0
    counting.texts.clear()
    path = new_article(tmp_path / "in")
    (added,), _, report = engine.add([path])
    article = load_article(added.path)
    mine = {derive.embed_text(c, article, f) for c in chunk_article(article, engine.chunker)
            for f in index_store.FIELDS}
    assert set(counting.texts) == mine  # everything embedded is the new article's, and all of it
    assert report.embedded == len(counting.texts) == len(mine)
    assert report.reused == len(index_store.FIELDS) * first.chunks and report.articles == 6


def test_an_unchanged_corpus_rebuilds_without_embedding(engine, counting):
    first = engine.rebuild()
    counting.texts.clear()
    again = engine.rebuild()
    assert again.unchanged and again.version == first.version and again.embedded == 0
    forced = engine.rebuild(force=True)  # a forced rebuild writes a new build, still from the cache
    assert not forced.unchanged and forced.version > first.version
    assert forced.embedded == 0 and forced.reused == len(index_store.FIELDS) * first.chunks
    assert counting.texts == []


def test_removing_an_article_embeds_nothing(engine, counting):
    engine.rebuild()
    counting.texts.clear()
    _, report = engine.remove("kon-plong-chuyen-bien")
    assert report.articles == 4 and report.embedded == 0 and counting.texts == []


def test_old_builds_are_collected_keeping_two_and_rollback_switches_back(engine, fake_settings, tmp_path):
    versions = [engine.rebuild().version]
    for name in ("tin-mau-md.md", "tin-mau-html.html"):
        versions.append(engine.add([FIXTURES / name])[2].version)
    versions.append(engine.add([new_article(tmp_path / "in")])[2].version)
    assert versions == sorted(versions) and len(set(versions)) == 4
    builds = fake_settings.index_dir / "builds"
    assert index_store.list_builds(fake_settings.index_dir) == versions[-2:]
    assert sorted(p.name for p in builds.iterdir()) == versions[-2:]  # no leftovers either
    assert NEW_ID in {a.id for a in engine.articles()}

    version, moved = engine.rollback()
    assert version == versions[-2]
    assert (fake_settings.index_dir / "CURRENT").read_text().strip() == versions[-2]
    assert NEW_ID not in {a.id for a in engine.articles()}  # the running engine swapped back
    assert len(engine.articles()) == 7
    assert [m.parent.name for m in moved] == [".removed"] and moved[0].name.endswith(f"-{NEW_ID}.txt")
    with pytest.raises(IndexMissing, match="No earlier build"):
        engine.rollback()
    # the undone article left the collection: the next build does not bring it back ...
    report = engine.rebuild()
    assert NEW_ID not in {a.id for a in engine.articles()} and report.articles == 7
    # ... and garbage collection keeps the build rolled back to, not the undone one
    assert versions[-2] in index_store.list_builds(fake_settings.index_dir)
    assert versions[-1] not in index_store.list_builds(fake_settings.index_dir)


def test_rollback_goes_back_n_builds_as_far_as_settings_keep(fake_settings, tmp_path):
    engine = Engine(fake_settings.model_copy(update={"keep_builds": 4}))
    first = engine.rebuild().version
    for name in ("tin-mau-md.md", "tin-mau-html.html"):
        engine.add([FIXTURES / name])
    engine.add([new_article(tmp_path / "in")])
    with pytest.raises(IndexMissing, match="3 earlier build"):
        engine.rollback(4)
    version, moved = engine.rollback(3)
    assert version == first and len(moved) == 3
    assert {a.id for a in engine.articles()} == {a.id for a in load_articles(fake_settings.articles_dir).articles}
    assert engine.rebuild().unchanged  # the collection is what the build rolled back to holds
    assert len(engine.articles()) == 5


def test_cli_rollback(fake_settings, tmp_path):
    engine = Engine(fake_settings)
    first = engine.rebuild().version
    second = engine.add([new_article(tmp_path / "in")])[2].version
    done = run_cli(fake_settings, "index", "--rollback")
    assert done.returncode == 0, done.stderr
    assert f"Rolled back to build {first}" in done.stdout and f"-{NEW_ID}.txt" in done.stdout
    assert index_store.current_version(fake_settings.index_dir) == first != second
    assert not (fake_settings.articles_dir / f"{NEW_ID}.txt").exists()
    again = run_cli(fake_settings, "index", "--rollback", "2")
    assert again.returncode == 2 and "No earlier build to roll back to" in again.stderr
    assert run_cli(fake_settings, "index", "2").returncode == 2


def test_an_incremental_build_equals_a_build_from_scratch(fake_settings, tmp_path):
    """Everything a rebuild reuses (parsed articles, chunks, term counts, accents, shingles,
    vectors) gives the same index as building the same folder from nothing."""
    engine = Engine(fake_settings)
    engine.rebuild()
    engine.add([FIXTURES / "tin-mau-md.md", FIXTURES / "tin-mau-html.html", new_article(tmp_path / "in")])
    engine.remove("kon-plong-chuyen-bien")
    edited = fake_settings.articles_dir / "sin-ho-tao-dong-luc-thi-dua.txt"
    edited.write_text(edited.read_text("utf-8").replace("Sìn Hồ", "Phong Thổ"), encoding="utf-8")
    (fake_settings.articles_dir / "rong.txt").write_bytes(b"")  # a bad file is reported the same way
    engine.rebuild()
    fresh_home = tmp_path / "fresh"
    shutil.copytree(fake_settings.articles_dir, fresh_home / "seeds")
    fresh_settings = Settings(home=fresh_home, embedder="fake")
    Engine(fresh_settings).rebuild()

    embedder, chunker = FakeEmbedder(), engine.chunker
    inc = index_store.load(fake_settings.index_dir, embedder, chunker)
    new = index_store.load(fresh_settings.index_dir, embedder, chunker)
    assert {k: replace(a, path="") for k, a in inc.articles.items()} == \
        {k: replace(a, path="") for k, a in new.articles.items()}
    assert inc.chunks == new.chunks and len(inc.chunks) > 80
    assert inc.accents == new.accents
    for field in index_store.FIELDS:
        assert np.array_equal(inc.vectors[field], new.vectors[field])
    queries = [tokens(q, folded=f) for q in ("Phong Thổ thi đua", "quynh nhai huy dong", "mắc ca Bắc Yên 7.321")
               for f in (False, True)] + [derive.bm25_tokens(c, None, folded=False)[:6] for c in inc.chunks[::9]]
    for name, folded in (("accented", False), ("folded", True)):
        reference = bm25s.BM25()  # bm25s indexing the token lists itself
        reference.index([derive.bm25_tokens(c, None, folded=folded) for c in new.chunks], show_progress=False)
        for query in queries:
            want = reference.get_scores(query)
            assert np.allclose(inc.bm25[name].get_scores(query), want, rtol=1e-5, atol=1e-6)
            assert np.allclose(new.bm25[name].get_scores(query), want, rtol=1e-5, atol=1e-6)
    folder = fake_settings.articles_dir
    (cached, problems), _ = builder.read_articles(fake_settings.index_dir, folder, 10**6, chunker)
    assert (cached, problems) == load_articles(folder, 10**6)


def test_the_accent_table_agrees_with_text_accent_table_where_there_is_no_tie(fake_settings):
    articles = load_articles(fake_settings.articles_dir).articles
    texts = [a.title + "\n" + a.text for a in articles]
    counts = accents.update_accent_counts({}, texts, [])
    ours, theirs = accents.table_from_counts(counts), accent_table(texts)
    untied = {k for k, forms in counts.items() if sorted(forms.values())[-2:-1] != [max(forms.values())]}
    assert len(untied) > 1000
    assert {k: v for k, v in ours.items() if k in untied} == {k: v for k, v in theirs.items() if k in untied}


def test_near_duplicate_scores_equal_the_pairwise_ones(fake_settings):
    articles = load_articles(fake_settings.articles_dir).articles
    engine = Engine(fake_settings)
    engine.rebuild()
    moved, _ = engine.remove(articles[1].id)  # dead in the first segment ...
    shutil.move(moved, articles[1].path)
    engine.rebuild()  # ... and live again in a second one: it must count once
    outside = replace(articles[4], text="Một bài chưa có trong chỉ mục. " + articles[2].text, content_hash="outside")
    near = NearDuplicates([*articles[:3], outside], builder.previous_build(fake_settings.index_dir,
                                                                                         engine.chunker))
    near.add(articles[3])
    probe = articles[0].text[: len(articles[0].text) // 2] + articles[3].text + articles[1].text[:300]
    scores = near.similarities(probe)
    assert np.allclose(scores, [similarity(probe, a.text) for a in [*articles[:3], outside, articles[3]]])
    assert scores.max() > 0.2 and (scores > 0).sum() >= 3


# -- a mismatched index is refused ------------------------------------------------------
def test_an_index_from_another_embedder_is_refused_naming_both(fake_settings):
    Engine(fake_settings).rebuild()
    other = Engine(fake_settings.model_copy(update={"embedder": "fake:32"}))
    with pytest.raises(IndexMismatch) as err:
        other.ask("quynh nhai huy dong duoc bao nhieu")
    message = str(err.value)
    assert "'fake:64'" in message and "'fake:32'" in message and "qa index" in message
    assert other.rebuild().embedded > 0  # the way out it names works
    assert other.ask("quynh nhai huy dong duoc bao nhieu").passages


def test_an_index_from_another_chunker_is_refused_naming_both(fake_settings):
    Engine(fake_settings).rebuild()
    other = Engine(fake_settings.model_copy(update={"context_sentences": 2}))
    with pytest.raises(IndexMismatch) as err:
        other.ask("quynh nhai huy dong duoc bao nhieu")
    message = str(err.value)
    assert "'context_sentences': 1" in message and "'context_sentences': 2" in message and "qa index" in message


def test_cli_reports_a_mismatch_with_the_command_to_rebuild(fake_settings):
    Engine(fake_settings).rebuild()
    refused = run_cli(fake_settings, "ask", "Sìn Hồ", QA_EMBEDDER="fake:32")
    assert refused.returncode == 2
    assert "fake:64" in refused.stderr and "fake:32" in refused.stderr and "qa index" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert run_cli(fake_settings, "index", QA_EMBEDDER="fake:32").returncode == 0
    assert run_cli(fake_settings, "ask", "Sìn Hồ", QA_EMBEDDER="fake:32").returncode == 0


# -- writers are serialised ---------------------------------------------------------------
HOLD_LOCK = """
import sys, time
from pathlib import Path
from qa.store.index import exclusive
with exclusive(Path(sys.argv[1]), 30):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(index_dir: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the writer lock for `seconds` (returns once it holds it)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index_dir), str(seconds)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_waits_for_the_lock(fake_settings, tmp_path):
    Engine(fake_settings).rebuild()
    holder = hold_lock(fake_settings.index_dir, 1.5)
    started = time.monotonic()
    try:
        added, _, report = Engine(fake_settings.model_copy(update={"lock_timeout_s": 30})).add(
            [new_article(tmp_path / "in")])
    finally:
        holder.wait(timeout=30)
    waited = time.monotonic() - started
    assert waited >= 1.0 and len(added) == 1 and report.articles == 6


def test_a_second_writer_fails_clearly_when_the_lock_is_held_too_long(fake_settings, tmp_path):
    Engine(fake_settings).rebuild()
    files = sorted(p.name for p in fake_settings.articles_dir.iterdir())
    current = index_store.current_version(fake_settings.index_dir)
    holder = hold_lock(fake_settings.index_dir, 30)
    try:
        impatient = Engine(fake_settings.model_copy(update={"lock_timeout_s": 0.3}))
        started = time.monotonic()
        with pytest.raises(IndexBusy) as err:
            impatient.add([new_article(tmp_path / "in")])
        assert time.monotonic() - started < 5
        assert "Another qa process is writing the index" in str(err.value) and "try again" in str(err.value)
        with pytest.raises(IndexBusy):
            impatient.rebuild(force=True)
        with pytest.raises(IndexBusy):
            impatient.remove("kon-plong-chuyen-bien")
        cli = run_cli(fake_settings, "add", new_article(tmp_path / "in"), QA_LOCK_TIMEOUT_S="0.3")
        assert cli.returncode == 2 and "Another qa process is writing the index" in cli.stderr
        assert sorted(p.name for p in fake_settings.articles_dir.iterdir()) == files
        assert index_store.current_version(fake_settings.index_dir) == current
    finally:
        holder.kill()
        holder.wait()


def test_concurrent_cli_writers_lose_nothing(fake_settings, tmp_path):
    Engine(fake_settings).rebuild()
    sources = [new_article(tmp_path / "in"), FIXTURES / "tin-mau-md.md", FIXTURES / "tin-mau-html.html"]
    procs = [subprocess.Popen([sys.executable, "-m", "cli", "add", str(p)], cwd=ROOT, env=env_for(fake_settings),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in sources]
    procs.append(subprocess.Popen([sys.executable, "-m", "cli", "index", "--force"], cwd=ROOT,
                                  env=env_for(fake_settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    ids = {a.id for a in Engine(fake_settings).articles()}
    assert len(ids) == 8 and NEW_ID in ids


def test_a_rebuild_reads_the_articles_only_once_it_holds_the_lock(fake_settings, tmp_path):
    """A rebuild that read the folder before waiting for the lock would publish a stale build,
    dropping an article that another writer added meanwhile."""
    Engine(fake_settings).rebuild()
    lock = index_store.writer_lock(fake_settings.index_dir, timeout=5)
    lock.acquire()
    result = {}
    waiting = threading.Thread(target=lambda: result.update(report=Engine(fake_settings).rebuild(force=True)))
    try:
        waiting.start()
        time.sleep(0.5)  # it is now waiting for the lock
        new_article(fake_settings.articles_dir, f"{NEW_ID}.txt")  # the other writer adds an article ...
        writes._rebuild_locked(Engine(fake_settings))  # ... and publishes it, still holding the lock
    finally:
        lock.release()
    waiting.join(timeout=60)
    assert result["report"].articles == 6
    assert NEW_ID in {a.id for a in Engine(fake_settings).articles()}


# -- zero downtime ------------------------------------------------------------------------
def test_a_live_server_answers_every_request_while_an_article_is_added_and_swapped(fake_settings, tmp_path):
    pytest.importorskip("qa.serve.app")
    from live_server import live_server

    from qa.serve.app import create_app

    Engine(fake_settings).rebuild()
    article = new_article(tmp_path / "in")
    results: list[tuple[float, str, int, dict | str]] = []  # (started, question, status, body)
    stop = threading.Event()
    questions = [UNIQUE_QUESTION, "quynh nhai huy dong duoc bao nhieu"]

    def fire(url: str, offset: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            i = offset
            while not stop.is_set():
                question, i = questions[i % len(questions)], i + 1
                started = time.monotonic()
                try:
                    r = client.post("/ask", json={"question": question, "k": 3})
                    body = r.json() if r.status_code == 200 else r.text
                    results.append((started, question, r.status_code, body))
                except httpx.HTTPError as exc:  # a refused or dropped connection is a failure too
                    results.append((started, question, 0, repr(exc)))

    def during(windows) -> int:
        return sum(1 for r in list(results) if any(start <= r[0] <= end for start, end in windows))

    def wait_for(n: int, after: float = 0.0) -> None:
        deadline = time.monotonic() + 120
        while sum(1 for r in results if r[0] > after) < n:
            assert time.monotonic() < deadline, "the server stopped answering"
            time.sleep(0.02)

    with live_server(create_app(fake_settings)) as url:
        threads = [threading.Thread(target=fire, args=(url, i)) for i in range(2)]
        for t in threads:
            t.start()
        try:
            wait_for(40)
            before_add = time.monotonic()
            added = run_cli(fake_settings, "add", article)  # another process adds and swaps
            assert added.returncode == 0, added.stderr
            after_add = time.monotonic()
            writing = [(before_add, after_add)]
            while len(writing) < 2 or (during(writing) < 200 and len(writing) < 15):  # rebuilds and swaps, till 200
                started = time.monotonic()
                rebuilt = run_cli(fake_settings, "index", "--force")
                assert rebuilt.returncode == 0, rebuilt.stderr
                writing.append((started, time.monotonic()))
            wait_for(20, writing[-1][1])
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        final = httpx.get(f"{url}/health").json()

    failures = [r for r in results if r[2] != 200]
    assert during(writing) >= 200 and failures == []

    def top(body):
        return body["passages"][0]

    unique = [(started, top(body)) for started, q, _, body in results if q == UNIQUE_QUESTION]
    old = [p for started, p in unique if started < before_add]
    new = [p for started, p in unique if started > after_add]
    assert old and all(p["article"]["id"] != NEW_ID for p in old)
    assert new and all(p["article"]["id"] == NEW_ID and "7.321 cây mắc ca" in p["text"] for p in new)
    example = [top(body) for _, q, _, body in results if q != UNIQUE_QUESTION]
    assert all("2 tỷ 652 triệu đồng" in p["text"] for p in example)
    assert final["index_version"] == index_store.current_version(fake_settings.index_dir)
    assert final["articles"] == 6 and len(writing) >= 2  # the add and at least one more swap


def test_a_rebuild_hashes_only_files_whose_size_or_mtime_changed(fake_settings, tmp_path, monkeypatch):
    for path in fake_settings.articles_dir.iterdir():
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))  # written long ago
    engine = Engine(fake_settings)
    engine.rebuild()
    hashed = []
    real_sha = buildcache._sha
    monkeypatch.setattr(buildcache, "_sha", lambda data: hashed.append(len(data)) or real_sha(data))
    (fake_settings.articles_dir / f"{NEW_ID}.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    report = engine.rebuild()
    # The new file only: read once to embed it ahead of the writer lock, once under the lock.
    assert report.articles == 6 and hashed == [len(NEW_ARTICLE.encode())] * 2


def test_a_same_size_edit_right_after_a_build_is_seen(fake_settings):
    engine = Engine(fake_settings)
    engine.rebuild()
    path = fake_settings.articles_dir / "sin-ho-tao-dong-luc-thi-dua.txt"
    text = path.read_text("utf-8")
    path.write_text(text.replace("Sìn Hồ", "Sìn Hộ"), encoding="utf-8")  # same byte length, mtime "racy"
    assert path.stat().st_size == len(text.encode("utf-8"))
    engine.rebuild()
    assert "Sìn Hộ" in engine.article("sin-ho-tao-dong-luc-thi-dua").text
