"""Paragraph retrieval on XQuAD-dev: is a gold span inside the first (and any of the first 5) passages?

    QA_HOME=DIR python bench/retrieval_xquad.py [--questions ../shared/eval/xquad-dev/questions.jsonl]

DIR holds the 24 XQuAD articles (in DIR/seeds) and their index (`qa index` builds it). Each
question is searched as `Engine.ask` searches it (the same passages; `--ask` runs the whole
`Engine.ask`, answer stage included, which is slower); per group (vi, vi-nodiac, en) the
script prints hit@1 and hit@5 (NFC, case-folded substring, as `qa eval` matches) and the
median time per question. For answer quality (F1, abstention) see bench/xquad.py.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.engine import Engine  # noqa: E402
from qa.lang.text import normalize  # noqa: E402
from qa.settings import Settings  # noqa: E402


def holds(text: str, answers: list[str]) -> bool:
    hay = normalize(text).casefold()
    return any(normalize(a).casefold() in hay for a in answers)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "xquad-dev" / "questions.jsonl"))
    ap.add_argument("--limit", type=int, default=0, help="questions per group (0: all)")
    ap.add_argument("--ask", action="store_true", help="run Engine.ask (answer stage too)")
    args = ap.parse_args()
    engine = Engine(Settings())

    def passages(question: str):
        if args.ask:
            return engine.ask(question, k=5).passages
        text, k = engine.check_question(question, 5)
        return engine.retriever().search(text, k=k)

    rows = [json.loads(line) for line in Path(args.questions).read_text(encoding="utf-8").splitlines()]
    hits1, hits5, took = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in rows:
        if args.limit and len(hits1[r["group"]]) >= args.limit:
            continue
        t0 = time.perf_counter()
        shown = passages(r["question"])
        took[r["group"]].append((time.perf_counter() - t0) * 1000)
        hits1[r["group"]].append(bool(shown) and holds(shown[0].text, r["answers"]))
        hits5[r["group"]].append(any(holds(p.text, r["answers"]) for p in shown))
        done = sum(map(len, hits1.values()))
        if done % 200 == 0:
            print(f"{done} questions", file=sys.stderr, flush=True)
    print("| group | questions | hit@1 | hit@5 | p50 ms |")
    print("|---|---:|---:|---:|---:|")
    for group in ("vi", "vi-nodiac", "en"):
        if hits1[group]:
            n = len(hits1[group])
            print(f"| {group} | {n} | {sum(hits1[group]) / n:.3f} | {sum(hits5[group]) / n:.3f} | "
                  f"{statistics.median(took[group]):.1f} |")


if __name__ == "__main__":
    main()
