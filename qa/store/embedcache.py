"""Embedding checkpoints: vectors saved as they are computed, so no embedding work is lost.

A build (or the embedding that `writes` does ahead of taking the writer lock) embeds in
batches and, every `every` texts, writes what it has to `index/embeddings/<embedder>/`
as one small file (`000042-<uuid>.npz`: content-hash keys and their vectors), written under
a temporary name, fsynced and renamed, so a kill or Ctrl-C loses at most the texts in
flight. The next build looks here before embedding anything. Once a build has published
the vectors (they are in its segments) the checkpoints it used are deleted. Does not
decide what to embed (`derive`, `builder`) and never changes a segment.
"""
from __future__ import annotations

import hashlib
import os
import threading
import uuid
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from qa.files import fsync_dir, next_number, process_alive

BATCH = 32  # texts per call to the embedder


class Cancelled(Exception):
    """The embedding was asked to stop (server shutdown); what was embedded is checkpointed."""


class Checkpoints:
    """The checkpoint files of one embedder (its id and dimension pick the folder)."""

    def __init__(self, index_dir: Path, embedder: dict):
        tag = hashlib.sha256(f"{embedder['id']}|{embedder['dim']}".encode()).hexdigest()[:12]
        self.root = Path(index_dir) / "embeddings" / tag
        self.dim = int(embedder["dim"])

    def files(self) -> list[Path]:
        return sorted(self.root.glob("[0-9]*.npz")) if self.root.is_dir() else []

    def load(self, keys: set[str]) -> dict[str, np.ndarray]:
        """key -> vector for those of `keys` some checkpoint holds (an unreadable file is skipped)."""
        found: dict[str, np.ndarray] = {}
        for path in self.files():
            if not keys - found.keys():
                break
            try:
                with np.load(path) as z:
                    names, matrix = z["keys"].astype(str).tolist(), z["vectors"]
                    found.update((k, np.array(matrix[i])) for i, k in enumerate(names) if k in keys and k not in found)
            except (OSError, ValueError, KeyError):
                continue
        return found

    def save(self, keys: list[str], matrix: np.ndarray) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        number, tag = f"{next_number(self.root):06d}", uuid.uuid4().hex[:8]
        name = f"{number}-{tag}.npz"
        # The number first, so `next_number` counts it as taken; then the writer's id, so that
        # `discard` leaves a live writer's file alone.
        tmp = self.root / f".tmp-{number}-p{os.getpid()}-{tag}.npz"
        with open(tmp, "wb") as fh:
            np.savez(fh, keys=np.asarray(keys, dtype="U64"), vectors=np.asarray(matrix, dtype=np.float32))
            fh.flush()
            os.fsync(fh.fileno())
        os.rename(tmp, self.root / name)
        fsync_dir(self.root)
        return self.root / name

    def discard(self, published: set[str]) -> int:
        """Delete checkpoints whose every vector is now in a published build (and leftovers of
        killed writes); one holding anything else is kept for a later build."""
        removed = 0
        for leftover in self.root.glob(".tmp-*") if self.root.is_dir() else []:
            # Another writer of the same folder may be half-way through this one (concurrent `qa add`).
            writer = leftover.name.split("-")[2]
            if not (writer[:1] == "p" and writer[1:].isdigit() and process_alive(int(writer[1:]))):
                leftover.unlink(missing_ok=True)
        for path in self.files():
            try:
                with np.load(path) as z:
                    names = set(z["keys"].astype(str).tolist())
            except (OSError, ValueError, KeyError):
                names = set()  # unreadable: worthless
            if names <= published:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def embed(embed_batch: Callable[[list[str]], np.ndarray], todo: list[tuple[str, str]], checkpoints: Checkpoints,
          every: int, *, on_batch: Callable[[int], None] = lambda n: None,
          cancel: threading.Event | None = None) -> dict[str, np.ndarray]:
    """key -> vector for every (key, text) in `todo`, a checkpoint written every `every` texts
    (and at the end), so an interruption loses at most `every` + one batch of texts."""
    out: dict[str, np.ndarray] = {}
    pending_keys: list[str] = []
    pending: list[np.ndarray] = []

    def flush() -> None:
        if pending_keys:
            checkpoints.save(pending_keys, np.vstack(pending))
            pending_keys.clear()
            pending.clear()

    try:
        for i in range(0, len(todo), BATCH):
            if cancel is not None and cancel.is_set():
                raise Cancelled("embedding stopped; what was embedded is kept for the next build")
            part = todo[i:i + BATCH]
            vectors = np.asarray(embed_batch([t for _, t in part]), dtype=np.float32)
            out.update(zip((k for k, _ in part), vectors))
            pending_keys.extend(k for k, _ in part)
            pending.append(vectors)
            on_batch(len(part))
            if len(pending_keys) >= every:
                flush()
    finally:  # Ctrl-C or a cancel still keeps what is done
        flush()
    return out


def unique(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(dict(pairs).items())
