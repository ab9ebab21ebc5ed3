"""Ranking ideas for the learned answer stage, measured on the candidates `fit_answer.py` caches.

    python bench/fit_answer.py --l2 10 --cache FILE          # once: collects and caches
    python bench/ranking_probe.py --cache FILE [--probe objectives|shorten|sentences|miscounted|decoding|refusals]

Needs the `bench` extra (scikit-learn, scipy). Four folds by article (as `fit_answer.py`);
every figure is the held-out folds' and answers every answerable question (no abstention), so
it compares rankings, not thresholds. Prints tables; ships nothing.

- objectives: the shipped conditional logit on binary labels against two objectives over the
  same features: the expected utility F1 + a·holds under each question's softmax (started
  from the conditional logit's weights), and soft targets (softmax of that utility at
  temperature tau).
- shorten: the shipped ranker's first choice, replaced by the best candidate inside it by a
  second ranker fitted on strict labels (F1 >= 0.5) when that one's softmax share is >= tau.
- sentences: with the shipped scorer (`qa/data/answer_scorer.json`, fitted on these
  questions), how often the first-ranked candidate's sentence holds the gold, how often any
  sentence of the pool does, and how often the densest one does.
- miscounted: the shipped ranking with and without the candidates `qa.answer` refuses as
  counting another noun than a "how many" question asks (feature `miscounted`), and on how
  many questions such a candidate is the only right one (F1 >= 0.5).
- decoding: the shipped ranking's choice (among the candidates `qa.answer` does not refuse as
  unplaced, by the window rule as until session 16, or miscounted) against two other ways of
  choosing from the same scores: the candidate of highest expected token F1 against the others
  under the softmax at temperature T (minimum Bayes risk), and the best-scored candidate inside
  the first choice when its score is within delta of it.
- refusals: how often a refusal of `qa.answer` (unplaced, miscounted, figureless, placed, the
  question's own words; each alone, then all; and unplaced as it was until session 16, with
  the window for every asked type) takes away every candidate that holds the gold,
  of the questions where some candidate holds it: the ceiling no ranking can pass. Reads the
  cache as collected (`--cache`; a data set of `--also` has its own cache file).
"""
from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import fit_answer as fa  # noqa: E402
import xquad  # noqa: E402


def _segments(parts):
    sizes = [len(x) for x, _ in parts]
    return np.cumsum([0] + sizes[:-1]), np.repeat(np.arange(len(parts)), sizes)


def fit_utility(items, mean, scale, l2: float, alpha: float, tau: float | None) -> np.ndarray:
    """Weights maximising the expected utility (tau None) or fitting soft targets softmax(u / tau)."""
    from scipy.optimize import minimize
    parts = [(i["X"], i["f1"] + alpha * i["holds"]) for i in items
             if not i["blind"] and len(i["X"]) and (i["f1"] + alpha * i["holds"]).max() > 0]
    X = ((np.concatenate([x for x, _ in parts]).astype(np.float64) - mean) / scale).astype(np.float32)
    u = np.concatenate([u for _, u in parts])
    starts, seg = _segments(parts)
    if tau is not None:
        t = np.exp((u - np.maximum.reduceat(u, starts)[seg]) / tau)
        t /= np.add.reduceat(t, starts)[seg]

    def loss(w):
        s = (X @ w.astype(np.float32)).astype(np.float64)
        m = np.maximum.reduceat(s, starts)
        e = np.exp(s - m[seg])
        z = np.add.reduceat(e, starts)
        p = e / z[seg]
        if tau is not None:
            value, g = -np.sum(t * (s - m[seg] - np.log(z)[seg])), p - t
        else:
            eu = np.add.reduceat(p * u, starts)
            value, g = -eu.sum(), -p * (u - eu[seg])
        return value + 0.5 * l2 * w @ w, (X.T @ g.astype(np.float32)).astype(np.float64) + l2 * w

    w0 = fa.fit_rank(items, mean, scale, l2) if tau is None else np.zeros(X.shape[1])
    return minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 300}).x


def first_choices(items, mean, scale, w) -> list[int]:
    return [int(np.argmax(((i["X"] - mean) / scale) @ w)) if len(i["X"]) else -1 for i in items]


def tally(rows: dict, group: str, item: dict, n: int) -> None:
    r = rows.setdefault(group, [0, 0.0, 0.0])
    r[0] += 1
    if n >= 0:
        r[1] += bool(item["holds"][n])
        r[2] += float(item["f1"][n])


def print_table(first: str, results: dict, align: str = "---") -> None:
    """One row per variant: holds gold / F1 per question form, from `tally`'s counts."""
    print(f"| {first} | " + " | ".join(xquad.GROUPS) + f" |\n|{align}|---|---|---|")
    for name, rows in results.items():
        print(f"| {name} | " + " | ".join(f"{rows[g][1] / rows[g][0]:.3f} / {rows[g][2] / rows[g][0]:.3f}"
                                          for g in xquad.GROUPS) + " |")


def folds(items):
    from sklearn.model_selection import GroupKFold
    articles = np.array([i["article"] for i in items])
    for train, test in GroupKFold(n_splits=4).split(items, groups=articles):
        yield [items[j] for j in train], [items[j] for j in test]


def objectives(items, args) -> None:
    variants = {"conditional logit, binary labels (shipped)": None,
                f"expected utility, F1 + {args.alpha}·holds": ("eu", None),
                f"soft targets, F1 + {args.alpha}·holds, tau {args.tau}": ("soft", args.tau)}
    results = {}
    for train, test in folds(items):
        mean, scale = fa.standardise(train)
        for name, how in variants.items():
            w = (fa.fit_rank(train, mean, scale, args.l2) if how is None
                 else fit_utility(train, mean, scale, args.l2, args.alpha, how[1]))
            for i, n in zip(test, first_choices(test, mean, scale, w)):
                tally(results.setdefault(name, {}), i["group"], i, n)
    print_table("objective", results)


def miscounted(items, args) -> None:
    from qa.answer.features import NAMES
    column = NAMES.index("miscounted")
    results, only = {}, {}
    for train, test in folds(items):
        mean, scale = fa.standardise(train)
        w = fa.fit_rank(train, mean, scale, args.l2)
        for i in test:
            if not len(i["X"]):
                continue
            scores, refused = ((i["X"] - mean) / scale) @ w, i["X"][:, column] > 0
            tally(results.setdefault("ranked as fitted", {}), i["group"], i, int(np.argmax(scores)))
            tally(results.setdefault("miscounted refused (shipped)", {}), i["group"], i,
                  int(np.argmax(np.where(refused, -np.inf, scores))) if not refused.all() else -1)
            right = i["f1"] >= 0.5
            only[i["group"]] = only.get(i["group"], 0) + int(right.any() and not (right & ~refused).any())
    print_table("ranking", results)
    print("\nquestions whose only right candidates are miscounted: " + ", ".join(f"{g} {only.get(g, 0)}" for g in xquad.GROUPS))


def shorten(items, args) -> None:
    taus = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
    results: dict = {}
    for train, test in folds(items):
        mean, scale = fa.standardise(train)
        w1 = fa.fit_rank(train, mean, scale, args.l2)
        inner = []
        for i, n in zip(train, first_choices(train, mean, scale, w1)):
            if n >= 0:
                idx = _inside(i, n)
                inner.append({**i, "X": i["X"][idx], "f1": i["f1"][idx], "holds": i["holds"][idx]})
        saved = dict(fa.LABELS)
        fa.LABELS.update(f1=0.5, holds_f1=2.0)  # strict: F1 >= 0.5 only
        w2 = fa.fit_rank(inner, mean, scale, args.l2)
        fa.LABELS.update(saved)
        for i, n in zip(test, first_choices(test, mean, scale, w1)):
            if n < 0:
                for t in taus:
                    tally(results.setdefault(t, {}), i["group"], i, -1)
                continue
            idx = _inside(i, n)
            s = ((i["X"][idx] - mean) / scale) @ w2
            p = np.exp(s - s.max())
            p /= p.sum()
            m = int(np.argmax(p))
            for t in taus:
                tally(results.setdefault(t, {}), i["group"], i, int(idx[m]) if p[m] >= t else n)
    print_table("shorten when share >=", {("never" if t > 1 else f"{t}"): rows for t, rows in results.items()}, align="---:")


def decoding(items, args) -> None:
    from qa.answer.consensus import choose
    from qa.answer.refusal import miscounted as miscounted_mask
    from qa.answer.refusal import unplaced
    results: dict = {}
    for train, test in folds(items):
        mean, scale = fa.standardise(train)
        w = fa.fit_rank(train, mean, scale, args.l2)
        for i in test:
            X = i["X"].astype(np.float64)
            s = np.where(unplaced(X) | miscounted_mask(X), -np.inf, ((X - mean) / scale) @ w) if len(X) else X[:, 0]
            if not len(X) or not np.isfinite(s).any():
                for name in ("argmax (shipped)", *(f"MBR, T {t}" for t in (0.5, 1, 2)), *(f"inside, delta {d}" for d in (0.25, 0.5, 1))):
                    tally(results.setdefault(name, {}), i["group"], i, -1)
                continue
            top = int(np.argmax(s))
            tally(results.setdefault("argmax (shipped)", {}), i["group"], i, top)
            order = np.argsort(-s)[:30]
            order = order[np.isfinite(s[order])]
            texts = [i["texts"][n] for n in order]
            for t in (0.5, 1, 2):  # expected F1 alone: no holding weight, no cap (`qa.answer.consensus`)
                tally(results.setdefault(f"MBR, T {t}", {}), i["group"], i, int(order[choose(texts, s[order], t, 0.0)]))
            inner = [n for n in _inside(i, top) if n != top and np.isfinite(s[n]) and len(i["texts"][n]) < len(i["texts"][top])]
            best = max(inner, key=lambda n: s[n]) if inner else top
            for d in (0.25, 0.5, 1):
                tally(results.setdefault(f"inside, delta {d}", {}), i["group"], i, best if s[best] >= s[top] - d else top)
    print_table("choice", results)


def _inside(item: dict, n: int) -> np.ndarray:
    """Candidates whose text lies inside candidate n's (what the metrics read is the text)."""
    return np.array([k for k, text in enumerate(item["texts"]) if text in item["texts"][n]])


def sentences(raw_items) -> None:
    from qa.answer import prepare
    from qa.answer.scorer import default_scorer
    scorer, rows = default_scorer(), {}
    for i in raw_items:
        if i["blind"]:
            continue
        p = prepare(i["question"], i["passages"], dense=lambda where, sims=i["sims"]: sims)
        r = rows.setdefault(i["group"], np.zeros(4))
        r[0] += 1
        if not p.candidates:
            continue
        n = int(scorer.scores(p.features)[1].argmax())
        densest = int(np.argmax(p.features[:, 0]))
        sentence = lambda k: p.sentences[p.candidates[k].sentence].text  # noqa: E731
        r[1:] += [xquad.holds(sentence(n), i["answers"]), any(xquad.holds(s.text, i["answers"]) for s in p.sentences),
                  xquad.holds(sentence(densest), i["answers"])]
    print("| form | n | first-ranked candidate's sentence holds the gold | some sentence of the pool does | the densest sentence does |")
    print("|---|---:|---:|---:|---:|")
    for g, r in rows.items():
        print(f"| {g} | {int(r[0])} | {r[1] / r[0]:.3f} | {r[2] / r[0]:.3f} | {r[3] / r[0]:.3f} |")


def refusals(raw_items) -> None:
    from qa.answer import prepare, question_words
    from qa.answer import refusals as refused
    from qa.answer.refusal import unplaced
    names = ("unplaced, window everywhere", "unplaced", "miscounted", "figureless", "placed", "own words", "all")
    rows = {}
    for i in raw_items:
        if i["blind"]:
            continue
        p = prepare(i["question"], i["passages"], dense=lambda where, sims=i["sims"]: sims)
        r = rows.setdefault(i["group"], np.zeros(2 + len(names)))
        r[0] += 1
        held = np.array([xquad.holds(c.text, i["answers"]) for c in p.candidates], dtype=bool)
        if not held.any():
            continue
        own = question_words(p.question.text)
        masks = [unplaced(p.features), *refused(p).values(),
                 np.array([question_words(c.text) <= own for c in p.candidates], dtype=bool)]
        masks.append(np.logical_or.reduce(masks[1:]))
        r[1] += 1
        r[2:] += [not (held & ~m).any() for m in masks]
    print("| form | n | some candidate holds the gold | none left after: " + " | ".join(names) + " |")
    print("|---|---:|---:|" + "---:|" * len(names))
    for g, r in rows.items():
        print(f"| {g} | {int(r[0])} | {r[1] / r[0]:.3f} | " + " | ".join(f"{x / r[0]:.3f}" for x in r[2:]) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True, help="fit_answer.py's --cache (its .features.pkl beside it)")
    parser.add_argument("--probe", default="objectives",
                        choices=("objectives", "shorten", "sentences", "miscounted", "decoding", "refusals"))
    parser.add_argument("--l2", type=float, default=10.0)
    parser.add_argument("--alpha", type=float, default=0.5, help="utility: F1 + alpha * holds")
    parser.add_argument("--tau", type=float, default=0.1, help="temperature of the soft targets")
    args = parser.parse_args(argv)
    if args.probe in ("sentences", "refusals"):
        {"sentences": sentences, "refusals": refusals}[args.probe](pickle.loads(args.cache.read_bytes()))
        return 0
    items = [i for i in pickle.loads(args.cache.with_suffix(".features.pkl").read_bytes()) if not i["blind"]]
    {"objectives": objectives, "shorten": shorten, "miscounted": miscounted, "decoding": decoding}[args.probe](items, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
