"""The learned scorer, applied with numpy: a ranking model and a confidence model.

Ranking: a linear score over `features.NAMES` (fitted as a softmax over each question's
candidates) plus, when the data file holds trees, `tree_weight` × the sum of a small
gradient-boosted ensemble's leaf values (`Trees`: each tree is arrays of feature, threshold,
children and value, walked for all candidates at once; fitted as a classifier of "is this
candidate right?", it reads feature interactions the linear score cannot). Confidence: logistic regression on the best candidate's features plus its
softmax share, i.e. how likely that candidate is right; under the threshold the stage
abstains. Weights, the standardisation they expect and the threshold live in
`qa/data/answer_scorer.json`, written by `bench/fit_answer.py` (which says how they were
fitted and on what). Does not fit anything and never imports a learning library.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from qa.answer.features import NAMES
from qa.lang.wordlists import table


@dataclass(frozen=True)
class Trees:
    """A boosted ensemble as flat arrays: node n of tree t splits on feature[t, n] at threshold[t, n]
    (<= goes left) or, where leaf[t, n], gives value[t, n]."""
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    leaf: np.ndarray
    bias: float
    depth: int

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The ensemble's raw score of each row: every tree walked one level at a time, all at once
        (flat indices: one take per array and level; it stops when every walk is at a leaf)."""
        n_trees, width = self.feature.shape
        first = (np.arange(n_trees) * width)[:, None]  # each tree's node 0 in the flattened arrays
        columns = np.arange(len(X)) * X.shape[1]  # each row's start in X flattened
        flat = np.ravel(X)
        at = np.broadcast_to(first, (n_trees, len(X))).copy()
        for _ in range(self.depth):
            done = self.leaf.ravel()[at]
            if done.all():
                break
            go_left = flat[columns + self.feature.ravel()[at]] <= self.threshold.ravel()[at]
            step = np.where(go_left, self.left.ravel()[at], self.right.ravel()[at])
            at = np.where(done, at, first + step)
        return self.bias + self.value.ravel()[at].sum(axis=0)

    @classmethod
    def from_json(cls, doc: dict) -> "Trees":
        arr = lambda key, kind: np.asarray(doc[key], dtype=kind)  # noqa: E731
        return cls(arr("feature", np.int64), arr("threshold", np.float64), arr("left", np.int64),
                   arr("right", np.int64), arr("value", np.float64), arr("leaf", bool), float(doc["bias"]),
                   int(doc["depth"]))


@dataclass(frozen=True)
class Scorer:
    rank_weights: np.ndarray
    confidence_weights: np.ndarray  # len(NAMES) + 1: the last one weighs the softmax share
    confidence_bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float  # under this confidence the best candidate is no answer: abstain
    trees: Trees | None = None  # when set, its score (on the raw rows) × tree_weight is added to the linear one
    tree_weight: float = 1.0

    def scores(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(standardised rows, ranking score of each candidate)."""
        Xs = (X - self.mean) / self.scale
        linear = Xs @ self.rank_weights
        return Xs, (linear if self.trees is None else linear + self.tree_weight * self.trees.predict(X))

    def confidences(self, X: np.ndarray, chosen: np.ndarray,
                    scored: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Confidence of each candidate index in `chosen` (rows of X), given the whole pool
        (`scored`: what `scores(X)` already gave, so that the trees are not walked twice)."""
        if not len(X):
            return np.zeros(0)
        rows = self.confidence_rows(scored if scored is not None else self.scores(X), chosen)
        return 1.0 / (1.0 + np.exp(-np.clip(rows @ self.confidence_weights + self.confidence_bias, -40, 40)))

    @staticmethod
    def confidence_rows(scored: tuple[np.ndarray, np.ndarray], chosen: np.ndarray) -> np.ndarray:
        """What the confidence model reads of each chosen candidate: its standardised features
        and its share of the pool's softmax (`scored` is what `scores` gave for the pool);
        `bench/fit_answer.py` fits the model on the same rows."""
        Xs, s = scored
        share = np.exp(s - s.max())
        share /= share.sum()
        return np.column_stack([Xs[chosen], share[chosen]])

    @classmethod
    def from_json(cls, doc: dict) -> "Scorer":
        if list(doc["features"]) != list(NAMES):
            raise ValueError("answer_scorer.json was fitted on other features: refit with bench/fit_answer.py")
        arr = lambda key: np.asarray(doc[key], dtype=np.float64)  # noqa: E731
        return cls(arr("rank"), arr("confidence"), float(doc["confidence_bias"]), arr("mean"), arr("scale"),
                   float(doc["threshold"]), Trees.from_json(doc["trees"]) if doc.get("trees") else None,
                   float(doc.get("tree_weight", 1.0)))


@cache
def default_scorer() -> Scorer:
    return Scorer.from_json(table("answer_scorer"))
