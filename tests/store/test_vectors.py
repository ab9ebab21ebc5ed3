import faiss
import numpy as np
import pytest

from qa.settings import default
from qa.store import vectors


def unit_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def small() -> np.ndarray:
    return unit_vectors(300, 32)


@pytest.fixture(scope="module")
def trainable() -> np.ndarray:
    """Just enough vectors for IVF-PQ to train rather than fall back to flat."""
    return unit_vectors(vectors.IVFPQ_MIN_VECTORS, 16, seed=1)


@pytest.fixture(scope="module")
def trained_ivfpq(trainable) -> faiss.Index:
    return vectors.build_vector_index(trainable, "ivfpq")


@pytest.mark.parametrize("index_type", vectors.INDEX_TYPES)
def test_a_stored_vector_finds_itself_first(small, index_type):
    index = vectors.build_vector_index(small, index_type)
    assert index.ntotal == len(small)
    picks = [0, 17, 150, 299]
    scores, ids = vectors.search(index, small[picks], 5)
    assert [row[0] for row in ids] == picks
    assert all(abs(row[0] - 1.0) < 1e-4 for row in scores)
    assert all(np.all(np.diff(row) <= 1e-6) for row in scores)  # best first


def test_ivfpq_on_too_few_vectors_is_flat(small):
    assert isinstance(vectors.build_vector_index(small, "ivfpq"), faiss.IndexFlatIP)


def test_trained_ivfpq_finds_stored_vectors(trainable, trained_ivfpq):
    index = trained_ivfpq
    assert isinstance(index, faiss.IndexRefine)  # really trained, not the flat fallback
    picks = [3, 4000, len(trainable) - 1]
    _, ids = vectors.search(index, trainable[picks], 10)
    assert [row[0] for row in ids] == picks


def test_hnsw_neighbours_match_exact_search(small):
    exact = vectors.build_vector_index(small, "flat")
    hnsw = vectors.build_vector_index(small, "hnsw")
    queries = unit_vectors(20, 32, seed=5)
    _, want = vectors.search(exact, queries, 10)
    _, got = vectors.search(hnsw, queries, 10)
    recall = np.mean([len(np.intersect1d(g, w)) / 10 for g, w in zip(got, want)])
    assert recall >= 0.95


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_save_load_round_trip(tmp_path, small, index_type):
    index = vectors.build_vector_index(small, index_type)
    path = tmp_path / "v.faiss"
    vectors.save_vector_index(index, path)
    loaded = vectors.load_vector_index(path)
    assert type(loaded) is type(index) and loaded.ntotal == index.ntotal
    queries = unit_vectors(8, 32, seed=2)
    for before, after in zip(vectors.search(index, queries, 10), vectors.search(loaded, queries, 10)):
        for b, a in zip(before, after):
            np.testing.assert_allclose(a, b)
    assert [p.name for p in tmp_path.iterdir()] == ["v.faiss"]  # no temporary file left


def test_trained_ivfpq_round_trip(tmp_path, trainable, trained_ivfpq):
    path = tmp_path / "v.faiss"
    vectors.save_vector_index(trained_ivfpq, path)
    _, ids = vectors.search(vectors.load_vector_index(path), trainable[[7, 8]], 3)
    assert [row[0] for row in ids] == [7, 8]


def test_a_failed_write_keeps_the_old_file(tmp_path, small, monkeypatch):
    path = tmp_path / "v.faiss"
    vectors.save_vector_index(vectors.build_vector_index(small[:10], "flat"), path)
    before = path.read_bytes()

    def crash(index, filename):
        with open(filename, "wb") as f:
            f.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(faiss, "write_index", crash)
    with pytest.raises(OSError, match="disk full"):
        vectors.save_vector_index(vectors.build_vector_index(small, "flat"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["v.faiss"]


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no vector index"):
        vectors.load_vector_index(tmp_path / "nope.faiss")


@pytest.mark.parametrize("index_type", vectors.INDEX_TYPES)
def test_k_larger_than_the_index(small, index_type):
    index = vectors.build_vector_index(small[:7], index_type)
    scores, ids = vectors.search(index, small[:2], 50)
    assert [len(row) for row in ids] == [7, 7] and [len(row) for row in scores] == [7, 7]
    assert sorted(ids[0].tolist()) == list(range(7))


@pytest.mark.parametrize("index_type", vectors.INDEX_TYPES)
def test_empty_index(index_type):
    index = vectors.build_vector_index(np.zeros((0, 32), np.float32), index_type)
    scores, ids = vectors.search(index, np.ones(32, np.float32), 5)  # a 1-D query is one query
    assert len(ids) == 1 and ids[0].size == 0 and scores[0].size == 0


def test_query_dimension_must_match(small):
    index = vectors.build_vector_index(small, "flat")
    with pytest.raises(ValueError, match="dimension 32"):
        vectors.search(index, np.ones((1, 16), np.float32), 3)


def test_bad_matrix_shape():
    with pytest.raises(ValueError, match="2-D"):
        vectors.build_vector_index(np.ones(32, np.float32), "flat")


def test_search_leaves_the_thread_count_alone(small):
    index = vectors.build_vector_index(small, "flat")
    before = faiss.omp_get_max_threads()
    vectors.search(index, small[:1], 3)
    vectors.search(index, small[:4], 3)
    assert faiss.omp_get_max_threads() == before


def test_choose_index_type_thresholds():
    threshold = default("hnsw_threshold")  # QA_HNSW_THRESHOLD's default
    assert vectors.choose_index_type(0) == "flat"
    assert vectors.choose_index_type(threshold - 1) == "flat"
    assert vectors.choose_index_type(threshold) == "hnsw"
    assert vectors.choose_index_type(10, "auto", hnsw_threshold=10) == "hnsw"
    assert vectors.choose_index_type(9, "auto", hnsw_threshold=10) == "flat"
    for explicit in vectors.INDEX_TYPES:
        assert vectors.choose_index_type(5, explicit) == explicit
        assert vectors.choose_index_type(10**7, explicit) == explicit


@pytest.mark.parametrize("call", [
    lambda: vectors.choose_index_type(10, "hnws"),
    lambda: vectors.build_vector_index(unit_vectors(5, 8), "hnws"),
])
def test_unknown_index_type(call):
    with pytest.raises(ValueError, match=r"unknown vector index type 'hnws'.*flat, hnsw, ivfpq"):
        call()
