"""How confident must the learned stage be to answer when the rule stage abstains?

Runs every XQuAD-dev question (../shared/eval/xquad-dev, the tuning data) through the
engine's retrieval, asks the rule stage, and where it abstains records the learned stage's
best answer and confidence. Then, for each threshold, prints what the cascade would score
(holds gold, SQuAD F1, abstention on answerable and on left-out-article questions).
Per language, the chosen value is the largest threshold that keeps abstention on answerable
questions within 10 % while abstaining on at least 70 % of unanswerable ones (issue 12's
bars); where no threshold keeps answerable abstention within 10 % (English), the one that
abstains least on answerable questions while still abstaining on 70 % of unanswerable ones.
Vietnamese with and without diacritics share one value (the smaller of the two choices):
`Settings.learned_min_confidence` and `learned_min_confidence_en`, which the engine applies as
they are (since session 10: before, the scorer's own fitted threshold refused first, so an
English bar below it never took effect). The stage order is the engine's: since session 11 a
sure learned answer (`Settings.learned_first_confidence`) goes before the rules' names, places
and clauses, since session 20 before their counts, shares and dates too (their amounts stand),
and these bars apply to its answers behind the rules.
Prints tables.

    python bench/fallback_threshold.py [--home DIR] [--leave-out 4] [--data DIR]
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from xquad import DATA, engine_for, f1, holds, left_out, load_questions, prepare_home  # noqa: E402

from qa.answer import staged_answer  # noqa: E402

THRESHOLDS = (0.0, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3)


def outcomes(engine, questions):
    """(question, answer text or None, the learned stage's confidence or None when the rule
    stage answered) for each question, through the engine's own cascade without its bar."""
    retriever, settings = engine.retriever(), engine.settings
    out = []
    for q in questions:
        text = q["question"]
        asked = retriever.with_diacritics(text)
        passages = retriever.search(text, k=settings.answer_pool)
        authors = {p.article.id: retriever.index.articles[p.article.id].author for p in passages}
        found, _, learned = staged_answer(asked, passages, authors, lambda where: retriever.dense_similarity(asked, where),
                                          settings.also_ratio, settings.max_answers, settings.learned_pool,
                                          settings.answer_sentences)
        out.append((q, found.text if found else None, found.confidence if found and learned else None))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=ROOT / "bench" / "out" / "xquad-home")
    parser.add_argument("--leave-out", type=int, default=4)
    parser.add_argument("--data", type=Path, default=DATA, help="an XQuAD-style folder: articles/, questions.jsonl")
    args = parser.parse_args()
    questions = load_questions(args.data / "questions.jsonl")
    drop = left_out([f.stem for f in (args.data / "articles").glob("*.txt")], args.leave_out)
    full = outcomes(engine_for(prepare_home(args.home, args.data / "articles")), questions)
    lo_home = args.home.with_name(f"{args.home.name}-lo{args.leave_out}")
    blind = outcomes(engine_for(prepare_home(lo_home, args.data / "articles", drop, reuse=args.home)),
                     [q for q in questions if q["article"] in drop])
    print("| threshold | group | holds gold | SQuAD F1 | abstains, answerable | abstains, unanswerable |")
    print("|---:|---|---:|---:|---:|---:|")
    rates: dict[str, list[tuple[float, float, float]]] = {}
    for t in THRESHOLDS:
        for group in ("vi", "vi-nodiac", "en"):
            def kept(items):
                return [(q, a if c is None or c >= t else None) for q, a, c in items if q["group"] == group]
            ans, un = kept(full), kept(blind)
            answerable, unanswerable = (statistics.mean(a is None for _, a in ans), statistics.mean(a is None for _, a in un))
            rates.setdefault(group, []).append((t, answerable, unanswerable))
            print(f"| {t} | {group} | {statistics.mean(holds(a, q['answers']) for q, a in ans):.3f} | "
                  f"{statistics.mean(f1(a, q['answers']) for q, a in ans):.3f} | {answerable:.3f} | {unanswerable:.3f} |")
    chosen = {group: choose(rows) for group, rows in rates.items()}
    print(f"\nchosen: learned_min_confidence = {min(chosen['vi'], chosen['vi-nodiac'])} "
          f"(vi {chosen['vi']}, vi-nodiac {chosen['vi-nodiac']}); learned_min_confidence_en = {chosen['en']}")
    return 0


def choose(rows: list[tuple[float, float, float]], answerable_max: float = 0.10, unanswerable_min: float = 0.70) -> float:
    """(threshold, abstains on answerable, abstains on unanswerable) rows -> the threshold (see the docstring)."""
    ok = [t for t, a, u in rows if a <= answerable_max and u >= unanswerable_min]
    if ok:
        return max(ok)
    usable = [(a, -t) for t, a, u in rows if u >= unanswerable_min] or [(a, -t) for t, a, u in rows]
    return -min(usable)[1]


if __name__ == "__main__":
    sys.exit(main())
