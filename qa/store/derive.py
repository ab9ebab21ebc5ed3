"""Deriving a new segment's data: what a build computes from the articles it has not placed yet.

Chunks each article (`chunking`), gives the embedder the text of each dense view
(`embed_text`) and embeds only text that no segment of the live build nor a checkpoint
holds (`embedcache`, looked up by content hash), counts BM25 terms (`bm25_tokens`) and
takes near-duplicate shingles; and updates the corpus' accent counts by what changed.
Writes nothing but embedding checkpoints: which articles stay where they are, merging and
publishing a build are `builder`'s.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from qa.ingest.chunking import ChunkerSettings, chunk_article, text_key
from qa.lang import accents
from qa.lang.text import tokens
from qa.records import Article, Chunk
from qa.store import duplicates, embedcache
from qa.store import segments as segs
from qa.store.embed import Embedder
from qa.store.segments import FIELDS, SegmentData


@dataclass(frozen=True)
class Embedding:
    """How a build embeds: checkpoints every `every` texts; `cancel` stops it between batches;
    `fresh` are keys this operation embedded ahead of the build (counted as embedded, not resumed)."""

    every: int = 64
    progress: bool = False
    cancel: object = None  # a threading.Event
    fresh: frozenset = frozenset()


def embed_text(chunk: Chunk, article: Article, field: str) -> str:
    """What the embedder sees: the bare sentence, or the title plus the passage."""
    return chunk.sentence if field == "sentence" else f"{article.title}. {chunk.context}"


def bm25_tokens(chunk: Chunk, article: Article, *, folded: bool) -> list[str]:
    # The title is left out: it would make every chunk of an article match its place name.
    return tokens(f"{chunk.context} {chunk.sentence}", folded=folded)


def chunked(articles: list[Article], chunker: ChunkerSettings):
    """(article, its chunks) pairs, the embedding keys of each field's rows, key -> text."""
    per_article = [(a, chunk_article(a, chunker)) for a in articles]
    chunks = [(a, c) for a, own in per_article for c in own]
    texts = {f: [embed_text(c, a, f) for a, c in chunks] for f in FIELDS}
    keys = {f: [text_key(t) for t in texts[f]] for f in FIELDS}
    return per_article, keys, {k: t for f in FIELDS for k, t in zip(keys[f], texts[f])}


def segment_data(articles: list[Article], embedder: Embedder, chunker: ChunkerSettings, previous, checkpoints,
                 embedding: Embedding, embed=None):
    """(SegmentData of `articles`, texts embedded, texts reused, texts resumed from checkpoints):
    chunks, vectors (embedding only text that neither a segment of the live build nor a
    checkpoint holds), term counts, shingles."""
    per_article, keys, unique = chunked(articles, chunker)
    chunks = [(a, c) for a, own in per_article for c in own]
    cache = previous.embeddings(set(unique), {"id": embedder.id, "dim": embedder.dim}) if unique else {}
    saved = checkpoints.load(set(unique) - cache.keys()) if unique else {}
    cache.update(saved)
    todo = sorted((k, t) for k, t in unique.items() if k not in cache)
    if todo:
        if embed:  # another executor (Ray) embeds and keeps what it finished itself
            cache.update(zip((k for k, _ in todo), embed([k for k, _ in todo], [t for _, t in todo])))
        else:
            cache.update(embed_with_progress(embedder, todo, checkpoints, embedding))
    entries, at = [], 0
    for a, own in per_article:
        entries.append(segs.Entry(a.id, a.title, a.content_hash, at, at + len(own)))
        at += len(own)
    data = SegmentData(
        entries=tuple(entries),
        article_lines=tuple(json.dumps(vars(a), ensure_ascii=False) + "\n" for a, _ in per_article),
        chunk_lines=tuple(json.dumps(vars(c), ensure_ascii=False) + "\n" for _, c in chunks),
        vectors={f: np.stack([cache[k] for k in keys[f]]).astype(np.float32) if chunks
                 else np.zeros((0, embedder.dim), np.float32) for f in FIELDS},
        keys=keys,
        counts={name: segs.count_terms([bm25_tokens(c, a, folded=name == "folded") for a, c in chunks])
                for name in segs.TERM_FIELDS},
        shingles={a.content_hash: duplicates.shingle_array(a.text) for a, _ in per_article},
    )
    embedded_now = {k for k, _ in todo} | (saved.keys() & embedding.fresh)
    return (data, len(embedded_now), sum(k not in embedded_now for f in FIELDS for k in keys[f]),
            len(saved.keys() - embedding.fresh))


def accent_text(article: Article) -> str:
    return article.title + "\n" + article.text  # what the accent table has always been built from


def accent_counts(previous, articles: list[Article], placed: set[str], force: bool) -> dict:
    """The corpus' accent counts: the live build's, plus the new articles, minus those gone."""
    counts = None if force else previous.accent_counts()
    if counts is None:
        return accents.update_accent_counts({}, [accent_text(a) for a in articles], [])
    gone = [previous.article_of(seg, i) for seg, i in previous.live_entries() if seg.entries[i].id not in placed]
    return accents.update_accent_counts(
        counts, add=[accent_text(a) for a in articles if a.id not in placed],
        remove=[accent_text(a) for a in gone])


def embed_with_progress(embedder: Embedder, todo: list[tuple[str, str]], checkpoints, embedding: Embedding) -> dict:
    from tqdm import tqdm

    with tqdm(total=len(todo), desc="Embedding", unit="text", disable=not embedding.progress, leave=False) as bar:
        return embedcache.embed(embedder.embed_passages, todo, checkpoints, embedding.every, on_batch=bar.update,
                                cancel=embedding.cancel)
