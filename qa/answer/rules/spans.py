"""Candidate answer spans that are not figures: places, organisations, people, list items.

Each finder scans a passage and yields `Span`s (offsets into the passage text, the text as
written, and the head word that says what it is: "huyện", "Đảng bộ", "đồng chí"). Names are
runs of capitalised syllables; organisations and places start at a head word ("Đảng bộ
huyện Mộc Châu", "phường Chiềng Lề"); a person starts with a family name or follows a
title. Head words, family names and titles are the data files `qa.chat.name_words` reads too
(`qa/data/README.md`). Figures, dates and codes are `numbers`' job. Does not score anything
(that is `stage`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Sequence

from qa.lang.text import fold, fold_aligned
from qa.lang.wordlists import words

# Institutions whose names run on in lower case ("Trường Phổ thông dân tộc bán trú THCS xã Đăk Tăng").
LONG_NAMED = ("Trường", "Trung tâm", "Bệnh viện", "Công ty", "Hợp tác xã")

_CAP = r"[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*(?:-\w+)*"
_LOW = r"[^\W\d_A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*"
_NAME_WORD = rf"(?:{_CAP}|\d+)"
_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD})*"
_PERSON = re.compile(rf"\b{_NAME}")
_CAP_RUN = re.compile(rf"(?:[ \t]+{_CAP})+")


@dataclass(frozen=True)
class Vocabulary:
    """The head words, titles and family names (data: `qa/data/place_heads.txt`, `org_heads.txt`,
    `person_titles.txt`, `office_titles.txt`, `surnames.txt`, shared with `qa.chat.name_words`) and
    the patterns made of them. Heads are tried longest first, so that "Ban Thường vụ" wins over
    "Ban"; matched with their diacritics, in any case."""
    place_heads: tuple[str, ...]
    org_heads: tuple[str, ...]
    person_titles: tuple[str, ...]  # ("đồng chí", "chủ tịch")
    surnames: frozenset[str]  # folded
    heads: str  # a pattern matching one place head
    place: re.Pattern  # a place head and the name after it: "phường Chiềng Lề"
    org_head: re.Pattern
    place_chain: re.Pattern  # a further place after a name: "... huyện Thanh Liêm"
    # An organisation's own name: capitalised words, each maybe followed by lower-case syllables
    # ("Chi bộ Thanh tra"), when a place follows ("... huyện Thanh Liêm"); else capitalised words only.
    org_tail: re.Pattern
    generic_tail: re.Pattern  # "chi bộ công an xã": no name, still a body
    # Words that tie an item to its owner ("... của Đảng bộ huyện Bạch Thông"): dropped with the owner.
    owner_links: frozenset[str]

    @cached_property
    def lower_heads(self) -> tuple[str, ...]:
        """Place and body heads in lower case: a name right after one is the body's, not a person's."""
        return tuple(h.lower() for h in self.place_heads + self.org_heads)


@cache
def vocabulary() -> Vocabulary:
    """Read on first use (no module reads data on import)."""
    place_heads = tuple(sorted(words("place_heads"), key=lambda h: (-len(h), h)))
    org_heads = tuple(sorted(words("org_heads"), key=lambda h: (-len(h), h)))
    heads = "|".join(re.escape(h) for h in place_heads)
    place_chain = re.compile(rf"[ \t]+(?:(?i:{heads}))[ \t]+{_NAME}")
    return Vocabulary(
        place_heads, org_heads, tuple(sorted(words("person_titles") | words("office_titles"))),
        frozenset(fold(s) for s in words("surnames")), heads, re.compile(rf"(?i:\b({heads}))[ \t]+({_NAME})"),
        re.compile(r"\b(" + "|".join(re.escape(h) for h in org_heads) + r")\b", re.IGNORECASE), place_chain,
        re.compile(rf"(?:[ \t]+{_CAP}(?:[ \t]+{_LOW}){{0,2}})+?(?={place_chain.pattern})"),
        re.compile(r"(?:[ \t]+(?:công an|quân sự|thanh tra|" + heads + r")(?![\w]))+"),
        frozenset(fold(w) for w in ("của tại ở thuộc do với trong " + " ".join(place_heads) + " "
                                    + " ".join(org_heads)).lower().split()))


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    head: str  # "huyện", "Đảng bộ", "đồng chí", the list's noun
    kind: str  # place, org, person, list
    quoted: bool = False  # inside “...”: part of a model's title, not a statement of fact


def _quoted(text: str, pos: int) -> bool:
    """Inside quotation marks within its paragraph ("“...\"" mixes happen: read them in order)."""
    inside = False
    for ch in text[text.rfind("\n", 0, pos) + 1:pos]:
        if ch == "“":
            inside = True
        elif ch == "”":
            inside = False
        elif ch == '"':
            inside = not inside
    return inside


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def places(text: str) -> list[Span]:
    out = []
    for m in vocabulary().place.finditer(text):
        name_words = m.group(2).split()
        if all(w.isdigit() for w in name_words) and m.group(1).lower() not in ("thôn", "bản"):
            continue
        s, e = _trim(text, m.start(), m.end())
        out.append(Span(s, e, text[s:e], m.group(1).lower(), "place", _quoted(text, s)))
    return out


def _org_end(text: str, head: str, end: int) -> int:
    """Where the organisation that starts with `head` (ending at `end`) ends."""
    v = vocabulary()
    if any(head.lower() == h.lower() for h in LONG_NAMED):
        run_on = re.match(rf"((?:[ \t]+[\w-]+){{1,10}}?){v.place_chain.pattern}", text[end:])
        if run_on:
            return end + run_on.end()
    nested = re.match(r"[ \t]+", text[end:])
    if nested and (inner := v.org_head.match(text, end + nested.end())) and inner.group(1)[0].isupper():
        return _org_end(text, inner.group(1), inner.end())  # "Ban Thường vụ Tỉnh ủy", "Chi bộ Trường ..."
    generic = v.generic_tail.match(text, end)  # "Công an tỉnh"
    if generic and not v.place_chain.match(text, end):
        return generic.end()
    tail = v.org_tail.match(text, end) or _CAP_RUN.match(text, end)
    if tail:
        end = tail.end()
    while chain := v.place_chain.match(text, end):
        end = chain.end()
    return end


def orgs(text: str) -> list[Span]:
    out = []
    for m in vocabulary().org_head.finditer(text):
        head = m.group(1)
        if not head[0].isupper() and head.lower() not in ("chi bộ", "đảng bộ", "đảng ủy", "đoàn thanh niên", "hội phụ nữ"):
            continue  # "ban hành", "hội nghị": the lower-case word is not an organisation
        end = _org_end(text, head, m.end())
        if end == m.end() and len(head.split()) < 2 and not head.isupper():
            continue  # a bare "Hội", "Ban", "Trường": no name follows
        s, e = _trim(text, m.start(), end)
        out.append(Span(s, e, text[s:e], head, "org", _quoted(text, s)))
    return out


def people(text: str) -> list[Span]:
    out, v = [], vocabulary()
    for m in _PERSON.finditer(text):
        words = m.group(0).split()
        start = m.start()
        before = text[:start].rstrip().lower()
        if before.endswith(v.lower_heads) or len(words) > 4:
            # "Huyện ủy Kon Plông Y Thị": the person starts at the first surname after the place
            k = next((i for i, w in enumerate(words) if i and fold(w) in v.surnames), None)
            if k is None:
                continue
            start += m.group(0).index(" ".join(words[k:]))
            words = words[k:k + 4]
        if not 2 <= len(words) <= 4 or any(w.isdigit() or (w.isupper() and len(w) > 1) for w in words):
            continue
        titled = text[:start].rstrip().lower().endswith(v.person_titles)
        if not titled and fold(words[0]) not in v.surnames:
            continue
        name = " ".join(words)
        out.append(Span(start, start + len(name), name, "đồng chí" if titled else "", "person", _quoted(text, start)))
    return out


def locatives(text: str) -> list[Span]:
    """What follows "tại" / "ở" / "khu vực" up to the clause end: "khu vực ao Tiên và đảo An Mã"."""
    out = []
    for m in re.finditer(r"(?i)\b(tại|ở|khu vực|trên địa bàn)\s+([^,.;:()\n]{3,80})", text):
        s, e = _trim(text, m.start(2), m.end(2))
        if not re.search(r"[A-ZĐ]", text[s:e]):  # "ở nhiều cấp": a place has a name
            continue
        out.append(Span(s, e, text[s:e], m.group(1).lower(), "place", _quoted(text, s)))
    return out


def list_items(text: str, noun: str, stop_words: set[str], names: Sequence[tuple[str, ...]] = ()) -> list[Span]:
    """What follows each mention of `noun` up to the clause end ("mô hình nuôi cá niêng ...;").
    An item stops before one of the question's `names` (folded syllables): that is its owner."""
    out = []
    folded = fold_aligned(text)
    for m in re.finditer(rf"\b{re.escape(fold(noun))}\b", folded):
        start = m.end()
        clause = re.match(r"[^.;!?()\n]*", text[start:]).group(0)
        colon = re.search(r"(?:như|là|gồm|bao gồm)?\s*:\s*", clause)
        if colon:
            start += colon.end()
            clause = clause[colon.end():]
        words = list(re.finditer(r"[\w-]+", clause))
        folded_words = [fold(w.group(0)) for w in words]
        owner = next((i for i in range(len(words)) for n in names if tuple(folded_words[i:i + len(n)]) == n), None)
        if owner is not None:
            words = words[:owner]
            while words and fold(words[-1].group(0)) in vocabulary().owner_links:
                words.pop()
        while words and fold(words[-1].group(0)) in stop_words:  # "Dao và Kinh sinh sống": drop the question's verb
            words.pop()
        while words and fold(words[0].group(0)) in ("cac", "nhung", "la", "nhu", "gom"):
            words.pop(0)
        if not words:
            continue
        s, e = start + words[0].start(), start + words[-1].end()
        if e - s > 300:
            e = s + text[s:s + 300].rfind(",") if "," in text[s:s + 300] else s + 300
        out.append(Span(s, e, text[s:e], noun, "list", _quoted(text, s)))
    return out


# Bodies whose name says the level of their place: "Huyện ủy Thanh Liêm" -> huyện Thanh Liêm.
_LEVEL_BODIES = {"huyện ủy": "huyện", "tỉnh ủy": "tỉnh", "thành ủy": "thành phố", "quận ủy": "quận", "thị ủy": "thị xã"}
_TITLE_PREFIX = re.compile(rf"^({_NAME})\s*:")  # "Sơn La: Tạo chuyển biến ..."
_TITLE_AT = re.compile(rf"\b(?:ở|tại)[ \t]+({_NAME})")  # "... ở Mường La"


def article_place(title: str, texts: Sequence[str] = ()) -> tuple[str, str | None] | None:
    """The place an article is about, from its title: (name, level or None), e.g.
    "Kon Plông: Chuyển biến ..." -> ("Kon Plông", "huyện") when `texts` (its passages) say
    "huyện Kon Plông"; "... ở Đảng bộ Thanh Liêm" -> ("Thanh Liêm", ...). None when the
    title names no place. The level is the head most often written before the name."""
    name = None
    if found := places(title):
        name = title[found[0].start + len(found[0].head):found[0].end].strip()
    elif m := _TITLE_PREFIX.match(title):
        name = m.group(1)
    for org in [] if name else orgs(title):  # "... ở Đảng bộ Thanh Liêm": the body's place
        rest = org.text[len(org.head):].strip()
        if re.fullmatch(_NAME, rest):
            name = rest
            break
    if not name and (m := _TITLE_AT.search(title)) and not vocabulary().org_head.match(title, m.start(1)):
        name = m.group(1)
    if not name:
        return None
    heads: dict[str, int] = {}
    named = re.compile(rf"(?i:\b({vocabulary().heads}|{'|'.join(_LEVEL_BODIES)}))[ \t]+{re.escape(name)}\b")
    for text in (title, *texts):
        for m in named.finditer(text):
            head = _LEVEL_BODIES.get(m.group(1).lower(), m.group(1).lower())
            heads[head] = heads.get(head, 0) + 1
    return name, max(heads, key=heads.get) if heads else None
