"""The rule answer stage (hand-set on news): question patterns, lexical evidence, typed spans.

Asked first (`qa.answer.answer_passages`): its figures are the answer, its names, places and
clauses only where the learned stage is unsure, until the learned stage beats it on news;
`extract_answer` is its one entry point. Does not retrieve.
"""
from qa.answer.rules.stage import extract_answer

__all__ = ["extract_answer"]
