"""Which of the learned stage's best spans to show: the one the others agree with most.

The ranker scores every candidate, and its best few often say nearly the same thing at different
lengths ("Newcastle", "Đại học Newcastle", "giành giải thưởng của Đại học Newcastle"). Shown is
the span with the highest expected SQuAD F1, plus `holds` × the expected share of the others it
holds whole, each candidate weighted by its softmax share of the scores: minimum-Bayes-risk
decoding (Kumar & Byrne 2004), the ranker's scores read as a belief over which span is the
answer. When the ranker is sure this is its best span; when it wavers between spans of one clause,
the span holding them. A span may grow to `growth` × the best span's words (and two more): the
whole sentence holds every span of it, and shown for "Ai là giám đốc công nghệ?" it hides the name
asked for. Chooses among the candidates it is given (the caller has taken out the refused ones)
and decides nothing about abstaining. Words are compared as SQuAD's F1 compares them:
lower-case, punctuation removed.

>>> spans = ["Newcastle", "Đại học Newcastle", "năm 2000"]
>>> choose(spans, np.array([3.0, 2.9, 0.0]), temperature=1.0, holds=0.3)
1
>>> choose(spans, np.array([6.0, 2.9, 0.0]), temperature=1.0, holds=0.3)
0
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from qa.settings import default


@dataclass(frozen=True)
class Consensus:
    """How `choose` weighs (`Settings.consensus_*`): the softmax temperature, the weight of
    holding another span whole beside F1, and how many of the best-ranked spans vote."""
    temperature: float = default("consensus_temperature")
    holds: float = default("consensus_holds")
    pool: int = default("consensus_pool")
    growth: float = default("consensus_growth")


def tokens(text: str) -> tuple[str, ...]:
    """SQuAD's normalisation (without English articles): lower-case, punctuation as spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    return tuple("".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text).split())


def _f1(a: Counter, b: Counter) -> float:
    """SQuAD F1 of two spans given as word counts."""
    common = sum((a & b).values())
    return 0.0 if not common else 2 * common / (a.total() + b.total())


def _holds(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    n = len(b)
    return float(n > 0 and any(a[i:i + n] == b for i in range(len(a) - n + 1)))


def choose(texts: Sequence[str], scores: np.ndarray, temperature: float, holds: float,
           growth: float = float("inf")) -> int:
    """Index (into `texts`) of the span of highest expected F1 + `holds` × expected holding, the
    candidates weighted by softmax(scores / temperature); only spans of at most `growth` × the
    best-scored span's words (and two more) are shown. A temperature of 0 is the best score."""
    if len(texts) <= 1 or temperature <= 0:
        return int(np.argmax(scores)) if len(texts) else 0
    weights = np.exp((scores - scores.max()) / temperature)
    weights /= weights.sum()
    words = [tokens(t) for t in texts]
    bags = [Counter(w) for w in words]  # each span's word counts, made once for all its pairs
    longest = growth * max(1, len(words[int(np.argmax(scores))])) + 2
    utility = np.array([sum(w * (_f1(bags[i], bags[j]) + holds * _holds(a, b))
                            for j, (b, w) in enumerate(zip(words, weights)) if a and b)
                        if len(a) <= longest else -1.0 for i, a in enumerate(words)])
    return int(np.argmax(utility))
