"""HTTP benchmark: POST /ask latency and throughput at 1 and 8 concurrent clients.

Starts a real server (uvicorn subprocess, real default embedder, a copy of the seeds in a
temporary QA_HOME unless --home is given), warms it, then fires dev-set questions at it
over loopback. Two question mixes:
  repeated  the dev questions over and over (after warm-up their whole results are
            cached, as popular questions' would be);
  unique    every request a question never asked before (a dev question plus a running
            number), so each one pays for embedding the query.
Bounded by --requests per run and --seconds per run. Prints one table; exits non-zero
if any request failed. Usage:  python bench/http.py [--clients 1 8] [--requests 400]
"""
from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, and a file named http.py
# there would hide the standard library's `http` package from httpx and uvicorn.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse
import itertools
import json
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "docs" / "sample-eval.jsonl"  # questions to ask; any eval file (docs/evaluation.md)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path, port: int, workers: int, embedder: str | None) -> subprocess.Popen:
    env = {**os.environ, "QA_HOME": str(home)}
    if embedder:
        env["QA_EMBEDDER"] = embedder
    command = [sys.executable, "-m", "uvicorn", "--factory", "qa.serve.app:app_from_env", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_ready(url: str, server: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode} during start-up")
        try:
            response = httpx.get(f"{url}/health", timeout=5)
            if response.status_code == 200:
                return response.json()
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server was not ready within {timeout:.0f} s")


def run(url: str, questions, clients: int, max_requests: int, max_seconds: float) -> dict:
    """Fire up to max_requests POST /ask from `clients` threads; stop early after max_seconds."""
    counter, lock = itertools.count(), threading.Lock()
    latencies, server_ms, errors = [], [], []
    deadline = time.monotonic() + max_seconds

    def client():
        with httpx.Client(base_url=url, timeout=30) as http:
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter)
                if n >= max_requests:
                    return
                started = time.perf_counter()
                try:
                    response = http.post("/ask", json={"question": questions(n)})
                    ok = response.status_code == 200
                    took = response.json().get("took_ms") if ok else None
                except (httpx.HTTPError, ValueError) as exc:
                    ok, took, response = False, None, exc
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if ok:
                        server_ms.append(took)
                    else:
                        errors.append(str(getattr(response, "status_code", response)))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")
    return {"clients": clients, "requests": len(latencies), "p50_ms": pick(0.50), "p99_ms": pick(0.99),
            "rps": len(latencies) / wall if wall else 0.0, "errors": len(errors),
            "engine_p50_ms": statistics.median(server_ms) if server_ms else float("nan"),
            "error_samples": errors[:3]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--requests", type=int, default=400, help="requests per run (at most)")
    parser.add_argument("--seconds", type=float, default=30.0, help="time per run (at most)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--home", type=Path, help="QA_HOME to serve (default: a temporary copy of seeds/)")
    parser.add_argument("--embedder", help="QA_EMBEDDER (default: the real default embedder)")
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()

    dev = [json.loads(line)["question"] for line in args.dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    scratch = None
    if args.home is None:
        scratch = Path(tempfile.mkdtemp(prefix="qa-bench-http-"))
        shutil.copytree(ROOT / "seeds", scratch / "seeds")
    home = args.home or scratch
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(home, port, args.workers, args.embedder)
    try:
        started = time.monotonic()
        health = wait_ready(url, server, timeout=900)
        print(f"server ready in {time.monotonic() - started:.1f} s: {health.get('articles')} articles, "
              f"{health.get('chunks')} chunks, embedder {json.dumps(health.get('embedder'))}, "
              f"{args.workers} worker(s), {os.cpu_count()} cores", flush=True)
        warm = run(url, lambda n: dev[n % len(dev)], 1, len(dev) * args.workers * 2, 120)  # every worker sees each
        if warm["errors"]:
            print(f"warm-up failed: {warm['error_samples']}")
            return 1
        mixes = {"repeated": lambda n: dev[n % len(dev)],
                 "unique": lambda n, tag=itertools.count(): f"{dev[n % len(dev)]} {next(tag) + 1}"}
        rows = []
        for mix, questions in mixes.items():
            for clients in args.clients:
                row = {"mix": mix, **run(url, questions, clients, args.requests, args.seconds)}
                rows.append(row)
                print(f"  {mix:8} {clients} client(s): done", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)

    print()
    print("| mix | clients | requests | p50 ms | p99 ms | requests/s | errors | engine p50 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['mix']} | {r['clients']} | {r['requests']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
              f"{r['rps']:.0f} | {r['errors']} | {r['engine_p50_ms']:.1f} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))
    failed = sum(r["errors"] for r in rows)
    if failed:
        print(f"\n{failed} request(s) failed, e.g. {[s for r in rows for s in r['error_samples']][:3]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
