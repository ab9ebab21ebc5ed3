"""Evidence: where a question's terms occur in a passage, and how near they stand to a span.

A `PassageView` tokenises a passage (folded syllables, numbers without thousands dots),
finds every occurrence of each question term, and measures the passage's coverage of the
question. `proximity` scores a span by the question terms around it: near ones count more,
and words in another sentence, across a ";" or a ")", or on the far side of another
candidate count less (they describe something else). `closest_sentence` says which
sentence of the pool the question is closest to by the index's dense vectors. Does not
choose answers (`stage`).
"""
from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Callable, Sequence

from qa.answer.rules.terms import Term
from qa.ingest.chunking import sentence_spans
from qa.lang.numbers import vi_words
from qa.lang.numwords import as_digits
from qa.lang.text import drop_thousands_dots, fold, phrase_spans
from qa.records import Passage

LOOSE_MIN = 0.7  # a quoted name is found when this much of it is there (see `loose_hits`)
MIN_COVERAGE = 0.3  # share of the question's evidence a passage must hold to be read at all
DECAY = 3.0  # a question word d tokens away counts 1 / (1 + d / DECAY), or a flatter 0.6 / (1 + d / 4 DECAY)
_TOK = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")

_fold_word = lru_cache(maxsize=65536)(fold)


@lru_cache(maxsize=1024)
def tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    """(folded syllable or number without thousands dots, start, end) for each token of text."""
    return tuple((drop_thousands_dots(m.group(0)) if m.group(0)[0].isdigit() else _fold_word(m.group(0)),
                  m.start(), m.end()) for m in _TOK.finditer(text))


def _part_at(words: Sequence[str], i: int, alternatives: tuple[tuple[str, ...], ...]) -> int:
    """Length of the first alternative that occurs at words[i], or 0."""
    return next((len(a) for a in alternatives if tuple(words[i:i + len(a)]) == a), 0)


def _common(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two short word lists."""
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for k, y in enumerate(b):
            prev, row[k + 1] = row[k + 1], prev + 1 if x == y else max(row[k + 1], row[k])
    return row[-1]


def _ordered(norm: Sequence[str], name: tuple[str, ...]) -> list[tuple[float, int, int]]:
    """Windows from the name's first word to its last, scored as word-set overlap: common
    words / (name words + extra words). "Ngày thứ bảy về với dân" for "Ngày thứ 7 với dân"
    scores 5/6; "nuôi ong lấy mật" never matches "nuôi ong lấy sữa" (the last word differs),
    nor "Ngày thứ 6 ..." "Ngày thứ 7 ..." (a number names the thing)."""
    out = []
    for i in (i for i, w in enumerate(norm) if w == name[0]):
        for e in range(i + 1, min(len(norm), i + len(name) + 2) + 1):
            window = norm[i:e]
            if window[-1] != name[-1] or any(w.isdigit() for w in set(window) ^ set(name)):
                continue
            common = _common(window, name)
            out.append((common / (len(name) + len(window) - common), i, e))
    return out


def _scattered(norm: Sequence[str], parts) -> list[tuple[float, int, int]]:
    """Windows a little longer than the translated words, scored as the share of them found
    in any order: 'Saturday with the people' is in "thứ 7 với dân"."""
    longest = sum(max((len(a) for a in p), default=1) for p in parts)
    span = longest + len(parts) + 1
    out = []
    for i in range(len(norm)):
        if not any(_part_at(norm, i, p) for p in parts):
            continue
        used, end = set(), i
        for j in range(i, min(len(norm), i + span)):
            k = next((k for k, p in enumerate(parts) if k not in used and j >= end and 0 < _part_at(norm, j, p)
                      and j + _part_at(norm, j, p) <= i + span), None)
            if k is not None:
                used.add(k)
                end = j + _part_at(norm, j, parts[k])
        out.append((len(used) / len(parts), i, end))
    return out


def loose_hits(words: Sequence[str], term: Term) -> list[tuple[int, int, float]]:
    """Where a quoted name occurs loosely: (first token, end token, similarity >= LOOSE_MIN).
    Words are compared folded, spelled-out numbers as digits ("bảy" = "7")."""
    if not term.parts:
        return []
    norm = [as_digits(w) for w in words]
    if term.scattered:
        found = _scattered(norm, term.parts)
    else:
        found = _ordered(norm, tuple(p[0][0] for p in term.parts))
    hits: list[tuple[int, int, float]] = []
    for sim, a, b in sorted(found, key=lambda f: (-f[0], f[1])):  # the best non-overlapping windows
        if sim >= LOOSE_MIN and all(b <= x or a >= y for x, y, _ in hits):
            hits.append((a, b, round(sim, 3)))
    return sorted(hits)


def occurrences(words: Sequence[str], term: Term) -> list[tuple[int, int, float]]:
    """(first token, end token, credit) of every occurrence of a term: exact forms count 1."""
    exact = [(x, y, 1.0) for f in term.forms for x, y in phrase_spans(words, f)]
    return exact + [h for h in loose_hits(words, term) if all(h[1] <= x or h[0] >= y for x, y, _ in exact)]


def _in_compound(text: str, toks: Sequence[tuple[str, int, int]]) -> list[bool]:
    """For each token: is it one syllable of a longer word (pyvi: "giá" in "giá trị")?"""
    starts, pos = {}, 0
    for word in vi_words(text):
        sylls = word.split()
        for syl in sylls:
            i = text.find(syl, pos)
            if i < 0:
                break
            starts[i] = len(sylls) > 1
            pos = i + len(syl)
    return [starts.get(start, False) for _, start, _ in toks]


class PassageView:
    """A passage tokenised, with where each question term occurs in it.

    `elsewhere[i]`: term i occurs in the article's title or in another retrieved passage of
    the same article: a passage deep inside an article about Sìn Hồ need not repeat "Sìn Hồ".
    """

    def __init__(self, passage: Passage, terms: list[Term], elsewhere: list[bool]):
        self.passage = passage
        self.elsewhere = elsewhere
        self.text = passage.text
        self.toks = tokens(passage.text)
        self.words = [t[0] for t in self.toks]
        inside = _in_compound(passage.text, self.toks) if any(t.single for t in terms) else None
        # (first token, end token, credit): a one-syllable word inside a compound counts 0.3
        self.hits = [sorted((x, y, 0.3 if t.single and inside and inside[x] else c)
                            for x, y, c in occurrences(self.words, t)) for t in terms]
        total = sum(t.weight for t in terms)
        found = sum(t.weight * max([c for *_, c in h] + [0.7 if e else 0.0]) for t, h, e in zip(terms, self.hits, elsewhere))
        self.coverage = found / total if total else 0.5
        self.on_topic = all(h or e or not t.required for t, h, e in zip(terms, self.hits, elsewhere)) \
            and self.coverage >= MIN_COVERAGE
        self.names_here = all(h or not t.required for t, h in zip(terms, self.hits))
        self.sentences = sentence_spans(passage.text) or [(0, len(passage.text))]
        self.focus = (passage.sentence_start - passage.start, passage.sentence_end - passage.start)

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        a = next((i for i, t in enumerate(self.toks) if t[2] > start), len(self.toks))
        b = next((i for i, t in enumerate(self.toks) if t[1] >= end), len(self.toks))
        return a, max(a, b)

    def sentence_of(self, pos: int) -> tuple[int, int]:
        return next((s for s in self.sentences if s[0] <= pos < s[1] + 1), self.sentences[-1])


def proximity(view: PassageView, terms: list[Term], a: int, b: int, inside: bool = False,
               others: Sequence[tuple[int, int]] = (), names: bool = True) -> float:
    """Weighted share of question terms near tokens [a, b) (or inside them, for sentences).
    Names and years are left out for sentences, and when `names` is false: they place a
    sentence, they do not say what in it answers."""
    pairs = [(t, h) for t, h in zip(terms, view.hits) if not ((inside or not names) and t.required)]
    total = sum(t.weight for t, _ in pairs) or 1.0
    here = view.sentence_of(view.toks[a][1] if a < len(view.toks) else 0)
    got = 0.0
    for term, hits in pairs:
        best = 0.0
        for x, y, credit in hits:
            if inside:
                best = max(best, credit if a <= x and y <= b else 0.0)
                continue
            if a <= x and y <= b:
                continue  # a term inside the candidate is repetition, not evidence
            d = a - y if y <= a else x - b if x >= b else 0
            w = max(1.0 / (1.0 + d / DECAY), 0.6 / (1.0 + d / (4 * DECAY)))
            if view.sentence_of(view.toks[x][1]) != here:
                w *= 0.5
            lo, hi = sorted((view.toks[min(x, len(view.toks) - 1)][1], view.toks[min(a, len(view.toks) - 1)][1]))
            # "...; Đảng ủy xã Đăk Tăng với ...": another clause; "(Hội CCB), “Đường cây ...”": another item
            w *= 0.3 ** view.text.count(";", lo, hi) * 0.5 ** view.text.count(")", lo, hi)
            if any(min(x, a) < oa and ob <= max(y, b) and (oa, ob) != (a, b) for oa, ob in others):
                w *= 0.3  # another candidate stands in between: the word is about that one
            best = max(best, w * credit)
        got += term.weight * best
    return got / total


def closest_sentence(views: Sequence[PassageView], dense) -> Callable[[PassageView, int], bool]:
    """Whether the sentence at an offset of a view is the pool's closest to the question, by the
    index's dense vectors (`dense`: (article id, offset) -> similarities); computed once, when
    first asked. Without `dense`, every sentence counts as closest (lexical evidence only)."""
    if dense is None:
        return lambda view, at: True

    @cache
    def best() -> tuple[str, int]:
        keys = sorted({(v.passage.article.id, v.passage.start + s) for v in views for s, _ in v.sentences})
        return keys[int(dense(keys)[:, 0].argmax())] if keys else ("", -1)

    return lambda view, at: (view.passage.article.id, view.passage.start + view.sentence_of(at)[0]) == best()
