"""English questions over Vietnamese articles: a small English -> Vietnamese glossary.

Lexical evidence needs Vietnamese words, so an English question's nouns ("students" ->
"học sinh") and topic words ("raise" -> "huy động | vận động | quyên góp") are looked up in
`qa/data/glossary.json` after stemming with the Snowball English stemmer ("households" ->
"household"; `snowballstemmer`, the stemmer of Sphinx and NLTK, rather than our own
suffix rules). A word the hand glossary lacks is looked up in `qa/data/glossary_induced.json`,
general vocabulary matched by the embedder itself (`bench/fit_glossary.py`: "population" ->
"dân số"); nearly half its entries miss (docs/answers-log.md, session 10), so they only add evidence (search
terms, the answer stage's English terms) and never the rule stage. A word neither knows gives
no Vietnamese forms: it adds no evidence, and the learned answer stage never counts it against
a passage. Does not translate anything else.

    >>> english_terms("How many students did the fund help?")[0]
    ('students', (('hoc', 'sinh'),))
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import snowballstemmer

from qa.lang.numbers import measure_words
from qa.lang.text import fold
from qa.lang.wordlists import table

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_VIETNAMESE_SYLLABLE = re.compile(r"^[b-df-hk-np-tv-xđ]*[aeiouy]+(?:c|ch|m|n|ng|nh|p|t)?$")
Entries = dict[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Glossary:
    nouns: Entries  # stemmed English words -> Vietnamese forms (counted things, units, places)
    words: Entries  # topic words (verbs, abstract nouns)
    function_words: frozenset[str]
    generic: frozenset[str]  # stemmed
    english_words: frozenset[str]  # words that show a question is English
    place_words: tuple[str, ...]
    org_words: tuple[str, ...]
    code_words: dict[str, str]
    phrase_end: frozenset[str]
    synonyms: tuple[tuple[tuple[str, ...], ...], ...]
    measures: dict[str, str]
    induced: dict[str, tuple[str, ...]] = field(default_factory=dict)  # stemmed word -> forms, machine-made


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """Snowball English stem, applied alike to glossary keys and question words.

    >>> stem("households"), stem("built"), stem("raised")
    ('household', 'build', 'rais')
    """
    w = word.lower().replace("'s", "").replace("’s", "").strip("'’-")
    return _stemmer().stemWord(table("glossary")["irregular"].get(w, w))


@cache
def _stemmer():
    return snowballstemmer.stemmer("english")


def _entries(lines: list[str]) -> Entries:
    out = {}
    for line in lines:
        keys, _, values = line.partition(":")
        vi = tuple(v.strip() for v in values.split("|"))
        for key in keys.split(","):
            out[tuple(stem(w) for w in re.findall(r"[\w'-]+", key.strip()))] = vi
    return out


@cache
def glossary() -> Glossary:
    doc = table("glossary")
    lines = doc["nouns"] + doc["words"]
    english = {w for line in lines for w in re.findall(r"[a-z]{4,}", line.split(":")[0])}
    return Glossary(
        nouns=_entries(doc["nouns"]), words=_entries(doc["words"]), function_words=frozenset(doc["function_words"]),
        generic=frozenset(stem(w) for w in doc["generic"]),
        # "minh" spells a Vietnamese syllable as well; short glossary words ("ho", "chi") are Vietnamese too.
        english_words=frozenset(doc["function_words"]) | (english - {"minh"}),
        place_words=tuple(doc["place_words"]), org_words=tuple(doc["org_words"]), code_words=dict(doc["code_words"]),
        phrase_end=frozenset(doc["phrase_end"]),
        synonyms=tuple(tuple(tuple(fold(w).split()) for w in group.split(" | ")) for group in doc["synonyms"]),
        measures={u: u for u in measure_words().values()}, induced=_induced())


def _induced() -> dict[str, tuple[str, ...]]:
    """`qa/data/glossary_induced.json`: stem -> forms (stemmed when fitted, so loading stems nothing)."""
    return {key: tuple(entry["forms"]) for key, entry in table("glossary_induced")["entries"].items()}


def lookup(words: list[str], i: int, entries: Entries) -> tuple[int, tuple[str, ...]] | None:
    """Longest glossary entry starting at words[i]: (number of words, Vietnamese forms)."""
    for n in (4, 3, 2, 1):
        key = tuple(stem(w) for w in words[i:i + n])
        if len(key) == n and key in entries:
            return n, entries[key]
    return None


def _words(question: str) -> list[str]:
    return [w.strip("'’-") for w in _WORD.findall(question.lower())]


def english_terms(question: str, names: set[str] = frozenset()) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
    """(English label, folded Vietnamese forms) for every content word of the question; words
    the glossary does not know come with no forms. `names`: folded syllables of proper names."""
    G, words = glossary(), _words(question)
    out, i = [], 0
    while i < len(words):
        if words[i] in G.function_words or fold(words[i]) in names:
            i += 1
            continue
        hit = lookup(words, i, G.nouns) or lookup(words, i, G.words)
        if hit:
            n, vi = hit
            out.append((" ".join(words[i:i + n]), tuple(tuple(fold(v).split()) for v in vi)))
            i += n
            continue
        if stem(words[i]) not in G.generic and words[i].isascii():
            # Vietnamese words inside an English question ("the Camera an ninh model") are evidence.
            vietnamese = _VIETNAMESE_SYLLABLE.match(words[i]) and words[i] not in G.english_words
            induced = () if vietnamese else G.induced.get(stem(words[i]), ())
            out.append((words[i], ((words[i],),) if vietnamese else tuple(tuple(fold(v).split()) for v in induced)))
        i += 1
    return out


def translate_terms(question: str) -> list[str]:
    """Vietnamese words and phrases, with diacritics, for the English content words of a
    question ("districts" -> "huyện"), in question order, without repeats. Only glossary
    translations: names, Vietnamese words already in the question and unknown English words
    give nothing. For lexical retrieval."""
    G, words = glossary(), _words(question)
    out: list[str] = []
    i = 0
    while i < len(words):
        hit = None if words[i] in G.function_words else lookup(words, i, G.nouns) or lookup(words, i, G.words)
        out.extend(hit[1] if hit else ())
        i += hit[0] if hit else 1
    return list(dict.fromkeys(out))


def vi_synonyms(form: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The forms meaning the same as `form` (itself first), or just `form`."""
    for group in glossary().synonyms:
        if form in group:
            return (form,) + tuple(f for f in group if f != form)
    return (form,)
