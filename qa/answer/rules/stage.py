"""Answer extraction without a language model: pick the span that answers, or abstain.

For each retrieved passage: check that it is on topic (the question's proper names and
years appear in it or in its article's title, and enough of its content words do), list
candidate spans of the kind the question wants (`candidates`: figures via `numbers`, places,
bodies, people and list items via `spans`), and score each by how well it fits the asked kind and
noun, how close the question's words stand to it, the passage's rank and coverage, and
whether it merely repeats the question. The best candidate above a threshold is the
answer; the best of each other article that scores nearly as well goes into the second
element ("also") -- or, when the question asks for several ("những huyện nào", "which
districts"), the best of every other article whose evidence holds, each citing its own
passage. A place question whose answering sentence names no place of the asked level
("... do UBND các xã triển khai như: “Ngày thứ bảy về với dân”") is answered with the
article's own place, from its title. Lexical evidence, and what the question says besides
its names must stand near the answer; a figure whose only evidence is its counted noun
answers only from the sentence the question is closest to by dense similarity. The fused
retrieval score is not trusted here. Does not retrieve, and does not paraphrase: the answer text is a span of
the article (or of its title).
"""
from __future__ import annotations

import re
from typing import Callable, Mapping, Sequence

from qa.answer.byline import byline
from qa.answer.rules.candidates import Candidate, candidates
from qa.answer.rules.evidence import LOOSE_MIN, PassageView, closest_sentence, occurrences, proximity, tokens
from qa.answer.rules.questions import QuestionType, classify_question
from qa.answer.rules.spans import article_place, locatives, places
from qa.answer.rules.terms import Term, question_terms
from qa.lang.text import fold
from qa.records import Answer, Passage
from qa.settings import default

__all__ = ["extract_answer"]

MIN_SCORE = 0.42  # below this the best candidate is no answer: abstain
MIN_PROXIMITY = 0.1  # some of the question's words must stand near the answer
NAMED_COVERAGE, NEAR = 0.7, 0.3  # a place, body or person needs the passage to hold this much, or to stand this near
MIN_SENTENCE_COVERAGE = 0.6  # a whole sentence answers "how/why" only if it holds most of the question
SEVERAL_RATIO = 0.6  # ... or this close, when the question asks for several ("những huyện nào", "which districts")
INDIRECT = 0.85  # an article's own place answers less directly than a place its sentence names
# Places an article's title names are districts, towns or provinces: never the commune or
# village a question asks for.
_ARTICLE_LEVELS = {"huyện", "tỉnh", "thành phố", "thị xã", "quận", "địa phương", "địa bàn"}


def _score(view: PassageView, c: Candidate, terms: list[Term], asked: set[str],
           others: Sequence[tuple[int, int]] = (), closest: Callable[[PassageView, int], bool] = lambda v, at: True
           ) -> float:
    a, b = view.token_range(c.start, c.end)
    prox = proximity(view, terms, a, b, inside=c.kind == "other", others=others)
    # What the question says besides its names must stand near the answer: a name places the
    # sentence, not the figure in it ("huyện Thanh Liêm (… giá trị thực hiện 120 triệu đồng …)"
    # does not answer "Thanh Liêm huy động được bao nhiêu tiền?").
    said = [t for t in terms if not t.required]
    leaves_names_out = said and c.kind != "other"  # a sentence's proximity leaves them out already
    evidence = proximity(view, terms, a, b, others=others, names=False) if leaves_names_out else prox
    # "716 nhà" for "houses": the noun itself is evidence. When nothing else the question says
    # stands near it, only if its sentence is the one the question is closest to (dense): "làm
    # được 716 nhà" answers "how many houses did Mộc Châu build?", "chỉ còn 3 hộ nghèo" does not
    # answer "how many households demolished fences in Sìn Hồ?".
    named = c.fit >= 1.0 and bool(c.nouns_asked) and (not said or evidence > 0 or closest(view, c.start))
    floor = MIN_SENTENCE_COVERAGE if c.kind == "other" else 2 * MIN_PROXIMITY if c.kind == "person" else MIN_PROXIMITY
    if min(prox, evidence) + (0.1 if named else 0.0) < floor:  # a person's title stands next to the name
        return 0.0
    if c.kind in ("place", "org", "person") and view.coverage < NAMED_COVERAGE and prox < NEAR:
        return 0.0  # a name far from the few question words the passage holds answers something else
    rank = 1.0 / max(view.passage.rank, 1)
    in_focus = 1.0 if view.focus[0] <= c.start < view.focus[1] else 0.0
    score = 0.3 * c.fit + 0.35 * prox + 0.2 * view.coverage + 0.1 * rank + 0.05 * in_focus
    if c.name:
        repeated = sum(w in asked for w in c.name) / len(c.name)
        if repeated >= 0.99 and c.kind != "list":
            return 0.0  # "thành phố Sơn La" when the question names Sơn La: not the answer
        score *= 1.0 - 0.6 * repeated
    return score * c.penalty * (1.0 if view.names_here else 0.85)


def _evidence_sentence(view: PassageView, terms: list[Term]) -> tuple[float, int] | None:
    """(share of the question it holds, start) of the passage's sentence that holds most of the
    question, and its quoted names if it has any. Names found elsewhere in the article count 0.7."""
    quoted = [i for i, t in enumerate(terms) if t.parts]
    total = sum(t.weight for t in terms) or 1.0
    best = None
    for s, e in view.sentences:
        a, b = view.token_range(s, e)
        here = [max([c for x, y, c in hits if a <= x and y <= b], default=0.0) for hits in view.hits]
        if any(here[i] < LOOSE_MIN for i in quoted):
            continue
        cover = sum(t.weight * max(c, 0.7 if t.required and found else 0.0)
                    for t, c, found in zip(terms, here, view.elsewhere)) / total
        if best is None or cover > best[0]:
            best = (cover, s)
    return best


def _article_place(view: PassageView, qtype: QuestionType, terms: list[Term], asked: set[str],
                   texts: Sequence[str]) -> tuple[float, Candidate] | None:
    """When the sentence that answers a "which district / where" question names no place of
    the asked kind ("... do UBND các xã triển khai như: “Ngày thứ bảy về với dân”"), the place
    is the article's own, from its title ("... ở Đảng bộ Thanh Liêm"), cited at that sentence."""
    evidence = _evidence_sentence(view, terms) if qtype.kind == "place" else None
    if evidence is None or min(evidence[0], view.coverage) < NAMED_COVERAGE:
        return None  # an answer from outside the sentence needs the sentence to hold the question
    cover, start = evidence
    end = view.sentence_of(start)[1]
    nouns = {fold(n) for n in qtype.nouns}
    own = places(view.text) + ([] if nouns else locatives(view.text))
    if any(start <= sp.start < end and (not nouns or fold(sp.head) in nouns) for sp in own):
        return None  # the sentence names its own place: that one answers
    found = article_place(view.passage.article.title, texts)
    if found is None or {w for w, *_ in tokens(found[0])} <= asked:
        return None
    name, head = found
    if nouns and (fold(head) not in nouns if head else not nouns & {fold(w) for w in _ARTICLE_LEVELS}):
        return None  # the article is about a district; the question asks for a commune
    fit = 1.0 if head else 0.8
    text = f"{head} {name}" if head and any(f"{head} {name}" in t for t in texts) else name
    in_focus = 1.0 if view.focus[0] <= start < view.focus[1] else 0.0
    # The place stands outside the sentence (the question's words count half, as in another
    # sentence), and a place the sentence names itself is the better answer.
    score = 0.3 * fit + 0.35 * 0.5 * cover + 0.2 * view.coverage + 0.1 / max(view.passage.rank, 1) + 0.05 * in_focus
    return score * INDIRECT * (1.0 if view.names_here else 0.85), Candidate(start, start, text, qtype.kind, fit)


def extract_answer(question: str, passages: Sequence[Passage], authors: Mapping[str, str | None] = {},
                   also_ratio: float = default("also_ratio"), max_answers: int = default("max_answers"),
                   dense=None) -> tuple[Answer | None, tuple[Answer, ...]]:
    """(best answer or None, answers from other articles that also fit) for the ranked passages;
    `authors` (article id -> byline) answers "who wrote ...?"; `dense` ((article id, offset)
    pairs -> question similarities, `Retriever.dense_similarity`) tells which sentence the
    question is closest to."""
    qtype = classify_question(question)
    if qtype.kind == "author":
        return byline(passages, authors), ()
    terms = question_terms(question, qtype)
    asked = {w for t in terms for f in (*t.forms, *(a for p in t.parts for a in p)) for w in f}
    asked_numbers = {f[0] for t in terms for f in t.forms if len(f) == 1 and f[0][:1].isdigit()}
    asked_numbers |= set(re.findall(r"\d+-[A-ZĐ]+/[A-ZĐ]+", question))
    # Question words that end a list item ("Dao và Kinh sinh sống"); names may belong to the item.
    stop = {w for t in terms if not t.name for f in t.forms for w in f if not w.isdigit()}
    scored: list[tuple[float, Candidate, PassageView]] = []
    article_words: dict[str, list[str]] = {}
    article_texts: dict[str, list[str]] = {}
    for passage in passages:  # what each article's retrieved passages and title say, together
        words = article_words.setdefault(passage.article.id, [t[0] for t in tokens(passage.article.title)])
        words += ["|"] + [t[0] for t in tokens(passage.text)]
        article_texts.setdefault(passage.article.id, []).append(passage.text)
    found_in = {a: [bool(occurrences(words, t)) for t in terms] for a, words in article_words.items()}
    views = [PassageView(passage, terms, found_in[passage.article.id]) for passage in passages]
    closest = closest_sentence(views, dense)
    for view in views:
        passage = view.passage
        if not view.on_topic:
            continue
        found = candidates(view, qtype, asked_numbers, stop, terms)
        if qtype.total and found:
            biggest = max((c.value or 0) for c in found)
            for c in found:
                c.penalty *= 1.15 if c.value == biggest else 0.9
        ranges = [view.token_range(c.start, c.end) for c in found if c.fit >= 0.5]
        scored.extend((_score(view, c, terms, asked, ranges, closest), c, view) for c in found)
        if fallback := _article_place(view, qtype, terms, asked, article_texts[passage.article.id]):
            scored.append((fallback[0], fallback[1], view))
    scored = [s for s in scored if s[0] >= MIN_SCORE]
    if not scored:
        return None, ()
    scored.sort(key=lambda s: (-s[0], s[2].passage.rank, s[1].start))
    best_score = scored[0][0]
    answers, seen_articles = [], set()
    for score, cand, view in scored:
        article = view.passage.article.id
        if article in seen_articles:
            continue
        if answers and qtype.several and qtype.kind in ("place", "org", "person"):
            if score < SEVERAL_RATIO * best_score:
                continue
        elif answers and (score < also_ratio * best_score or cand.fit < scored[0][1].fit):
            continue
        if any(fold(cand.text) == fold(a.text) for a in answers):
            continue
        seen_articles.add(article)
        s, e = view.sentence_of(cand.start)
        answers.append(Answer(text=cand.text, sentence=view.text[s:e], passage=view.passage.rank,
                              confidence=round(min(1.0, score / 0.8), 3), kind=qtype.kind,
                              value=cand.value, unit=cand.unit))
    return answers[0], tuple(answers[1:max_answers])
