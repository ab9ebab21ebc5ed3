"""Features of each candidate span: what the learned scorer weighs (`scorer`).

Per sentence: the dense similarity of the question to the sentence and to the sentence in
its context (the index's own e5 vectors; nothing is embedded here), and how far each falls
below the best sentence of the pool; the share of the question's folded content terms the
sentence holds (and its gap to the best), and the same weighted by how few of the pool's sentences
hold each term; the share of the question's names its passage holds, and the sentence; the
passage's fused retrieval score and rank. Per candidate: the question terms in a
window around it, the distance in words to the nearest one, how much of it repeats the
question or is function words, its length and position, its kinds (`candidates.FLAGS`) and
those kinds crossed with the asked type, whether it cuts a word of the lexicon, whether a figure stands next to or holds a question
word or has what the question counts after its number (or counts only other nouns; a number ending the candidate counts the word after it in the sentence, unless the noun asked stands before it; compared as typed where question and sentence both have tone marks, since folded "hồ" is "hộ"), whether it is in the unit the question names or another, how much of the words beside the question phrase (`QuestionAnalysis.before` / `after`)
stand beside it, how much of what the question asks besides its names stands around it, and
a few signals crossed with "asked in English" (where lexical overlap with Vietnamese text
means little). Each sentence's layout (word offsets, term and predicate positions) is found
once and bisected per candidate. The words at a candidate's edges crossed with the asked type
(hashed) were tried and dropped: they fitted the training articles and lost on held-out ones. Does not decide anything.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from qa.answer.candidates import FLAGS, Candidate, Sentence
from qa.answer.counts import counted_share, counts_other, in_figure, prefix_match
from qa.answer.question import TYPES, QuestionAnalysis, compared_word, stopwords, word_list
from qa.lang.lexicon import word_edges
from qa.lang.text import fold, has_diacritics, phrase_spans
from qa.records import Passage

WINDOW = 8  # words on each side of a candidate that count as "around" it
GAP = 3  # how many words off an anchor may stand and still count as "near"
_BASE = ("sent_cos", "ctx_cos", "sent_cos_gap", "ctx_cos_gap", "lex", "lex_gap", "names", "fused", "inv_rank",
         "focus", "lex_win", "near", "no_term", "repeat", "function", "log_len", "one_word", "short", "long",
         "rel_len", "rel_pos", "cap_start")
_EN = ("en_sent_cos", "en_ctx_cos", "en_lex", "en_lex_win", "en_near", "en_repeat", "en_sent_names", "en_lex_idf")
# A figure next to, or holding, the noun the question counts ("09 tập thể" for "bao nhiêu tập thể");
# "counted": the words after the question phrase ("bao nhiêu [loài cây]") follow the figure's
# number inside the candidate ("16.000 loài", not "390 tỷ cây"); "miscounted": a number counts
# another noun than the one asked ("56 gương" for "bao nhiêu hộ", or "how many households").
_ADJACENT = ("before_term", "after_term", "figure_x_repeat", "figure_x_after_term", "counted", "miscounted")
_FIGURES = frozenset({"number", "money", "percent", "duration"})
_MEASURED = frozenset({"money", "percent", "duration", "date"})  # figures with a unit, not a count
# The question's words before / after its question phrase, found just before / after the
# candidate ("thiết kế bởi [Adam Idźkowski]" for "… được thiết kế bởi ai?"), or a few words off.
_ANCHORS = ("anchor_before", "anchor_after", "anchor_before_near", "anchor_after_near")
# What the question says besides its names ("demolished fences" of "... in Sìn Hồ?") around the
# candidate: a name places the sentence, not the answer in it.
_PREDICATE = ("predicate_win", "no_predicate")
# An answer is whole words: "splits_word" when the candidate starts or ends inside a word of the
# lexicon's segmentation (`lexicon.word_edges`: "trận kề" out of "ma trận kề").
_SENTENCE = ("sent_names", "sent_names_gap", "lex_idf", "lex_idf_gap")
# A figure in the unit the question names ("8.646 dặm vuông" for "bao nhiêu dặm vuông"), or in
# another unit ("22.392 km"): `QuestionAnalysis.unit` against the candidate's parsed unit.
_UNITS = ("unit_asked", "unit_other")
NAMES = (_BASE + _ADJACENT + _ANCHORS + _PREDICATE + ("best_lex", "best_dense", "splits_word") + _SENTENCE + _UNITS + tuple(f"is_{f}" for f in FLAGS) + tuple(f"asked_{t}" for t in TYPES)
         + tuple(f"{t}_x_{f}" for t in TYPES for f in FLAGS) + _EN)
_INDEX = {name: i for i, name in enumerate(NAMES)}
_SENT_NAMES, _SENT_NAMES_GAP, _LEX_IDF, _LEX_IDF_GAP = (_INDEX[name] for name in _SENTENCE)
_UNIT_ASKED, _UNIT_OTHER = (_INDEX[name] for name in _UNITS)
(_BEFORE_TERM, _AFTER_TERM, _FIGURE_X_REPEAT, _FIGURE_X_AFTER_TERM, _COUNTED, _MISCOUNTED, _ANCHOR_BEFORE, _ANCHOR_AFTER, _ANCHOR_BEFORE_NEAR,
 _ANCHOR_AFTER_NEAR, _PREDICATE_WIN, _NO_PREDICATE, _BEST_LEX, _BEST_DENSE, _SPLITS_WORD) = (
    _INDEX[name] for name in _ADJACENT + _ANCHORS + _PREDICATE + ("best_lex", "best_dense", "splits_word"))


def _sentence_rows(q: QuestionAnalysis, passages: Sequence[Passage], sents: Sequence[Sentence],
                   dense: np.ndarray, spans: list[list[tuple[str, int, int]]]) -> tuple[list[list[str]], np.ndarray]:
    """(folded words of each sentence, per-sentence features [sent_cos, ctx_cos, lex, names,
    sent_names, lex_idf]): "names" is the share of the question's names its passage holds,
    "sent_names" the share the sentence itself holds (names are written alike in both languages),
    "lex_idf" the share of the question's terms weighted by how few of these sentences hold each
    (a term every sentence repeats places nothing)."""
    terms = q.terms
    folded = [[fold(w) for w, _, _ in words] for words in spans]
    passage_words = [set(fold(w) for w, _, _ in word_list(p.text)) for p in passages]
    rows = np.zeros((len(sents), 6), dtype=np.float64)
    held = [terms & set(words) for words in folded]
    weight = {term: math.log(1.0 + len(sents) / (1 + sum(term in h for h in held))) for term in terms}
    total = math.fsum(weight.values())  # exact, so no order of the set changes the last bit
    names, distinct = q.names, set(q.names)
    for i, s in enumerate(sents):
        rows[i, 0:2] = dense[i]
        rows[i, 2] = len(held[i]) / len(terms) if terms else 0.0
        rows[i, 3] = sum(n in passage_words[s.passage] for n in names) / len(names) if names else 1.0
        rows[i, 4] = len(distinct.intersection(folded[i])) / len(distinct) if names else 1.0
        rows[i, 5] = math.fsum(weight[term] for term in held[i]) / total if total else 0.0
    return folded, rows


def matrix(q: QuestionAnalysis, passages: Sequence[Passage], sents: Sequence[Sentence],
           cands: Sequence[Candidate], dense: np.ndarray) -> np.ndarray:
    """One row of NAMES per candidate. `dense[i]` is (question·sentence, question·context) of sentence i."""
    X = np.zeros((len(cands), len(NAMES)), dtype=np.float64)
    if not cands:
        return X
    spans = [word_list(s.text) for s in sents]
    folded, rows = _sentence_rows(q, passages, sents, dense, spans)
    best = rows.max(axis=0)
    terms, english = q.terms, q.english
    accented = [has_diacritics(s.text) for s in sents]
    # words as typed (lower-case, tone marks kept), where the question and the sentence both have marks
    typed_words = [[w.lower() for w, _, _ in at] if q.after_typed and marked else None for at, marked in zip(spans, accented)]
    layout = [_Layout.of(at, words, q, marked) for at, words, marked in zip(spans, folded, accented)]
    asked = TYPES.index(q.asked) if q.asked in TYPES else TYPES.index("other")
    flag_columns = {f: (_INDEX[f"is_{f}"], _INDEX[f"{TYPES[asked]}_x_{f}"]) for f in FLAGS}
    base = len(_BASE)
    asked_column = _INDEX[f"asked_{TYPES[asked]}"]
    en_columns = [(_INDEX[name], _INDEX[name[3:]]) for name in _EN]
    n_terms, n_predicate = len(terms), len(q.predicate)
    for n, c in enumerate(cands):
        s, words, at = sents[c.sentence], folded[c.sentence], layout[c.sentence]
        lo, hi = bisect_left(at.starts, c.start), bisect_right(at.ends, c.end)
        first, last = (lo, hi - 1) if hi > lo else (0, -1)
        left, right = bisect_left(at.terms, first), bisect_right(at.terms, last)
        around = {words[i] for i in at.terms[bisect_left(at.terms, first - WINDOW):left]} | \
                 {words[i] for i in at.terms[right:bisect_right(at.terms, last + WINDOW)]}
        gaps = ([first - at.terms[left - 1]] if left > 0 else []) + ([at.terms[right] - last] if right < len(at.terms) else [])
        distance = min(gaps, default=None)
        mine = words[first:last + 1]
        size, length = len(mine), max(len(words), 1)
        sent_cos, ctx_cos, lex, names, sent_names, lex_idf = rows[c.sentence]
        p = passages[s.passage]
        repeat = (right - left) / size if size else 0.0  # its words that are question terms
        # The row is a list filled in NAMES order (numpy rows are slow to fill item by item);
        # the first len(_BASE) values are _BASE's, in its order.
        row = [sent_cos, ctx_cos, sent_cos - best[0], ctx_cos - best[1], lex, lex - best[2], names, p.score,
               1.0 / p.rank, float(s.focus), len(around) / n_terms if n_terms else 0.0,
               1.0 / (1.0 + distance) if distance is not None else 0.0, float(distance is None), repeat,
               (at.functions[last + 1] - at.functions[first]) / size if size else 0.0, math.log1p(size), float(size == 1),
               float(size <= 4), float(size > 12), size / length, first / length, float(c.text[:1].isupper())]
        row += [0.0] * (len(NAMES) - base)
        figure = float(bool(c.flags & _FIGURES))
        row[_BEFORE_TERM] = float(first > 0 and words[first - 1] in terms)
        row[_AFTER_TERM] = after = float(last + 1 < len(words) and words[last + 1] in terms)
        row[_FIGURE_X_REPEAT] = figure * repeat
        row[_FIGURE_X_AFTER_TERM] = figure * after
        # What a figure counts is compared as both are typed when both have tone marks ("hồ" is not "hộ").
        compared = typed_words[c.sentence] or words
        typed = compared is not words
        counts, after = (compared[first:last + 1], q.after_typed) if typed else (mine, q.after)
        if figure and q.after:
            row[_COUNTED] = counted_share(counts, after)
        if q.countable and "money" in c.flags:
            row[_MISCOUNTED] = 1.0  # "how many districts" counts districts: a sum of money never does
        elif q.counted and not c.flags & _MEASURED:
            # A number at the candidate's end counts the word after it in the sentence ("05" of "Chỉ
            # thị 05 về …"), unless the noun asked stands before it ("ở tuổi 38" for "bao nhiêu tuổi").
            counted = frozenset(after[:1]) if typed else q.counted
            if counts and last + 1 < len(words) and in_figure(counts[-1]) and not (first and compared[first - 1] in counted):
                counts = counts + [compared[last + 1]]
            row[_MISCOUNTED] = counts_other(counts, counted)
        if n_predicate and not at.spotless:
            found = sum(any(max(0, first - WINDOW) <= a and b <= first or last + 1 <= a and b <= last + 1 + WINDOW
                            for a, b in spots) for spots in at.predicate)
            row[_PREDICATE_WIN] = found / n_predicate
            row[_NO_PREDICATE] = float(not found)
        elif n_predicate:
            row[_NO_PREDICATE] = 1.0  # none of what it asks stands anywhere in the sentence
        if q.before:
            row[_ANCHOR_BEFORE] = _suffix_match(words, first, q.before)
            row[_ANCHOR_BEFORE_NEAR] = max(_suffix_match(words, j, q.before) for j in range(first - GAP, first))
        if q.after:
            row[_ANCHOR_AFTER] = prefix_match(words, last + 1, q.after)
            row[_ANCHOR_AFTER_NEAR] = max(prefix_match(words, j, q.after) for j in range(last + 2, last + 2 + GAP))
        row[_BEST_LEX] = float(lex >= best[2] and lex > 0)
        row[_BEST_DENSE] = float(sent_cos >= best[0])
        row[_SPLITS_WORD] = float(size > 0 and not (at.opens[first] and at.closes[last]))
        row[_SENT_NAMES], row[_SENT_NAMES_GAP] = sent_names, sent_names - best[4]
        row[_LEX_IDF], row[_LEX_IDF_GAP] = lex_idf, lex_idf - best[5]
        if q.unit and c.unit and c.flags & _FIGURES:
            row[_UNIT_ASKED if c.unit.split("/")[0] == q.unit else _UNIT_OTHER] = 1.0
        for f in c.flags:
            kind, crossed = flag_columns[f]
            row[kind] = row[crossed] = 1.0
        row[asked_column] = 1.0
        if english:
            for column, source in en_columns:
                row[column] = row[source]
        X[n] = row
    return X


@dataclass(frozen=True)
class _Layout:
    """Where a sentence's words are, computed once for all its candidates: word start and end
    offsets, the positions of the question's terms, per predicate group of the question the
    (start, end) word positions where one of its forms stands, and how many of the first i
    words are function words (`functions[i]`, compared as the sentence is typed), and which
    words open and close a lexicon word (`lexicon.word_edges`)."""
    starts: list[int]
    ends: list[int]
    terms: list[int]
    predicate: list[list[tuple[int, int]]]
    functions: list[int]
    opens: tuple[bool, ...]
    closes: tuple[bool, ...]

    @property
    def spotless(self) -> bool:
        """No form of what the question asks stands in the sentence."""
        return not any(self.predicate)

    @classmethod
    def of(cls, spans: list[tuple[str, int, int]], words: list[str], q: QuestionAnalysis, accented: bool) -> "_Layout":
        """`accented`: the sentence is typed with tone marks (as `candidates.in_sentence` decides it)."""
        spots = [[span for form in forms for span in phrase_spans(words, form)] for forms in q.predicate]
        stop, functions = stopwords(accented), [0]
        for w, _, _ in spans:
            functions.append(functions[-1] + (compared_word(w, accented) in stop))
        return cls([a for _, a, _ in spans], [b for _, _, b in spans],
                   [i for i, w in enumerate(words) if w in q.terms], spots, functions,
                   *word_edges(tuple(w for w, _, _ in spans)))


def _suffix_match(words: list[str], end: int, anchor: tuple[str, ...]) -> float:
    """How much of the end of `anchor` the words just before position `end` repeat (0..1).

    >>> _suffix_match(["xay", "dung", "vao", "nam", "1890"], 3, ("xay", "dung", "vao"))
    1.0
    """
    k = 0
    while k < len(anchor) and 0 <= end - k - 1 < len(words) and words[end - k - 1] == anchor[-k - 1]:
        k += 1
    return k / len(anchor) if anchor else 0.0
