"""Two `bench/xquad.py --dump` files of the same questions compared per asked type.

    python bench/xquad.py --dump BEFORE.jsonl      # at one commit (a worktree)
    python bench/xquad.py --dump AFTER.jsonl       # at another, same index and questions
    python bench/by_type.py BEFORE.jsonl AFTER.jsonl [--examples 5]

Each answerable question is typed by `qa.answer.analyse` (what the engine itself decides it
asks: quantity, date, person, other...); per type, over the three forms pooled, "holds gold"
and SQuAD F1 before and after (bench/xquad.py's own scoring), and how many questions each
side answers better (F1). Unanswerable rows (the left-out articles' questions) are counted
apart: how often each side abstains. Shows where a change of the answer stage wins and loses,
which the per-form totals hide. Prints a table; tunes nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from xquad import f1, holds  # noqa: E402

from qa.answer import analyse  # noqa: E402


def load(path: Path) -> dict[tuple[str, str, str], dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r["id"], r["group"], r["set"]): r for r in rows}


def compare(before: dict, after: dict) -> tuple[dict[str, list], list[tuple]]:
    """Per type [n, holds before, holds after, F1 before, F1 after, after better, before better],
    and the questions whose F1 moved (type, F1 before, F1 after, row before, row after)."""
    per: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0.0, 0.0, 0, 0])
    moved = []
    for key, old in before.items():
        new = after.get(key)
        if new is None or old["set"] != "answerable":
            continue
        asked = analyse(old["question"]).asked
        a, b = f1(old["answer"], old["answers"]), f1(new["answer"], new["answers"])
        row = per[asked]
        row[0] += 1
        row[1] += holds(old["answer"], old["answers"])
        row[2] += holds(new["answer"], new["answers"])
        row[3] += a
        row[4] += b
        row[5] += b > a
        row[6] += a > b
        if a != b:
            moved.append((asked, a, b, old, new))
    return per, moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--examples", type=int, default=0, help="show this many questions whose F1 moved")
    args = parser.parse_args(argv)
    before, after = load(args.before), load(args.after)
    per, moved = compare(before, after)
    print("| asked | n | holds gold | SQuAD F1 | after better / worse |")
    print("|---|---:|---|---|---|")
    for asked, (n, h0, h1, f0, f1_, up, down) in sorted(per.items(), key=lambda kv: -kv[1][0]):
        print(f"| {asked} | {n} | {h0 / n:.3f} → {h1 / n:.3f} | {f0 / n:.3f} → {f1_ / n:.3f} | {up} / {down} |")
    blind = [(r, after.get(k)) for k, r in before.items() if r["set"] == "unanswerable" and k in after]
    if blind:
        print(f"\nunanswerable ({len(blind)}): abstains {sum(r['answer'] is None for r, _ in blind) / len(blind):.3f} → "
              f"{sum(s['answer'] is None for _, s in blind) / len(blind):.3f}")
    for asked, a, b, old, new in moved[:args.examples]:
        print(f"\n{asked}, {old['group']}: {old['question']}\n  gold {old['answers'][0]!r}\n"
              f"  {a:.2f} {old['answer']!r}\n  {b:.2f} {new['answer']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
