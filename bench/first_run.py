"""The README's first run: `qa ask QUESTION` on a checkout whose index was never built.

    python bench/first_run.py [--runs 3] [--question "How much did Quỳnh Nhai raise?"]

Each run copies `seeds/` into a fresh temporary QA_HOME (no index), then times the whole
`qa ask` process (imports, model load, building the index from the seeds, the answer) and
reads the build figures the command itself prints on stderr ("built: 5 articles, N
passages in S s"). A second `qa ask` on the same home then shows the cost once built. The
commands run from this checkout (`python -c "from cli import app; app()"`, cwd = the
checkout), so they use its code. Prints one table with the median; exits 1 if a run fails.
The machine's load average is printed beside it: timings on a busy machine are longer.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QA = [sys.executable, "-c", "from cli import app; app()"]
BUILT = re.compile(r"built: (\d+) articles, (\d+) passages in (\d+) s")


def ask(home: Path, question: str) -> tuple[float, str, str]:
    """(wall seconds, stdout, stderr) of one `qa ask` in `home`; RuntimeError if it fails."""
    env = {**os.environ, "QA_HOME": str(home), "COLUMNS": "100"}
    started = time.perf_counter()
    run = subprocess.run([*QA, "ask", question], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise RuntimeError(f"qa ask exited {run.returncode}:\n{run.stderr[-2000:]}")
    return wall, run.stdout, run.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--question", default="How much did Quỳnh Nhai raise?")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs; load average %.2f %.2f %.2f at start" % os.getloadavg())
    rows = []
    try:
        for n in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory(prefix="qa-first-run-") as tmp:
                shutil.copytree(ROOT / "seeds", Path(tmp) / "seeds")
                first, out, err = ask(Path(tmp), args.question)
                built = BUILT.search(err)
                if built is None or "(first run)" not in err:
                    raise RuntimeError(f"the first run did not say it built the index:\n{err}")
                second, _, _ = ask(Path(tmp), args.question)
                rows.append((n, first, int(built[3]), int(built[1]), int(built[2]), second, out.splitlines()[0]))
    except RuntimeError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print("\n| run | first `qa ask`, wall s | build as reported, s | articles | passages | second `qa ask`, wall s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, first, build, articles, passages, second, _ in rows:
        print(f"| {n} | {first:.1f} | {build} | {articles} | {passages} | {second:.1f} |")
    print(f"| median | {statistics.median(r[1] for r in rows):.1f} | {statistics.median(r[2] for r in rows):.0f} "
          f"| | | {statistics.median(r[5] for r in rows):.1f} |")
    print(f"\nanswer: {rows[0][6]}")
    print("load average %.2f %.2f %.2f at end" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
