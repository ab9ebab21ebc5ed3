"""Write jobs: journalled before the 202, bounded, coalesced, resumed after a restart.

The queue on its own (a runner that waits on an event stands in for a rebuild), then over
a real server (fake embedder) whose rebuilds are held back, then a real `uvicorn`
process stopped with SIGTERM right after 20 acknowledged adds and started again.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from live_server import home_with_seeds, live_server

from qa.engine import Engine
from qa.errors import JobNotFound, QueueFull
from qa.serve.app import create_app
from qa.serve.jobs import JobQueue
from qa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Gate:
    """A runner that records its batches and finishes them only when let through."""

    def __init__(self):
        self.open, self.batches = threading.Event(), []

    def __call__(self, batch):
        self.batches.append([j.id for j in batch])
        assert self.open.wait(30)
        return {j.id: {"result": {"kind": j.kind}} for j in batch}


def wait_until(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_jobs_are_on_disk_before_submit_returns_and_a_new_queue_finishes_them(tmp_path):
    gate = Gate()
    first = JobQueue(tmp_path / "jobs", gate)  # never started: a server killed before its worker ran
    jobs = [first.submit("add", lambda: {"id": f"a{i}", "title": "t"}) for i in range(3)]
    on_disk = {json.loads(p.read_text())["id"]: json.loads(p.read_text()) for p in (tmp_path / "jobs").glob("*.json")}
    assert set(on_disk) == {j.id for j in jobs} and all(j["status"] == "queued" for j in on_disk.values())
    assert on_disk[jobs[0].id]["article"] == {"id": "a0", "title": "t"}

    restarted = JobQueue(tmp_path / "jobs", gate)
    assert all(restarted.get(j.id).status == "queued" for j in jobs)
    gate.open.set()
    restarted.start()
    wait_until(restarted.idle)
    assert gate.batches == [[j.id for j in jobs]]  # one batch: one rebuild for all three
    assert all(restarted.get(j.id).status == "done" for j in jobs)
    assert all(json.loads(p.read_text())["status"] == "done" for p in (tmp_path / "jobs").glob("*.json"))
    restarted.shutdown(5)


def test_a_job_running_when_the_server_stopped_is_run_again(tmp_path):
    gate = Gate()
    queue = JobQueue(tmp_path / "jobs", gate)
    job = queue.submit("rebuild")
    queue.start()
    wait_until(lambda: gate.batches)  # running now, and the process "dies"
    assert json.loads((tmp_path / "jobs" / f"{job.id}.json").read_text())["status"] == "running"
    again = JobQueue(tmp_path / "jobs", Gate())
    assert again.get(job.id).status == "queued"
    gate.open.set()
    queue.shutdown(5)


def test_the_queue_is_bounded_and_refuses_before_writing_anything(tmp_path):
    queue = JobQueue(tmp_path / "jobs", Gate(), max_queued=3)
    for i in range(3):
        queue.submit("add", lambda: {"id": str(i)})
    accepted = []
    with pytest.raises(QueueFull) as full:
        queue.submit("add", lambda: accepted.append(1) or {"id": "x"})
    assert accepted == [] and full.value.retry_after >= 1 and full.value.http_status == 429
    assert len(list((tmp_path / "jobs").glob("*.json"))) == 3


def test_rebuilds_waiting_coalesce_into_one_job(tmp_path):
    gate = Gate()
    queue = JobQueue(tmp_path / "jobs", gate, max_queued=2)
    running = queue.submit("rebuild", coalesce=True)
    queue.start()
    wait_until(lambda: gate.batches)
    waiting = [queue.submit("rebuild", coalesce=True) for _ in range(500)]
    assert {j.id for j in waiting} == {waiting[0].id} != {running.id}  # one waits, whatever the count
    assert len(list((tmp_path / "jobs").glob("*.json"))) == 2
    gate.open.set()
    wait_until(queue.idle)
    assert queue.get(waiting[0].id).status == "done"
    queue.shutdown(5)


def test_a_queued_job_is_never_forgotten_and_finished_ones_are_pruned(tmp_path):
    clock = [1000.0]
    gate = Gate()
    gate.open.set()
    queue = JobQueue(tmp_path / "jobs", gate, keep=2, keep_s=60, clock=lambda: clock[0])
    queue.start()
    done = []
    for _ in range(5):
        done.append(queue.submit("add", lambda: {"id": "x"}))
        wait_until(queue.idle)
    queue.shutdown(5)  # the worker stops: what comes next stays queued
    stopped = JobQueue(tmp_path / "jobs", gate, keep=2, keep_s=60, clock=lambda: clock[0])
    queued = stopped.submit("add", lambda: {"id": "y"})
    with pytest.raises(JobNotFound):
        stopped.get(done[0].id)  # beyond `keep`
    assert stopped.get(done[-1].id).status == "done"
    clock[0] += 3600  # an hour later, finished jobs are forgotten; the queued one is not
    third = JobQueue(tmp_path / "jobs", gate, keep=2, keep_s=60, clock=lambda: clock[0])
    assert third.get(queued.id).status == "queued"
    with pytest.raises(JobNotFound):
        third.get(done[-1].id)
    assert {p.stem for p in (tmp_path / "jobs").glob("*.json")} == {queued.id}


# -- over HTTP --------------------------------------------------------------------------
class HeldEngine(Engine):
    """An engine whose rebuilds wait until `release` is set (the job worker is then busy)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.release = threading.Event()
        self.release.set()

    def rebuild(self, *args, **kwargs):
        assert self.release.wait(60)
        return super().rebuild(*args, **kwargs)


ARTICLE = ("01/06/2022 08:30\n\nHuyện Mường Tè đã trồng {n}.345 cây xanh trong năm 2022, theo báo cáo số {n} của "
           "huyện ủy.\n\nPhong trào số {n} được nhân dân các bản hưởng ứng rộng rãi, xã {n} dẫn đầu.")


def test_an_accepted_add_is_in_the_collection_and_the_journal_before_the_202(tmp_path):
    home = home_with_seeds(tmp_path)
    settings = Settings(home=home, embedder="fake", api_token=TOKEN, jobs_max_queued=2)
    engine = HeldEngine(settings)
    with live_server(create_app(settings, engine=engine)) as url, httpx.Client(base_url=url, timeout=60) as c:
        engine.release.clear()
        first = c.post("/index/rebuild", headers=AUTH).json()  # the worker takes it and is held
        wait_until(lambda: c.get(f"/jobs/{first['id']}", headers=AUTH).json()["status"] == "running")
        added = c.post("/articles", json={"title": "Mường Tè trồng cây 1", "text": ARTICLE.format(n=1)}, headers=AUTH)
        assert added.status_code == 202, added.text
        job = added.json()
        assert (settings.articles_dir / "muong-te-trong-cay-1.txt").is_file()
        assert json.loads((settings.index_dir / "jobs" / f"{job['id']}.json").read_text())["status"] == "queued"
        removed = c.delete("/articles/kon-plong-chuyen-bien", headers=AUTH)
        assert removed.status_code == 202 and not (settings.articles_dir / "kon-plong-chuyen-bien.txt").exists()
        full = c.post("/articles", json={"title": "Mường Tè trồng cây 2", "text": ARTICLE.format(n=2)}, headers=AUTH)
        assert full.status_code == 429 and int(full.headers["Retry-After"]) >= 1, full.text
        assert not (settings.articles_dir / "muong-te-trong-cay-2.txt").exists()  # refused before writing
        assert c.post("/index/rebuild", headers=AUTH).status_code == 429  # nothing waiting to join
        assert c.get(f"/jobs/{job['id']}", headers=AUTH).json()["status"] == "queued"
        engine.release.set()
        done = wait_until(lambda: (j := c.get(f"/jobs/{job['id']}", headers=AUTH).json())["status"] == "done" and j)
        assert done["result"]["article"]["id"] == "muong-te-trong-cay-1" and done["result"]["build"]["articles"] == 5
        ids = {a["id"] for a in c.get("/articles").json()}
        assert "muong-te-trong-cay-1" in ids and "kon-plong-chuyen-bien" not in ids


@pytest.mark.slow
def test_adds_acknowledged_before_a_sigterm_are_all_indexed_after_a_restart(tmp_path):
    home = home_with_seeds(tmp_path)
    env = {**os.environ, "QA_HOME": str(home), "QA_EMBEDDER": "fake", "QA_API_TOKEN": TOKEN, "QA_JOBS_DRAIN_S": "0"}
    base = "http://127.0.0.1:{port}"

    def start(port: int) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "qa.serve.app:app_from_env", "--port", str(port),
                                 "--log-level", "warning"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)

    port = free_port()
    server = start(port)
    try:
        with httpx.Client(base_url=base.format(port=port), timeout=60) as c:
            wait_until(lambda: ok(c), timeout=120)
            ids = []
            for n in range(20):
                r = c.post("/articles", json={"title": f"Mường Tè trồng cây {n}", "text": ARTICLE.format(n=n), "force": True},
                           headers=AUTH)
                assert r.status_code == 202, r.text
                ids.append(r.json()["id"])
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after its shutdown
    finally:
        server.kill()
    port = free_port()
    server = start(port)
    try:
        with httpx.Client(base_url=base.format(port=port), timeout=60) as c:
            wait_until(lambda: ok(c), timeout=120)
            jobs = [wait_until(lambda i=i: (j := c.get(f"/jobs/{i}", headers=AUTH).json())["status"] in ("done", "failed")
                               and j, timeout=120) for i in ids]
            assert all(j["status"] == "done" for j in jobs), jobs
            assert len(c.get("/articles").json()) == 25
    finally:
        server.terminate()
        server.wait(60)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ok(client: httpx.Client) -> bool:
    try:
        return client.get("/health").status_code == 200
    except httpx.TransportError:
        return False


def test_a_rebuild_never_deletes_the_temp_file_of_an_article_being_accepted(fake_settings):
    """The door writes an article holding only the collection lock; a rebuild running then must
    not take its temp file for a leftover of a killed write (found by bench/soak.py)."""
    from filelock import FileLock

    from qa.store import index as index_store

    Engine(fake_settings).rebuild()
    door = FileLock(str(fake_settings.index_dir / index_store.COLLECTION_LOCK))
    door.acquire()
    writing = fake_settings.articles_dir / ".muong-te.txt.0123.tmp"
    writing.write_text("being written", encoding="utf-8")
    worker = threading.Thread(target=lambda: Engine(fake_settings).rebuild(force=True))
    try:
        worker.start()
        time.sleep(0.5)
        assert writing.exists()
    finally:
        door.release()
    worker.join(60)
    assert not writing.exists()  # once no write is in progress, it is a dead one's
