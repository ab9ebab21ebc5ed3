"""FAISS vector indexes over L2-normalised embeddings (inner product = cosine similarity).

Picks an index type for a corpus size, builds it (flat, HNSW or IVF-PQ), searches it with
the measured search-time parameters, and saves/loads it atomically. Ids are row numbers of
the matrix given to `build_vector_index`. Does not embed text, normalise vectors, map ids
to chunks, or add/remove vectors in place (a rebuild builds a new index).
Defaults measured by bench/scale.py (bench/README.md): "auto" is exact flat below
`Settings.hnsw_threshold` (50k vectors), then HNSW, the only type measured to keep
recall@10 >= 0.95 at p50 <= 20 ms up to 1M vectors.
"""
from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import faiss
import numpy as np

from qa.settings import default

INDEX_TYPES = ("flat", "hnsw", "ivfpq")
HNSW_M = 32  # graph neighbours per node (M=16, efConstruction=40 topped out at recall 0.92 at 1M)
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 192  # raised to k when k is larger; 1M: 64 -> recall 0.94, 128 -> 0.96, 192 -> 0.97
IVFPQ_SUBVECTOR_DIM = 2  # PQ sub-quantizers m = d / 2, 4 bits each (96 bytes per 384-d vector)
IVFPQ_NBITS = 4  # 4-bit "fast scan" PQ: trains ~10x faster than 8-bit here, same recall after re-scoring
IVFPQ_NPROBE = 16
IVFPQ_REFINE_FACTOR = 128  # PQ shortlists k * 128, re-scored with 8-bit scalar-quantised vectors
IVFPQ_MIN_VECTORS = 10_000  # fewer: flat (exact, < 1 ms per query at this size)
IVFPQ_TRAIN_PER_LIST = 50  # training sample: this many vectors per inverted list
IVFPQ_TRAIN_ITERATIONS = 10


def choose_index_type(n_vectors: int, requested: str = "auto",
                      hnsw_threshold: int = default("hnsw_threshold")) -> str:
    """The index type to build: `requested` itself, or for "auto" flat below the threshold
    (`QA_HNSW_THRESHOLD`), else HNSW."""
    if requested == "auto":
        return "flat" if n_vectors < hnsw_threshold else "hnsw"
    _check_type(requested)
    return requested


def build_vector_index(vectors: np.ndarray, index_type: str) -> faiss.Index:
    """An inner-product index holding `vectors` ((n, d) float32, rows L2-normalised).

    IVF-PQ needs enough vectors to train its quantizers; below IVFPQ_MIN_VECTORS it
    degrades to flat (exact) search, which at that size is fast anyway.
    """
    _check_type(index_type)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[1] == 0:
        raise ValueError(f"vectors must be a 2-D (n, d) array with d > 0, got shape {vectors.shape}")
    n, dim = vectors.shape
    if index_type == "ivfpq" and n < IVFPQ_MIN_VECTORS:
        index_type = "flat"
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = _trained_ivfpq(vectors)
    index.add(vectors)
    return index


def _trained_ivfpq(vectors: np.ndarray) -> faiss.Index:
    """IVF-PQ shortlist re-scored by an SQ8 copy: PQ alone kept recall@10 near 0.5 at 100k."""
    n, dim = vectors.shape
    # ~4*sqrt(n) lists, but never fewer than 39 training points per list
    nlist = max(1, min(round(4 * math.sqrt(n)), n // 39))
    index = faiss.index_factory(dim, f"IVF{nlist},PQ{_pq_subquantizers(dim)}x{IVFPQ_NBITS}fs,Refine(SQ8)",
                                faiss.METRIC_INNER_PRODUCT)
    ivfpq = faiss.downcast_index(index.base_index)
    ivfpq.cp.niter = ivfpq.pq.cp.niter = IVFPQ_TRAIN_ITERATIONS
    ivfpq.nprobe = IVFPQ_NPROBE
    index.k_factor = IVFPQ_REFINE_FACTOR
    sample_size = min(n, max(IVFPQ_MIN_VECTORS, IVFPQ_TRAIN_PER_LIST * nlist))
    sample = np.random.default_rng(0).choice(n, sample_size, replace=False)
    index.train(vectors[np.sort(sample)])
    return index


def _pq_subquantizers(dim: int) -> int:
    """The largest divisor of `dim` not above dim / IVFPQ_SUBVECTOR_DIM (PQ needs m | d)."""
    target = max(1, dim // IVFPQ_SUBVECTOR_DIM)
    return next(m for m in range(target, 0, -1) if dim % m == 0)


def search(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Top-k (scores, ids) per query, best first: two lists of 1-D arrays, one entry per query.

    `queries` is (m, d) or (d,). k larger than the index is cut to its size, and the -1
    ids an approximate index pads with when it finds fewer than k are dropped, so a row
    may hold fewer than k hits. Search-time parameters are passed per call, so concurrent
    searches on one index are safe.
    """
    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    if queries.ndim != 2 or queries.shape[1] != index.d:
        raise ValueError(f"queries have shape {queries.shape}, the index has dimension {index.d}")
    k = min(k, index.ntotal)
    if k <= 0:
        return [np.zeros(0, np.float32) for _ in queries], [np.zeros(0, np.int64) for _ in queries]
    ivf_params = faiss.SearchParametersIVF(nprobe=IVFPQ_NPROBE)  # kept alive through the search
    if isinstance(index, faiss.IndexHNSW):
        params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))
    elif isinstance(index, faiss.IndexRefine):
        params = faiss.IndexRefineSearchParameters(k_factor=IVFPQ_REFINE_FACTOR, base_index_params=ivf_params)
    else:
        params = None
    # One query gains nothing from threads, and on a busy CPU waking them costs more than
    # the search (flat, 10k vectors: p50 0.35 ms on one thread, 16 ms on two). libgomp
    # keeps this setting per calling thread, so other threads are not affected.
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1 if len(queries) == 1 else threads)
    try:
        scores, ids = index.search(queries, k, params=params)
    finally:
        faiss.omp_set_num_threads(threads)
    keep = ids >= 0
    return [s[m] for s, m in zip(scores, keep)], [i[m] for i, m in zip(ids, keep)]


def save_vector_index(index: faiss.Index, path: str | os.PathLike) -> None:
    """Write `index` to `path` through a temporary file and os.replace: never half-written."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        faiss.write_index(index, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_vector_index(path: str | os.PathLike) -> faiss.Index:
    """Read an index written by `save_vector_index`."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"no vector index at {path}")
    return faiss.read_index(str(path))


def _check_type(index_type: str) -> None:
    if index_type not in INDEX_TYPES:
        raise ValueError(f"unknown vector index type {index_type!r}: use one of "
                         f"{', '.join(INDEX_TYPES)} (or 'auto' to choose by size)")
