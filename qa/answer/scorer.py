"""The learned scorer, applied with numpy: a ranking model and a confidence model.

Ranking: a linear score over `features.NAMES` (fitted as a softmax over each question's
candidates). Confidence: logistic regression on the best candidate's features plus its
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
class Scorer:
    rank_weights: np.ndarray
    confidence_weights: np.ndarray  # len(NAMES) + 1: the last one weighs the softmax share
    confidence_bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float  # under this confidence the best candidate is no answer: abstain

    def scores(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(standardised rows, ranking score of each candidate)."""
        Xs = (X - self.mean) / self.scale
        return Xs, Xs @ self.rank_weights

    def confidences(self, X: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """Confidence of each candidate index in `chosen` (rows of X), given the whole pool."""
        if not len(X):
            return np.zeros(0)
        Xs, s = self.scores(X)
        share = np.exp(s - s.max())
        share /= share.sum()
        rows = np.column_stack([Xs[chosen], share[chosen]])
        return 1.0 / (1.0 + np.exp(-np.clip(rows @ self.confidence_weights + self.confidence_bias, -40, 40)))

    @classmethod
    def from_json(cls, doc: dict) -> "Scorer":
        if list(doc["features"]) != list(NAMES):
            raise ValueError("answer_scorer.json was fitted on other features: refit with bench/fit_answer.py")
        arr = lambda key: np.asarray(doc[key], dtype=np.float64)  # noqa: E731
        return cls(arr("rank"), arr("confidence"), float(doc["confidence_bias"]), arr("mean"), arr("scale"),
                   float(doc["threshold"]))


@cache
def default_scorer() -> Scorer:
    return Scorer.from_json(table("answer_scorer"))
