"""Follow-ups rewritten on the question's structure: swap one entity, or fill in a reference.

"Còn Quỳnh Nhai thì sao?" after "Mộc Châu làm được bao nhiêu nhà?" names a new entity of
one kind (place, body, person, time): `swap` replaces the previous question's mention of that
kind (found by `qa.chat.entities`) and keeps every other word, so "and in Thanh Liêm?" after "Ai là
Phó Bí thư Thường trực Huyện ủy Kon Plông?" changes only "Kon Plông". `refer` puts the last
entity where a message says "ở đó", "huyện này", "there", "they", "their". `is_junk` tells a
message that asks nothing ("clear", "thanks"). The forms are data (`qa/data/followup.json`).
Does not keep turns (`qa.chat.conversation`) and does not answer.
"""
from __future__ import annotations

import re
from functools import lru_cache

from qa.chat.entities import Mention, canonical, kind_of, mentions
from qa.chat.name_words import place_heads as _place_heads
from qa.lang.language import detect_language
from qa.lang.text import fold, fold_aligned, has_diacritics
from qa.lang.wordlists import table

# Which mention a new entity of unknown kind replaces first.
_REPLACES = {"name": ("place", "name", "org", "person"), "place": ("place", "name"), "org": ("org", "name"),
             "person": ("person", "name"), "time": ("time",)}


@lru_cache(maxsize=1)
def _forms() -> dict:
    data = table("followup")
    alt = lambda items: "|".join(sorted((re.escape(i) for i in items), key=len, reverse=True))  # noqa: E731
    vi_heads, vi_words = data["deictic_heads"], data["deictic_words"]
    return {
        **{k: frozenset(v) for k, v in data.items() if isinstance(v, list)},
        "pattern": re.compile(rf"^(?:(?P<prefix>{alt(data['prefixes'])})\s+)?(?P<x>.+?)"
                              rf"(?:\s+(?P<tail>{alt(data['tails'])}))?$"),
        "vi": {folded: re.compile(r"(?<!\w)(?P<head>%s)\s+(?:%s)(?!\w)" % (
            alt(fold(h) for h in vi_heads) if folded else alt(vi_heads),
            alt(fold(w) for w in vi_words) if folded else alt(vi_words)), re.IGNORECASE) for folded in (False, True)},
        "en_deictic": re.compile(r"(?<!\w)(?:that|this|the same)\s+(?:%s)(?!\w)" % alt(data["en_deictic_heads"]),
                                 re.IGNORECASE),
        "there": re.compile(r"(?<!\w)(?P<be>(?:is|are|was|were)\s+)?there(?!\w)", re.IGNORECASE),
        "pronoun": re.compile(r"(?<!\w)(?P<p>%s)(?!\w)" % alt(data["en_pronouns"] + data["en_possessives"]),
                              re.IGNORECASE),
        "vi_pronoun": re.compile(r"(?<!\w)(?:%s)(?!\w)" % alt(data["vi_pronouns"]), re.IGNORECASE),
    }


def is_junk(message: str) -> bool:
    """A message that asks nothing: "clear", "reset", "thanks", punctuation alone."""
    core = fold(message).strip(" ?!.…/")
    return not re.search(r"\w", core) or core in {fold(j) for j in _forms()["junk"]}


def subject(message: str, gazetteer: frozenset[str]) -> tuple[str, str] | None:
    """(name, kind) of the new entity of "Còn X thì sao?", "What about X?", "and in X?"; else None."""
    forms = _forms()
    core = message.rstrip(" ?!.…").strip()
    m = forms["pattern"].match(fold_aligned(core))
    if not m or not (m["prefix"] or m["tail"]):
        return None
    words = [w.strip(",;:\"“”") for w in core[m.start("x"):m.end("x")].split()]
    head = None
    while words:
        two = fold(" ".join(words[:2]))
        n = 2 if two in forms["leading"] or two in _place_heads() else 1 if fold(words[0]) in forms["leading"] | _place_heads() else 0
        if not n:
            break
        head = " ".join(words[:n]) if fold(" ".join(words[:n])) in _place_heads() else head
        words = words[n:]  # "ở", "in", "huyện", "năm"
    while words and fold(words[-1]) in forms["trailing"]:
        head = head or words.pop()
    if not words or len(words) > 5 or any(fold(w) in forms["question_words"] for w in words):
        return None
    if not all(w.isalpha() or w.isdigit() for w in words):
        return None
    x = " ".join(words)
    known = canonical(x, gazetteer)
    strong = m["tail"] or m["prefix"] in forms["strong_prefixes"]  # bare "còn"/"and" need a name after them
    kind = kind_of(known or x, gazetteer, head)
    if not (strong or known or kind == "time" or any(w[0].isupper() for w in words)):
        return None
    return (known or (x.title() if x.islower() else x)), kind


def _language(text: str) -> str:
    return "en" if detect_language(text) == "en" else "vi"


def append_entity(question: str, name: str, kind: str) -> str:
    body = question.rstrip(" ?!.…")
    en = _language(question) == "en"
    prep = ("in" if en else "năm") if kind == "time" else ("in" if en else "ở")
    return f"{body} {prep} {name}{question[len(body):]}"


def target(previous: str, kind: str, gazetteer: frozenset[str]) -> Mention | None:
    """The mention of `previous` that a new entity of `kind` replaces."""
    found = mentions(previous, gazetteer)
    for wanted in _REPLACES[kind]:
        same = sorted((m for m in found if m.kind == wanted), key=lambda m: (m.rank, m.start))
        if same:
            return same[0]
    return None


def swap(previous: str, name: str, kind: str, gazetteer: frozenset[str]) -> str:
    """`previous` with its entity of `kind` replaced by `name`; appended when it has none."""
    old = target(previous, kind, gazetteer)
    if old is None:
        return append_entity(previous, name, kind)
    return previous[:old.start] + name + previous[old.end:]


def refer(text: str, entity: str) -> str | None:
    """`text` with "ở đó", "huyện này", "that district", "there", "they", "họ" replaced by
    `entity`; None when it has no such reference."""
    forms = _forms()
    folded = not has_diacritics(text)
    if m := forms["vi"][folded].search(fold_aligned(text) if folded else text):
        head = text[m.start("head"):m.end("head")]
        filler = entity if fold(head) in ("dia phuong", "noi") else f"{head} {entity}"
        return text[:m.start()] + filler + text[m.end():]
    if m := forms["en_deictic"].search(text):
        return text[:m.start()] + entity + text[m.end():]
    if m := forms["there"].search(text):
        if m["be"] and re.search(r"\w", text[m.end():]):
            return append_entity(text, entity, "place")  # "Are there funds for the poor?" is existential
        return text[:m.end("be") if m["be"] else m.start()] + "in " + entity + text[m.end():]
    if _language(text) == "en" and (m := forms["pronoun"].search(text)):
        possessive = fold(m["p"]) in forms["en_possessives"]
        return text[:m.start()] + entity + ("'s" if possessive else "") + text[m.end():]
    if _language(text) == "vi" and (m := forms["vi_pronoun"].search(text)):
        return text[:m.start()] + entity + text[m.end():]
    return None
