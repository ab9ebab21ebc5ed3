"""Conversation state for `qa chat` and HTTP `/chat`: follow-ups resolved without an LLM.

Does: bounded turns; rewrites "Còn Mộc Châu thì sao?", "What about Sin Ho?", "… ở đó?",
"… there?" into standalone questions by swapping in or filling in a place name (places:
capitalised syllable runs, names after place words, a gazetteer matched with or without
diacritics); slash commands; reply language; an expiring LRU store of conversations.
Does not: answer (that is `Engine.ask`), resolve pronouns other than places, or rewrite a
message that names its own place.
"""
from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from qa.records import AskResult
from qa.text import detect_language, fold, has_diacritics, normalize

NOT_FOUND = {"vi": "Các bài báo không nói điều này.", "en": "The articles do not say."}

_PLACE_WORDS = ("thành phố", "thị trấn", "thị xã", "huyện ủy", "tỉnh ủy", "thành ủy", "đảng bộ",
                "đảng ủy", "huyện", "xã", "phường", "tỉnh", "quận", "bản", "thôn")
_PLACE_BEFORE = re.compile(r"(?:^|\W)(?:%s)\s+$" % "|".join(_PLACE_WORDS), re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
# Words capitalised only because they start a sentence, and heads of capitalised non-places.
_STARTERS = frozenset(fold(w) for w in "how what which who whom whose when where why did do does is are was "
                      "were can could the and in at còn thế vậy và mô các những tại ở có ai bao".split())
_NOT_NAME_HEADS = frozenset("bộ ban chỉ kết nghị quỹ mặt hội ủy công uncle".split())
_QUESTION_WORDS = frozenset("bao nhieu gi nao sao ai dau how what which who many much when where why".split())
_LEADING = frozenset("o tai in at for of the".split()) | {fold(w) for w in _PLACE_WORDS}
_TRAILING = frozenset("district commune town ward province city".split())
_STRONG = {"the con", "vay con", "what about", "how about", "and what about", "and how about"}
_FOLLOW_UP = re.compile(  # matched on folded text: "Thế còn" is "the con"
    r"^(?:(?P<prefix>the con|vay con|and what about|and how about|what about|how about|con|va|and)\s+)?"
    r"(?P<x>.+?)(?:\s+(?P<tail>thi sao|thi the nao|thi nhu the nao|the nao|nua|then|too))?$")
_VI_DEICTIC_HEADS = ("thành phố", "thị trấn", "địa phương", "huyện", "xã", "tỉnh", "phường", "nơi", "ở", "tại")
_VI_DEICTIC = {folded: re.compile(r"(?<!\w)(?P<head>%s)\s+(?:%s)(?!\w)" % (
    "|".join(fold(h) if folded else h for h in _VI_DEICTIC_HEADS),
    "do|nay|ay|day" if folded else "đó|này|ấy|đấy"), re.IGNORECASE) for folded in (False, True)}
_EN_DEICTIC = re.compile(r"(?<!\w)(?:that|this|the same)\s+(?:district|commune|province|town|ward|city|place|"
                         r"locality)(?!\w)", re.IGNORECASE)
_THERE = re.compile(r"(?<!\w)(?P<be>(?:is|are|was|were)\s+)?there(?!\w)", re.IGNORECASE)
_COMMANDS = {"sources": "sources", "reset": "reset", "quit": "quit", "exit": "quit", "help": "help"}


@dataclass(frozen=True)
class Turn:
    message: str  # what the person typed
    question: str  # the standalone question that was asked
    result: AskResult


@dataclass(frozen=True)
class Command:
    kind: str  # sources, reset, quit, help, unknown
    name: str  # the word typed after "/", lower-cased
    arg: str = ""


@dataclass(frozen=True)
class _Mention:
    rank: int  # 0: known name or after a place word; 1: mid-sentence run; 2: sentence-initial run
    start: int
    end: int
    name: str


def parse_command(message: str) -> Command | None:
    """`/sources`, `/reset`, `/quit` (`/exit`), `/help`; any other `/word` is kind "unknown"."""
    text = message.strip()
    if not text.startswith("/"):
        return None
    name, _, arg = text[1:].partition(" ")
    return Command(_COMMANDS.get(name.lower(), "unknown"), name.lower(), arg.strip())


def reply_language(message: str) -> str:
    """"vi" or "en", the language to reply in; `qa.text.detect_language` decides, so that
    accented names in English ("How much did Quỳnh Nhai raise?") still mean "en"."""
    return "en" if detect_language(message) == "en" else "vi"


def _aligned_fold(text: str) -> str:
    """`fold` with one output character per input character, so match spans index `text`."""
    return "".join((fold(c) or c)[0] for c in text)


def _capitalised(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or word[1:].islower())


def _run_mentions(text: str) -> list[_Mention]:
    """Runs of capitalised words joined by single spaces, minus place words and starters."""
    runs: list[list[tuple[int, int]]] = []
    for m in (m for m in _WORD.finditer(text) if _capitalised(m.group())):
        if runs and text[runs[-1][-1][1]:m.start()] == " ":
            runs[-1].append(m.span())
        else:
            runs.append([m.span()])
    out = []
    for words in runs:
        start = words[0][0]
        initial = start == 0 or text[:start].rstrip()[-1:] in ".?!:\"“”'(‘"
        while words and (text[words[0][0]:words[0][1]].lower() in _PLACE_WORDS
                         or (initial and fold(text[words[0][0]:words[0][1]]) in _STARTERS)):
            words = words[1:]  # "Huyện Ba Bể" -> "Ba Bể"; "How", "Còn" start sentences
        if not words or text[words[0][0]:words[0][1]].lower() in _NOT_NAME_HEADS:
            continue
        s, placed = words[0][0], bool(_PLACE_BEFORE.search(text[:words[0][0]]))
        if not placed and len(words) < 2:
            continue  # one capitalised word alone is too often "Bác", "Đảng", "Khu"
        e = words[:4][-1][1]
        out.append(_Mention(0 if placed else 2 if initial and s == start else 1, s, e, text[s:e]))
    return out


@lru_cache(maxsize=16)
def _known_pattern(known: frozenset[str]) -> tuple[re.Pattern, dict[str, list[str]]]:
    """One alternation over all folded names (longest first) and folded name -> names."""
    by_key: dict[str, list[str]] = {}
    for name in known:
        by_key.setdefault(fold(name), []).append(name)
    keys = "|".join(map(re.escape, sorted(by_key, key=len, reverse=True)))
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % keys if keys else r"(?!)"), by_key


def _known_mentions(text: str, known: frozenset[str]) -> list[_Mention]:
    pattern, by_key = _known_pattern(known)
    out = []
    for m in pattern.finditer(_aligned_fold(text)):
        span, names = text[m.start():m.end()], by_key[m.group()]
        name = next((n for n in names if n.lower() == span.lower()), None)
        # Typed without diacritics, one syllable is too ambiguous ("Dọi" vs "đội", "đời").
        if name is None and not has_diacritics(span) and (" " in m.group() or span[0].isupper()):
            name = names[0]
        if name:
            out.append(_Mention(0, m.start(), m.end(), name))
    return out


def _mentions(text: str, known: frozenset[str] = frozenset()) -> list[_Mention]:
    """Non-overlapping place mentions, best first (rank, then position)."""
    chosen: list[_Mention] = []
    for m in sorted(_known_mentions(text, known) + _run_mentions(text), key=lambda m: (m.rank, m.start, m.start - m.end)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return chosen


def place_names(texts: Iterable[str]) -> set[str]:
    """Capitalised names (up to 4 syllables) after a place word: "huyện Mộc Châu" -> "Mộc Châu"."""
    return {m.name for text in texts for m in _run_mentions(normalize(text)) if m.rank == 0}


def _append_place(question: str, place: str) -> str:
    body = question.rstrip(" ?!.…")
    prep = "ở" if reply_language(question) == "vi" else "in"
    return f"{body} {prep} {place}{question[len(body):]}"


def _fill_deictic(text: str, place: str) -> str | None:
    """Put `place` where the message says "ở đó", "huyện đó", "that district", "there"."""
    folded = not has_diacritics(text)
    m = _VI_DEICTIC[folded].search(_aligned_fold(text) if folded else text)
    if m:
        head = text[m.start("head"):m.end("head")]
        filler = place if fold(head) in ("dia phuong", "noi") else f"{head} {place}"
        return text[:m.start()] + filler + text[m.end():]
    if m := _EN_DEICTIC.search(text):
        return text[:m.start()] + place + text[m.end():]
    if not (m := _THERE.search(text)):
        return None
    if m["be"] and re.search(r"\w", text[m.end():]):
        return _append_place(text, place)  # "Are there funds for the poor?" is existential
    return text[:m.end("be") if m["be"] else m.start()] + "in " + place + text[m.end():]


class Conversation:
    """The turns of one chat, newest last, at most `max_turns` of them (older ones drop off)."""

    def __init__(self, max_turns: int = 20, gazetteer: Iterable[str] = ()):
        if max_turns < 1:
            raise ValueError("max_turns must be at least 1")
        self.max_turns = max_turns
        self.gazetteer = frozenset(normalize(n) for n in gazetteer)  # known place names
        self._turns: deque[Turn] = deque(maxlen=max_turns)
        self._lock = threading.Lock()  # HTTP requests of one session may overlap

    @property
    def turns(self) -> tuple[Turn, ...]:
        with self._lock:
            return tuple(self._turns)

    @property
    def last(self) -> Turn | None:
        turns = self.turns
        return turns[-1] if turns else None

    def add(self, message: str, question: str, result: AskResult) -> Turn:
        turn = Turn(message, normalize(question), result)
        with self._lock:
            self._turns.append(turn)
        return turn

    def reset(self) -> None:
        with self._lock:
            self._turns.clear()

    def resolve(self, message: str) -> str:
        """The standalone question `message` asks, given the previous turns."""
        text, turns = normalize(message.strip()), self.turns
        if not turns or not text:
            return message.strip()
        known = self.gazetteer | {m.name for t in turns for m in _mentions(t.question) if m.rank < 2}
        if new := self._follow_up_subject(text, known):
            previous = turns[-1].question
            if found := _mentions(previous, known):
                return previous[:found[0].start] + new + previous[found[0].end:]
            return _append_place(previous, new)
        place = None if _mentions(text, known) else self._last_place(turns, known)
        return (_fill_deictic(text, place) if place else None) or message.strip()

    @staticmethod
    def _follow_up_subject(text: str, known: frozenset[str]) -> str | None:
        """The new place of "Còn X thì sao?", "What about X?", "X thì sao?"; None otherwise."""
        core = text.rstrip(" ?!.…").strip()
        m = _FOLLOW_UP.match(_aligned_fold(core))
        if not m or not (m["prefix"] or m["tail"]):
            return None
        words = [w.strip(",;:\"“”") for w in core[m.start("x"):m.end("x")].split()]
        while words and (fold(" ".join(words[:2])) in _LEADING or fold(words[0]) in _LEADING):
            words = words[2 if fold(" ".join(words[:2])) in _LEADING else 1:]  # "ở", "in", "huyện"
        while words and fold(words[-1]) in _TRAILING:
            words.pop()
        if not words or len(words) > 5 or any(fold(w) in _QUESTION_WORDS or not w.isalpha() for w in words):
            return None
        x = " ".join(words)
        names = _known_pattern(known)[1].get(fold(x), [])
        canonical = next((n for n in names if n.lower() == x.lower()), names[0] if names else None)
        strong = m["tail"] or m["prefix"] in _STRONG  # bare "còn"/"and" need a name after them
        if not (strong or canonical or any(_capitalised(w) for w in words)):
            return None
        return canonical or (x.title() if x.islower() else x)

    @staticmethod
    def _last_place(turns: tuple[Turn, ...], known: frozenset[str]) -> str | None:
        """Latest place: last answer (a known or place/org one), last question, cited article, older questions."""
        last = turns[-1]
        answer, candidates = last.result.answer, []
        if answer:
            candidates += [m for m in _mentions(normalize(answer.text), known) if m.rank == 0 or answer.kind in ("place", "org")]
        candidates += _mentions(last.question, known)
        cited = [p for p in last.result.passages if answer is None or p.rank == answer.passage][:1]
        candidates += [m for p in cited for m in _mentions(normalize(p.article.title), known)]
        candidates += [m for t in reversed(turns[:-1]) for m in _mentions(t.question, known)]
        return candidates[0].name if candidates else None
