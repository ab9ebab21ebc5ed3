"""How long the answers are: words per answer of answerable questions, from `bench/xquad.py --dump` files.

    python bench/answer_length.py DUMP.jsonl [DUMP.jsonl ...]

One row per file and form: answers given, median, 75th percentile and mean words. A longer
answer holds the gold more often and scores a lower SQuAD F1; this shows which way a change
moved along that trade (docs/answers-log.md, session 7).
"""
from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    print("| dump | form | answers | median words | p75 words | mean words |")
    print("|---|---|---:|---:|---:|---:|")
    for name in argv:
        rows = [json.loads(line) for line in Path(name).read_text(encoding="utf-8").splitlines() if line.strip()]
        for form in dict.fromkeys(r["group"] for r in rows):
            words = sorted(len(r["answer"].split()) for r in rows
                           if r["group"] == form and r["set"] == "answerable" and r.get("answer"))
            if not words:
                continue
            p75 = statistics.quantiles(words, n=4)[2] if len(words) > 1 else words[0]
            print(f"| {Path(name).name} | {form} | {len(words)} | {statistics.median(words):g} | {p75:g} | "
                  f"{statistics.fmean(words):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
