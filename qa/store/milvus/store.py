"""The Milvus store (the `[milvus]` extra): the corpus served from a Milvus server or a milvus-lite file.

Two chunk collections, `<prefix>_a` and `<prefix>_b`, take turns (blue/green): a build
brings the one not live up to date by deleting the articles that left or changed and
inserting the new ones (O(change), not O(corpus)), flushes, then points the alias
`<prefix>_live` at it in one call. Readers never search a collection being written, and
rollback points the alias back at the other one, which still holds the previous
version. A collection whose write was cut short is marked so and rewritten whole next
time. The rows come from the builder's local build (chunking, embedding only new text,
near-duplicate checks are the same as on the embedded store), so both stores answer from
the same rows. Does not search (`view`) nor chunk or embed (`builder`).
"""
from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Sequence

from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException

from qa.errors import IndexMissing, StoreUnavailable
from qa.store import segments as segs
from qa.store.index import check_compatible
from qa.store.milvus.schema import KeyValue, as_list, counts_text, create_chunk_collection, fit, quoted, row_id
from qa.store.milvus.view import MilvusView
from qa.store.segments import SegmentData

COLORS = ("a", "b")
_CLIENTS: dict[str, MilvusClient] = {}  # one client per target: milvus-lite allows one opener per file
_CLIENTS_LOCK = threading.Lock()


def client_for(target: str) -> tuple[str, MilvusClient]:
    """The client of `milvus://host:port` (a server) or of a milvus-lite `.db` file (`qa.store.api.make_store`)."""
    if target.startswith("milvus://"):
        uri = "http://" + target.removeprefix("milvus://")
    else:
        uri = str(Path(target).expanduser().resolve())
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    with _CLIENTS_LOCK:
        if uri not in _CLIENTS:
            try:
                _CLIENTS[uri] = MilvusClient(uri)
            except MilvusException as exc:
                lite = "" if target.startswith("milvus://") else (
                    " A milvus-lite file opens in one process at a time: if `qa serve` has it, add articles "
                    "through the server (POST /articles), or use a Milvus server.")
                raise StoreUnavailable(f"Cannot open the Milvus store {target}: {exc.message}.{lite}") from exc
        return uri, _CLIENTS[uri]


class MilvusWriter:
    """Writes one version into a chunk collection (`qa.store.api.StoreWriter`)."""

    def __init__(self, store: "MilvusStore", collection: str):
        self.store, self.collection, self.client = store, collection, store.client

    def write(self, rows: SegmentData) -> None:
        chunks = [json.loads(line) for line in rows.chunk_lines]
        articles = {}
        batch = []
        for entry, line in zip(rows.entries, rows.article_lines):
            article = json.loads(line)
            articles[f"{self.collection}/article/{entry.id}"] = article
            for r in range(entry.start, entry.end):
                batch.append({
                    "id": row_id(entry.id, entry.content_hash, chunks[r]["position"]), "article_id": entry.id,
                    "date": article.get("date") or "", "chunk": fit(rows.chunk_lines[r], f"A passage of {entry.id!r}"),
                    **{f: as_list(rows.vectors[f][r]) for f in segs.FIELDS},
                    **{f"{f}_text": fit(counts_text(*rows.counts[f], r), f"The words of a passage of {entry.id!r}")
                       for f in segs.TERM_FIELDS},
                })
                if len(batch) >= self.store.batch:
                    self.client.insert(self.collection, batch)
                    batch = []
        if batch:
            self.client.insert(self.collection, batch)
        self.store.kv.put_many(articles)

    def delete(self, article_ids: Sequence[str]) -> None:
        ids = list(article_ids)
        for i in range(0, len(ids), 500):
            self.client.delete(self.collection, filter=f"article_id in [{', '.join(quoted(a) for a in ids[i:i + 500])}]")
        self.store.kv.delete_many([f"{self.collection}/article/{a}" for a in ids])

    def publish(self, manifest: dict, accents: dict[str, str]) -> str:
        self.client.flush(self.collection)  # milvus-lite searches only flushed rows
        kv = self.store.kv
        kv.put_many({f"{self.collection}/manifest": manifest, f"{self.collection}/accents": accents})
        kv.put_many({f"{self.collection}/state": {"version": manifest["version"], "complete": True}})
        self.client.flush(kv.name)
        self.store.point_alias(self.collection)
        return manifest["version"]


class MilvusStore:
    """Milvus as a `qa.store.api.Store`."""

    def __init__(self, target: str, settings):
        self.uri, self.client = client_for(target)
        self.prefix = settings.milvus_collection
        self.alias = f"{self.prefix}_live"
        self.index_type, self.batch = settings.milvus_index, settings.milvus_batch
        self.kv = KeyValue(self.client, f"{self.prefix}_kv")

    def _collection(self, color: str) -> str:
        return f"{self.prefix}_{color}"

    def live_collection(self) -> str | None:
        if self.alias not in self.client.list_aliases().get("aliases", []):
            return None  # asked first: describing a missing alias logs an error on every request
        return self.client.describe_alias(self.alias)["collection_name"]

    def state(self, collection: str | None) -> dict:
        return (self.kv.get(f"{collection}/state") or {}) if collection else {}

    def live_version(self) -> str | None:
        return self.state(self.live_collection()).get("version")

    def point_alias(self, collection: str) -> None:
        if self.live_collection() is None:
            self.client.create_alias(collection, self.alias)
        else:
            self.client.alter_alias(collection, self.alias)  # atomic: a search sees one or the other

    def open(self, version, embedder, chunker) -> MilvusView:
        live = self.live_collection()
        where = [c for c in (live, *map(self._collection, COLORS)) if c and self.state(c).get("complete")]
        chosen = next((c for c in where if version is None or self.state(c)["version"] == version), None)
        if chosen is None:
            raise IndexMissing(f"No index in the Milvus store {self.uri}. Build it: qa index")
        manifest = self.kv.get(f"{chosen}/manifest")
        check_compatible(manifest, embedder, chunker, Path(self.uri))
        articles = {k.rpartition("/")[2]: v for k, v in self.kv.scan(f"{chosen}/article/").items()}
        return MilvusView(self.client, chosen, manifest, self.kv.get(f"{chosen}/accents") or {}, articles,
                          self.index_type)

    def apply_build(self, index_dir: Path, version: str) -> str:
        """Make the local build `version` live here, writing only the articles that changed."""
        folder = index_dir / "builds" / version
        manifest = json.loads((folder / "manifest.json").read_text())
        want = _signatures(index_dir, manifest)
        live = self.live_collection()
        if self.state(live).get("complete") and self.kv.get(f"{live}/signatures") == want:
            return self.live_version()
        target = next(self._collection(c) for c in COLORS if self._collection(c) != live)
        have = self._reusable(target, manifest)
        self.kv.put_many({f"{target}/state": {"version": None, "complete": False}})  # a crash: rewrite it whole
        self.client.flush(self.kv.name)
        writer = MilvusWriter(self, target)
        writer.delete([a for a, h in have.items() if want.get(a) != h])
        new = {a for a, h in want.items() if have.get(a) != h}
        for part in manifest["segments"]:
            ids = [a for a in part["articles"] if a in new]
            if ids:
                writer.write(segs.Segment(index_dir / "segments" / part["name"]).data(for_search=True).take(ids))
        self.kv.put_many({f"{target}/signatures": want})
        return writer.publish(manifest, json.loads((folder / "accents.json").read_text(encoding="utf-8")))

    def _reusable(self, target: str, manifest: dict) -> dict[str, str]:
        """`_signatures` of the articles already in `target` (created empty, or wiped when unusable)."""
        state, old = self.state(target), self.kv.get(f"{target}/manifest") or {}
        same_rows = old.get("embedder") == manifest["embedder"] and old.get("chunker") == manifest["chunker"]
        if self.client.has_collection(target) and state.get("complete") and same_rows:
            self.client.load_collection(target)
            return self.kv.get(f"{target}/signatures") or {}
        if self.client.has_collection(target):
            self.client.drop_collection(target)
        self.kv.delete_many([f"{target}/{k}" for k in ("manifest", "accents", "signatures")] +
                            list(self.kv.scan(f"{target}/article/")))
        create_chunk_collection(self.client, target, manifest["embedder"]["dim"], self.index_type)
        return {}


def _signatures(index_dir: Path, manifest: dict) -> dict[str, str]:
    """{article id: content hash and title} of a local build: a new title changes what is
    embedded ("title. passage"), so it counts as an edit, as it does for the builder."""
    found = {}
    for part in manifest["segments"]:
        live = set(part["articles"])
        for e in segs.Segment(index_dir / "segments" / part["name"]).entries:
            if e.id in live:
                found[e.id] = f"{e.content_hash} {e.title}"
    return found
