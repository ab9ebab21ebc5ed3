"""Near-duplicate articles: Jaccard similarity of word shingles, against the live build.

`qa add` refuses an article that nearly repeats one already in the collection. The shingles
of the articles a build holds are stored in its segments (sorted, per segment), so a check
costs what the new text costs, not what the corpus does. Does not decide the threshold
(`Settings.near_duplicate`).
"""
from __future__ import annotations

import numpy as np

from qa.ingest.articles import shingles
from qa.records import Article
from qa.store.buildcache import Previous


def shingle_array(text: str) -> np.ndarray:
    return np.sort(np.fromiter(shingles(text), dtype=np.uint64))


class NearDuplicates:
    """Jaccard similarity of a text's shingles to every article's. For articles the live build
    holds, each segment's sorted shingle array is binary-searched (a cost set by the new
    text, not by the corpus); the shingles of any other article are computed here."""

    def __init__(self, articles: list[Article], previous: Previous):
        self.articles: list[Article] = list(articles)
        self._sizes = np.zeros(len(self.articles), dtype=np.int64)
        self._indexes: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, article position or -1)
        self._extra: list[tuple[int, np.ndarray]] = []  # (article position, its shingles)
        position = {a.content_hash: i for i, a in enumerate(self.articles)}
        covered: set[int] = set()
        for seg, _ in previous.segments if previous.valid else []:
            try:
                keys, sizes, hashes, owners = seg.shingle_index()
            except (OSError, ValueError, KeyError):
                continue
            where = np.asarray([position.get(k, -1) for k in keys], dtype=np.int64)
            where[[i for i, w in enumerate(where) if w in covered]] = -1  # an article counts once
            covered.update(int(w) for w in where if w >= 0)
            self._sizes[where[where >= 0]] = sizes[where >= 0]
            self._indexes.append((hashes, where[owners] if len(owners) else owners.astype(np.int64)))
        for i, article in enumerate(self.articles):
            if i not in covered:
                self._add_extra(i, article)

    def _add_extra(self, i: int, article: Article) -> None:
        mine = shingle_array(article.text)
        self._extra.append((i, mine))
        self._sizes[i] = len(mine)

    def add(self, article: Article) -> None:
        self.articles.append(article)
        self._sizes = np.append(self._sizes, 0)
        self._add_extra(len(self.articles) - 1, article)

    def similarities(self, text: str) -> np.ndarray:
        """One score per article, in order; equal to `articles.similarity(text, article.text)`."""
        if not self.articles:
            return np.zeros(0)
        mine = shingle_array(text)
        common = np.zeros(len(self.articles), dtype=np.int64)
        for hashes, owners in self._indexes:
            lo, hi = np.searchsorted(hashes, mine, "left"), np.searchsorted(hashes, mine, "right")
            runs = hi - lo
            at = np.repeat(lo - np.cumsum(runs) + runs, runs) + np.arange(int(runs.sum()))
            hits = owners[at]
            common += np.bincount(hits[hits >= 0], minlength=len(common))
        for i, theirs in self._extra:
            common[i] = np.count_nonzero(np.isin(theirs, mine, assume_unique=True))
        union = len(mine) + self._sizes - common
        return np.where(union > 0, common / np.maximum(union, 1), 1.0)
