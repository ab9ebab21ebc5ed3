"""Answer extraction, end to end on an evaluation file: per-question table and accuracy.

    python bench/answer_dev.py [FILE.jsonl] [--k 5] [--index-dir DIR]

Asks every question through `Engine(Settings()).ask` (so the index is built on first use;
point QA_HOME or --index-dir at a copy, never at the checkout's index) and prints what the
answer stage (`qa.answer`) made of each, with the asked type of its question analysis.
Accuracy: an expected answer string inside answer.text; unanswerable questions must
abstain; "answered" is the share of answerable questions that got any answer.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.answer import analyse  # noqa: E402
from qa.lang.language import detect_language as language_of  # noqa: E402
from qa.lang.text import normalize  # noqa: E402


def _contains(text: str, needles: list[str]) -> bool:
    hay = normalize(text).casefold()
    return any(normalize(n).casefold() in hay for n in needles)


def ask_all(cases: list[dict], k: int, index_dir: str | None) -> dict[str, object]:
    from qa.engine import Engine
    from qa.settings import Settings

    engine = Engine(Settings(index_dir=index_dir) if index_dir else Settings())
    return {c["question"]: engine.ask(c["question"], k=k) for c in cases}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = Path(__file__).resolve().parent.parent
    parser.add_argument("file", nargs="?", default=str(here / "docs" / "sample-eval.jsonl"),
                        help="eval file (docs/evaluation.md); default docs/sample-eval.jsonl")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--index-dir", default=None)
    args = parser.parse_args()
    cases = [json.loads(line) for line in Path(args.file).read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    results = ask_all(cases, args.k, args.index_dir)
    rows = []
    for case in cases:
        q, expected = case["question"], case.get("answers", [])
        answer, also = results[q].answer, results[q].also
        if expected:
            ok = answer is not None and _contains(answer.text, expected)
            in_passages = any(_contains(p.text, expected) for p in results[q].passages)
        else:
            ok, in_passages = answer is None, False
        rows.append((q, expected, answer, also, ok, in_passages))
    took = (time.perf_counter() - started) * 1000 / max(len(cases), 1)
    for q, expected, answer, also, ok, in_passages in rows:
        mark = "ok " if ok else ("ERR" if in_passages or not expected else "ret")
        got = f"{answer.text[:60]!r} p{answer.passage} c{answer.confidence:.2f}" if answer else "—"
        kind = analyse(q).asked
        print(f"{mark} [{language_of(q):15}] {kind:8} {q[:70]:70} | want {expected[:1]} | got {got}"
              + (f" | also {[a.text[:30] for a in also]}" if also else ""))
    answerable = [r for r in rows if r[1]]
    unanswerable = [r for r in rows if not r[1]]
    print(f"\nanswer accuracy {sum(r[4] for r in answerable)}/{len(answerable)}"
          f" = {sum(r[4] for r in answerable) / max(len(answerable), 1):.3f}"
          f"   answered {sum(r[2] is not None for r in answerable) / max(len(answerable), 1):.3f}"
          f"   abstained {sum(r[4] for r in unanswerable)}/{len(unanswerable)}"
          f"   {took:.1f} ms/question (retrieval + answer)"
          f"   (ret = expected answer not in the retrieved passages)")
    for lang in ("vi", "vi-nodiacritics", "en"):
        group = [r for r in answerable if language_of(r[0]) == lang]
        if group:
            print(f"  {lang:15} {sum(r[4] for r in group)}/{len(group)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
