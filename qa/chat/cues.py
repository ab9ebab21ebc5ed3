"""Cue phrases from the word-list data found in a question, with or without its diacritics.

A question typed with diacritics is matched against the accented phrases (so "hơn" is not
"hôn"); one typed without them against the folded phrases. Whole words only. Knows nothing
of what the cues mean (`qa.chat.compare`, `qa.chat.meta`, `qa.chat.multipart` do).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from qa.lang.text import fold, fold_aligned, has_diacritics, normalize


@lru_cache(maxsize=128)
def _pattern(phrases: tuple[str, ...], bare: bool) -> re.Pattern:
    forms = {fold(p) if bare else normalize(p.lower()) for p in phrases}
    alt = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % alt if alt else r"(?!)")


def _view(text: str) -> tuple[str, bool]:
    bare = not has_diacritics(text)
    return (fold_aligned(text) if bare else normalize(text).lower()), bare


def find(text: str, phrases: Iterable[str]) -> list[re.Match]:
    """Every non-overlapping cue of `phrases` in `text`; match offsets index `text`."""
    view, bare = _view(text)
    return list(_pattern(tuple(sorted(phrases)), bare).finditer(view))


def has(text: str, phrases: Iterable[str]) -> bool:
    return bool(find(text, phrases))
