"""The rule answer stage (hand-set on news): question patterns, lexical evidence, typed spans.

Asked first for amounts (`qa.answer.answer_passages`): an amount it finds is the answer; its
other answers only where the learned stage is unsure. `extract_answer` is its one entry point;
`answer_kind` the kind of answer it would give a question (its `Answer.kind`), read from the
question alone. Does not retrieve. Its modules: `questions` (what a question asks for,
`english` for English ones), `terms` (the evidence a passage must hold), `evidence` (where
that evidence stands in a passage), `spans` (typed spans: places, bodies, people, list
items), `candidates` (the spans of the asked kind in a passage, with their fit), `stage`
(scoring them, and the answer).
"""
from qa.answer.rules.questions import classify_question
from qa.answer.rules.stage import extract_answer

__all__ = ["answer_kind", "extract_answer"]


def answer_kind(question: str) -> str:
    """The `Answer.kind` any answer of `extract_answer` to `question` has (`questions.KINDS`)."""
    return classify_question(question).kind
