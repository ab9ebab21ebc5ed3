"""What the answer paths derive from a whole build: place names, each article's place, the facts table.

Computed when a build is loaded (`qa.live`: on a server in the background, before the
swap), never by a request: computed per request after a swap, these tables once made p99
latency 53 times steady (bench/README.md, "Swap"). Does not answer anything.
"""
from __future__ import annotations

import threading

from qa.chat import facts as facts_table
from qa.chat.about import Archive, nested_places
from qa.chat.conversation import place_names
from qa.store.api import StoreView


class BuildTables:
    """Place names and article places are computed at once; the facts table reads every chunk,
    so it is computed at once only when `eager` (a watching server), else on first use (a
    one-shot CLI question computes it only if it asks a comparison)."""

    def __init__(self, view: StoreView, eager: bool):
        texts = [a.title for a in view.articles.values()] + [a.text for a in view.articles.values()]
        self.places: frozenset[str] = frozenset(place_names(texts))  # place names the articles name
        self.own_places: dict[str, str | None] = {  # each article's own place
            a.id: facts_table.article_place(a, self.places) for a in view.articles.values()}
        self.archive = Archive(self.own_places, view.articles, nested_places(texts, self.places))
        self._view, self._lock, self._facts = view, threading.Lock(), None
        if eager:
            self.facts

    @property
    def facts(self) -> tuple[facts_table.Fact, ...]:
        """Every figure the articles state (computed once; concurrent callers wait for it)."""
        with self._lock:
            if self._facts is None:
                self._facts = tuple(facts_table.build(self._view.articles, self._view.chunks, self.places))
            return self._facts
