"""Language detection (qa.lang.language.detect_language): share of questions detected right, per group.

    python bench/language.py [--xquad ../shared/eval/xquad-dev/questions.jsonl] [--dev ../shared/eval/dev.jsonl]

XQuAD rows carry their group (vi, vi-nodiac, en). dev.jsonl rows carry none: a dev question
is English when it is one of DEV_ENGLISH below (labelled by hand, by reading it), else
Vietnamese with or without diacritics as it was typed. Prints a markdown table and the
XQuAD questions still misread (up to --show).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.lang.language import detect_language  # noqa: E402
from qa.lang.text import has_diacritics  # noqa: E402

GROUP = {"vi": "vi", "vi-nodiac": "vi-nodiacritics", "en": "en"}
DEV_ENGLISH = {  # the dev questions written in English (hand labels)
    "How much did Quỳnh Nhai raise?", "How many students did the Quỳnh Nhai fund help go to school in 2021?",
    "Which ward of Sơn La city runs the good people, good deeds honour roll model?",
    "How many working days did the military flower road take?", "How many metres of fences were demolished in Thanh Liêm?",
    "To how many districts was the military flower road model replicated?",
    "How many civil servants in Sìn Hồ built commitment plans to follow Uncle Ho?",
    "How many individuals in Sìn Hồ town registered follow-up tasks?",
    "How do people in Phìn Hồ commune develop their economy?",
    "How many collectives and individuals did the provincial police commend?",
    "For which period were the provincial certificates of merit awarded?",
    "How many models in Kon Plông have been maintained since 2021?",
    "Which commune raises local pigs with Muscovy ducks and breeding buffaloes?",
    "How much did Hà Nội raise for flood relief in 2024?",
}


def dev_label(question: str) -> str:
    if question in DEV_ENGLISH:
        return "en"
    return "vi" if has_diacritics(question) else "vi-nodiacritics"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--xquad", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "xquad-dev" / "questions.jsonl"))
    ap.add_argument("--dev", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev.jsonl"))
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    rows = []
    for line in Path(args.xquad).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        rows.append(("xquad", GROUP[r["group"]], r["question"]))
    for line in Path(args.dev).read_text(encoding="utf-8").splitlines():
        q = json.loads(line)["question"]
        rows.append(("dev", dev_label(q), q))
    total, right, wrong = Counter(), Counter(), []
    for data, gold, q in rows:
        got = detect_language(q)
        total[data, gold] += 1
        right[data, gold] += got == gold
        if got != gold and data == "xquad":
            wrong.append((gold, got, q))
    print("| data | group | questions | detected right |")
    print("|---|---|---:|---:|")
    for key in sorted(total):
        print(f"| {key[0]} | {key[1]} | {total[key]} | {right[key] / total[key]:.3f} |")
    for gold, got, q in wrong[: args.show]:
        print(f"  {gold} -> {got}: {q}")


if __name__ == "__main__":
    main()
