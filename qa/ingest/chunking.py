"""Chunking: split a cleaned article into sentence units with neighbouring context.

Each `Chunk` is one sentence plus up to `context_sentences` neighbours on each side, with
character offsets into `Article.text` so that a citation can point at the exact span.
Does not embed or tokenise anything; the same sentence appearing twice in an article is
kept once. A "." ends no sentence after an abbreviation ("TP.", "PGS. TS.", "Th.S", "Mr.",
qa/data/abbreviations.txt, learnt by Punkt on Vietnamese text) written capitalised, nor after
a single capital initial ("Nguyễn V. A.", "Ông B."); a lower-case one ("v.v.", "etc.") ends
a list and may end the sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.ingest.articles import content_hash
from qa.lang.text import fold
from qa.lang.wordlists import words
from qa.records import Article, Chunk
from qa.settings import default

CHUNKER_VERSION = 2  # 2: no sentence end after abbreviations and initials
TEXT_KEY_CHARS = 32  # hex characters of a text key (`text_key`): part of the stored format

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) when the next
# non-space character starts a new sentence. Decimal and thousands separators ("4.036",
# "2,1") never match because they are not followed by a space.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“(\[]?[A-ZÀ-Ỹ0-9Đ])")
_CLAUSE_END = re.compile(r"(?<=;)\s+")
_WORD_BEFORE = re.compile(r"[^\s(\[\"“'‘]+$")


def _ends_sentence(text: str, m: re.Match) -> bool:
    """False when the "." before this break closes an abbreviation or an initial."""
    if text[m.start() - 1] != ".":
        return True
    word = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start() - 1)
    if not word:
        return True
    if word.group(0).islower():  # "v.v.", "etc." end lists, so often sentences; a title is capitalised
        return True
    parts = word.group(0).split(".")  # "PGS.TS", "Th.S"
    if word.group(0).lower() in words("abbreviations"):
        return False
    return not all(p.lower() in words("abbreviations") or len(p) == 1 and p.isupper() for p in parts)


@dataclass(frozen=True)
class ChunkerSettings:
    context_sentences: int = default("context_sentences")
    # Only run-on sentences are split at "; ": splitting shorter ones loses the subject
    # ("... đã huy động được 2 tỷ 652 triệu đồng;" no longer says who raised it).
    max_sentence_chars: int = 1000
    max_context_chars: int = 900  # neighbours are added only while the passage stays short

    def as_dict(self) -> dict:
        return {"version": CHUNKER_VERSION, "context_sentences": self.context_sentences,
                "max_sentence_chars": self.max_sentence_chars,
                "max_context_chars": self.max_context_chars}


def _spans(text: str, pattern: re.Pattern, start: int, end: int, keep=lambda text, m: True):
    pos = start
    for m in pattern.finditer(text, start, end):
        if not keep(text, m):
            continue
        yield pos, m.start()
        pos = m.end()
    yield pos, end


def sentence_spans(text: str, max_chars: int = ChunkerSettings.max_sentence_chars) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`; paragraphs never share a sentence."""
    spans = []
    for para in re.finditer(r"[^\n]+", text):
        for s, e in _spans(text, _SENTENCE_END, para.start(), para.end(), _ends_sentence):
            pieces = _spans(text, _CLAUSE_END, s, e) if e - s > max_chars else [(s, e)]
            for ps, pe in pieces:
                while ps < pe and text[ps].isspace():
                    ps += 1
                while pe > ps and text[pe - 1].isspace():
                    pe -= 1
                if pe - ps >= 2 and any(ch.isalnum() for ch in text[ps:pe]):
                    spans.append((ps, pe))
    return spans


def _context(spans: list[tuple[int, int]], i: int, settings: ChunkerSettings) -> tuple[int, int]:
    """Grow the passage around sentence i, previous neighbour first, within the budget."""
    lo = hi = i
    for step in range(1, settings.context_sentences + 1):
        for j in (i - step, i + step):
            if 0 <= j < len(spans):
                new_lo, new_hi = min(lo, j), max(hi, j)
                if spans[new_hi][1] - spans[new_lo][0] <= settings.max_context_chars:
                    lo, hi = new_lo, new_hi
    return spans[lo][0], spans[hi][1]


def text_key(text: str) -> str:
    """A chunk's `content_hash` and the key of an embedded text: 128 bits of its sha256 are
    enough to tell texts apart and halve the keys stored for every text."""
    return content_hash(text, TEXT_KEY_CHARS)


def chunk_article(article: Article, settings: ChunkerSettings = ChunkerSettings()) -> list[Chunk]:
    text = article.text
    seen: set[str] = set()
    spans = []
    for s, e in sentence_spans(text, settings.max_sentence_chars):
        key = " ".join(fold(text[s:e]).split())
        if key in seen:  # a caption printed twice, a repeated heading
            continue
        seen.add(key)
        spans.append((s, e))
    chunks = []
    for i, (s, e) in enumerate(spans):
        cs, ce = _context(spans, i, settings)
        chunks.append(Chunk(
            article_id=article.id, position=i, sentence=text[s:e], context=text[cs:ce],
            start=s, end=e, context_start=cs, context_end=ce,
            content_hash=text_key(article.title + "\n" + text[cs:ce] + "\n" + text[s:e]),
        ))
    return chunks
