"""Multi-part questions: "… dài bao nhiêu km và trị giá bao nhiêu?" split into its questions.

`split` cuts a question at a coordinator ("và", "and", …) standing between two parts that
each carry a question word, and gives the second part the first one's subject when it has
none of its own ("trị giá bao nhiêu?" -> "Mô hình X trị giá bao nhiêu?"; "how much did it
cost?" -> "how much did the road cost?"). Word lists in `qa/data/multipart.json`. Does not
answer the parts (the Engine asks each) and never splits a question with one question word.
"""
from __future__ import annotations

from functools import lru_cache

from qa.chat import cues
from qa.chat.entities import mentions
from qa.lang.language import detect_language
from qa.lang.lexicon import segment
from qa.lang.text import fold
from qa.lang.wordlists import table


@lru_cache(maxsize=1)
def _data() -> dict:
    return table("multipart")


def _question_word(text: str):
    found = cues.find(text, _data()["question_words"])
    return found[0] if found else None


def _vi_subject(first: str) -> str:
    """The words before the first part's predicate: "Mô hình X dài bao nhiêu km" -> "Mô hình X"."""
    q = _question_word(first)
    head = first[:q.start()].rstrip() if q else first
    words = list(segment(head))
    while words and fold(words[-1]) in {fold(p) for p in _data()["particles"]}:
        words.pop()
    if len(words) < 2:
        return ""
    predicate = words[-1]
    cut = head.rfind(predicate.split()[0]) if predicate.split() else len(head)
    return head[:cut].rstrip(" ,")


def _en_subject(first: str) -> str:
    """The subject after the first auxiliary: "How long is the road" -> "the road"."""
    tokens = first.split()
    aux = {fold(a) for a in _data()["en_aux"]}
    for i, t in enumerate(tokens):
        if fold(t) in aux and i + 1 < len(tokens):
            rest = tokens[i + 1:]
            return " ".join(rest).strip(" ,?")
    return ""


def _carry(first: str, second: str, gazetteer: frozenset[str]) -> str:
    english = detect_language(first) == "en"
    if [m for m in mentions(second, gazetteer) if m.kind != "time"]:
        return second  # it names its own subject
    places = [m.name for m in mentions(first, gazetteer) if m.kind == "place"]
    if english:
        subject = _en_subject(first)
        pronouns = cues.find(second, _data()["en_pronouns"])
        if subject and pronouns and fold(subject) not in {fold(p) for p in _data()["en_pronouns"]}:
            p = pronouns[0]
            return second[:p.start()] + subject + second[p.end():]
        return append_place(second, places[0], "in") if places else second
    subject = _vi_subject(first)
    q = _question_word(second)
    if subject and q is not None and len(second[:q.start()].split()) <= 3:  # "trị giá bao nhiêu?": no subject
        return f"{subject} {second}"
    return append_place(second, places[0], "ở") if places else second


def append_place(question: str, place: str, preposition: str) -> str:
    body = question.rstrip(" ?!.…")
    return f"{body} {preposition} {place}{question[len(body):]}"


def split(question: str, gazetteer: frozenset[str] = frozenset()) -> list[str]:
    """The questions `question` asks, in order; one element when it asks one thing."""
    text = question.strip()
    for c in cues.find(text, _data()["coordinators"]):
        first, second = text[:c.start()].rstrip(" ,;"), text[c.end():].strip()
        if _question_word(first) is not None and _question_word(second) is not None and len(second.split()) >= 2:
            mark = "?" if text.rstrip().endswith("?") else ""
            rest = split(_carry(first, second, gazetteer), gazetteer)
            return [first + mark] + rest
    return [text]
