"""What an English question asks for, as the rule stage's `QuestionType` fields.

Patterns of English question words ("how many", "which district", "when") and the glossary's
nouns after them ("how many households" -> count of "hộ"). The rule stage only; the learned
stage reads `qa.answer.question` instead. Does not look at passages.
"""
from __future__ import annotations

import re

from qa.lang.glossary import glossary, lookup, stem


def _nouns_after(words: list[str], i: int) -> tuple[str, ...]:
    """Glossary nouns of the phrase starting at words[i], up to its verb ("collectives and individuals")."""
    G = glossary()
    found: list[str] = []
    start = i
    while i < len(words) and words[i] not in G.phrase_end and not words[i].endswith("ed"):
        hit = lookup(words, i, G.nouns) or (lookup(words, i, G.words) if i == start else None)
        if hit:
            found.extend(v for v in hit[1] if v not in found)
            i += hit[0]
        else:
            i += 1
    return tuple(found)


def _asks(kind: str, nouns: tuple[str, ...] = (), unit: str | None = None, **more) -> dict:
    return {"kind": kind, "nouns": tuple(nouns), "unit": unit, **more}


def english_type(question: str) -> dict:
    """The fields of `questions.QuestionType` for an English question (kind, nouns, unit...)."""
    G = glossary()
    q = question.lower()
    words = re.findall(r"[a-z][\w'-]*|%", q)
    total = bool(re.search(r"\b(in total|total|altogether|in all|overall)\b", q))
    which = r"\b(?:which|what|in which|for which)\s+"
    if re.search(r"\b(percent|percentage|proportion|share)\b|%", q):
        i = next((k + 1 for k, w in enumerate(words) if w in ("percent", "percentage", "%", "of")), len(words))
        return _asks("percent", _nouns_after(words, i), "%")
    if re.search(which + r"(period|phase|stage|term|years)\b|\bfrom when\b", q):
        return _asks("period")
    m = re.search(which + r"(conclusion|directive|resolution|decision|plan|regulation|document)\b", q)
    if m:
        vi = G.words.get((stem(m.group(1)),), ("văn bản",))[0]
        return _asks("code", (vi,), G.code_words.get(vi) or None)
    if re.search(r"\bwhen\b|" + which + r"(year|date|day|month|time)\b", q):
        return _asks("date")
    if re.search(r"\b(by whom|who (launch|run|start|organi[sz]|initiat|manag|implement|carr|lead|sponsor)\w*)\b", q):
        return _asks("person", ("tổ chức",))  # a person or a body
    if re.search(r"\b(who|whom|whose)\b|" + which + r"(person|official|leader|comrade|secretary)\b", q):
        return _asks("person")
    m = re.search(which + r"(\w+)", q)
    if m and m.group(1) != "s":
        hit = lookup(words, words.index(m.group(1)), G.nouns) if m.group(1) in words else None
        if hit and hit[1][0] in G.place_words:
            return _asks("place", hit[1])
        if re.match(r"(organi[sz]ation|unit|agency|body|party|union|school|association|force|department|committee)", m.group(1)):
            vi = hit[1] if hit else ()
            return _asks("org", tuple(v for v in vi if v in G.org_words) or vi)
    if re.search(r"\bwhere\b", q):
        return _asks("place")
    if re.search(r"\bhow (long|far)\b|\b(length|distance)\b", q):
        return _asks("amount", (), "m")
    if re.search(r"\bhow (big|large)\b|\b(area|surface)\b", q):
        return _asks("amount", (), "m2")
    if "how many" in q or "how much" in q:
        i = words.index("many" if "how many" in q else "much") + 1
        nouns = _nouns_after(words, i)[:3]
        if nouns and nouns[0] in G.measures:
            return _asks("amount", (), G.measures[nouns[0]], total=total)
        if "how many" in q:
            # A counted thing the glossary does not know: no figure can be checked against it.
            unknown = not nouns and i < len(words) and stem(words[i]) not in G.generic and words[i] not in G.phrase_end
            return _asks("count", nouns, total=total, unknown_noun=unknown)
        return _asks("amount", (), "VND", total=total)
    if re.search(r"\b(cost|budget|amount of money|sum of money)\b", q):
        return _asks("amount", (), "VND", total=total)
    m = re.search(which + r"(?:kinds? of |types? of )?(\w+)", q)
    if m and m.group(1) in words:
        nouns = _nouns_after(words, words.index(m.group(1)))[:1]
        if nouns:
            return _asks("list", nouns)
    return _asks("other")
