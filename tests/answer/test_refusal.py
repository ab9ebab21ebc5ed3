"""The refusals' masks on feature rows built by hand: which candidates never answer, and why."""
import numpy as np

from qa.answer.features import NAMES
from qa.answer.refusal import unplaced


def test_a_candidate_nothing_asked_stands_near_answers_only_from_the_closest_sentence():
    X = np.zeros((3, len(NAMES)))
    w, best = NAMES.index("predicate_win"), NAMES.index("best_dense")
    X[0, w] = 0.5  # the asked words stand near it
    X[2, best] = 1.0  # nothing near it, but its sentence is the one the question is closest to
    assert unplaced(X).tolist() == [False, True, False]
    X[0, w] = 0.0  # nothing the question asks is near any candidate (English words, no glossary form)
    assert not unplaced(X).any()


def test_what_a_what_or_why_question_asks_may_stand_anywhere_in_the_answer_s_sentence():
    """A figure, date, person or place stands beside what is asked of it; the thing a "what" or
    "why" question asks for may stand farther off in the same sentence, never in another one."""
    X = np.zeros((3, len(NAMES)))
    X[0, NAMES.index("predicate_win")] = 0.5  # the asked words stand near it, in sentence 0
    sentence_of = [0, 0, 1]  # candidate 1 shares that sentence, out of the window; 2 is elsewhere
    assert unplaced(X, sentence_of, beside=True).tolist() == [False, True, True]
    assert unplaced(X, sentence_of, beside=False).tolist() == [False, False, True]
