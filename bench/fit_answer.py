"""Fit the answer scorer (qa/data/answer_scorer.json) on XQuAD-style questions, with honest numbers.

    python bench/fit_answer.py [--questions FILE] [--articles DIR] [--home DIR] [--also DIR] [--folds 4] [--write]

Needs the `bench` extra (scikit-learn); the default path of `qa` never imports it.
For every question: the engine's retrieval (top `k` passages over all articles) and the
answer stage's candidates and features (`qa.answer.prepare`), labelled positive when the
candidate's SQuAD F1 against the gold is >= 0.5 (`--f1`; above 1, only spans holding the gold are right), or it holds the
gold with F1 >= 0.15 (`--holds-f1`: lower prefers longer spans that hold the gold).
Two models: a ranking one (a softmax over each question's candidates, conditional logit)
and a confidence one (logistic regression on the best-ranked candidate's features and its
softmax share: is it right?).
The same question asked with its own article left out of the corpus gives an unanswerable
one (all its candidates negative): the abstention threshold is calibrated on those.
Cross-validation groups questions by article (GroupKFold): a held-out fold's numbers come
from weights and a threshold fitted without its articles (the "not tuned on" figures).
The final weights are fitted on every article; `--write` stores them with their source.
`--also DIR` fits on a further data set too (DIR/articles, DIR/questions.jsonl, its own corpus
and home): `bench/data/news-train` is news written for fitting. Figures are printed per data set.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import xquad  # noqa: E402
from answer_pool import collect, featurise, masked  # noqa: E402

from qa.answer.features import NAMES  # noqa: E402
from qa.answer.scorer import Scorer, Trees  # noqa: E402

# A right candidate: SQuAD F1 >= "f1", or it holds the gold at F1 >= "holds_f1".
LABELS = {"f1": 0.5, "holds_f1": 0.15}
NEGATIVES = 60  # negative candidates sampled per question for the ranking fit
MAX_ANSWERABLE_ABSTAIN = 0.10  # the bound; the threshold respects it on the fitting folds


def labels(item: dict) -> np.ndarray:
    return (item["f1"] >= LABELS["f1"]) | (item["holds"] & (item["f1"] >= LABELS["holds_f1"]))


def standardise(items: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    X = np.concatenate([i["X"] for i in items if len(i["X"])]).astype(np.float32)
    mean, scale = X.mean(axis=0, dtype=np.float64), X.std(axis=0, dtype=np.float64)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def sampled(items: list[dict], negatives: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(rows, labels) per answerable question with a positive candidate: every positive and a
    sample of `negatives` others (it keeps the fit quick; the ranking barely moves)."""
    rng = np.random.default_rng(0)
    parts = []
    for i in items:
        y = labels(i)
        if i["blind"] or not y.any():
            continue
        wrong = np.flatnonzero(~y)
        rows = np.concatenate([np.flatnonzero(y), rng.choice(wrong, min(len(wrong), negatives), replace=False)])
        parts.append((i["X"][rows], y[rows]))
    return parts


def fit_rank(items: list[dict], mean, scale, l2: float) -> np.ndarray:
    """Conditional logit: per question, a softmax over its candidates, the likelihood of its
    positive ones maximised (L-BFGS). Ranking only: question-level features cancel out."""
    parts = sampled(items, NEGATIVES)
    X = ((np.concatenate([x for x, _ in parts]).astype(np.float64) - mean) / scale).astype(np.float32)
    return conditional_logit(X, np.concatenate([y for _, y in parts]), [len(x) for x, _ in parts], l2)


def conditional_logit(X: np.ndarray, y: np.ndarray, sizes: list[int], l2: float, maxiter: int = 200) -> np.ndarray:
    """Weights maximising, per group of rows (`sizes`, in order), the softmax likelihood of its right
    rows (`y`), L2-penalised (L-BFGS). The products run in X's dtype (float32 halves the fit's
    time); the loss and gradient are summed in float64."""
    from scipy.optimize import minimize
    starts = np.cumsum([0] + sizes[:-1])
    seg = np.repeat(np.arange(len(sizes)), sizes)

    def loss(w):
        s = (X @ w.astype(X.dtype)).astype(np.float64)
        m = np.maximum.reduceat(s, starts)
        e = np.exp(s - m[seg])
        z = np.add.reduceat(e, starts)
        sp = np.where(y, s, -np.inf)
        mp = np.maximum.reduceat(sp, starts)
        ep = np.where(y, np.exp(sp - mp[seg]), 0.0)
        zp = np.add.reduceat(ep, starts)
        value = np.sum(m + np.log(z) - mp - np.log(zp)) + 0.5 * l2 * w @ w
        grad = (X.T @ (e / z[seg] - ep / zp[seg]).astype(X.dtype)).astype(np.float64) + l2 * w
        return value, grad

    return minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": maxiter}).x


def fit_trees(items: list[dict], rounds: int, leaves: int) -> dict:
    """A small gradient-boosted classifier (scikit-learn's histogram GBDT) of "is this candidate
    right?", on every positive and a sample of the negatives of each answerable question; exported
    as flat arrays (`scorer.Trees`) so that the engine applies it with numpy alone."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    parts = sampled(items, 4 * NEGATIVES)
    X = np.concatenate([x for x, _ in parts]).astype(np.float64)
    y = np.concatenate([y for _, y in parts])
    model = HistGradientBoostingClassifier(max_iter=rounds, learning_rate=0.1, max_leaf_nodes=leaves,
                                           min_samples_leaf=40, l2_regularization=1.0, random_state=0).fit(X, y)
    trees = [p[0].nodes for p in model._predictors]
    width = max(len(t) for t in trees)
    pad = lambda field, kind: [[kind(x) for x in t[field]] + [kind(0)] * (width - len(t)) for t in trees]  # noqa: E731
    return {"feature": pad("feature_idx", int), "threshold": [[round(float(x), 6) for x in row] for row in pad("num_threshold", float)],
            "left": pad("left", int), "right": pad("right", int),
            "value": [[round(float(x), 6) for x in row] for row in pad("value", float)],
            "leaf": [[bool(x) for x in t["is_leaf"]] + [True] * (width - len(t)) for t in trees],
            "bias": float(np.ravel(model._baseline_prediction)[0]), "depth": int(max(t["depth"].max() for t in trees))}


def tops(items: list[dict], scorer: Scorer) -> list[tuple[int, np.ndarray]]:
    """(index of the best-ranked candidate, its confidence input row) per item (-1, None without candidates)."""
    out = []
    for i in items:
        if not len(i["X"]):
            out.append((-1, None))
            continue
        scored = scorer.scores(i["X"].astype(np.float64))
        n = int(scored[1].argmax())
        out.append((n, scorer.confidence_rows(scored, np.array([n]))[0]))
    return out


def fit_confidence(items: list[dict], top: list, C: float) -> tuple[np.ndarray, float]:
    """Logistic regression: is the best-ranked candidate right? (never, for an unanswerable question)."""
    from sklearn.linear_model import LogisticRegression
    rows = [(row, bool(labels(i)[n])) for i, (n, row) in zip(items, top) if n >= 0]
    model = LogisticRegression(C=C, max_iter=3000).fit(np.stack([r for r, _ in rows]), [y for _, y in rows])
    return model.coef_[0], float(model.intercept_[0])


def fit(items: list[dict], args) -> tuple[Scorer, dict | None]:
    """(the fitted scorer, its trees as the data file stores them, if it ranks with trees). With
    `--trees` alone the trees rank; with `--mix w` too, the linear score plus w × the trees'."""
    mean, scale = standardise(items)
    linear = fit_rank(items, mean, scale, args.l2) if not args.trees or args.mix else np.zeros(len(mean))
    trees_doc = fit_trees(items, args.trees, args.leaves) if args.trees else None
    ranker = Scorer(linear, np.zeros(len(mean) + 1), 0.0, mean, scale, 0.5,
                    Trees.from_json(trees_doc) if trees_doc else None, args.mix or 1.0)
    cw, cb = fit_confidence(items, tops(items, ranker), args.C)
    return replace(ranker, confidence_weights=cw, confidence_bias=cb), trees_doc


def best_of(items: list[dict], scorer: Scorer) -> list[tuple[float, int]]:
    """(confidence, candidate index) of each item's best-ranked candidate (-1 when it has none)."""
    out = []
    for i in items:
        if not len(i["X"]):
            out.append((0.0, -1))
            continue
        X = i["X"].astype(np.float64)
        scored = scorer.scores(X)  # once: with trees, each score is a walk of every tree
        n = int(scored[1].argmax())
        out.append((float(scorer.confidences(X, np.array([n]), scored)[0]), n))
    return out


def threshold(items: list[dict], best: list[tuple[float, int]]) -> float:
    """The threshold that abstains most on unanswerable questions while abstaining on at most
    MAX_ANSWERABLE_ABSTAIN of the answerable ones."""
    answerable = sorted(p for (p, _), i in zip(best, items) if not i["blind"])
    return answerable[int(MAX_ANSWERABLE_ABSTAIN * len(answerable))] if answerable else 0.5


def score(items: list[dict], best: list[tuple[float, int]], t: float) -> dict[str, dict]:
    """Per data set and form (the data set's name is left off while there is only one)."""
    rows = {}
    sources = sorted({i.get("source", "xquad-dev") for i in items})
    for source, group in ((s, g) for s in sources for g in xquad.GROUPS):
        mine = [(i, pb) for i, pb in zip(items, best) if i["group"] == group and i.get("source", "xquad-dev") == source]
        ans = [(i, pb) for i, pb in mine if not i["blind"]]
        blind = [pb for i, pb in mine if i["blind"] and not i.get("masked")]
        gone = [pb for i, pb in mine if i.get("masked")]
        if not ans:
            continue
        key = group if len(sources) == 1 else f"{source} {group}"
        said = [(i, c) for i, (p, c) in ans if p >= t and c >= 0]
        rows[key] = {
            "n": len(ans), "holds": sum(bool(i["holds"][c]) for i, c in said) / len(ans),
            "f1": sum(float(i["f1"][c]) for i, c in said) / len(ans),
            "abstain_answerable": 1 - len(said) / len(ans),
            "abstain_unanswerable": sum(p < t or c < 0 for p, c in blind) / len(blind) if blind else float("nan"),
            "abstain_masked": sum(p < t or c < 0 for p, c in gone) / len(gone) if gone else None,
            "first_holds": sum(bool(i["holds"][c]) for i, (_, c) in ans if c >= 0) / len(ans),
            "ceiling_holds": sum(bool(i["holds"].any()) for i, _ in ans) / len(ans),
            "ceiling_f1": sum(float(i["f1"].max(initial=0)) for i, _ in ans) / len(ans),
        }
    return rows


def print_rows(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}\n")
    print("| form | n | holds gold | SQuAD F1 | abstains, answerable | abstains, unanswerable | abstains, gold passages masked | ranked first: holds | best candidate: holds / F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for g, r in rows.items():
        masked = "–" if r["abstain_masked"] is None else f"{r['abstain_masked']:.3f}"
        print(f"| {g} | {r['n']} | {r['holds']:.3f} | {r['f1']:.3f} | {r['abstain_answerable']:.3f} | "
              f"{r['abstain_unanswerable']:.3f} | {masked} | {r['first_holds']:.3f} | {r['ceiling_holds']:.2f} / {r['ceiling_f1']:.2f} |")


def load_items(args) -> list[dict]:
    """Every question setting of XQuAD-dev and the `--also` sets with its candidates and feature
    rows: collected through the engine, or read from `--cache` (and its features from beside it
    with `--reuse-features`)."""
    sets = [(args.questions, args.articles, args.home, args.cache, "xquad-dev")]
    for extra in args.also:
        sets.append((extra / "questions.jsonl", extra / "articles", ROOT / "bench" / "out" / f"{extra.name}-home",
                     args.cache and args.cache.with_name(f"{args.cache.stem}.{extra.name}{args.cache.suffix}"), extra.name))
    items = []
    for questions, articles, home, cache, source in sets:
        if cache and cache.exists():
            items += [{"source": source, **i} for i in pickle.loads(cache.read_bytes())]
        else:
            collected = collect(home, articles, questions, args.k, source)
            if cache:
                cache.write_bytes(pickle.dumps(collected))
            items += collected
    featured = (args.cache.with_name(args.cache.stem + "".join(f".{e.name}" for e in args.also) + ".features.pkl")
                if args.cache else None)
    if args.reuse_features and featured and featured.exists():
        items = pickle.loads(featured.read_bytes())
    else:
        items = featurise(items + (masked(items) if args.masked else []))
        if featured:
            featured.write_bytes(pickle.dumps(items))
    return items


def arguments() -> argparse.ArgumentParser:
    """The command line, shared with `bench/span_probes.py`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, default=xquad.DATA / "articles")
    parser.add_argument("--questions", type=Path, default=xquad.DATA / "questions.jsonl")
    parser.add_argument("--home", type=Path, default=Path(__file__).resolve().parent / "out" / "xquad-home")
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="a further data set to fit on (a folder with articles/ and questions.jsonl)")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--C", type=float, default=0.1, help="inverse regularisation of the confidence model")
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the ranking model")
    parser.add_argument("--trees", type=int, default=0, help="rank with this many boosted trees instead of the linear model")
    parser.add_argument("--leaves", type=int, default=15, help="leaves per boosted tree")
    parser.add_argument("--mix", type=float, default=0.0,
                        help="with --trees: rank by the linear score plus this × the trees' (0: the trees alone)")
    parser.add_argument("--cache", type=Path, help="reuse (or write) the collected candidates here")
    parser.add_argument("--reuse-features", action="store_true",
                        help="reuse the feature rows cached beside --cache (only while features.py is unchanged)")
    parser.add_argument("--masked", action="store_true",
                        help="also ask each question without the passages that hold its gold (unanswerable, same article)")
    parser.add_argument("--f1", type=float, default=LABELS["f1"], help="F1 at which any candidate is right")
    parser.add_argument("--holds-f1", type=float, default=LABELS["holds_f1"],
                        help="a candidate holding the gold is right from this SQuAD F1 on (a lower value prefers longer spans)")
    parser.add_argument("--drop", help="comma-separated feature names to leave out (an ablation)")
    parser.add_argument("--write", action="store_true", help="write the fitted scorer (to --out)")
    parser.add_argument("--out", type=Path, default=ROOT / "qa/data/answer_scorer.json")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = arguments().parse_args(argv)
    LABELS["holds_f1"], LABELS["f1"] = args.holds_f1, args.f1
    from sklearn.model_selection import GroupKFold
    items = load_items(args)
    if args.drop:  # an ablation: these columns read as constant, so they weigh nothing
        columns = [NAMES.index(name) for name in args.drop.split(",")]
        for i in items:
            i["X"][:, columns] = 0
    print(f"{len(items)} question settings, {sum(len(i['X']) for i in items)} candidates, "
          f"{sum(int(labels(i).sum()) for i in items)} positive")
    articles = np.array([i["article"] for i in items])
    held: list = [None] * len(items)
    thresholds = []
    for train, test in GroupKFold(n_splits=args.folds).split(items, groups=articles):
        train_items = [items[j] for j in train]
        model, _ = fit(train_items, args)
        t = threshold(train_items, best_of(train_items, model))
        thresholds.append(t)
        for j, pb in zip(test, best_of([items[j] for j in test], model)):
            held[j] = (pb[0] - t + 0.5, pb[1])  # shifted so that one threshold, 0.5, applies to all folds
    print_rows(f"Cross-validated ({args.folds} folds by article; thresholds {', '.join(f'{t:.3f}' for t in thresholds)}):",
               score(items, held, 0.5))
    model, trees_doc = fit(items, args)
    t = threshold(items, best_of(items, model))
    print_rows(f"Fitted on all articles (threshold {t:.3f}; the data it was fitted on):", score(items, best_of(items, model), t))
    if args.write:
        n_masked = sum(bool(i.get("masked")) for i in items)
        n_asked = sum(not i["blind"] for i in items)
        w, cw, cb, mean, scale = model.rank_weights, model.confidence_weights, model.confidence_bias, model.mean, model.scale
        linear, trees = f"conditional logit, L2 {args.l2}", f"{args.mix or 1.0} × {args.trees} boosted trees of {args.leaves} leaves"
        ranking = linear if not args.trees else trees if not args.mix else f"{linear} + {trees}"
        doc = {"_source": f"Fitted by bench/fit_answer.py (ranking: {ranking}; confidence: "
                          f"logistic regression, C={args.C}; k={args.k}; right: F1 >= {LABELS['f1']} or holding the gold at F1 >= "
                          f"{LABELS['holds_f1']}) on {', '.join(os.path.relpath(q, ROOT) for q in [args.questions, *(e / 'questions.jsonl' for e in args.also)])} ({n_asked} questions "
                          f"over {len(set(articles))} articles, each also asked with its article left out as "
                          "unanswerable" + (f"; {n_masked} also asked without the passages holding their gold, unanswerable "
                                            "from their own article (--masked)" if n_masked else "")
                          + f"), {dt.date.today().isoformat()}. Threshold: abstain on at most 10% of the "
                          "answerable fitting questions.",
               "features": list(NAMES), "mean": [round(float(x), 6) for x in mean],
               "scale": [round(float(x), 6) for x in scale], "rank": [round(float(x), 6) for x in w],
               "confidence": [round(float(x), 6) for x in cw], "confidence_bias": round(cb, 6), "threshold": round(t, 6),
               "trees": trees_doc, "tree_weight": args.mix or 1.0}
        args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
