"""Idempotent, resumable writes: embeddings are checkpointed as they are computed and done
outside the writer lock; an interrupted add leaves nothing half-done; an add killed before
its rebuild is completed by adding again. Fake embedder (wrapped to count or interrupt)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import NEW_ARTICLE, NEW_ID

from qa.engine import Engine
from qa.ingest import collection
from qa.ingest.articles import load_articles
from qa.store import builder, embedcache
from qa.store import index as index_store
from qa.store.embed import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]


class Interrupting(FakeEmbedder):
    """Counts the texts it embeds; raises KeyboardInterrupt (a Ctrl-C) on call `stop_at`."""

    def __init__(self, stop_at: int | None = None):
        super().__init__()
        self.calls, self.texts, self.stop_at = 0, 0, stop_at

    def embed_passages(self, texts):
        self.calls += 1
        if self.calls == self.stop_at:
            raise KeyboardInterrupt
        self.texts += len(texts)
        return super().embed_passages(texts)


# Long enough for several embedding batches: 40 paragraphs of words drawn at random (seeded),
# so that no two look alike to the cleaner.
WORDS = ("huyện xã bản người dân trồng cây mắc ca chè cà phê lúa ngô đất dốc nước vốn vay hộ nghèo trường học "
         "đường giao thông cầu cán bộ đảng viên phong trào thi đua năm tháng kế hoạch diện tích sản lượng tấn").split()
LONG = NEW_ARTICLE + "\n" + "\n\n".join(
    " ".join(random.Random(n).choices(WORDS, k=18)).capitalize() + f" {n * 37}." for n in range(1, 41)) + "\n"


def source(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "bac-yen.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(LONG, encoding="utf-8")
    return path


def test_a_cold_build_interrupted_resumes_from_its_checkpoints(fake_settings):
    settings = fake_settings.model_copy(update={"embed_checkpoint_texts": 32})
    full = Interrupting()
    total = Engine(settings.model_copy(update={"index_dir": settings.home / "reference"}), embedder=full).rebuild()
    assert full.texts == total.embedded > 4 * embedcache.BATCH

    first = Interrupting(stop_at=4)  # three batches done, the fourth in flight
    with pytest.raises(KeyboardInterrupt):
        Engine(settings, embedder=first).rebuild()
    assert index_store.current_version(settings.index_dir) is None
    assert first.texts == 3 * embedcache.BATCH
    again = Interrupting()
    report = Engine(settings, embedder=again).rebuild()
    assert report.resumed == first.texts  # nothing checkpointed is embedded twice
    assert again.texts == report.embedded == total.embedded - first.texts
    assert embedcache.Checkpoints(settings.index_dir, {"id": again.id, "dim": again.dim}).files() == []  # published


def test_ctrl_c_while_adding_leaves_the_collection_as_it_was_and_keeps_the_work(fake_settings, tmp_path):
    Engine(fake_settings).rebuild()
    files = sorted(p.name for p in fake_settings.articles_dir.iterdir())
    live = index_store.current_version(fake_settings.index_dir)
    settings = fake_settings.model_copy(update={"embed_checkpoint_texts": 1})
    with pytest.raises(KeyboardInterrupt):
        Engine(settings, embedder=Interrupting(stop_at=2)).add([source(tmp_path)])
    assert sorted(p.name for p in fake_settings.articles_dir.iterdir()) == files  # not half-added
    assert index_store.current_version(fake_settings.index_dir) == live
    again = Interrupting()
    (added,), _, report = Engine(settings, embedder=again).add([source(tmp_path)])
    assert added.id == NEW_ID and report.resumed == embedcache.BATCH and again.texts == report.embedded > 0


def test_a_failure_after_the_file_is_written_takes_it_out_again(fake_settings, tmp_path, monkeypatch):
    engine = Engine(fake_settings)
    engine.rebuild()
    files = sorted(p.name for p in fake_settings.articles_dir.iterdir())

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(builder, "_publish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        engine.add([source(tmp_path)])
    assert sorted(p.name for p in fake_settings.articles_dir.iterdir()) == files


def test_the_writer_lock_is_free_while_an_add_embeds(fake_settings, tmp_path):
    Engine(fake_settings).rebuild()
    embedding, finish = threading.Event(), threading.Event()

    class Slow(FakeEmbedder):
        def embed_passages(self, texts):
            embedding.set()
            assert finish.wait(30)
            return super().embed_passages(texts)

    worker = threading.Thread(target=lambda: Engine(fake_settings, embedder=Slow()).add([source(tmp_path)]))
    worker.start()
    try:
        assert embedding.wait(30)
        with index_store.exclusive(fake_settings.index_dir, timeout=1):  # another writer gets in at once
            pass
    finally:
        finish.set()
        worker.join(60)
    assert NEW_ID in {a.id for a in Engine(fake_settings).articles()}


def test_an_add_killed_before_its_rebuild_is_completed_by_adding_again(fake_settings, tmp_path):
    engine = Engine(fake_settings)
    engine.rebuild()
    existing = load_articles(fake_settings.articles_dir).articles
    collection.add_file(fake_settings.articles_dir, source(tmp_path), existing, max_bytes=10**6)  # then killed
    assert NEW_ID not in engine.built_ids()
    env = {**os.environ, "QA_HOME": str(fake_settings.home), "QA_EMBEDDER": "fake"}
    done = subprocess.run([sys.executable, "-m", "cli", "add", str(source(tmp_path))], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"Added {NEW_ID}" in done.stdout and NEW_ID in engine.built_ids()
    assert [p.name for p in fake_settings.articles_dir.glob(f"{NEW_ID}*")] == [f"{NEW_ID}.txt"]  # no copy
    twice = subprocess.run([sys.executable, "-m", "cli", "add", str(source(tmp_path))], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert twice.returncode == 1 and "already in the collection" in twice.stderr  # indexed now: a real duplicate


KILLED_CHILD = r"""
import sys, time
from pathlib import Path
from qa.store.embed import FakeEmbedder
from qa.engine import Engine
from qa.settings import Settings

class Slow(FakeEmbedder):
    def embed_passages(self, texts):
        time.sleep(0.02 * len(texts))  # ~4 s for the seeds: the kill lands mid-build
        return super().embed_passages(texts)

Engine(Settings(home=Path(sys.argv[1]), embedder="fake", embed_checkpoint_texts=32), embedder=Slow()).rebuild()
"""


@pytest.mark.slow
def test_a_cold_build_killed_by_sigkill_re_embeds_only_what_was_not_checkpointed(fake_settings):
    settings = fake_settings.model_copy(update={"embed_checkpoint_texts": 32})
    total = Engine(settings.model_copy(update={"index_dir": settings.home / "reference"})).rebuild().embedded
    checkpoints = embedcache.Checkpoints(settings.index_dir, {"id": FakeEmbedder().id, "dim": FakeEmbedder().dim})
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, str(settings.home)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while len(checkpoints.files()) < 3 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(30)
    assert index_store.current_version(settings.index_dir) is None  # killed before it published
    saved = len(checkpoints.load(set(_all_keys(checkpoints))))
    assert saved >= 3 * 32
    again = Interrupting()
    report = Engine(settings, embedder=again).rebuild()
    assert report.resumed == saved and again.texts == report.embedded == total - saved


def _all_keys(checkpoints) -> list[str]:
    import numpy as np

    keys = []
    for path in checkpoints.files():
        with np.load(path) as z:
            keys += z["keys"].astype(str).tolist()
    return keys


def test_discarding_checkpoints_spares_a_live_writer_s_half_written_file(tmp_path):
    # A concurrent `qa add` finished its build and swept ".tmp-*" while another was still
    # writing one: the other's rename then failed (test_concurrent_cli_writers_lose_nothing).
    from qa.files import next_number
    from qa.store.embedcache import Checkpoints

    checkpoints = Checkpoints(tmp_path, {"id": "fake:8", "dim": 8})
    root = checkpoints.root
    root.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = root / f".tmp-000001-p{os.getpid()}-aaaa.npz"
    orphan = root / f".tmp-000002-p{dead.pid}-bbbb.npz"
    legacy = root / ".tmp-000003-cccc.npz"
    for path in (live, orphan, legacy):
        path.write_bytes(b"\0")
    checkpoints.discard(set())
    assert live.exists() and not orphan.exists() and not legacy.exists()
    assert next_number(root) == 2  # a live writer's number stays taken
