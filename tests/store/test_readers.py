"""A server swaps builds in the background; writers wait (bounded) for it to answer from theirs."""
from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
from conftest import NEW_ARTICLE

from qa.engine import Engine
from qa.errors import IndexMissing
from qa.store import index as index_store
from qa.store import readers

QUESTION = "Bắc Yên trồng mới bao nhiêu cây mắc ca?"


def test_a_dead_process_is_no_reader_and_its_file_goes(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    folder = tmp_path / "readers"
    folder.mkdir()
    (folder / "1-1.json").write_text(json.dumps({"pid": int(dead.stdout), "version": "old", "failed": None}))
    assert readers.lagging(tmp_path, "new") == [] and not (folder / "1-1.json").exists()


def test_a_live_reader_behind_is_waited_for_until_the_timeout(tmp_path):
    reader = readers.Reader(tmp_path)
    reader.report("000001-a")
    assert readers.wait_for(tmp_path, "000002-b", timeout=0.2) == [reader.path.name]
    reader.report("000001-a", failed="000002-b")  # it tried and gave up: nothing to wait for
    assert readers.wait_for(tmp_path, "000002-b", timeout=0.2) == []
    reader.close()
    assert readers.lagging(tmp_path, "000003-c") == []


def test_a_watching_engine_answers_from_the_old_build_while_the_new_one_loads(fake_settings, monkeypatch):
    server = Engine(fake_settings)
    server.ask(QUESTION)
    old = server.health()["index_version"]
    server.watch()
    gate, loading = threading.Event(), threading.Event()
    real_load = index_store.load

    def slow_load(*args, **kwargs):  # the watcher's load of the new build waits for the gate
        loading.set()
        assert gate.wait(60)
        return real_load(*args, **kwargs)

    try:
        monkeypatch.setattr(index_store, "load", slow_load)
        fake_settings.articles_dir.joinpath("bac-yen.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        writer_done = threading.Event()
        writer = threading.Thread(target=lambda: (Engine(fake_settings).rebuild(), writer_done.set()))
        writer.start()
        assert loading.wait(30), "the watcher never started loading the new build"
        answered = []
        asker = threading.Thread(target=lambda: answered.append(server.ask(QUESTION + " ")))
        asker.start()
        asker.join(timeout=30)
        assert answered, "a request waited on the load"
        assert all(p.article.id != "bac-yen" for p in answered[0].passages)
        assert server.health()["index_version"] == old
        assert not writer_done.is_set()  # the writer waits until the server answers from its build
        gate.set()
        writer.join(timeout=60)
        assert writer_done.is_set()
        # The write returned: the very next request answers from the new build.
        assert server.health()["index_version"] != old
        assert server.ask(QUESTION + "  ").passages[0].article.id == "bac-yen"
    finally:
        gate.set()
        server.close()


def test_a_watching_engine_never_builds_on_a_request(fake_settings):
    server = Engine(fake_settings)
    server.watch()
    try:
        with pytest.raises(IndexMissing, match="not loaded yet"):
            server.ask(QUESTION)
        assert index_store.current_version(fake_settings.index_dir) is None
    finally:
        server.close()


def test_what_a_build_derives_is_computed_by_the_watcher_never_by_a_request(fake_settings, monkeypatch):
    """The place names, article places and facts of a build are derived once per build, in
    the watcher thread, before the swap; requests after the swap only read them (bench/swap.py
    measured 53× p99 when every request after a swap derived them)."""
    from qa.chat import tables

    server = Engine(fake_settings)
    server.watch()
    derived_by: list[str] = []
    real_place_names, real_build = tables.place_names, tables.facts_table.build

    def place_names(texts):
        derived_by.append(threading.current_thread().name)
        return real_place_names(texts)

    def build_facts(*args):
        derived_by.append(threading.current_thread().name)
        return real_build(*args)

    monkeypatch.setattr(tables, "place_names", place_names)
    monkeypatch.setattr(tables.facts_table, "build", build_facts)
    try:
        fake_settings.articles_dir.joinpath("bac-yen.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        Engine(fake_settings).rebuild()  # returns once the watching server answers from it
        assert server.ask(QUESTION).passages[0].article.id == "bac-yen"
        requests = [threading.Thread(target=server.ask, args=(QUESTION + " " * n,)) for n in range(1, 7)]
        for r in requests:
            r.start()
        for r in requests:
            r.join(timeout=60)
        server.ask("Huyện nào xây dựng được nhiều mô hình nhất?")  # a comparison reads the facts table
        assert derived_by and set(derived_by) == {"qa-build-watcher"}
        assert len(derived_by) == 2  # one build loaded: its place names and its facts, once each
    finally:
        server.close()


def test_a_server_warmed_up_before_watching_has_its_facts_before_the_first_request(fake_settings, monkeypatch):
    from qa.chat import tables

    server = Engine(fake_settings)
    server.ask(QUESTION)  # what a server's start-up does before it watches: facts not needed yet
    built_in: list[str] = []
    real_build = tables.facts_table.build
    monkeypatch.setattr(tables.facts_table, "build",
                        lambda *args: built_in.append(threading.current_thread().name) or real_build(*args))
    server.watch()
    try:
        asked = threading.Thread(target=server.ask, args=("Huyện nào xây dựng được nhiều mô hình nhất?",),
                                 name="a-request")
        asked.start()
        asked.join(timeout=60)
        assert built_in == [threading.current_thread().name]  # once, at watch(), never by "a-request"
    finally:
        server.close()
