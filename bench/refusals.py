"""Who refuses answerable questions: the chat's about-the-asked-place check, or the answer stages.

    python bench/refusals.py [--questions FILE] [--home DIR]

Asks every answerable question of FILE (default bench/data/news-train/questions.jsonl) through
`Engine.ask` over the built index in --home (QA_HOME otherwise) and counts, per form, the
abstentions that carry a `note` ("Các bài báo không nói về X": the chat's check refused the
stages' answer) and those without one (no stage was confident enough). Prints a table; tunes
nothing, writes nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.engine import Engine  # noqa: E402
from qa.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "bench/data/news-train/questions.jsonl")
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    engine = Engine(Settings(home=args.home) if args.home else Settings())
    counts: Counter = Counter()
    for line in args.questions.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        if not q["answers"]:
            continue
        result = engine.ask(q["question"])
        counts[q["group"], "n"] += 1
        if result.answer is None:
            counts[q["group"], "note" if result.note else "plain"] += 1
    print("| form | answerable | refused by the about check | abstained by the answer stages |")
    print("|---|---:|---:|---:|")
    for group in sorted({g for g, _ in counts}):
        n = counts[group, "n"]
        print(f"| {group} | {n} | {counts[group, 'note'] / n:.3f} | {counts[group, 'plain'] / n:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
