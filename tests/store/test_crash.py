"""Crash safety: SIGKILL a rebuild (and a `qa add`) at many points and check that nothing is lost.

Each run is a real child process building a real index (seeds + one new article, fake
embedder). The fake embedder builds in a blink, so the child runs in slow motion: each
text it embeds and each fsync, link, rename, replace, unlink and rmdir (the steps that make
writes durable, and those that delete old builds) first sleeps a little, which widens every
phase of the build, garbage collection included. A first, unkilled run measures how long
that takes; the kills are then spread evenly over it. The next children are started while
the current one runs, so their start-up (imports) is not waited for.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import NEW_ARTICLE, NEW_ID

from qa.engine import Engine
from qa.ingest.articles import load_articles
from qa.settings import Settings
from qa.store import index as index_store

ROOT = Path(__file__).resolve().parents[2]
KILLS = 24
ADD_KILLS = 6
QUESTION = "quynh nhai huy dong duoc bao nhieu"
SON_LA = "son-la-tao-chuyen-bien-manh-me"
NEW_NAME = f"{NEW_ID}.txt"

CHILD = r"""
import os, sys, time
from pathlib import Path
from qa.store.embed import FakeEmbedder
from qa.engine import Engine
from qa.settings import Settings

home, mode, pause = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])

def slowed(call):
    def slow(*args, **kwargs):
        time.sleep(pause)
        return call(*args, **kwargs)
    return slow

class SlowEmbedder(FakeEmbedder):
    def embed_passages(self, texts):
        time.sleep(4 * pause * len(texts))  # the only slow step of reading and embedding
        return super().embed_passages(texts)

engine = Engine(Settings(home=home, embedder="fake"), embedder=SlowEmbedder())
print("ready", flush=True)
sys.stdin.readline()
for name in ("fsync", "link", "rename", "replace", "unlink", "rmdir"):  # the steps that make a write durable
    setattr(os, name, slowed(getattr(os, name)))
if mode == "build":
    engine.rebuild()
else:
    engine.add([Path(sys.argv[4])])
print("done", flush=True)
"""
STARTED: list[subprocess.Popen] = []
PAUSE = 0.012  # seconds added to each text embedded and each fsync/link/rename/unlink


def settings_for(home: Path) -> Settings:
    return Settings(home=home, embedder="fake")


@pytest.fixture(autouse=True)
def no_child_left():
    yield
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A home with the seeds indexed twice over (so the next build also collects garbage)."""
    home = tmp_path_factory.mktemp("template")
    shutil.copytree(ROOT / "tests" / "fixtures" / "seeds", home / "seeds")
    engine = Engine(settings_for(home))
    engine.rebuild()
    engine.rebuild(force=True)
    assert len(index_store.list_builds(home / "index")) == 2
    (home / "incoming").mkdir()
    (home / "incoming" / "bac-yen.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    return home


class Child:
    """A slow-motion rebuild (or add) in a fresh copy of the template, started and waiting."""

    def __init__(self, template: Path, where: Path, mode: str):
        self.home = where
        shutil.copytree(template, where)
        if mode == "build":  # the article is already in the folder; the build must index it
            shutil.copy(where / "incoming" / "bac-yen.txt", where / "seeds" / NEW_NAME)
        self.before = index_store.current_version(where / "index")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(where), mode, str(PAUSE), str(where / "incoming" / "bac-yen.txt")],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        STARTED.append(self.proc)

    def go(self) -> float:
        assert self.proc.stdout.readline().strip() == "ready"
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return time.monotonic()

    def run_to_end(self, watch: Path | None = None) -> tuple[float, float | None]:
        """Run unkilled; returns how long it took and when `watch` appeared (s after the go)."""
        started, appeared = self.go(), None
        while self.proc.poll() is None:
            if appeared is None and watch is not None and watch.exists():
                appeared = time.monotonic() - started
            time.sleep(0.005)
        assert self.proc.returncode == 0 and self.proc.stdout.readline().strip() == "done"
        return time.monotonic() - started, appeared

    def kill_after(self, delay: float) -> bool:
        """SIGKILL `delay` s after the go; True when the child was still running."""
        started = self.go()
        time.sleep(max(0.0, started + delay - time.monotonic()))
        alive = self.proc.poll() is None
        self.proc.send_signal(signal.SIGKILL)  # a no-op when it has already finished
        self.proc.wait(timeout=60)
        assert self.proc.returncode in (-signal.SIGKILL, 0)
        return alive and self.proc.returncode == -signal.SIGKILL


def phase(home: Path, before: str) -> str:
    """Where the kill landed, read from what is on disk."""
    index_dir = home / "index"
    builds = index_dir / "builds"
    current = index_store.current_version(index_dir)
    if current == before:
        if any(p.name.startswith(".tmp-") for p in builds.iterdir()):
            return "writing the new build"
        newer = [b for b in index_store.list_builds(index_dir) if b > before]
        return "renamed, pointer not yet replaced" if newer else "reading and embedding"
    old = sorted(p.name for p in builds.iterdir() if not p.name.startswith("."))[0]
    return "collecting old builds" if old < before or any(p.name.startswith(".") for p in builds.iterdir()) \
        else "done"


def check_index_answers(home: Path) -> str:
    """The live build is whole, every kept build loads, and the example question is answered."""
    settings = settings_for(home)
    index_dir = settings.index_dir
    named = (index_dir / "CURRENT").read_text().strip()
    assert index_store.current_version(index_dir) == named, f"CURRENT names an incomplete build {named!r}"
    engine = Engine(settings)
    for version in index_store.list_builds(index_dir):  # a rollback target must be whole too
        index_store.load(index_dir, engine.embedder, engine.chunker, version)
    top = engine.ask(QUESTION, k=3).passages[0]
    assert top.article.id == SON_LA and "2 tỷ 652 triệu đồng" in top.text
    return named


def spawner(template: Path, root: Path, mode: str, count: int, ahead: int = 2):
    """Yield `count` children, keeping `ahead` more started: a slow-motion child mostly
    sleeps, so the next ones import meanwhile and are ready when their turn comes."""
    made = 0

    def make():
        nonlocal made
        made += 1
        return Child(template, root / f"{mode}-{made}", mode)

    queue = [make() for _ in range(min(ahead, count))]
    while queue:
        child = queue.pop(0)
        yield child
        if made < count:  # started only after the caller has killed `child`
            queue.append(make())


def test_a_rebuild_killed_at_any_point_leaves_the_previous_index_answering(template, tmp_path):
    timing = Child(template, tmp_path / "timing", "build")
    duration, _ = timing.run_to_end()
    assert len(Engine(settings_for(timing.home)).articles()) == 6
    delays = [0.95 * duration * (i + 0.5) / KILLS for i in range(KILLS)]  # 0.95: runs vary a little

    landed = Counter()
    for delay, child in zip(delays, spawner(template, tmp_path, "build", KILLS)):
        killed = child.kill_after(delay)
        landed[phase(child.home, child.before) if killed else "finished before the kill"] += 1
        live = check_index_answers(child.home)
        assert live >= child.before
        report = Engine(settings_for(child.home)).rebuild()  # the next build succeeds ...
        assert report.articles == 6 and index_store.current_version(child.home / "index") == report.version
        leftovers = [p.name for p in (child.home / "index" / "builds").iterdir() if p.name.startswith(".")]
        assert leftovers == []  # ... and collects what the killed one left behind
        assert len(index_store.list_builds(child.home / "index")) == 2
        check_index_answers(child.home)
        shutil.rmtree(child.home)
    print(f"\nbuild took {duration:.2f} s in slow motion; kills landed: {dict(landed)}")
    assert KILLS - landed["finished before the kill"] >= 20
    assert landed["reading and embedding"] and landed["writing the new build"]
    assert len(landed) >= 3, landed


def test_an_add_killed_at_any_point_never_leaves_a_half_written_article(template, tmp_path):
    timing = Child(template, tmp_path / "timing", "add")
    duration, written_at = timing.run_to_end(watch=tmp_path / "timing" / "seeds" / NEW_NAME)
    assert written_at is not None
    expected = (timing.home / "seeds" / NEW_NAME).read_bytes()
    seeds = {p.name: p.read_bytes() for p in (template / "seeds").iterdir()}
    # the file is written early (the rebuild follows): spread the kills around that moment
    delays = [2 * written_at * (i + 0.5) / ADD_KILLS for i in range(ADD_KILLS)]

    outcomes = Counter()
    for delay, child in zip(delays, spawner(template, tmp_path, "add", ADD_KILLS)):
        child.kill_after(delay)
        folder = child.home / "seeds"
        visible = {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}
        hidden = [p.name for p in folder.iterdir() if p.name.startswith(".")]
        assert all(name.endswith(".tmp") for name in hidden), hidden  # only our own temp files
        assert {k: v for k, v in visible.items() if k != NEW_NAME} == seeds
        if NEW_NAME in visible:
            assert visible[NEW_NAME] == expected  # whole, never partial
        articles, problems = load_articles(folder)
        assert problems == [] and len(articles) == len(visible)
        check_index_answers(child.home)
        report = Engine(settings_for(child.home)).rebuild()
        assert report.articles == len(visible)
        assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # leftovers collected
        outcomes["file written" if NEW_NAME in visible else "no file yet"] += 1
        outcomes["temp file left"] += bool(hidden)
        shutil.rmtree(child.home)
    print(f"\nadd took {duration:.2f} s in slow motion (file written at {written_at:.2f} s); after the kills: {dict(outcomes)}")
    assert outcomes["file written"] and outcomes["no file yet"], outcomes
