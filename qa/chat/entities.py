"""Entity mentions in a question: places, bodies, people and times, with their spans.

`mentions(text, gazetteer)` finds what a question is about, so that a follow-up can swap one
entity for another of the same kind and keep every other word, and so that an answer can be
checked to be about the asked entity. Sources, best first: the gazetteer of the live build
(as written, or bare when typed bare), capitalised runs after a place or body head word
(`qa/data/place_heads.txt`, `org_heads.txt`; after one of `institution_heads.txt`, the body's
own name), runs that start with a family name (`surnames.txt`) or follow a form of address
(`person_titles.txt`), other capitalised runs (kind "name"), and years. Words capitalised for
respect or at a sentence start (`not_names.txt`) and a capital that starts a common word
("Bệnh viện Đa khoa": pyvi's lexicon) are never names.
Does not rewrite anything (`qa.chat.followup`), does not decide what an answer is about
(`qa.chat.about`) and does not read the word lists (`qa.chat.name_words`).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from qa.chat.name_words import (
    head_before,
    institution_heads,
    is_head,
    is_surname,
    not_names,
    org_heads,
    person_titles,
    place_heads,
    reading,
    reading_bare,
)
from qa.lang.lexicon import folds_to_syllable, opens_word
from qa.lang.text import fold, fold_aligned, has_diacritics, normalize

KINDS = ("place", "org", "person", "time", "name")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_YEAR = re.compile(r"(?<![\w/.,])(?:19|20)\d\d(?![\w/])")
_SENTENCE_START = ".?!:\"“”'(‘"


@dataclass(frozen=True)
class Mention:
    kind: str  # place, org, person, time, name (a capitalised name of unknown kind)
    start: int
    end: int
    name: str  # canonical form (the gazetteer's spelling when it is known)
    rank: int = 0  # 0: known or after a head word; 1: mid-sentence run; 2: sentence-initial run


@lru_cache(maxsize=16)
def known_pattern(known: frozenset[str]) -> tuple[re.Pattern, dict[str, list[str]]]:
    by_key: dict[str, list[str]] = {}
    for name in known:
        by_key.setdefault(fold(name), []).append(name)
    keys = "|".join(map(re.escape, sorted(by_key, key=len, reverse=True)))
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % keys if keys else r"(?!)"), by_key


def canonical(name: str, gazetteer: frozenset[str]) -> str | None:
    """The gazetteer's spelling of `name` (typed with or without diacritics), or None."""
    names = known_pattern(gazetteer)[1].get(fold(name), [])
    exact = next((n for n in names if n.lower() == name.lower()), None)
    if exact or (names and not has_diacritics(name) and (" " in name or name[:1].isupper())):
        return exact or names[0]  # one syllable typed bare is too ambiguous ("doi": Dọi, đội, đời)
    return None


def _known(text: str, gazetteer: frozenset[str]) -> list[Mention]:
    found = ((m.start(), m.end(), canonical(text[m.start():m.end()], gazetteer))  # as written: "là gì" is no "La Gi"
             for m in known_pattern(gazetteer)[0].finditer(fold_aligned(text)))
    return [Mention("place", s, e, name) for s, e, name in found if name]


def _capitalised(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or not word[1:].isupper() or len(word) <= 3)


def _runs(text: str) -> list[list[tuple[int, int]]]:
    runs: list[list[tuple[int, int]]] = []
    for m in _WORD.finditer(text):
        if not _capitalised(m.group()) or text[m.end():m.end() + 1].isdigit() or text[m.start() - 1:m.start()].isdigit():
            continue  # letters glued to digits are a code, not a name ("CL23087", "5G")
        span = (m.start(), m.end() - 2 if m.group()[-2:] in ("'s", "’s") else m.end())  # "Quang Ngai's"
        if runs and text[runs[-1][-1][1]:m.start()] == " ":
            runs[-1].append(span)
        else:
            runs.append([span])
    return [run for run in (_before_word(text, run) for run in runs) if run]


def _before_word(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`run` without its last syllable when that syllable and the lower-case one after it make a
    word (pyvi's lexicon) and nothing but head words or acronyms comes before it in the run: a
    body's name writes its first word with a capital ("Bệnh viện Đa khoa", "Ban Quản lý", "Bộ
    Giao thông", "BOT Quốc lộ 30"), which makes no name. After a name the syllable stays: "Long An
    toàn bộ" is still Long An."""
    if not opens_word(text, *run[-1]):
        return run
    before = [text[s:e] for s, e in run[:-1]]
    if before and is_head(before[0], org_heads()) and fold(before[0]) not in not_names():
        return run  # "Đoàn Thanh niên": a body's own name, read whole by `_names`
    heads = place_heads() | org_heads()
    return run[:-1] if all(is_head(w, heads) or (len(w) > 1 and w.isupper()) for w in before) else run


def _run_kind(text: str, s: int, e: int, gazetteer: frozenset[str]) -> tuple[str, int] | None:
    places, bodies = place_heads(), org_heads()
    name = text[s:e]
    if fold(name) in not_names():
        return None
    if canonical(name, gazetteer):
        return "place", 0
    after = re.findall(r"^\s+([^\W\d_]+)", text[e:e + 16])  # as written: "bản" of "Kịch bản" folds to "ban"
    if head_before(text, s, places) or (after and fold(after[0]) in places and not has_diacritics(after[0])):
        return "place", 0  # "huyện Mộc Châu", "Thanh Liem district"
    if head := head_before(text, s, bodies):
        # "Huyện ủy Kon Plông": the body is the place's; "Công ty Hưng Phát Land": its own name.
        return ("org" if head in institution_heads() else "place"), 0
    if head_before(text, s, person_titles()) or (is_surname(name.split()[0]) and " " in name):
        return "person", 0
    initial = s == 0 or text[:s].rstrip()[-1:] in _SENTENCE_START
    if " " not in name and initial:
        return None  # a capitalised first word is usually just a first word
    return "name", 2 if initial else 1


def _glued_person(text: str, run: list[tuple[int, int]], gazetteer: frozenset[str]) -> int | None:
    """Where a person's name glued to a body's starts ("Hưng Phát Land Trần Quốc Hưng"); never
    in text without marks, where "Lam" of "Song Lam Nghe An" may be the surname "Lâm"."""
    return None if reading_bare() else next((i for i in range(1, len(run) - 1) if is_surname(
        text[run[i][0]:run[i][1]]) and not canonical(text[run[i][0]:run[-1][1]], gazetteer)), None)


def _names(text: str, gazetteer: frozenset[str]) -> list[Mention]:
    places, bodies, not_name = place_heads(), org_heads(), not_names()
    out = []
    for run in _runs(text):
        # Leading starters and head words are not part of the name: "Còn Mộc Châu", "Huyện Ba Bể".
        while run and (fold(text[run[0][0]:run[0][1]]) in not_name or is_head(text[run[0][0]:run[0][1]], places | bodies)):
            org = is_head(text[run[0][0]:run[0][1]], bodies) and fold(text[run[0][0]:run[0][1]]) not in not_name and len(run) > 1
            if org and not canonical(text[run[1][0]:run[-1][1]], gazetteer):
                break  # "Đoàn Thanh niên", "Hội Phụ nữ": the head starts a body's name
            run = run[1:]
        titled = bool(run) and fold(text[run[0][0]:run[0][1]]) in person_titles() and len(run) > 1
        run = run[1:] if titled else run  # "Ông Nguyễn Văn An"
        if len(run) > 1 and not folds_to_syllable(last := text[run[-1][0]:run[-1][1]]) and is_head(last, places):
            run = run[:-1]  # "Ho Chi Minh City", "Thanh Liem District": the head after, in English
        if not run:
            continue
        if (cut := _glued_person(text, run, gazetteer)) and not titled:
            end = run[min(cut + 4, len(run)) - 1][1]
            out.append(Mention("person", run[cut][0], end, text[run[cut][0]:end], 0))
            run = run[:cut]
        s, e = run[0][0], run[:5][-1][1]
        if titled:
            out.append(Mention("person", s, e, text[s:e], 0))
            continue
        if is_head(text[s:run[0][1]], bodies):
            tail = re.match(r" [^\W\d_]+", text[e:])  # the lower-case rest of "Đoàn Thanh niên"
            end = e + (tail.end() if tail and len(run) == 2 else 0)
            out.append(Mention("org", s, end, text[s:end], 0))
            continue
        if found := _run_kind(text, s, e, gazetteer):
            kind, rank = found
            name = canonical(text[s:e], gazetteer) if kind == "place" else None
            out.append(Mention(kind, s, e, name or text[s:e], rank))
    return out


def _times(text: str) -> list[Mention]:
    return [Mention("time", m.start(), m.end(), m.group(), 0) for m in _YEAR.finditer(text)]


def mentions(text: str, gazetteer: Iterable[str] = frozenset()) -> list[Mention]:
    """Non-overlapping mentions in `text`, in reading order."""
    known = gazetteer if isinstance(gazetteer, frozenset) else frozenset(gazetteer)
    with reading(text):
        found = _known(text, known) + _names(text, known) + _times(text)
    chosen: list[Mention] = []
    for m in sorted(found, key=lambda m: (m.rank, m.start, m.start - m.end)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def kind_of(name: str, gazetteer: Iterable[str] = frozenset(), head: str | None = None) -> str:
    """The kind of a bare name typed as a follow-up ("Quỳnh Nhai", "năm 2022", "huyện X")."""
    places, bodies = place_heads(), org_heads()
    if _YEAR.fullmatch(name.strip()):
        return "time"
    if head and fold(head) in places or canonical(name, frozenset(gazetteer)):
        return "place"
    if head and fold(head) in bodies:
        return "org"
    first = name.split()[0] if name.split() else ""
    if fold(first) in bodies:
        return "org"
    if first and is_surname(first, bare=not has_diacritics(name)) and " " in name.strip():
        return "person"
    return "name"


def place_names(texts: Iterable[str]) -> set[str]:
    """Capitalised names (up to 5 syllables) after a place or body head word: the gazetteer.
    A name the texts write in lower case more often than capitalised is a common phrase that a
    head happened to precede ("đồng bộ Mặt Trời" beside "điện mặt trời"), not a place."""
    out: set[str] = set()
    texts = [normalize(text) for text in texts]
    for text in texts:
        with reading(text):
            out.update(_placed_names(text))
    return out - _mostly_lower(out, texts)


def _mostly_lower(names: set[str], texts: list[str]) -> set[str]:
    by_lower = {name.lower(): name for name in names if name.lower() != name}
    if not by_lower:
        return set()
    pattern = re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(map(re.escape, sorted(by_lower, key=len, reverse=True))),
                         re.IGNORECASE)
    lower, upper = Counter(), Counter()
    for text in texts:
        for m in pattern.finditer(text):
            (lower if m.group() == m.group().lower() else upper)[m.group().lower()] += 1
    return {by_lower[key] for key in by_lower if lower[key] > upper[key]}


def _placed_names(text: str) -> Iterable[str]:
    places, bodies, not_name = place_heads(), org_heads(), not_names()
    for run in _runs(text):
        while run and is_head(text[run[0][0]:run[0][1]], places):
            run = run[1:]  # "Huyện Ba Bể", "Thành phố Sơn La"
        if not run or is_head(text[run[0][0]:run[0][1]], bodies):
            continue  # "Trường Phổ (thông)": a body's name, not a place
        # A person's name may follow without a comma ("Huyện ủy Kon Plông Y Thị"): cut at it.
        cut = next((i for i in range(2, len(run)) if is_surname(text[run[i][0]:run[i][1]])), len(run))
        run = run[:min(cut, 5)]
        s, e = run[0][0], run[-1][1]
        # After a body's head only a name of two syllables or more is taken for a place:
        # "Huyện ủy Kon Plông", but not "Ban Thường (vụ)", "Đảng bộ Công (an)".
        placed = head_before(text, s, places) or (
            len(run) > 1 and head_before(text, s, bodies) not in (None, *institution_heads()))
        if placed and fold(text[s:e]) not in not_name:
            yield text[s:e]
