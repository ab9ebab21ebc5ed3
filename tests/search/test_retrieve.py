import pytest

from qa.ingest.articles import load_articles
from qa.ingest.chunking import ChunkerSettings
from qa.search.retrieve import QueryCache, Retriever, Weights
from qa.store import builder
from qa.store import index as index_store
from qa.store.embed import FakeEmbedder


@pytest.fixture
def retriever(home):
    embedder = FakeEmbedder()
    articles = load_articles(home / "seeds").articles
    builder.build(home / "index", articles, embedder, ChunkerSettings())
    return Retriever(index_store.load(home / "index", embedder, ChunkerSettings()), embedder)


def test_folded_bm25_finds_a_question_typed_without_diacritics(retriever):
    top = retriever.search("quynh nhai huy dong duoc bao nhieu", k=3)
    assert any("2 tỷ 652 triệu đồng" in p.text for p in top)
    assert top[0].article.id == "son-la-tao-chuyen-bien-manh-me"


def test_passages_carry_offsets_into_the_cleaned_article(retriever):
    for p in retriever.search("Đảng ủy xã Đăk Ring có những mô hình nào?", k=5):
        article = retriever.index.articles[p.article.id]
        assert article.text[p.start:p.end] == p.text
        assert article.text[p.sentence_start:p.sentence_end] == p.sentence
        assert p.sentence in p.text


def test_ranks_are_dense_and_scores_descend(retriever):
    top = retriever.search("mô hình nông thôn mới", k=8)
    assert [p.rank for p in top] == list(range(1, len(top) + 1))
    assert all(a.score >= b.score for a, b in zip(top, top[1:]))
    assert all(0.0 <= p.score <= 1.0 for p in top)


def test_no_passage_repeats_a_sentence_already_shown(retriever):
    top = retriever.search("Sìn Hồ đảng viên", k=10)
    for i, p in enumerate(top):
        for q in top[:i]:
            if q.article.id == p.article.id:
                assert not (q.start <= p.sentence_start and p.sentence_end <= q.end)


def test_article_and_date_filters(retriever):
    only = retriever.search("mô hình", k=5, article="kon-plong-chuyen-bien")
    assert only and {p.article.id for p in only} == {"kon-plong-chuyen-bien"}
    dated = retriever.search("mô hình", k=10, date="2023")
    assert dated and all(p.article.date.startswith("2023") for p in dated)


def test_weights_change_the_ranking(retriever):
    question = "quynh nhai huy dong duoc bao nhieu"
    raw = retriever.signals(question)
    lexical_pool, lexical = retriever.fuse(question, raw, Weights(0, 0, 0, 1, 0))
    dense_pool, dense = retriever.fuse(question, raw, Weights(1, 0, 0, 0, 0))
    assert lexical_pool[lexical.argmax()] != dense_pool[dense.argmax()]


def test_query_cache_embeds_a_repeated_question_once():
    calls = []
    cache = QueryCache(size=2)
    for text in ["a", "a", "b", "c", "a"]:
        cache.get(text, lambda t: calls.append(t) or t)
    assert calls == ["a", "b", "c", "a"]  # "a" was evicted by b and c


@pytest.mark.parametrize("question", ["???", "🙂", "là gì", "what is"])
def test_a_question_without_searchable_words_still_gets_passages(retriever, question):
    assert len(retriever.search(question, k=3)) == 3
