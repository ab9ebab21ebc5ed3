"""Searching one version of the Milvus store: each signal's top candidates, server-side.

Four searches per question on one chunk collection (dense sentence, dense context, BM25
accented, BM25 folded), each its top `pool` under the article/date filter, merged into
one candidate list for `retrieve` to fuse exactly as on the embedded store. A candidate a
signal did not return gets that signal's floor: 0 for BM25 (no shared word, or below the
pool), the lowest returned score for dense. On a corpus no larger than the pool every
chunk comes back from the dense searches, so nothing is estimated. Milvus returns BM25
scores negated (milvus-lite 3.2.2), so their magnitude is used. Does not write.
"""
from __future__ import annotations

import json
from functools import cached_property
from typing import Sequence

import numpy as np
from pymilvus import MilvusClient

from qa.records import Article, Chunk
from qa.store import vectors
from qa.store.api import Candidates, Query, chunk_holding
from qa.store.milvus.schema import as_list, quoted, token_text

HNSW_EF_SEARCH = vectors.HNSW_EF_SEARCH  # as the embedded store's FAISS HNSW


class MilvusView:
    """One published version in a chunk collection (`qa.store.api.StoreView`)."""

    def __init__(self, client: MilvusClient, collection: str, manifest: dict, accents: dict, articles: dict,
                 index_type: str):
        self.client, self.collection = client, collection
        client.load_collection(collection)  # a restarted milvus-lite keeps collections released
        self.version, self.manifest, self.accents = manifest["version"], manifest, accents
        self.articles = {a: Article(**v) for a, v in articles.items()}
        self._dense_params = {"ef": HNSW_EF_SEARCH} if index_type.upper() == "HNSW" else {}

    @property
    def size(self) -> int:
        return int(self.manifest.get("chunks", 0))

    @cached_property
    def chunks(self) -> list[Chunk]:
        """Every chunk, in article then sentence order (fetched once: listings only)."""
        rows = []
        it = self.client.query_iterator(self.collection, batch_size=1000, filter="id >= 0", output_fields=["chunk"])
        while batch := it.next():
            rows += [Chunk(**json.loads(r["chunk"])) for r in batch]
        it.close()
        return sorted(rows, key=lambda c: (c.article_id, c.position))

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        rows = list(rows)
        found = {r["id"]: r["chunk"] for r in self.client.get(self.collection, ids=rows, output_fields=["chunk"])} \
            if rows else {}
        return [Chunk(**json.loads(found[r])) for r in rows]

    def vectors_at(self, where: Sequence[tuple[str, int]]) -> dict[str, np.ndarray]:
        """One query per article named (the answer stage reads a few articles' sentences)."""
        dim = int(self.manifest["embedder"]["dim"])
        out = {f: np.zeros((len(where), dim), dtype=np.float32) for f in ("sentence", "context")}
        for article in {a for a, _ in where}:
            rows = self.client.query(self.collection, filter=f"article_id == {quoted(article)}",
                                     output_fields=["chunk", "sentence", "context"])
            if not rows:
                continue
            rows = sorted(((json.loads(r["chunk"])["start"], r) for r in rows), key=lambda pair: pair[0])
            starts = [start for start, _ in rows]
            for n, (a, offset) in enumerate(where):
                if a == article:
                    row = rows[chunk_holding(starts, offset)][1]
                    for f in out:
                        out[f][n] = np.asarray(row[f], dtype=np.float32)
        return out

    def _filter(self, article: str | None, date: str | None) -> str:
        parts = [f"article_id == {quoted(article)}"] if article else []
        if date:  # a prefix of "YYYY-MM-DD HH:MM", as the retriever's own check
            parts.append(f"date like {quoted(date.replace('%', '') + '%')}")
        return " and ".join(parts)

    def _search(self, field: str, data, metric: str, pool: int, where: str) -> list[dict]:
        params = {"metric_type": metric, "params": self._dense_params if metric == "IP" else {}}
        return self.client.search(self.collection, data=[data], anns_field=field, limit=pool, filter=where,
                                  output_fields=["article_id"], search_params=params)[0]

    def candidates(self, query: Query, pool: int, article: str | None = None, date: str | None = None) -> Candidates:
        where = self._filter(article, date)
        vector = as_list(query.vector)
        hits = {
            "sentence": self._search("sentence", vector, "IP", pool, where),
            "context": self._search("context", vector, "IP", pool, where),
            **{f: self._search(f, token_text(words), "BM25", pool, where) if words else []
               for f, words in (("accented", query.accented), ("folded", query.folded))},
        }
        article_of = {h["id"]: h["entity"]["article_id"] for found in hits.values() for h in found}
        rows = np.array(sorted(article_of), dtype=np.int64)
        scores = {}
        for signal, found in hits.items():
            got = np.array([abs(h["distance"]) if signal in ("accented", "folded") else h["distance"]
                            for h in found], dtype=np.float32)
            floor = 0.0 if signal in ("accented", "folded") or not len(got) else float(got.min())
            values = np.full(len(rows), floor, dtype=np.float32)
            values[np.searchsorted(rows, [h["id"] for h in found])] = got
            scores[signal] = values
        best: dict[str, float] = {}  # the best folded BM25 of each candidate's article
        for row, value in zip(rows.tolist(), scores["folded"].tolist()):
            best[article_of[row]] = max(best.get(article_of[row], 0.0), value)
        scores["article"] = np.array([best[article_of[r]] for r in rows.tolist()], dtype=np.float32)
        return Candidates(rows=rows, scores=scores)
