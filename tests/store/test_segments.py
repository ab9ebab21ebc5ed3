"""Segments: term-count stacking, taking and concatenating rows, the merge plan, and what
a build does with segments as articles are added, edited and removed (fake embedder)."""
from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace

import numpy as np
import pytest

from qa.errors import IndexMismatch
from qa.ingest.articles import load_articles
from qa.ingest.chunking import ChunkerSettings, text_key
from qa.search import retrieve
from qa.search.retrieve import Retriever
from qa.store import builder, derive, segmented, segments
from qa.store import index as index_store
from qa.store.embed import FakeEmbedder

CHUNKER = ChunkerSettings()


@pytest.fixture
def seeds(home):
    return load_articles(home / "seeds").articles


def build(index_dir, articles, **kw):
    return builder.build(index_dir, articles, FakeEmbedder(), CHUNKER, **kw)


def load(index_dir):
    return index_store.load(index_dir, FakeEmbedder(), CHUNKER)


def manifest(index_dir) -> dict:
    version = index_store.current_version(index_dir)
    return json.loads((index_dir / "builds" / version / "manifest.json").read_text())


def dense(matrix, vocab):
    return {(r, vocab[c]): int(v) for r, row in enumerate(matrix.toarray()) for c, v in enumerate(row) if v}


def test_stacked_term_counts_equal_counting_all_rows_at_once():
    a = [["quỳnh", "nhai", "quỳnh"], ["mộc", "châu"]]
    b = [["châu", "sơn", "la"], [], ["nhai"]]
    stacked = segments.stack_counts([segments.count_terms(a), segments.count_terms(b)])
    whole = segments.count_terms(a + b)
    assert stacked[0].shape == whole[0].shape == (5, 6)
    assert dense(*stacked) == dense(*whole)
    dropped = segments.stack_counts([(segments.count_terms(a)[0][[1]], segments.count_terms(a)[1])])
    assert dropped[1] == ["mộc", "châu"]  # words no remaining row uses leave the vocabulary


def test_merge_plan_keeps_few_segments_and_copies_each_row_a_few_times():
    sizes, copied = [1000], 0
    for _ in range(500):  # 500 adds of 20 rows each
        sizes.append(20)
        n = segments.plan_merges(sizes)
        if n:
            copied += sum(sizes[-n:])
            sizes[-n:] = [sum(sizes[-n:])]
        assert len(sizes) <= 2 + math.log2(sum(sizes) / 20)
    assert sum(sizes) == 11_000
    assert copied <= 20 * 500 * (1 + math.log2(sum(sizes) / 20))  # amortised O(log n) per row
    assert segments.plan_merges([100, 20]) == 0 and segments.plan_merges([100, 60]) == 2
    assert segments.plan_merges([]) == 0 and segments.plan_merges([5]) == 0


def test_a_written_segment_reads_back_and_takes_rows_by_article(tmp_path, seeds):
    build(tmp_path, seeds)
    (seg_info,) = manifest(tmp_path)["segments"]
    segment = segments.Segment(tmp_path / "segments" / seg_info["name"])
    data = segment.data()
    assert [e.id for e in data.entries] == sorted(a.id for a in seeds)
    assert data.rows == len(data.chunk_lines) == len(data.vectors["context"]) == data.counts["folded"][0].shape[0]
    last, first = data.entries[-1].id, data.entries[0].id
    taken = data.take([last, first])
    assert [e.id for e in taken.entries] == [last, first] and taken.entries[0].start == 0
    assert taken.rows == sum(e.end - e.start for e in data.entries if e.id in (first, last))
    back = segments.concat([data.take([first]), data.take([last])], 64)
    assert np.array_equal(back.vectors["sentence"], taken.take([first, last]).vectors["sentence"])
    assert back.chunk_lines == taken.take([first, last]).chunk_lines
    assert dense(*back.counts["accented"]) == dense(*taken.take([first, last]).counts["accented"])


def test_adding_an_article_writes_one_small_segment_and_leaves_the_others_alone(tmp_path, seeds):
    build(tmp_path, seeds[:4])
    (base,) = manifest(tmp_path)["segments"]
    files = {p: p.stat().st_mtime_ns for p in (tmp_path / "segments" / base["name"]).iterdir()}
    build(tmp_path, seeds)
    parts = manifest(tmp_path)["segments"]
    assert [p["name"] for p in parts][0] == base["name"] and len(parts) == 2
    assert parts[1]["articles"] == [seeds[4].id]
    assert {p: p.stat().st_mtime_ns for p in files} == files  # not rewritten
    assert {a.id for a in load(tmp_path).articles.values()} == {a.id for a in seeds}


def test_edited_and_removed_articles_leave_their_segment_and_are_never_found(tmp_path, seeds):
    build(tmp_path, seeds)
    edited = replace(seeds[0], text=seeds[0].text + "\n\nMột câu mới về cây mắc ca Bắc Yên.", content_hash="edited")
    build(tmp_path, [edited, *seeds[1:4]])  # seeds[4] removed, seeds[0] edited
    parts = manifest(tmp_path)["segments"]
    assert seeds[4].id not in {i for p in parts for i in p["articles"]}
    assert sum(i == seeds[0].id for p in parts for i in p["articles"]) == 1
    loaded = load(tmp_path)
    assert seeds[4].id not in {c.article_id for c in loaded.chunks}
    # exact_below=0: dense scores through each segment's FAISS index
    retriever = Retriever(segmented.SegmentView(loaded, exact_below=0), FakeEmbedder())
    found = retriever.search(seeds[4].title, k=20)
    assert found and seeds[4].id not in {p.article.id for p in found}
    assert any("mắc ca Bắc Yên" in p.text for p in retriever.search("cây mắc ca Bắc Yên", k=5))


def test_faiss_path_ranks_like_exact_scores_across_segments(tmp_path, seeds):
    build(tmp_path, seeds[:4])
    build(tmp_path, seeds)
    loaded = load(tmp_path)
    assert len(manifest(tmp_path)["segments"]) == 2
    exact = Retriever(loaded, FakeEmbedder())
    query = FakeEmbedder().embed_query("Quỳnh Nhai huy động")
    want = exact.view._dense("context", query, retrieve.POOL)
    got = Retriever(segmented.SegmentView(loaded, exact_below=0), FakeEmbedder()).view._dense("context", query, retrieve.POOL)
    top = np.argsort(-want)[:20]
    assert np.allclose(got[top], want[top], atol=1e-5)


def test_many_adds_merge_segments_and_read_like_a_build_from_scratch(tmp_path, seeds):
    grown, fresh = tmp_path / "grown", tmp_path / "fresh"
    extra = [replace(seeds[i % 5], id=f"copy-{i:02d}", title=f"{seeds[i % 5].title} {i}",
                     text=f"Bản tin số {i}. " + seeds[i % 5].text, content_hash=f"copy-{i}") for i in range(12)]
    for n in range(1, len(extra) + 1):
        build(grown, seeds + extra[:n])
    assert len(manifest(grown)["segments"]) <= 4  # 13 builds, merged as they went
    build(fresh, seeds + extra)
    a, b = load(grown), load(fresh)
    assert a.chunks == b.chunks and a.accents == b.accents
    for field in index_store.FIELDS:
        assert np.array_equal(a.vectors[field], b.vectors[field])
    index_store.collect_garbage(grown, keep=2)
    named = {s["name"] for v in index_store.list_builds(grown)
             for s in json.loads((grown / "builds" / v / "manifest.json").read_text())["segments"]}
    assert {p.name for p in (grown / "segments").iterdir()} == named  # merged-away segments are gone
    index_store.rollback(grown)
    assert len(load(grown).articles) == len(seeds) + len(extra) - 1  # the build before still loads whole


def test_an_index_of_the_old_one_folder_format_is_refused_then_rebuilt(tmp_path, seeds):
    build(tmp_path, seeds)
    path = tmp_path / "builds" / index_store.current_version(tmp_path) / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "format_version": 1}))
    with pytest.raises(IndexMismatch, match="format 1.*qa index"):
        load(tmp_path)
    report = build(tmp_path, seeds)
    assert not report.unchanged and len(load(tmp_path).chunks) == report.chunks


def test_upgrading_an_index_of_the_one_folder_format_embeds_nothing_again(tmp_path, seeds):
    """A format-1 build (vectors and their text hashes in the build folder) lends its vectors."""
    class Counting(FakeEmbedder):
        texts: list = []

        def embed_passages(self, texts):
            self.texts += texts
            return super().embed_passages(texts)

    build(tmp_path, seeds)
    folder = tmp_path / "builds" / index_store.current_version(tmp_path)
    loaded = load(tmp_path)
    for field in index_store.FIELDS:  # lay the live build out as format 1 did
        keys = [text_key(derive.embed_text(c, loaded.articles[c.article_id], field))
                for c in loaded.chunks]
        np.save(folder / f"{field}.npy", loaded.vectors[field])
        (folder / f"{field}.keys.json").write_text(json.dumps(keys))
    path = folder / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "format_version": 1, "segments": None}))
    counting = Counting()
    report = builder.build(tmp_path, seeds, counting, CHUNKER)
    assert report.embedded == 0 and counting.texts == [] and report.chunks == len(loaded.chunks)
    assert np.array_equal(load(tmp_path).vectors["context"], loaded.vectors["context"])


def test_a_lost_segment_costs_only_its_own_articles(tmp_path, seeds):
    build(tmp_path, seeds[:4])
    build(tmp_path, seeds)
    base, extra = manifest(tmp_path)["segments"]
    shutil.rmtree(tmp_path / "segments" / extra["name"])  # e.g. deleted by hand
    report = build(tmp_path, seeds)  # `qa index` repairs it: the lost article only is derived again
    assert not report.unchanged and 0 < report.embedded < report.reused
    assert [s["name"] for s in manifest(tmp_path)["segments"]][0] == base["name"]
    assert {a.id for a in load(tmp_path).articles.values()} == {a.id for a in seeds}


def test_qa_hnsw_threshold_sets_the_built_index_and_where_search_stops_being_exact(fake_settings):
    """One setting decides both: segments of that many chunks are built HNSW, and a build of
    that many chunks is searched through the segments' indexes instead of exactly."""
    from qa.engine import Engine
    from qa.store import make_store

    settings = fake_settings.model_copy(update={"hnsw_threshold": 10})
    engine = Engine(settings)
    engine.rebuild()
    built = manifest(settings.index_dir)
    assert built["chunks"] > 10 and built["index_type"] == "hnsw"
    segment_types = {json.loads((settings.index_dir / "segments" / s["name"] / "meta.json").read_text())["index_type"]
                     for s in built["segments"]}
    assert segment_types == {"hnsw"}
    view = make_store(settings).open(None, engine.embedder, engine.chunker)
    query = FakeEmbedder().embed_query("Quỳnh Nhai huy động")
    through_faiss = view._dense("context", query, 3)
    assert (through_faiss > -1.0).sum() <= 3 * len(built["segments"])  # top-3 per segment, the rest unscored
    exact = make_store(fake_settings).open(None, engine.embedder, engine.chunker)._dense("context", query, 3)
    assert (exact > -1.0).all()
