"""The build's embedding on a local Ray cluster: the same vectors as in-process, and resumable."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import SEEDS

from qa.engine import Engine
from qa.settings import Settings
from qa.store import index as index_store
from qa.store.embed import FakeEmbedder
from qa.store.ray_embed import RayEmbedding

pytestmark = [pytest.mark.slow, pytest.mark.ray]


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    from qa.store.ray_embed import connect

    connect("local")
    yield ray
    ray.shutdown()


def few_articles(home):
    (home / "seeds").mkdir(parents=True)
    for path in sorted(SEEDS.glob("*.txt"))[:1]:  # one article: ~40 texts, enough to batch
        shutil.copy(path, home / "seeds" / path.name)
    return home


def test_ray_build_gives_the_same_vectors_as_the_plain_build(ray_cluster, tmp_path):
    plain = Engine(Settings(home=few_articles(tmp_path / "plain")))
    plain.rebuild()
    on_ray = Engine(Settings(home=few_articles(tmp_path / "ray"), ray_address="local", ray_batch=16),
                    embedder=plain.embedder)
    report = on_ray.rebuild()
    assert report.embedded > 0 and not list((tmp_path / "ray" / "index" / "ray-embeddings").rglob("*.npz"))
    a = index_store.load(plain.index_dir, plain.embedder, plain.chunker)
    b = index_store.load(on_ray.index_dir, plain.embedder, plain.chunker)
    assert [c.content_hash for c in a.chunks] == [c.content_hash for c in b.chunks]
    for field in index_store.FIELDS:
        cosine = np.sum(a.vectors[field] * b.vectors[field], axis=1) / (
            np.linalg.norm(a.vectors[field], axis=1) * np.linalg.norm(b.vectors[field], axis=1))
        assert cosine.min() >= 0.9999, (field, cosine.min())


def test_what_was_embedded_stays_embedded(ray_cluster, tmp_path):
    settings = Settings(home=tmp_path, embedder="fake", ray_address="local", ray_batch=4)
    texts = [f"câu số {i} về Quỳnh Nhai" for i in range(20)]
    keys = [f"k{i}" for i in range(20)]
    first = RayEmbedding(settings, tmp_path)
    first(keys[:12], texts[:12])  # then "killed": its finished batches stay on disk
    (first.cache_dir / ".tmp-half-written.npz").write_bytes(b"\0")  # a batch cut short is not read
    again = RayEmbedding(settings, tmp_path)
    got = again(keys, texts)
    assert first.embedded_now == 12 and again.embedded_now == 8
    assert np.allclose(got, FakeEmbedder().embed_passages(texts), atol=1e-6)
    again.clear()
    assert again.done() == {}
