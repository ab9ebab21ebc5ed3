"""Probe: does "the question as a statement" re-rank the learned stage's best candidates better?

    python bench/statement_probe.py [--k 3] [--limit N] [--home DIR]

For every XQuAD-dev question (all 24 articles in the corpus): the engine's retrieval, the
learned stage's candidates and shipped ranking (`qa.answer.prepare`, `default_scorer`, which
was fitted on these questions, so its first choice here is in-sample), and for its `k` best
candidates the question with its question phrase replaced by the candidate ("Ai đã giành
Super Bowl XLIX?" -> "New England Patriots đã giành Super Bowl XLIX"), embedded as a query and
compared with the candidate sentence's own stored vector. Prints, per form, holds gold / SQuAD
F1 / mean words of the first choice when the k are ranked by score + λ·similarity, beside
score + μ·log(1 + words) (a plain preference for longer spans, the control), and the median
time of the k statement embeddings (one at a time, as a query).

Not part of `qa`: measures whether the check is worth k query embeddings per question
(docs/answers-log.md, session 7).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import xquad  # noqa: E402

from qa.answer import prepare  # noqa: E402
from qa.answer.asking import asking  # noqa: E402  (where the question phrase stands)
from qa.answer.scorer import default_scorer  # noqa: E402
from qa.lang.language import detect_language  # noqa: E402
from qa.lang.text import normalize  # noqa: E402

LAMBDAS = (0, 10, 20, 40)
MUS = (0.2, 0.5, 1.0)


def statement(question: str, candidate: str) -> str:
    """The question with `candidate` in place of its question phrase (after it, when none is found)."""
    text = question.rstrip(" ?")
    where = asking(text, detect_language(text) == "en")[1]
    if where is None:
        return f"{text} {candidate}"
    return " ".join(p for p in (text[:where[0]].strip(), candidate, text[where[1]:].strip()) if p)


def collect(args) -> tuple[list[dict], list[float]]:
    engine = xquad.engine_for(xquad.prepare_home(args.home, xquad.DATA / "articles"), warm=True)
    retriever, scorer = engine.retriever(), default_scorer()
    rows, costs = [], []
    for n, q in enumerate(xquad.load_questions(xquad.DATA / "questions.jsonl")):
        if args.limit and n >= args.limit:
            break
        text = normalize(q["question"]).strip()
        asked = retriever.with_diacritics(text)
        passages = retriever.search(text, k=5)
        prep = prepare(asked, passages, dense=lambda where: retriever.dense_similarity(asked, where))
        if not prep.candidates:
            rows.append({"group": q["group"], "empty": True})
            continue
        _, scores = scorer.scores(prep.features)
        top = np.argsort(-scores, kind="stable")[:args.k]
        cands = [prep.candidates[i] for i in top]
        sents = [prep.sentences[c.sentence] for c in cands]
        where = [(passages[s.passage].article.id, passages[s.passage].start + s.start) for s in sents]
        started = time.perf_counter()
        vectors = np.stack([retriever.embedder.embed_query(statement(asked, c.text)) for c in cands])
        costs.append((time.perf_counter() - started) * 1000)
        sentence = np.asarray(retriever.view.vectors_at(where)["sentence"], dtype=np.float64)
        texts = [c.text for c in cands]
        rows.append({"group": q["group"], "empty": False, "score": scores[top], "sim": np.einsum("ij,ij->i", vectors, sentence),
                     "words": np.array([len(t.split()) for t in texts]),
                     "holds": np.array([xquad.holds(t, q["answers"]) for t in texts]),
                     "f1": np.array([xquad.f1(t, q["answers"]) for t in texts])})
        if n % 300 == 0:
            print(f"  {n} questions", flush=True)
    return rows, costs


def table(rows: list[dict], choose) -> dict[str, tuple[float, float, float]]:
    """Per form: (holds gold, SQuAD F1, mean words) of the chosen candidate (none: 0)."""
    out = defaultdict(list)
    for r in rows:
        if r["empty"]:
            out[r["group"]].append((0.0, 0.0, 0.0))
            continue
        i = int(np.argmax(choose(r)))
        out[r["group"]].append((float(r["holds"][i]), float(r["f1"][i]), float(r["words"][i])))
    return {g: tuple(np.mean(v, axis=0)) for g, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(__file__).resolve().parent / "out" / "xquad-home")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = parser.parse_args(argv)
    rows, costs = collect(args)
    groups = list(dict.fromkeys(r["group"] for r in rows))
    print(f"\n{len(rows)} questions; first choice among the learned stage's {args.k} best; holds gold / SQuAD F1 / words\n")
    print("| ranking | " + " | ".join(groups) + " |")
    print("|---|" + "---|" * len(groups))
    variants = [(f"score + {lam}·statement" if lam else "score (shipped)", lambda r, lam=lam: r["score"] + lam * r["sim"])
                for lam in LAMBDAS]
    variants += [(f"score + {mu}·log(1 + words)", lambda r, mu=mu: r["score"] + mu * np.log1p(r["words"])) for mu in MUS]
    for name, choose in variants:
        found = table(rows, choose)
        print(f"| {name} | " + " | ".join("{:.3f} / {:.3f} / {:.1f}".format(*found[g]) for g in groups) + " |")
    print(f"\n{args.k} statement embeddings per question: median {statistics.median(costs):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
