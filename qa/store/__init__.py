"""Store: where the built index lives and how a build is made.

Embedders (`embed`, `embedcache`, `ray_embed`), FAISS vectors (`vectors`), immutable
segments and versioned builds on disk (`segments`, `index`, `buildcache`, `derive`, `builder`),
who reads which build (`readers`), the store interface (`api`) with its two
implementations (`segmented`, the default; `milvus`), and changes to the collection
(`writes`). Does not rank passages or answer. Depends on `qa.lang` and `qa.ingest`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from qa.errors import StoreUnavailable

if TYPE_CHECKING:
    from qa.settings import Settings
    from qa.store.api import Store


def make_store(settings: "Settings") -> "Store":
    """The store `QA_STORE` names: unset -> embedded segments under `index_dir`;
    `milvus://host:port` -> a Milvus server; a path ending in `.db` -> a milvus-lite file."""
    target = (settings.store or "").strip()
    if not target:
        from qa.store.segmented import SegmentStore

        return SegmentStore(settings.index_dir, exact_below=settings.hnsw_threshold)
    if not (target.startswith("milvus://") or target.endswith(".db")):
        raise StoreUnavailable(f"QA_STORE={target!r}: use milvus://host:port for a Milvus server or a path ending "
                               "in .db for a milvus-lite file (or leave it unset for the embedded index).")
    try:
        from qa.store.milvus.store import MilvusStore  # imported only here: pymilvus is an extra
    except ImportError as exc:
        raise StoreUnavailable(f"QA_STORE={target!r} needs the Milvus extra: pip install 'qa[milvus]' ({exc})") from exc
    return MilvusStore(target, settings)
