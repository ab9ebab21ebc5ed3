"""'Who wrote the article about …?': answered from the byline, by both answer stages.

Does not decide whether a question asks for the author (each stage's question reading does).
"""
from __future__ import annotations

from typing import Mapping, Sequence

from qa.records import Answer, Passage


def byline(passages: Sequence[Passage], authors: Mapping[str, str | None]) -> Answer | None:
    """The author of the article the question is about (the best passage's), from its byline;
    None when that article has none: another article's author would answer another question."""
    if not passages or not authors.get(passages[0].article.id):
        return None
    best = passages[0]
    return Answer(text=authors[best.article.id], sentence=best.sentence, passage=best.rank,
                  confidence=round(min(1.0, best.score), 3), kind="author")
