"""Probes past the ranker: a model of the span inside its best span, and a sentence model under it.

    python bench/span_probes.py --cache FILE --also bench/data/news-train --reuse-features [--folds 4]

Reads the candidates and feature rows `bench/fit_answer.py` collects (same flags; with `--cache`
and `--reuse-features` nothing is asked again) and, cross-validated by article with the
shipped ranking recipe (`--l2`, `--C` as in fit_answer), prints "ranked first" holds gold /
SQuAD F1 of the answerable questions (no abstention) per data set and form for:

- `ranked first`: the ranker's best candidate, as the learned stage takes it;
- `nested`: a conditional logit fitted only over the candidates nested in the ranker's best span
  (that span too; its features plus its length against that span; right = the best F1 among
  them), its choice at test time; `nested +2`: the best span given 2 more (kept more often);
- `oracle nested`: the best F1 among the nested candidates (what such a model could reach);
- `stacked`: a gradient-boosted classifier of "this sentence holds the gold" (sentence features,
  the ranker's best score in the sentence and its gap to the best, the best of each typed
  feature among its candidates), then the ranker's best span in the chosen sentence;
- how often the answer's sentence holds the gold, for `ranked first` and `stacked`, and how
  often any sentence the stage reads does.

Needs the `bench` extra (scikit-learn). docs/answers-log.md, session 21, has what it measured.
Ships nothing.
"""
from __future__ import annotations

import collections
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import fit_answer  # noqa: E402

from qa.answer.features import NAMES  # noqa: E402

_I = {name: n for n, name in enumerate(NAMES)}
# Features every candidate of one sentence shares: they tell the sentences apart.
_SENTENCE_KEY = [_I[n] for n in ("sent_cos", "ctx_cos", "lex", "fused", "inv_rank", "focus")]
_SENTENCE = [_I[n] for n in ("sent_cos", "ctx_cos", "sent_cos_gap", "ctx_cos_gap", "lex", "lex_gap", "names", "fused",
                             "inv_rank", "focus", "best_lex", "best_dense", "sent_names", "sent_names_gap", "lex_idf")]
_BEST_OF = [_I[n] for n in NAMES if "_x_" in n or n in ("predicate_win", "anchor_before", "anchor_after", "counted",
                                                        "lex_win", "near")]
_ASKED = [_I[n] for n in NAMES if n.startswith("asked_")]


def nested(item: dict, best: int) -> np.ndarray:
    """The candidates whose text lies inside the best one's (it included)."""
    inside = item["texts"][best]
    return np.array([j for j, text in enumerate(item["texts"]) if text in inside])


def nested_rows(item: dict, best: int, ranker) -> tuple[np.ndarray, np.ndarray]:
    """(indices, rows): the nested candidates' standardised features, their length against the best
    span's (log and ratio), and whether each is the best span itself."""
    inside = nested(item, best)
    length = np.array([len(item["texts"][j].split()) for j in inside], dtype=np.float64)
    ratio = length / len(item["texts"][best].split())
    X = (item["X"][inside].astype(np.float64) - ranker.mean) / ranker.scale
    return inside, np.hstack([X, np.column_stack([np.log(ratio), (inside == best).astype(float), ratio])])


def fit_logit(parts: list[tuple[np.ndarray, np.ndarray]], l2: float) -> np.ndarray:
    """A conditional logit (softmax per question) maximising the likelihood of its right rows."""
    X, y = np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])
    return fit_answer.conditional_logit(X, y, [len(x) for x, _ in parts], l2, maxiter=300)


def sentence_rows(item: dict, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sentence of each candidate, one row per sentence, whether each sentence holds the gold)."""
    X = item["X"]
    keys: dict = {}
    of = np.array([keys.setdefault(tuple(np.round(row[_SENTENCE_KEY], 5)), len(keys)) for row in X])
    n = len(keys)
    best, typed, base = np.full(n, -np.inf), np.zeros((n, len(_BEST_OF))), np.zeros((n, len(_SENTENCE)))
    size, holds = np.zeros(n), np.zeros(n, dtype=bool)
    for k, j in enumerate(of):
        best[j] = max(best[j], scores[k])
        typed[j] = np.maximum(typed[j], X[k, _BEST_OF])
        base[j], size[j] = X[k, _SENTENCE], size[j] + 1
        holds[j] |= bool(item["holds"][k])
    rank = np.argsort(np.argsort(-best))
    english = float(X[0, _I["en_sent_cos"]] != 0)
    rows = np.column_stack([base, typed, best, best - best.max(), rank, np.log(size),
                            np.repeat(X[:1, _ASKED], n, axis=0), np.full(n, english)])
    return of, rows, holds


def probe(items: list[dict], args) -> dict:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GroupKFold
    found: dict = collections.defaultdict(lambda: collections.defaultdict(list))
    groups = np.array([i["article"] for i in items])
    for train, test in GroupKFold(n_splits=args.folds).split(items, groups=groups):
        ranker, _ = fit_answer.fit([items[j] for j in train], args)
        inside_parts, sentence_parts = [], ([], [])
        for i in (items[j] for j in train):
            if i["blind"] or not len(i["X"]):
                continue
            scores = ranker.scores(i["X"].astype(np.float64))[1]
            _, rows = nested_rows(i, int(scores.argmax()), ranker)
            f1 = i["f1"][nested(i, int(scores.argmax()))]
            if f1.max() > 0:
                inside_parts.append((rows, f1 >= f1.max() - 1e-9))
            _, rows, holds = sentence_rows(i, scores)
            if holds.any():
                sentence_parts[0].append(rows)
                sentence_parts[1].append(holds)
        weights = fit_logit(inside_parts, args.l2)
        sentences = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                                   min_samples_leaf=40, random_state=0)
        sentences.fit(np.concatenate(sentence_parts[0]), np.concatenate(sentence_parts[1]))
        for i in (items[j] for j in test):
            if i["blind"]:
                continue
            cell = found[f"{i['source']} {i['group']}"]
            if not len(i["X"]):
                for name in ("ranked first", "nested", "nested +2", "oracle nested", "stacked"):
                    cell[name].append((False, 0.0))
                cell["sentence right"].append((False, False, False))
                continue
            scores = ranker.scores(i["X"].astype(np.float64))[1]
            best = int(scores.argmax())
            took = lambda n: (bool(i["holds"][n]), float(i["f1"][n]))  # noqa: E731
            cell["ranked first"].append(took(best))
            inside, rows = nested_rows(i, best, ranker)
            for name, keep in (("nested", 0.0), ("nested +2", 2.0)):
                cell[name].append(took(inside[int(np.argmax(rows @ weights + keep * (inside == best)))]))
            cell["oracle nested"].append((bool(i["holds"][inside].any()), float(i["f1"][inside].max())))
            of, rows, holds = sentence_rows(i, scores)
            chosen = int(np.argmax(sentences.predict_proba(rows)[:, 1]))
            stacked = int(np.argmax(np.where(of == chosen, scores, -np.inf)))
            cell["stacked"].append(took(stacked))
            cell["sentence right"].append((bool(holds[of[best]]), bool(holds[chosen]), bool(holds.any())))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = fit_answer.arguments()
    parser.set_defaults(l2=10.0)
    args = parser.parse_args(argv)
    items = [i for i in fit_answer.load_items(args) if not i.get("masked")]
    found = probe(items, args)
    names = ("ranked first", "nested", "nested +2", "oracle nested", "stacked")
    print(f"\nCross-validated ({args.folds} folds by article), holds gold / SQuAD F1, answerable questions:\n")
    print("| set and form | n | " + " | ".join(names) + " | sentence holds the gold: ranked first / stacked / any read |")
    print("|---|---:|" + "---|" * len(names) + "---|")
    for key in sorted(found):
        cell = found[key]
        pairs = [f"{np.mean([h for h, _ in cell[n]]):.3f} / {np.mean([f for _, f in cell[n]]):.3f}" for n in names]
        right = cell["sentence right"]
        print(f"| {key} | {len(right)} | " + " | ".join(pairs)
              + " | " + " / ".join(f"{np.mean([r[k] for r in right]):.3f}" for k in range(3)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
