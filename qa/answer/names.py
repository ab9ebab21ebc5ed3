"""Name spans of one sentence: runs of capitalised words, as answers show them (`candidates`).

A run of capitalised words (and numbers inside them, foreign connectors such as "de la" allowed)
is a name; with its common head before it ("sông Amazon", "đại học Harvard": `name_parts.json`),
or the capitalised common word Vietnamese writes at a name's start mid-sentence ("Tập đoàn Thiết
kế Troika", "Thiếu tướng James Abercrombie"), it is one more; names listed with "và", "hoặc",
"and" or "or" ("Lưu Bỉnh Trung và Yao Shu") are one more again. The word opening a sentence or a
quotation is no name by its capital alone. Knows no names and no kinds of name: the scorer
weighs the spans (`features`).

>>> t = "Mạng lưới đã thuê Tập đoàn Thiết kế Troika, và Michael E. Mann và Raymond Bradley viết"
>>> [t[s:e] for s, e in names(t)]
['Troika', 'Tập đoàn Thiết kế Troika', 'Michael E. Mann', 'Raymond Bradley', 'Michael E. Mann và Raymond Bradley']
"""
from __future__ import annotations

import re
from functools import cache

from qa.answer.question import word_list
from qa.lang.lexicon import opens_word, word_edges
from qa.lang.phonotactics import is_vietnamese_syllable
from qa.lang.text import fold, has_diacritics, normalize
from qa.lang.wordlists import table
from qa.lang.wordlists import words as entries


@cache
def _name_parts() -> tuple[frozenset[str], dict[bool, re.Pattern], frozenset[str]]:
    """(connectors, head before a name by whether the text has tone marks, heads folded). The heads
    are compared as written in text with tone marks: folded, "bằng" is the head "bang" and "vệ
    tinh" ends in the head "tỉnh"."""
    parts = table("name_parts")
    heads = {accented: "|".join(re.escape(normalize(h) if accented else fold(h))
                                for h in sorted(parts["heads"], key=len, reverse=True)) for accented in (True, False)}
    return (frozenset(parts["connectors"]), {a: re.compile(r"(?:" + h + r")$", re.I) for a, h in heads.items()},
            frozenset(fold(h) for h in parts["heads"]))


def names(text: str) -> list[tuple[int, int]]:
    """Runs of capitalised words (and numbers inside them), foreign connectors allowed inside."""
    connectors, heads, head_words = _name_parts()
    accented = has_diacritics(text)
    words = word_list(text)
    runs, i, held = [], 0, None
    while i < len(words):
        if not words[i][0][:1].isupper():
            i += 1
            continue
        j = i
        while j + 1 < len(words) and ((gap := text[words[j][2]:words[j + 1][1]]) in (" ", "-")
                                      or gap == ". " and _initial(words[j][0])):
            k = j + 1
            while k < len(words) and words[k][0] in connectors:  # "de la" in "Jean de la Fontaine"
                k += 1
            if k == len(words) or not (words[k][0][:1].isupper() or words[k][0][:1].isdigit()
                                       or k == j + 1 and gap == "-" and words[k][1] == words[j][2] + 1):
                break  # a lower-case part joined by a hyphen goes on ("Park Ji-hoon")
            j = k
        if opens_word(text, *words[j][1:]) and all(fold(w[0]) in head_words or w[0].isupper() for w in words[i:j]):
            j -= 1  # a body's first word, capitalised ("Ban Thường vụ", "Bệnh viện Đa khoa"), names nothing
            if j < i or fold(words[j][0]) in head_words:
                if j < i and (after := _held_head(text, words, i)):
                    held = (held[0] if held and held[1] == i else words[i][1], after)
                i = j + 2
                continue
        start, end = words[i][1], words[j][2]
        opens = i == 0 or _OPENER.search(text, words[i - 1][2], start) is not None  # a quotation opens one too
        if opens and (i == j or is_vietnamese_syllable(words[i][0])
                      and all(not w[0][:1].isupper() for w in words[i + 1:j + 1])):
            i += 1  # one word opening a sentence ("Dù …"), or a Vietnamese one before numbers ("Tối 15/9", not
            continue  # "Apollo 11"), is just its first word
        runs.append((start, end))
        if held and held[1] == i:
            runs.append((held[0], end))
        before = text[max(0, start - 30):start].rstrip()
        seen = before if accented else fold(before)
        head = heads[accented].search(seen) if len(seen) == len(before) else None  # offsets must stay aligned
        if head and (head.start() == 0 or not before[head.start() - 1].isalnum()):
            runs.append((max(0, start - 30) + head.start(), end))
        i = j + 1
    return runs + _listed(text, runs)


_OPENER = re.compile(r"[:“\"«(]")
_LISTED = re.compile(r",\s+|\s+(?:và|hoặc|and|or)\s+")  # "A, B và C": names one answer lists


def _held_head(text: str, words, i: int) -> int | None:
    """Where the name starts that the capitalised common word at words[i] heads, mid-sentence:
    Vietnamese writes a name's common head with a capital ("Tập đoàn Thiết kế Troika", "Ngôn
    ngữ Ký hiệu Mỹ"), so the whole word of the lexicon it opens and the name after it are one name.
    None at a sentence's or quotation's start, where any word has a capital ("Năm ngoái Hà Nội"),
    and for a person's title or a person ("Giám đốc Công ty X", "Đại tá Lê Văn A": news writes
    titles with a capital too, and the person is the answer, not the title).

    >>> t = "Mạng lưới đã thuê Tập đoàn Thiết kế Troika sản xuất"
    >>> w = word_list(t); w[_held_head(t, w, 4)][0], w[_held_head(t, w, 6)][0]
    ('Thiết', 'Troika')
    >>> t = "Theo Đại tá Lê Quang Vinh và Giám đốc Công ty Minh Phát"
    >>> w = word_list(t); _held_head(t, w, 1), _held_head(t, w, 7)
    (None, None)
    """
    if i == 0 or _OPENER.search(text, words[i - 1][2], words[i][1]):
        return None
    closes = word_edges(tuple(w for w, _, _ in words[i:i + 4]))[1]
    k = i + closes.index(True) + 1  # the first word after the one words[i] opens
    if k == len(words) or not words[k][0][:1].isupper():
        return None
    if any(text[words[n][2]:words[n + 1][1]] != " " for n in range(i, k)):
        return None
    titles, surnames = _people()
    if fold(" ".join(w for w, _, _ in words[i:k])) in titles or fold(words[k][0]) in surnames:
        return None
    return k


@cache
def _people() -> tuple[frozenset[str], frozenset[str]]:
    """(titles before a person's name, Vietnamese family names), folded."""
    return (frozenset(fold(w) for w in entries("person_titles") | entries("office_titles")),
            frozenset(fold(w) for w in entries("surnames")))


def _listed(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Names listed as one answer, the last two joined by "và", "hoặc", "and" or "or": "Lưu Bỉnh
    Trung và Yao Shu", "A, B và C" (not "Pro Bowl, Kawann Short", a comma between clauses)."""
    out, chain = [], []
    for s, e in sorted(r for r in set(runs) if text[r[0]].isupper()) + [(len(text) + 1, 0)]:  # not "sông Hồng"
        if chain and s >= chain[-1][1] and _LISTED.fullmatch(text, chain[-1][1], s):
            chain.append((s, e))
            continue
        if chain and s < chain[-1][1]:
            continue  # a name inside another ("Newcastle" of "Đại học Newcastle")
        while len(chain) > 1 and "," in text[chain[-2][1]:chain[-1][0]]:
            chain.pop()  # the list ends at its last "và"
        if len(chain) > 1:
            out.append((chain[0][0], chain[-1][1]))
        chain = [(s, e)]
    return out


def _initial(word: str) -> bool:  # a one-letter capital: "W" of "Frederick W. Mote", whose full stop ends no name
    return len(word) == 1 and word.isupper()

