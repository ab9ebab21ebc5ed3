"""Milvus collections of the Milvus store: the chunk schema, BM25 text, and a small key-value table.

Each version of the corpus lives in one chunk collection: a row per chunk with both dense
views (FLOAT_VECTOR, inner product) and both token streams as text that a BM25 function
turns into sparse vectors server-side. The text is made of *our* tokens (`text.tokens`:
syllables and `a_b` bigrams, accented or folded) joined by spaces: the `standard`
tokenizer (the only usable one in milvus-lite) keeps a `\\w+` word whole, so each token is
asserted to be one, and anything else is spelled as hex. Articles, manifests and accent
tables go in a key-value collection as JSON split into parts (VARCHAR holds 65,535 bytes).
Does not decide what to write (`store`) nor how to search (`view`).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re

import numpy as np
from pymilvus import DataType, Function, FunctionType, MilvusClient

from qa.errors import BadArticle
from qa.store import vectors

VARCHAR_MAX = 65_535
PART_CHARS = 16_000  # 4 bytes a character at most: a part always fits VARCHAR_MAX
_WORD = re.compile(r"^\w+$")
TERM_FIELDS = ("accented", "folded")
# milvus-lite answers no MVCC timestamp, so every query iterator warns and falls back to the
# client's clock, which is what we want: keep the logs readable.
logging.getLogger("pymilvus.client.iterator.query_iterator").setLevel(logging.ERROR)
HNSW_PARAMS = {"M": vectors.HNSW_M, "efConstruction": vectors.HNSW_EF_CONSTRUCTION}  # as the embedded store's FAISS HNSW


def token_text(tokens: list[str]) -> str:
    """One line the `standard` tokenizer splits back into exactly these tokens."""
    words = [t if _WORD.match(t) else "x" + t.encode("utf-8").hex() for t in tokens]
    if not all(_WORD.match(w) for w in words):
        raise ValueError("a token the standard tokenizer would split")
    return " ".join(words)


def row_id(article_id: str, content_hash: str, position: int) -> int:
    """A chunk's primary key: stable for the same article text, new when it is edited."""
    digest = hashlib.blake2b(f"{article_id}\0{content_hash}\0{position}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF_FFFF_FFFF


def quoted(text: str) -> str:
    """A string literal for a Milvus filter expression."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fit(text: str, what: str) -> str:
    if len(text.encode("utf-8")) > VARCHAR_MAX:
        raise BadArticle(f"{what} is longer than Milvus' {VARCHAR_MAX:,}-byte text field; split the article.")
    return text


def create_chunk_collection(client: MilvusClient, name: str, dim: int, index_type: str) -> None:
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("article_id", DataType.VARCHAR, max_length=1024)
    schema.add_field("date", DataType.VARCHAR, max_length=64)
    schema.add_field("chunk", DataType.VARCHAR, max_length=VARCHAR_MAX)  # the Chunk as a JSON line
    for field in ("sentence", "context"):
        schema.add_field(field, DataType.FLOAT_VECTOR, dim=dim)
    for field in TERM_FIELDS:
        schema.add_field(f"{field}_text", DataType.VARCHAR, max_length=VARCHAR_MAX, enable_analyzer=True,
                         analyzer_params={"tokenizer": "standard"})
        schema.add_field(field, DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name=f"bm25_{field}", function_type=FunctionType.BM25,
                                     input_field_names=[f"{field}_text"], output_field_names=[field]))
    params = client.prepare_index_params()
    dense = HNSW_PARAMS if index_type.upper() == "HNSW" else {"nlist": 1024} if index_type.upper().startswith("IVF") else {}
    for field in ("sentence", "context"):
        params.add_index(field, index_type=index_type, metric_type="IP", params=dense)
    for field in TERM_FIELDS:  # k1, b as bm25s' defaults, so scores match the embedded store's
        params.add_index(field, index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                         params={"bm25_k1": 1.5, "bm25_b": 0.75})
    client.create_collection(name, schema=schema, index_params=params)


class KeyValue:
    """JSON values under string keys, each stored as parts `<key>#000000`, `<key>#000001`, ..."""

    def __init__(self, client: MilvusClient, name: str):
        self.client, self.name = client, name
        if not client.has_collection(name):
            schema = client.create_schema(auto_id=False)
            schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=2048)
            schema.add_field("name", DataType.VARCHAR, max_length=2048)  # the key without its part number
            schema.add_field("data", DataType.VARCHAR, max_length=VARCHAR_MAX)
            schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # a collection needs a vector field
            params = client.prepare_index_params()
            params.add_index("v", index_type="FLAT", metric_type="L2")
            client.create_collection(name, schema=schema, index_params=params)
        client.load_collection(name)  # a restarted milvus-lite keeps collections released

    def put_many(self, items: dict[str, object]) -> None:
        if not items:
            return
        self.delete_many(list(items))
        rows = []
        for key, value in items.items():
            text = json.dumps(value, ensure_ascii=False)
            for i in range(0, max(len(text), 1), PART_CHARS):
                rows.append({"key": f"{key}#{i // PART_CHARS:06d}", "name": key, "data": text[i:i + PART_CHARS],
                             "v": [0.0, 0.0]})
        for i in range(0, len(rows), 1000):
            self.client.insert(self.name, rows[i:i + 1000])

    def delete_many(self, keys: list[str]) -> None:
        for i in range(0, len(keys), 500):
            names = ", ".join(quoted(k) for k in keys[i:i + 500])
            self.client.delete(self.name, filter=f"name in [{names}]")

    def get(self, key: str, default=None):
        return self.scan(key, exact=True).get(key, default)

    def scan(self, prefix: str, exact: bool = False) -> dict[str, object]:
        """Every value whose key starts with `prefix` (prefixes here hold no LIKE wildcard)."""
        parts: dict[str, list[tuple[str, str]]] = {}
        where = f"name == {quoted(prefix)}" if exact else f"name like {quoted(prefix + '%')}"
        it = self.client.query_iterator(self.name, batch_size=1000, filter=where, output_fields=["key", "data"])
        while batch := it.next():
            for row in batch:
                key, _, part = row["key"].rpartition("#")
                parts.setdefault(key, []).append((part, row["data"]))
        it.close()
        return {k: json.loads("".join(d for _, d in sorted(v))) for k, v in parts.items()}


def counts_text(matrix, vocab: list[str], row: int) -> str:
    """The token stream of one row of a term-count matrix (order does not matter to BM25)."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return token_text([vocab[t] for t, n in zip(matrix.indices[start:end], matrix.data[start:end])
                       for _ in range(int(n))])


def as_list(vector: np.ndarray) -> list[float]:
    return np.asarray(vector, dtype=np.float32).tolist()
