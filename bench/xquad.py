"""XQuAD-style quality of the whole pipeline (retrieval + answer) per question form.

    python bench/xquad.py [--articles DIR] [--questions FILE] [--home DIR] [--leave-out N] [--k 5]

Defaults: the 24 articles and 612 x 3 questions of ../shared/eval/xquad-dev, QA_HOME
bench/out/xquad-home (its `seeds/` is filled from --articles when missing; the index there
is built or reused, so only what changed is embedded). Questions with `answers: []` are
unanswerable ones of the set itself. Every question goes through `Engine.ask`.

Per group (vi, vi-nodiac, en), over answerable questions asked against all articles:
hit@1 / hit@5 (a gold span inside a shown passage), "holds" (a gold span inside
`answer.text`), SQuAD F1 and EM of `answer.text` against the gold (NFC, lower-case,
punctuation removed, whitespace tokens; no answer scores 0), abstention on answerable.
With --leave-out N (default 4), N articles (every len/N-th by name) are removed from a copy
of the corpus (`<home>-lo<N>`) and their questions, asked there, are unanswerable: the
abstention rate on them is reported. p50 is `AskResult.took_ms` (warm, in-process).
Prints a markdown table; tunes nothing.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.engine import Engine  # noqa: E402
from qa.settings import Settings  # noqa: E402

DATA = ROOT.parent / "shared" / "eval" / "xquad-dev"
GROUPS = ("vi", "vi-nodiac", "en")


def squad_tokens(text: str) -> list[str]:
    """NFC, lower-case, punctuation removed, split on whitespace (SQuAD's normalisation
    without the English articles, the gold being Vietnamese)."""
    text = unicodedata.normalize("NFC", text).lower()
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    return text.split()


def f1(prediction: str | None, golds: list[str]) -> float:
    if not prediction:
        return 0.0
    pred = squad_tokens(prediction)
    best = 0.0
    for gold in golds:
        ref = squad_tokens(gold)
        common = sum((Counter(pred) & Counter(ref)).values())
        if common:
            p, r = common / len(pred), common / len(ref)
            best = max(best, 2 * p * r / (p + r))
    return best


def exact(prediction: str | None, golds: list[str]) -> bool:
    return bool(prediction) and any(squad_tokens(prediction) == squad_tokens(g) for g in golds)


def holds(text: str | None, golds: list[str]) -> bool:
    hay = unicodedata.normalize("NFC", text or "").casefold()
    return bool(text) and any(unicodedata.normalize("NFC", g).casefold() in hay for g in golds)


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def left_out(names: list[str], n: int) -> set[str]:
    names = sorted(names)
    return {names[i * len(names) // n] for i in range(n)} if n else set()


def prepare_home(home: Path, articles: Path, drop: set[str] = frozenset(), reuse: Path | None = None) -> Path:
    """A QA_HOME whose seeds are `articles` minus `drop`; a fresh one starts from `reuse`'s index."""
    seeds = home / "seeds"
    if not seeds.is_dir():
        seeds.mkdir(parents=True)
        for f in sorted(articles.glob("*.txt")):
            if f.stem not in drop:
                shutil.copy(f, seeds / f.name)
        if reuse is not None and (reuse / "index").is_dir() and not (home / "index").exists():
            shutil.copytree(reuse / "index", home / "index", ignore=shutil.ignore_patterns(".lock"))
    return home


def engine_for(home: Path, warm: bool = True) -> Engine:
    """An engine over `home`, its index brought in line with its seeds (a copied index still
    holds the articles left out: the rebuild drops them, embedding nothing new)."""
    engine = Engine(Settings(home=home))
    engine.rebuild()
    engine.retriever()
    if warm:
        engine.ask("câu hỏi khởi động")
    return engine


def rows(answerable: list[tuple[dict, object]], unanswerable: list[tuple[dict, object]]) -> list[dict]:
    out = []
    for group in GROUPS:
        items = [(q, r) for q, r in answerable if q["group"] == group]
        blind = [(q, r) for q, r in unanswerable if q["group"] == group]
        if not items:
            continue
        answers = [r.answer.text if r.answer else None for _, r in items]
        out.append({
            "group": group, "n": len(items),
            "hit@1": statistics.mean(bool(r.passages) and holds(r.passages[0].text, q["answers"]) for q, r in items),
            "hit@5": statistics.mean(any(holds(p.text, q["answers"]) for p in r.passages[:5]) for q, r in items),
            "holds": statistics.mean(holds(a, q["answers"]) for a, (q, _) in zip(answers, items)),
            "f1": statistics.mean(f1(a, q["answers"]) for a, (q, _) in zip(answers, items)),
            "em": statistics.mean(exact(a, q["answers"]) for a, (q, _) in zip(answers, items)),
            "abstain_answerable": statistics.mean(a is None for a in answers),
            "n_unanswerable": len(blind),
            "abstain_unanswerable": statistics.mean(r.answer is None for _, r in blind) if blind else None,
            "p50_ms": statistics.median(r.took_ms for _, r in items + blind),
        })
    return out


def table(result: list[dict]) -> str:
    lines = ["| form | n | hit@1 | hit@5 | holds gold | SQuAD F1 | EM | abstains, answerable | "
             "abstains, unanswerable (n) | p50 ms |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result:
        blind = "–" if r["abstain_unanswerable"] is None else f"{r['abstain_unanswerable']:.2f} ({r['n_unanswerable']})"
        lines.append(f"| {r['group']} | {r['n']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['holds']:.3f} | "
                     f"{r['f1']:.3f} | {r['em']:.3f} | {r['abstain_answerable']:.3f} | {blind} | {r['p50_ms']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, default=DATA / "articles")
    parser.add_argument("--questions", type=Path, default=DATA / "questions.jsonl")
    parser.add_argument("--home", type=Path, default=ROOT / "bench" / "out" / "xquad-home")
    parser.add_argument("--leave-out", type=int, default=4)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (a quick look)")
    parser.add_argument("--dump", type=Path, help="write every question's answer as JSON lines here")
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)
    if args.limit:
        questions = questions[:args.limit]
    names = [f.stem for f in args.articles.glob("*.txt")]
    drop = left_out(names, args.leave_out)
    started = time.perf_counter()
    full = engine_for(prepare_home(args.home, args.articles))
    asked = [(q, full.ask(q["question"], k=args.k)) for q in questions]
    answerable = [(q, r) for q, r in asked if q["answers"]]
    unanswerable = [(q, r) for q, r in asked if not q["answers"]]  # a set's own (`answers: []`)
    if drop:
        lo_home = args.home.with_name(f"{args.home.name}-lo{args.leave_out}")
        lo = engine_for(prepare_home(lo_home, args.articles, drop, reuse=args.home))
        unanswerable += [(q, lo.ask(q["question"], k=args.k)) for q in questions if q["article"] in drop and q["answers"]]
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for tag, items in (("answerable", answerable), ("unanswerable", unanswerable)):
                for q, r in items:
                    out.write(json.dumps({**q, "set": tag, "answer": r.answer.text if r.answer else None,
                                          "passage": r.answer.passage if r.answer else None},
                                         ensure_ascii=False) + "\n")
    print(f"{len(questions)} questions, {len(names)} articles, left out: {', '.join(sorted(drop)) or 'none'}; "
          f"{time.perf_counter() - started:.0f} s")
    print(table(rows(answerable, unanswerable)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
