"""Where the learned stage's wrong spans come from, when its sentence is right.

    python bench/fit_answer.py --l2 10 --cache FILE          # once: collects and caches
    python bench/span_errors.py --cache FILE [--examples 5]

With the shipped scorer (`qa/data/answer_scorer.json`) and today's candidates
(`qa.answer.prepare`), for every answerable question whose first-ranked candidate stands in a
sentence holding the gold but does not hold it itself, what that candidate is to the gold
(`bench/xquad.py`'s "holds" and SQuAD F1; the text compared case-blind):

- short, start / end / both: a piece of the gold ("Thổ Seljuk" of "người Thổ Seljuk"); the gold
  begins earlier, ends later, or both;
- overlap: shares a word with the gold;
- disjoint: shares none ("Lady Gaga" for "Marlee Matlin");

each split by whether the sentence offers the gold as a candidate (F1 >= 0.99): "no" is a
candidate generation miss, "yes" a ranking one. No decoding (the consensus) and no abstention:
it reads the ranking. Prints a table per form and a few examples of each class; ships nothing.
"""
from __future__ import annotations

import argparse
import collections
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import xquad  # noqa: E402

CLASSES = ("short, start", "short, end", "short, both", "overlap", "disjoint")


def kind(text: str, golds: list[str]) -> str:
    """What a span that does not hold the gold is to it.

    >>> kind("Thổ Seljuk", ["người Thổ Seljuk"]), kind("Astra 2", ["Astra 2A"]), kind("Miller", ["Newton"])
    ('short, start', 'short, end', 'disjoint')
    """
    low = text.lower()
    for gold in (g.lower() for g in golds):
        at = gold.find(low)
        if at >= 0:
            return CLASSES[0] if at + len(low) == len(gold) else CLASSES[1] if at == 0 else CLASSES[2]
    words = set(low.split())
    return CLASSES[3] if any(words & set(g.lower().split()) for g in golds) else CLASSES[4]


def main(argv: list[str] | None = None) -> int:
    from qa.answer import prepare
    from qa.answer.scorer import default_scorer
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True, help="fit_answer.py's --cache of one data set")
    parser.add_argument("--examples", type=int, default=3, help="examples printed per form and class")
    args = parser.parse_args(argv)
    scorer = default_scorer()
    counts: dict[str, collections.Counter] = {}
    examples: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for i in pickle.loads(args.cache.read_bytes()):
        if i["blind"]:
            continue
        tally = counts.setdefault(i["group"], collections.Counter())
        tally["n"] += 1
        p = prepare(i["question"], i["passages"], dense=lambda where, sims=i["sims"]: sims)
        if not p.candidates:
            continue
        n = int(scorer.scores(p.features)[1].argmax())
        chosen = p.candidates[n]
        if xquad.holds(chosen.text, i["answers"]) or not xquad.holds(p.sentences[chosen.sentence].text, i["answers"]):
            continue
        offered = any(c.sentence == chosen.sentence and xquad.f1(c.text, i["answers"]) >= 0.99 for c in p.candidates)
        key = (kind(chosen.text, i["answers"]), "yes" if offered else "no")
        tally[key] += 1
        if args.examples and len(examples[(i["group"], *key)]) < args.examples:
            examples[(i["group"], *key)].append(f"{chosen.text!r} for {i['answers'][0]!r}")
    print("| form | n | right sentence, wrong span | " + " | ".join(f"{c} (offered: yes / no)" for c in CLASSES) + " |")
    print("|---|---:|---:|" + "---:|" * len(CLASSES))
    for group, t in counts.items():
        wrong = sum(v for k, v in t.items() if k != "n")
        print(f"| {group} | {t['n']} | {wrong} | " + " | ".join(f"{t[(c, 'yes')]} / {t[(c, 'no')]}" for c in CLASSES) + " |")
    for (group, c, offered), shown in sorted(examples.items()):
        print(f"\n{group}, {c}, offered {offered}: " + "; ".join(shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
