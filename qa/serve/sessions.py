"""Conversations kept for the HTTP /chat route: bounded in number, turns, age and bytes.

A thread-safe LRU of `qa.chat.conversation.Conversation`s keyed by session id, pruned by a TTL (the
clock is injectable for tests) and by the text all of them hold (`max_bytes`: the least
recently used go first). Does not resolve follow-ups or answer anything.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from typing import Callable

from qa.chat.conversation import Conversation, Turn
from qa.errors import BadQuestion
from qa.settings import default

_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class ChatSessions:
    """Conversations by session id for HTTP: at most `max_sessions` (least recently used
    evicted first), each forgotten after `ttl_seconds` without a request."""

    def __init__(self, max_sessions: int = default("chat_sessions"), ttl_seconds: float = default("chat_session_ttl_s"),
                 max_turns: int = default("chat_max_turns"), clock: Callable[[], float] = time.monotonic,
                 max_bytes: int = default("chat_sessions_max_bytes")):
        if max_sessions < 1 or ttl_seconds <= 0 or max_bytes < 1:
            raise ValueError("max_sessions, ttl_seconds and max_bytes must be positive")
        self.max_sessions, self.ttl_seconds, self.max_turns = max_sessions, ttl_seconds, max_turns
        self.max_bytes = max_bytes
        self._bytes: dict[str, int] = {}  # session id -> text its conversation holds (as of its last turn)
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, Conversation]] = OrderedDict()  # least recent first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._prune(self._clock())
            return len(self._items)

    def get(self, session_id: str) -> Conversation | None:
        """The live conversation, marked as just used; None if unknown or expired."""
        with self._lock:
            return self._touch(session_id, self._clock())

    def open(self, session_id: str | None = None) -> tuple[str, Conversation]:
        """(id, conversation): the live one, else a new one (under `session_id` when given)."""
        if session_id is not None and not _SESSION_ID.fullmatch(session_id):
            raise BadQuestion("session id must be 1-64 letters, digits, '-' or '_'")
        with self._lock:
            now = self._clock()
            conversation = self._touch(session_id, now) if session_id else None
            if conversation is None:
                session_id = session_id or secrets.token_urlsafe(16)
                conversation = Conversation(self.max_turns)  # Engine.chat gives it the live build's place names
                while len(self._items) >= self.max_sessions:
                    self._bytes.pop(self._items.popitem(last=False)[0], None)
                self._items[session_id] = (now, conversation)
            return session_id, conversation

    def drop(self, session_id: str) -> bool:
        with self._lock:
            self._bytes.pop(session_id, None)
            return self._items.pop(session_id, None) is not None

    def held_bytes(self) -> int:
        with self._lock:
            return sum(self._bytes.values())

    def account(self, session_id: str) -> None:
        """Count the text the session's conversation now holds (call after each turn), and forget
        the least recently used other conversations while all of them hold over `max_bytes`."""
        with self._lock:
            item = self._items.get(session_id)
            if item is None:
                return
            self._bytes[session_id] = sum(turn_bytes(t) for t in item[1].turns)
            total = sum(self._bytes.values())
            for other in list(self._items):
                if total <= self.max_bytes or other == session_id:
                    break
                total -= self._bytes.pop(other, 0)
                del self._items[other]

    def _touch(self, session_id: str, now: float) -> Conversation | None:
        self._prune(now)
        if session_id not in self._items:
            return None
        conversation = self._items.pop(session_id)[1]
        self._items[session_id] = (now, conversation)  # re-inserted last: most recently used
        return conversation

    def _prune(self, now: float) -> None:
        # Least recently used first, so the first live session ends the scan.
        while self._items:
            session_id, (used, _conversation) = next(iter(self._items.items()))
            if now - used < self.ttl_seconds:
                break
            del self._items[session_id]
            self._bytes.pop(session_id, None)


def turn_bytes(turn: Turn) -> int:
    """UTF-8 bytes of the text a turn keeps (message, question, answer, cited passages)."""
    result, texts = turn.result, [turn.message, turn.question]
    texts += [p.text + p.sentence + p.article.title for p in result.passages]
    texts += [a.text + a.sentence for a in ([result.answer] if result.answer else []) + list(result.also)]
    return sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
