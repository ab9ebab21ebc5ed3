"""Diacritics for a question typed without them: the corpus' own usage plus general Vietnamese.

`accent_table` maps each folded syllable and syllable pair of a corpus to its most frequent
accented form (the index keeps it as `accents.json`). `restore_diacritics` chooses, for each
folded syllable of a question, one accented form by Viterbi over a simple score: how likely
the form is for that folded syllable (partly the corpus' choice, mostly general Vietnamese)
and how likely each adjacent pair is, read forwards and backwards (pairs seen in general text,
in the corpus, or spelling a dictionary word). The constants were chosen on the seed
articles' sentences, each restored with the other articles' table (bench/restore.py --seeds). General Vietnamese is
`qa/data/vi_syllable_freq.json` (VLSP 2013 news and wordfreq, by bench/fit_text_data.py), so
"ai dang lam" restores to "ai đang làm" even in a corpus full of "Đảng", and a place name
only the corpus knows ("kon plong" -> "kon plông") still comes back. The question keeps the
case and punctuation it was typed with. Lossy by nature: the result is what search and the
answer stage read, never displayed.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import lru_cache

from qa.lang.lexicon import lexicon
from qa.lang.text import TOKEN, fold, normalize, syllables
from qa.lang.wordlists import table as data_table

CORPUS_SHARE = 0.3  # of a folded syllable's forms, the share given to the corpus' choice
CORPUS_PAIR = 3.0  # a pair the corpus writes this way counts as this many sightings in general text
WORD_BONUS = 4.0  # log-score bonus of a pair that spells a two-syllable word of pyvi's lexicon
SMOOTHING = 30.0  # Dirichlet prior of P(form | previous form) towards P(form)
UNSEEN = 1e-7  # probability of a syllable no source knows (a name): kept as typed


def accent_table(texts) -> dict[str, str]:
    """folded syllable / syllable pair -> its most frequent accented form in `texts`."""
    return table_from_counts(update_accent_counts({}, list(texts), []))


def accent_counts(text: str) -> Counter:
    """(folded syllable or pair, accented form) -> occurrences, as `accent_table` counts."""
    sylls = syllables(text)
    folded = [fold(s) for s in sylls]
    counts = Counter(zip(folded, sylls))
    counts.update((f"{fa} {fb}", f"{a} {b}") for fa, fb, a, b in zip(folded, folded[1:], sylls, sylls[1:]))
    return counts


def update_accent_counts(base: dict[str, dict[str, int]], add: list[str], remove: list[str]) -> dict:
    for texts, sign in ((add, 1), (remove, -1)):
        for text in texts:
            for (key, form), n in accent_counts(text).items():
                forms = base.setdefault(key, {})
                forms[form] = forms.get(form, 0) + sign * n
                if forms[form] <= 0:
                    del forms[form]
                    if not forms:
                        del base[key]
    return base


def table_from_counts(counts: dict[str, dict[str, int]]) -> dict[str, str]:
    """folded -> most frequent accented form (ties: the greater string, so any build order agrees)."""
    table = {}
    for key, forms in counts.items():
        best = max(forms.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if best != key:
            table[key] = best
    return table


@lru_cache(maxsize=1)
def _general() -> tuple[dict, dict[str, float], dict[str, float], dict[str, float]]:
    """General text: folded syllable -> {form: P(form)}, "form form" -> count (VLSP news), and
    each form's count as the first and as the second of a pair."""
    freq = data_table("vi_syllable_freq")
    total = sum(freq["unigrams"].values())
    by_fold: dict[str, dict[str, float]] = defaultdict(dict)
    for form, f in freq["unigrams"].items():
        by_fold[fold(form)][form] = f / total
    bigrams = freq["bigrams"]
    left: Counter = Counter()
    right: Counter = Counter()
    for pair, n in bigrams.items():
        a, b = pair.split(" ", 1)
        left[a] += n
        right[b] += n
    return dict(by_fold), bigrams, dict(left), dict(right)


def _candidates(folded: str, table: dict[str, str]) -> dict[str, float]:
    """Accented forms of one folded syllable with their probabilities P(form)."""
    general = _general()[0].get(folded, {})
    corpus = table.get(folded, folded if not general else None)
    mass = sum(general.values()) or UNSEEN
    share = CORPUS_SHARE if corpus else 0.0
    probs = {form: (1 - share) * p for form, p in general.items()}
    if corpus:
        probs[corpus] = probs.get(corpus, 0.0) + share * mass
    return probs


def _pair(prev: str, p_prev: float, form: str, p_form: float, pair_fold: str, table: dict[str, str]) -> float:
    """Half of log P(form | prev) + log P(prev | form): the pair counts of general text (plus the
    corpus' pair), smoothed towards P(form) and P(prev), plus WORD_BONUS when the pair is a
    dictionary word: the news sample is small, and a word ("bao nhiêu", "tối thiểu") is a
    stronger unit than a pair seen across a word boundary ("được bảo", "nhiều điểm")."""
    _, bigrams, left, right = _general()
    pair = f"{prev} {form}"
    corpus = CORPUS_PAIR if table.get(pair_fold) == pair else 0.0
    seen = bigrams.get(pair, 0) + corpus
    forward = (seen + SMOOTHING * p_form) / (left.get(prev, 0) + corpus + SMOOTHING)
    backward = (seen + SMOOTHING * p_prev) / (right.get(form, 0) + corpus + SMOOTHING)
    return 0.5 * (math.log(forward) + math.log(backward)) + (WORD_BONUS if pair in _words() else 0.0)


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    return frozenset(w for w in lexicon()[0] if w.count(" ") == 1)


def restore_diacritics(text: str, table: dict[str, str]) -> str:
    """Put diacritics back on a question typed without them, keeping its case, numbers and
    punctuation as typed (a capital is how the answer stage knows a name):

    >>> restore_diacritics("Broncos ghi duoc bao nhieu diem?", {})
    'Broncos ghi được bao nhiêu điểm?'
    """
    text = normalize(text)
    lowered = text.lower()
    forms = _restored(syllables(text), table)
    spans = [m.span() for m in TOKEN.finditer(lowered)]
    if len(lowered) != len(text):  # a letter whose lower case is longer: offsets would not agree
        return " ".join(forms)
    out, pos = [], 0
    for (start, end), form in zip(spans, forms):
        written = text[start:end]
        out += [text[pos:start], written if written[0].isdigit() else _cased(form, written)]
        pos = end
    return "".join(out + [text[pos:]])


def _cased(form: str, written: str) -> str:
    """`form` (lower case) with the case of each letter as `written` has it ("Ha" -> "Hà")."""
    if len(form) != len(written):
        return form[:1].upper() + form[1:] if written[:1].isupper() else form
    return "".join(f.upper() if w.isupper() else f for f, w in zip(form, written))


def _restored(sylls: list[str], table: dict[str, str]) -> list[str]:
    """The accented form (lower case) of each syllable, by Viterbi over the lattice of its forms."""
    folded = [fold(s) for s in sylls]
    if not folded:
        return []
    lattice = [_candidates(s, table) for s in folded]
    # Viterbi over the mean of a forward and a backward bigram model: each starts with P(form).
    best = {form: (0.5 * math.log(p), [form]) for form, p in lattice[0].items()}
    for i in range(1, len(folded)):
        pair_fold = f"{folded[i - 1]} {folded[i]}"
        step = {}
        for form, p in lattice[i].items():
            step[form] = max(((score + _pair(prev, lattice[i - 1][prev], form, p, pair_fold, table), path + [form])
                              for prev, (score, path) in best.items()), key=lambda v: v[0])
        best = step
    last = lattice[-1]
    return max(best.items(), key=lambda kv: kv[1][0] + 0.5 * math.log(last[kv[0]]))[1][1]
