"""Conversation state for `qa chat` and HTTP `/chat`: follow-ups resolved without an LLM.

Does: bounded turns; rewrites a follow-up into a standalone question on the question's
structure (`qa.chat.followup`: "Còn Mộc Châu thì sao?" swaps the previous question's place, "and
in 2022?" its year, "… ở đó?", "they" take the last entity); keeps junk turns (commands,
"clear", unresolvable fragments, turns that got no answer) out of the context; slash commands;
reply language. Does not: answer (that is `Engine.ask`), or rewrite a message that names its
own entity.
"""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Iterable

from qa.chat import followup
from qa.chat.entities import mentions, place_names
from qa.lang.language import detect_language
from qa.lang.text import normalize
from qa.records import AskResult
from qa.settings import default

__all__ = ["NOT_FOUND", "Command", "Conversation", "Turn", "parse_command", "place_names", "reply_language"]

NOT_FOUND = {"vi": "Các bài báo không nói điều này.", "en": "The articles do not say."}
_COMMANDS = {"sources": "sources", "reset": "reset", "clear": "reset", "quit": "quit", "exit": "quit", "help": "help"}


@dataclass(frozen=True)
class Turn:
    message: str  # what the person typed
    question: str  # the standalone question that was asked
    result: AskResult
    context: bool = True  # False: a junk turn, never the context of a follow-up


@dataclass(frozen=True)
class Command:
    kind: str  # sources, reset, quit, help, unknown
    name: str  # the word typed after "/", lower-cased
    arg: str = ""


def parse_command(message: str) -> Command | None:
    """`/sources`, `/reset` (`/clear`), `/quit` (`/exit`), `/help`; any other `/word` is kind "unknown"."""
    text = message.strip()
    if not text.startswith("/"):
        return None
    name, _, arg = text[1:].partition(" ")
    return Command(_COMMANDS.get(name.lower(), "unknown"), name.lower(), arg.strip())


def reply_language(message: str) -> str:
    """"vi" or "en", the language to reply in; `qa.lang.language.detect_language` decides, so that
    accented names in English ("How much did Quỳnh Nhai raise?") still mean "en"."""
    return "en" if detect_language(message) == "en" else "vi"


class Conversation:
    """The turns of one chat, newest last, at most `max_turns` of them (older ones drop off)."""

    def __init__(self, max_turns: int = default("chat_max_turns"), gazetteer: Iterable[str] = ()):
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
        """Remember a turn; it becomes context only if it asked something and got an answer."""
        fragment = normalize(question).strip() == normalize(message).strip() and \
            followup.subject(normalize(message), self.gazetteer) is not None  # a follow-up with nothing to follow
        context = result.answer is not None and not followup.is_junk(message) and not fragment
        turn = Turn(message, normalize(question), result, context)
        with self._lock:
            self._turns.append(turn)
        return turn

    def reset(self) -> None:
        with self._lock:
            self._turns.clear()

    def non_question(self, message: str) -> Turn | None:
        """The reply to a message that asks nothing (a slash command, "clear", "thanks"), which is
        never context; "clear"/"reset" also forget the conversation. None for a question."""
        command = parse_command(message)
        if command is None and not followup.is_junk(message):
            return None
        lang = reply_language(message)
        if (command.kind if command else message.strip(" !.").lower()) in ("reset", "clear"):
            self.reset()
            note = {"vi": "Đã xóa cuộc trò chuyện.", "en": "Conversation cleared."}[lang]
        else:
            note = {"vi": "Hãy đặt một câu hỏi về các bài báo.", "en": "Ask a question about the articles."}[lang]
        return Turn(message, message, AskResult(message, None, (), 0.0, note=note), context=False)

    def context(self) -> tuple[Turn, ...]:
        """The turns a follow-up may refer to, oldest first (junk turns left out)."""
        return tuple(t for t in self.turns if t.context)

    def resolve(self, message: str) -> str:
        """The standalone question `message` asks, given the previous turns."""
        text, turns = normalize(message.strip()), self.context()
        if not turns or not text or followup.is_junk(text):
            return message.strip()
        known = self.gazetteer
        if new := followup.subject(text, known):
            return followup.swap(turns[-1].question, *new, known)
        own = [m for m in mentions(text, known) if m.kind != "time"]
        entity = None if own else self.last_entity(turns)
        return (followup.refer(text, entity) if entity else None) or message.strip()

    def last_entity(self, turns: tuple[Turn, ...] | None = None) -> str | None:
        """Latest entity: last answer (a place or body), last question, cited article, older questions."""
        turns = self.context() if turns is None else turns
        if not turns:
            return None
        known, last = self.gazetteer, turns[-1]
        answer, candidates = last.result.answer, []
        named = lambda text: [m for m in mentions(normalize(text), known) if m.kind != "time"]  # noqa: E731
        if answer:
            candidates += [m for m in named(answer.text) if m.kind == "place" and m.rank == 0 or answer.kind in ("place", "org")]
        candidates += sorted(named(last.question), key=lambda m: (m.kind != "place", m.rank, m.start))
        cited = [p for p in last.result.passages if answer is None or p.rank == answer.passage][:1]
        candidates += [m for p in cited for m in named(p.article.title)]
        candidates += [m for t in reversed(turns[:-1]) for m in named(t.question)]
        return candidates[0].name if candidates else None
