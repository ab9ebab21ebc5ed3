"""The refusals: candidates that never answer, however well they rank, each a general reason.

A span nothing the question asks stands near (`unplaced`), a number counting another noun than
the one asked (`miscounted`), a span without a figure for "how many" (`figureless`), a place's
name for "who" (`placed`). Each returns a boolean mask over the candidates; `masks` gives them
all by name. Reads the feature rows and candidates `qa.answer.prepare` made; ranks nothing.

    >>> import numpy as np
    >>> from qa.answer.features import NAMES
    >>> X = np.zeros((2, len(NAMES))); X[0, NAMES.index("predicate_win")] = 1
    >>> unplaced(X).tolist()  # the second has none of the question's words near, the first has
    [False, True]
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from qa.answer.candidates import Candidate, Sentence
from qa.answer.features import NAMES
from qa.answer.question import QuestionAnalysis, word_list
from qa.lang.numwords import spelled_numbers
from qa.lang.text import has_diacritics
from qa.lang.wordlists import words

_COUNTED_TYPES = frozenset({"quantity", "money", "percent"})  # asked types whose answer is a figure
# Asked types whose answer stands next to what the question asks of it: a figure by what it
# measures, a date by its event, a person or place by its role ("chủ tịch xã …").
_BESIDE_ASKED = _COUNTED_TYPES | {"duration", "date", "person", "place"}
_DIGIT = re.compile(r"\d")


def masks(q: QuestionAnalysis, sents: Sequence[Sentence], found: Sequence[Candidate], X: np.ndarray) -> dict[str, np.ndarray]:
    """Each refusal's mask over the candidates `found` (in `sents`, feature rows `X`)."""
    return {"unplaced": unplaced(X, [c.sentence for c in found], q.asked in _BESIDE_ASKED),
            "miscounted": miscounted(X), "figureless": figureless(q, found), "placed": placed(q, sents, found)}


def unplaced(X: np.ndarray, sentence_of: Sequence[int] = (), beside: bool = True) -> np.ndarray:
    """Candidates that nothing the question says besides its names stands near, while something
    does stand near another candidate, and whose sentence is not the one the question is closest
    to (dense): they never answer. A name places the sentence, not the answer in it ("3 hộ
    nghèo" of Sìn Hồ for "How many households demolished fences in Sìn Hồ?"; the rule stage
    keeps the same evidence). "Near" is within `features.WINDOW` words when the answer stands
    beside what is asked of it (`beside`: a figure, date, person or place); for what, which,
    why and how it is anywhere in the candidate's sentence (given each candidate's sentence
    index): a clause or a described thing stands farther from the question's words, and the
    window alone refused every candidate holding the gold for 4.7 % of the answerable
    Vietnamese XQuAD-dev questions (`bench/ranking_probe.py --probe refusals`). Words the text
    never holds (English without a glossary form) take nothing away: then no candidate has them
    near, and none is unplaced."""
    near = X[:, NAMES.index("predicate_win")] > 0
    if not beside and len(sentence_of):
        of = np.asarray(sentence_of)
        held = np.zeros(of.max() + 1, dtype=bool)
        np.logical_or.at(held, of, near)  # the whole-sentence candidate sees every word of it
        near = held[of]
    return ~near & (X[:, NAMES.index("best_dense")] == 0) & near.any()


def miscounted(X: np.ndarray) -> np.ndarray:
    """Numbers that say they count another noun than the one a "how many" question asks for
    ("56 gương" for "How many households …?"), and sums of money for an English "how many"
    ("120 triệu đồng" for "How many districts …?"; `QuestionAnalysis.countable`): never an
    answer. On XQuAD-dev such a number was the only right one for 2 / 2 / 1 of 612 questions per
    form, and ranking without them changed no form by more than one question
    (`bench/ranking_probe.py --probe miscounted`); no "how many" there has money for gold."""
    return X[:, NAMES.index("miscounted")] > 0


def figureless(q: QuestionAnalysis, found: Sequence[Candidate]) -> np.ndarray:
    """For a question asking how many, how much or what share: candidates with no figure at all,
    neither digits nor a number in words (`numwords.spelled_numbers`: "sáu" is one; "năm" alone is
    not, being a year as often, so "đến năm" for "five" is refused too). A sentence without one
    does not answer "How many households …?", however close it stands to the question's names
    (issue 13's Sìn Hồ exchange, once the English bar came down to its setting)."""
    if q.asked not in _COUNTED_TYPES:
        return np.zeros(len(found), dtype=bool)
    return np.array([not _DIGIT.search(c.text) and not spelled_numbers(c.text) for c in found], dtype=bool)


def placed(q: QuestionAnalysis, sents: Sequence[Sentence], found: Sequence[Candidate]) -> np.ndarray:
    """For a question asking who: names a place word introduces ("xã Pờ Ê", "huyện Tân Lập",
    `qa/data/place_heads.txt`), just before them or as their first words. They name a place, never
    the person asked for ("Who is the chairman of Mộc Châu?" was answered "Tân Lập"). Compared as
    typed, in text with tone marks only: folded, "bản" (a village) is "ban" (a board)."""
    out = np.zeros(len(found), dtype=bool)
    if q.asked != "person":
        return out
    heads = {h for h in words("place_heads") if has_diacritics(h)}  # English heads follow the name ("Sìn Hồ district")
    for n, c in enumerate(found):
        text = sents[c.sentence].text
        if "name" not in c.flags or not has_diacritics(text):
            continue
        spans = word_list(text)
        at = sum(b <= c.start for _, _, b in spans)  # words wholly before the candidate
        before = [w.lower() for w, _, _ in spans[max(0, at - 2):at]]
        inside = [w.lower() for w, a, _ in spans[at:] if a < c.end]
        out[n] = any(" ".join(before[i:]) in heads for i in range(len(before))) or \
            any(" ".join(inside[:k]) in heads for k in (1, 2) if k < len(inside))  # a head and a name after it
    return out
