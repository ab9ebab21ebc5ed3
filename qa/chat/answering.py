"""The Engine's answer paths around the answer stage: computed comparisons, a fixed pool, `k` trims.

`ordinary` retrieves one fixed pool of passages (`QA_ANSWER_POOL`) whatever `k` is, lets the
answer stage pick from it, drops an answer that is not about the entity the question names
(`qa.chat.about`), and only then trims the passages to the `k` shown, moving cited ones to the
front so that every citation stays visible: the answer never depends on `k`. `comparison`
answers "which … most / more / total" from the facts table (`qa.chat.compare`), citing every
figure. Does not extract spans itself (the answer stage does) and holds no presentation.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from qa.chat import compare
from qa.chat.about import Archive, entity_of, is_about, kind_asked, not_about
from qa.chat.facts import Fact
from qa.chat.facts import passage as fact_passage
from qa.records import Answer, Part, Passage

Extract = Callable[[str, Sequence[Passage]], tuple[Answer | None, tuple[Answer, ...]]]


def trim(passages: Sequence[Passage], k: int, answer: Answer | None, also: tuple[Answer, ...] = ()
         ) -> tuple[tuple[Passage, ...], Answer | None, tuple[Answer, ...]]:
    """The `k` passages shown: the answer's passage first when it would fall outside them, then the
    best others; ranks renumbered and the answers' `passage` fields pointing at the new ranks.
    An `also` answer whose passage is not shown is dropped (the main answer never is)."""
    cited = [answer.passage] if answer else []
    cited += [a.passage for a in also if a.passage not in cited]
    keep = cited[:1] + [p.rank for p in passages if p.rank not in cited[:1]]
    if answer and answer.passage <= k:
        keep = [p.rank for p in passages]  # already shown: keep the retrieval order
    keep = keep[:max(k, 1)]
    by_rank = {p.rank: p for p in passages}
    new_rank = {old: i + 1 for i, old in enumerate(keep)}
    shown = tuple(replace(by_rank[old], rank=new_rank[old]) for old in keep)
    moved = lambda a: replace(a, passage=new_rank[a.passage])  # noqa: E731
    return shown, moved(answer) if answer else None, tuple(moved(a) for a in also if a.passage in new_rank)


def ordinary(question: str, passages: Sequence[Passage], k: int, pool: int, extract: Extract,
             gazetteer: frozenset[str], language: str, archive: Archive = Archive()):
    """(answer, also, shown passages, note) for `question` over the ranked `passages` (at least
    `pool` of them when there are that many); the answer is read from the first `pool` only.
    `archive` tells the about check each article's place and text and which places nest."""
    candidates = list(passages[:pool])
    answer, also = extract(question, candidates)
    note = None
    entity = entity_of(question, gazetteer)
    if entity is not None and answer is not None:
        kind = kind_asked(question, gazetteer)
        fits = [a for a in (answer, *also) if _about(entity, kind, a, candidates, gazetteer, archive, question)]
        if not fits:
            answer, also, note = None, (), not_about(entity, language)
        else:
            answer, also = fits[0], tuple(fits[1:])
    shown, answer, also = trim(list(passages), k, answer, also)
    return answer, also, shown, note


def _about(entity: str, kind: str, answer: Answer, passages: Sequence[Passage], gazetteer: frozenset[str],
           archive: Archive, question: str = "") -> bool:
    cited = next((p for p in passages if p.rank == answer.passage), None)
    if cited is None:
        return True  # nothing to check against: the answer stage cited no retrieved passage
    article = archive.articles.get(cited.article.id)
    return is_about(entity, answer.sentence, cited.text, cited.article.title, gazetteer, kind,
                    archive.places.get(cited.article.id), answer.text, question, article.text if article else "",
                    archive.nested)


def comparison(op: compare.Comparison, facts: Sequence[Fact], relevance: Callable[[Fact], float],
               chunks, articles, language: str) -> tuple[Answer | None, tuple[Answer, ...], tuple[Passage, ...], str] | None:
    """(answer, every compared figure, their passages, a one-line summary or refusal); None when a
    superlative finds fewer than two places stating the figure: the articles may say it in words
    ("the largest city not on a freeway"), so the answer stage reads them instead."""
    outcome = compare.compute(op, facts, relevance)
    if outcome.winner is None and op.op in ("max", "min") and outcome.reason in ("none", "one"):
        return None
    passages: list[Passage] = []
    rank_of: dict[int, int] = {}
    for f in outcome.figures:
        if f.chunk not in rank_of:
            rank_of[f.chunk] = len(passages) + 1
            passages.append(fact_passage(f, chunks, articles, rank_of[f.chunk], round(relevance(f), 4)))
    figures = tuple(Answer(text=f.text, sentence=f.sentence, passage=rank_of[f.chunk], confidence=1.0,
                           kind=f.kind, value=f.value, unit=f.unit) for f in outcome.figures)
    note = compare.summary(outcome, language)
    win = outcome.winner
    if win is None:
        return None, figures, tuple(passages), note
    if outcome.total is not None:
        answer = Answer(text=compare.amount_text(outcome.total, win), sentence=win.sentence,
                        passage=rank_of[win.chunk], confidence=1.0, kind=op.kind, value=outcome.total, unit=win.unit)
    else:
        answer = Answer(text=win.owner, sentence=win.sentence, passage=rank_of[win.chunk], confidence=1.0,
                        kind=op.kind, value=win.value, unit=win.unit)
    return answer, figures, tuple(passages), note


def combine(questions: Sequence[str], answers: Sequence[tuple]) -> tuple:
    """One result for a multi-part question: the first part's answer and passages, then each later
    part's answer (in `parts`) citing its passage, appended to the shown ones when not there."""
    answer, also, shown, note, _ = answers[0]
    passages = list(shown)
    parts = []
    for question, (a, _also, found, part_note, _parts) in zip(questions[1:], answers[1:]):
        if a is not None:
            cited = next(p for p in found if p.rank == a.passage)
            at = next((p.rank for p in passages if (p.article.id, p.start, p.end) ==
                       (cited.article.id, cited.start, cited.end)), None)
            if at is None:
                at = len(passages) + 1
                passages.append(replace(cited, rank=at))
            a = replace(a, passage=at)
        parts.append(Part(question=question, answer=a, note=part_note))
    return answer, also, tuple(passages), note, tuple(parts)
