"""BM25 built from a term-count matrix with bm25s's own scoring functions, vectorised.

`segments.count_terms` keeps each segment's term counts; a build sums them and calls
`bm25_from_counts`, which gives the index that `bm25s.BM25().index(token lists)` builds,
without its per-document loops (a 1,000-article build: seconds, not minutes). It calls two
private functions of bm25s (`scoring._select_idf_scorer`, `_select_tfc_scorer`), so bm25s is
pinned to the version this was checked against (pyproject.toml); `tests/test_index.py`
compares the result with bm25s's own `index` on every run. Does not tokenise.
"""
from __future__ import annotations

import bm25s
import numpy as np
import scipy.sparse as sp
from bm25s import scoring


def bm25_from_counts(matrix: sp.csr_matrix, vocab: list[str]) -> bm25s.BM25:
    """The bm25s index that `BM25().index(token lists)` builds, from a term-count matrix
    (`segments.count_terms`), without its per-document loops."""
    model = bm25s.BM25()
    if model.method in model.methods_requiring_nonoccurrence:  # the default (lucene) needs none
        raise ValueError(f"bm25s method {model.method!r} needs non-occurrence scores, which this does not compute")
    n_docs, n_vocab = matrix.shape
    if n_vocab == 0:  # no chunks, or none with a word: what the plain build did
        model.index([[""]] * max(n_docs, 1), show_progress=False)
        return model
    m = matrix
    doc_len = np.asarray(m.sum(axis=1)).ravel()
    df = np.bincount(m.indices, minlength=n_vocab)
    idf_of = scoring._select_idf_scorer(model.idf_method)
    distinct, where = np.unique(df, return_inverse=True)
    idf = np.asarray([idf_of(int(d), N=n_docs) for d in distinct], dtype=model.dtype)[where]
    rows = np.repeat(np.arange(n_docs), np.diff(m.indptr))
    tfc = scoring._select_tfc_scorer(model.method)(  # float32 throughout: half the work of float64
        tf_array=m.data.astype(model.dtype), l_d=doc_len.astype(model.dtype)[rows],
        l_avg=np.float32(doc_len.mean()), k1=np.float32(model.k1), b=np.float32(model.b), delta=model.delta)
    scores = sp.csr_matrix(((idf[m.indices] * tfc).astype(model.dtype), m.indices, m.indptr), shape=m.shape).tocsc()
    model.scores = {"data": scores.data.astype(model.dtype), "indices": scores.indices.astype(model.int_dtype),
                    "indptr": scores.indptr, "num_docs": n_docs}
    model.vocab_dict = {t: i for i, t in enumerate(vocab)}
    model.vocab_dict.setdefault("", n_vocab)  # as `index(create_empty_token=True)` does
    model.nonoccurrence_array = None
    model.unique_token_ids_set = set(model.vocab_dict.values())
    return model
