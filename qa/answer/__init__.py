"""The answer stage: from ranked passages to the span that answers, or an honest abstention.

`question.analyse` reads the question once; `candidates` lists spans of the passages'
sentences (typed figures, dates, names, and always clauses); `features` describes each
(dense similarity from the index's vectors, lexical evidence, type fit); `scorer` turns
them into a probability with weights fitted on real questions (`bench/fit_answer.py`).
The best-ranked candidate answers unless its confidence (how likely it is right) is under
the fitted threshold; a span made only of the question's words never answers, nor does one
`refusal` refuses (nothing the question asks stands near it, a number counting another noun,
no figure for "how many", a place for "who"). The best of each other
article that is nearly as confident goes to `also`. "Who wrote ...?" is answered from the
byline. `answer_passages` puts the hand-set rule stage (`rules`) first for amounts (sums and measures), and between
a sure learned answer and an unsure one for the rest. The answer text is a span of the cited
passage, never altered. Does not retrieve.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

import numpy as np

from qa.answer import refusal
from qa.answer.byline import byline
from qa.answer.candidates import Candidate, Sentence, candidates, sentences
from qa.answer.consensus import Consensus, choose
from qa.answer.dates import widest_date
from qa.answer.features import matrix
from qa.answer.question import QuestionAnalysis, analyse, word_list
from qa.answer.scorer import Scorer, default_scorer
from qa.lang.text import fold
from qa.records import Answer, Passage
from qa.settings import default

__all__ = ["QuestionAnalysis", "analyse", "answer_passages", "extract_answer", "prepare", "Prepared", "question_words",
           "refusals", "staged_answer"]

# Dense similarities (question·sentence, question·context) of sentences given as (article id, offset).
DenseLookup = Callable[[Sequence[tuple[str, int]]], np.ndarray]
_KIND = {"organisation": "org"}  # the contract's name for it (chat follows places and orgs)
# The rule stage's amounts (a sum of money or a measure: "2,1 tỷ đồng", "420 ha") stand even
# where the learned stage is sure: on the seed news, which they were written for, they are right
# more often, and on XQuAD-dev and held-out news within a question or two of the learned stage
# first for everything (both ways). Its counts, shares, dates, periods and
# codes no longer do: there the sure learned answer was measured right more often (docs/answers-log.md,
# session 20).
_RULED_KINDS = frozenset({"amount"})


@dataclass(frozen=True)
class Prepared:
    question: QuestionAnalysis
    sentences: tuple[Sentence, ...]
    candidates: tuple[Candidate, ...]
    features: np.ndarray


def prepare(question: str | QuestionAnalysis, passages: Sequence[Passage], dense: DenseLookup | None = None,
            read: int = default("answer_sentences")) -> Prepared:
    """Candidates of the passages and their feature rows (what the scorer and its fitting read),
    from the `read` sentences the question is densely closest to and the `read` that hold most
    of its terms."""
    q = question if isinstance(question, QuestionAnalysis) else analyse(question)
    sents = sentences(passages)
    keys = [(passages[s.passage].article.id, passages[s.passage].start + s.start) for s in sents]
    sims = dense(keys) if dense is not None and keys else np.zeros((len(sents), 2))
    kept = _closest(q, sents, sims, read)
    sents, sims = [sents[i] for i in kept], sims[kept]
    cands = candidates(sents, q)
    return Prepared(q, tuple(sents), tuple(cands), matrix(q, passages, sents, cands, sims))


def _closest(q: QuestionAnalysis, sents: Sequence[Sentence], sims: np.ndarray, read: int) -> list[int]:
    """Indices (in order) of the `read` sentences densest to the question and the `read` holding
    most of its terms. Measured on XQuAD-dev (docs/answers-log.md, session 5): the top 6 by dense
    similarity alone hold the gold for 96 % of the questions whose pool holds it, at half the
    candidates, and the answer stage's time is per candidate."""
    if len(sents) <= read:
        return list(range(len(sents)))
    terms = q.terms
    overlap = [len(terms & {fold(w) for w, _, _ in word_list(s.text)}) for s in sents]
    by_dense = np.argsort(-sims[:, 0], kind="stable")[:read]
    by_terms = np.argsort(-np.array(overlap), kind="stable")[:read]
    return sorted(set(by_dense.tolist()) | set(by_terms.tolist()))


def extract_answer(question: str, passages: Sequence[Passage], authors: Mapping[str, str | None] = {},
                   dense: DenseLookup | None = None, scorer: Scorer | None = None,
                   also_ratio: float = default("also_ratio"), max_answers: int = default("max_answers"),
                   read: int = default("answer_sentences"), min_confidence: float | None = None,
                   marked: bool | None = None, consensus: Consensus = Consensus()
                   ) -> tuple[Answer | None, tuple[Answer, ...]]:
    """(best answer or None, answers from other articles that also fit) for the ranked passages;
    None under `min_confidence` (the scorer's fitted threshold when not given). An article's
    best-ranked span decides whether it answers (its confidence); the span shown is the one its
    best spans agree on (`consensus.choose`)."""
    q = analyse(question, marked)
    if q.asked == "author":
        return byline(passages, authors), ()
    if not q.terms and not q.names:  # "???", "what is": nothing asked about, nothing to find
        return None, ()
    if q.asked == "other" and q.terms <= set(q.names):  # "What about Thanh Liêm?": a name, nothing asked of it
        return None, ()
    prepared = prepare(q, passages, dense, read)
    if not prepared.candidates:
        return None, ()
    scorer = scorer or default_scorer()
    scored = scorer.scores(prepared.features)
    scores = scored[1]
    # The best-ranked candidate of each article, best first; each has its confidence. A span
    # made only of the question's own words never answers it ("Super Bowl" for "Ai là thủ quân
    # lớn tuổi nhất chơi trong một trận Super Bowl?").
    own = question_words(q.text)
    refused = np.logical_or.reduce(list(refusals(prepared).values()))
    firsts: dict[str, int] = {}
    voters: dict[str, list[int]] = {}  # per article, its spans among the `consensus.pool` best allowed
    seen = 0
    for n in np.argsort(-scores, kind="stable").tolist():
        if refused[n] or question_words(prepared.candidates[n].text) <= own:
            continue
        article = passages[prepared.sentences[prepared.candidates[n].sentence].passage].article.id
        if article not in firsts and len(firsts) < max_answers:
            firsts[article] = n
        if seen < consensus.pool:
            voters.setdefault(article, []).append(n)
        seen += 1
        if len(firsts) == max_answers and seen >= consensus.pool:
            break
    if not firsts:
        return None, ()
    chosen = np.array(list(firsts.values()))
    confidence = scorer.confidences(prepared.features, chosen, scored)
    if confidence[0] < (scorer.threshold if min_confidence is None else min_confidence):
        return None, ()
    answers = []
    for (article, n), conf in zip(firsts.items(), confidence.tolist()):
        if answers and conf < max(scorer.threshold, also_ratio * confidence[0]):
            continue
        voting = voters.get(article, [n])
        n = voting[choose([prepared.candidates[v].text for v in voting], scores[voting], consensus.temperature,
                          consensus.holds, consensus.growth)]
        c = prepared.candidates[n]
        sent = prepared.sentences[c.sentence]
        answers.append(Answer(text=c.text, sentence=sent.text, passage=passages[sent.passage].rank,
                              confidence=round(conf, 3), kind=_KIND.get(q.asked, q.asked), value=c.value, unit=c.unit))
    return answers[0], tuple(answers[1:])


def answer_passages(question: str, passages: Sequence[Passage], authors: Mapping[str, str | None] = {},
                    dense: DenseLookup | None = None, min_confidence: float | None = None,
                    also_ratio: float = default("also_ratio"), max_answers: int = default("max_answers"),
                    learned_pool: int = default("learned_pool"), read: int = default("answer_sentences"),
                    first_confidence: float = default("learned_first_confidence"), marked: bool | None = None,
                    consensus: Consensus = Consensus()) -> tuple[Answer | None, tuple[Answer, ...]]:
    """The answer the engine gives: an amount the rule stage (`rules`, hand-set on the seed news)
    finds; else the learned stage's when it is at least `first_confidence` sure
    (`Settings.learned_first_confidence`); else the rule stage's name, place, clause, count,
    share or date when it finds one; else the learned stage's if at least `min_confidence` sure
    (`Settings.learned_min_confidence`, chosen with `bench/fallback_threshold.py`; the scorer's
    fitted threshold when not given). Measured (docs/answers-log.md): the learned stage alone gets
    XQuAD-dev's answers nearly as often and shorter (F1 higher), but the seeds' dev questions
    wrong more often than the rules; where it is sure it is right more often than the rules'
    answers other than amounts, so it goes before those (their counts, shares and dates too
    since session 20). It reads only the first
    `learned_pool` passages (the retrievals its scorer was fitted on) and of their sentences the
    `read` closest (`prepare`). `marked`: whether the asker typed the tone marks (`analyse`)."""
    found, also, learned = staged_answer(question, passages, authors, dense, also_ratio, max_answers, learned_pool,
                                         read, first_confidence, marked, consensus)
    bar = default_scorer().threshold if min_confidence is None else min_confidence
    if learned and (found is None or found.confidence < bar):
        return None, ()
    return found, also


def staged_answer(question: str, passages: Sequence[Passage], authors: Mapping[str, str | None] = {},
                  dense: DenseLookup | None = None, also_ratio: float = default("also_ratio"),
                  max_answers: int = default("max_answers"), learned_pool: int = default("learned_pool"),
                  read: int = default("answer_sentences"), first_confidence: float = default("learned_first_confidence"),
                  marked: bool | None = None, consensus: Consensus = Consensus()
                  ) -> tuple[Answer | None, tuple[Answer, ...], bool]:
    """`answer_passages` before the learned stage's confidence bar: (answer, also, whether the
    learned stage gave it). `bench/fallback_threshold.py` chooses that bar from these. An amount
    the rule stage finds stands (so for a question it would answer with one, it is asked
    first); otherwise the learned answer goes before the rules' when at least `first_confidence`
    sure (1.0: never), and the rules are asked only when it is not."""
    # No bar here: `answer_passages` applies the one the settings name (the scorer's own
    # threshold used to refuse first, so a lower English setting never took effect).
    from qa.answer import rules  # the rule stage's modules load only when an answer is asked for

    def ruled() -> tuple[Answer | None, tuple[Answer, ...]]:
        found = rules.extract_answer(question, passages, authors, also_ratio, max_answers, dense)
        # an answer made of the question's own words is none
        return (None, ()) if found[0] is None or question_words(found[0].text) <= question_words(question) else found

    def learned() -> tuple[Answer | None, tuple[Answer, ...]]:
        return extract_answer(question, passages[:learned_pool], authors, dense, also_ratio=also_ratio,
                              max_answers=max_answers, read=read, min_confidence=0.0, marked=marked, consensus=consensus)

    if first_confidence >= 1.0 or rules.answer_kind(question) in _RULED_KINDS:
        first = ruled()
        return _given(first, learned=False) if first[0] is not None else _given(learned(), learned=True)
    found = learned()
    if found[0] is not None and found[0].confidence >= first_confidence:
        return _given(found, learned=True)
    first = ruled()
    return _given(first, learned=False) if first[0] is not None else _given(found, learned=True)


def _given(found: tuple[Answer | None, tuple[Answer, ...]], learned: bool) -> tuple[Answer | None, tuple[Answer, ...], bool]:
    """A stage's (answer, also) as `staged_answer` gives it: widened, with the stage that found it."""
    if found[0] is None:
        return None, (), learned
    return _widened(found[0]), tuple(_widened(a) for a in found[1]), learned


def refusals(prepared: Prepared) -> dict[str, np.ndarray]:
    """Per refusal, the candidates of `prepared` it keeps from ever answering (`extract_answer`
    also passes over a span made only of the question's own words, checked lazily there)."""
    return refusal.masks(prepared.question, prepared.sentences, prepared.candidates, prepared.features)


def question_words(text: str) -> frozenset[str]:
    """The folded words of `text` (what "made only of the question's words" compares)."""
    return frozenset(fold(w) for w, _, _ in word_list(text))


def _widened(answer: Answer) -> Answer:
    """A date or year answer as the whole date phrase it stands in ("2007" -> "8 tháng 2 năm
    2007"): measured on XQuAD-dev, a bare year was the most common answer too short to hold
    the gold. Still a span of the cited sentence."""
    at = answer.sentence.find(answer.text)
    if at < 0:
        return answer
    start, end = widest_date(answer.sentence, at, at + len(answer.text))
    return answer if (start, end) == (at, at + len(answer.text)) else replace(answer, text=answer.sentence[start:end])
