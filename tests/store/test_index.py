import json
import os

import pytest

from qa.errors import IndexBusy, IndexMismatch, IndexMissing
from qa.ingest.articles import load_articles
from qa.ingest.chunking import ChunkerSettings
from qa.store import builder
from qa.store import index as index_store
from qa.store.embed import FakeEmbedder


@pytest.fixture
def seeds(home):
    return load_articles(home / "seeds").articles


def build(index_dir, articles, embedder=None, **kw):
    return builder.build(index_dir, articles, embedder or FakeEmbedder(), ChunkerSettings(), **kw)


def test_build_writes_a_complete_versioned_build_and_points_at_it(tmp_path, seeds):
    report = build(tmp_path, seeds)
    assert index_store.current_version(tmp_path) == report.version
    folder = tmp_path / "builds" / report.version
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format_version"] == index_store.FORMAT_VERSION
    assert manifest["embedder"] == {"id": "fake:64", "dim": 64}
    assert manifest["chunker"] == ChunkerSettings().as_dict()
    assert set(manifest["articles"]) == {a.id for a in seeds}
    loaded = index_store.load(tmp_path, FakeEmbedder(), ChunkerSettings())
    assert len(loaded.chunks) == report.chunks == manifest["chunks"]
    assert loaded.vectors["context"].shape == (report.chunks, 64)


def test_unchanged_corpus_rebuilds_without_embedding(tmp_path, seeds):
    first = build(tmp_path, seeds)
    again = build(tmp_path, seeds)
    assert again.unchanged and again.version == first.version and again.embedded == 0


def test_adding_an_article_embeds_only_its_text(tmp_path, seeds):
    build(tmp_path, seeds[:4])
    report = build(tmp_path, seeds)
    new_chunks = len(index_store.load(tmp_path, FakeEmbedder(), ChunkerSettings()).chunks)
    assert 0 < report.embedded < report.embedded + report.reused
    assert report.reused > 0
    assert report.chunks == new_chunks


def test_index_built_with_another_embedder_is_refused_with_a_way_out(tmp_path, seeds):
    build(tmp_path, seeds, FakeEmbedder(64))
    with pytest.raises(IndexMismatch) as err:
        index_store.load(tmp_path, FakeEmbedder(32), ChunkerSettings())
    message = str(err.value)
    assert "fake:64" in message and "fake:32" in message and "qa index" in message


def test_chunker_change_is_refused(tmp_path, seeds):
    build(tmp_path, seeds)
    with pytest.raises(IndexMismatch, match="chunker"):
        index_store.load(tmp_path, FakeEmbedder(), ChunkerSettings(context_sentences=2))


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexMissing, match="qa index"):
        index_store.load(tmp_path, FakeEmbedder(), ChunkerSettings())


def test_crashed_build_leftovers_do_not_count_and_are_collected(tmp_path, seeds):
    good = build(tmp_path, seeds).version
    (tmp_path / "builds" / ".tmp-000099-20990101T000000").mkdir()  # a build killed half-way
    (tmp_path / "builds" / "000098-20990101T000000").mkdir()  # renamed but no manifest: impossible, still ignored
    assert index_store.current_version(tmp_path) == good
    assert good in index_store.list_builds(tmp_path) and len(index_store.list_builds(tmp_path)) == 1
    index_store.collect_garbage(tmp_path, keep=2)
    assert not (tmp_path / "builds" / ".tmp-000099-20990101T000000").exists()


def test_old_builds_are_collected_keeping_two_and_rollback_goes_back(tmp_path, seeds):
    versions = [build(tmp_path, seeds[: n], force=True).version for n in (3, 4, 5)]
    assert index_store.list_builds(tmp_path) == versions[1:]
    assert index_store.rollback(tmp_path) == versions[1]
    assert index_store.current_version(tmp_path) == versions[1]
    with pytest.raises(IndexMissing, match="No earlier build"):
        index_store.rollback(tmp_path)


def test_pointer_to_a_vanished_build_reads_as_no_index(tmp_path, seeds):
    build(tmp_path, seeds)
    (tmp_path / "CURRENT").write_text("does-not-exist\n")
    assert index_store.current_version(tmp_path) is None


def test_a_held_lock_makes_a_second_writer_fail_clearly(tmp_path, seeds):
    with index_store.writer_lock(tmp_path, timeout=0):
        with pytest.raises(IndexBusy, match="Another qa process"):
            build(tmp_path, seeds, lock_timeout=0.2)


def test_empty_corpus_builds_an_empty_index(tmp_path):
    report = build(tmp_path, [])
    assert report.chunks == 0
    assert index_store.load(tmp_path, FakeEmbedder(), ChunkerSettings()).chunks == []


def test_pointer_is_replaced_atomically(tmp_path, seeds):
    build(tmp_path, seeds)
    index_store.set_current(tmp_path, "x")
    assert (tmp_path / "CURRENT").read_text() == "x\n"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".CURRENT")]


@pytest.mark.parametrize("folded", [False, True])
def test_bm25_from_counts_scores_as_bm25s_own_index(seeds, folded):
    """`lexical.bm25_from_counts` calls private bm25s functions (pinned in pyproject): it must
    score every query exactly as `bm25s.BM25().index(token lists)` does."""
    import bm25s
    import numpy as np

    from qa.lang.text import tokens
    from qa.store.lexical import bm25_from_counts
    from qa.store.segments import count_terms

    docs = [tokens(s, folded=folded) for a in seeds for s in a.text.split("\n") if s.strip()]
    docs += [[], ["và"] * 7 + ["quỳnh"], ["lạ"]]  # no token; repeats; a word in one chunk only
    docs = [d + ["chung"] for d in docs]  # one word in every chunk (idf at its floor)
    ours = bm25_from_counts(*count_terms(docs))
    theirs = bm25s.BM25()
    theirs.index(docs, show_progress=False)
    queries = [tokens(q, folded=folded) for q in ("Quỳnh Nhai huy động được bao nhiêu?", "Sìn Hồ thi đua 4.036")]
    queries += [docs[5][:4], ["và", "và"], ["chung"], ["lạ", "không-có-trong-bài"]]
    for query in queries:
        want = theirs.get_scores(query)
        assert want.any()  # a query that scores nothing would compare nothing
        assert np.allclose(ours.get_scores(query), want, rtol=1e-5, atol=1e-6), query
    assert ours.retrieve([queries[0]], k=5)[0].tolist() == theirs.retrieve([queries[0]], k=5)[0].tolist()
