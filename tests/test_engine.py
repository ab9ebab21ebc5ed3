import json
import shutil
import unicodedata

import pytest

from qa.engine import Engine
from qa.errors import ArticleNotFound, BadQuestion
from qa.store import index as index_store


@pytest.fixture
def engine(fake_settings):
    return Engine(fake_settings)


def test_first_question_builds_the_index_and_answers_with_citations(engine, fake_settings):
    assert index_store.current_version(fake_settings.index_dir) is None
    result = engine.ask("quynh nhai huy dong duoc bao nhieu", k=3)
    assert index_store.current_version(fake_settings.index_dir) is not None
    assert 1 <= len(result.passages) <= 3
    contract = result.to_json()
    assert set(contract) >= {"question", "answer", "passages", "took_ms"}
    first = contract["passages"][0]
    assert set(first) >= {"rank", "score", "text", "article", "start", "end"}
    assert set(first["article"]) == {"id", "title", "date", "source"}


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_refused(engine, question):
    with pytest.raises(BadQuestion, match="empty"):
        engine.ask(question)


def test_huge_question_is_refused_with_the_limit(engine):
    with pytest.raises(BadQuestion, match="1,000"):
        engine.ask("bao nhiêu " * 2000)


@pytest.mark.parametrize("k", [0, -1, 51])
def test_k_out_of_range_is_refused(engine, k):
    with pytest.raises(BadQuestion, match="k must be between 1 and 50"):
        engine.ask("Sìn Hồ", k=k)


def test_nfd_question_matches_like_nfc(engine):
    nfc = "Quỹ Chỉ thị 05 của Quỳnh Nhai đã trích bao nhiêu tiền?"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    assert [p.text for p in engine.ask(nfd).passages] == [p.text for p in engine.ask(nfc).passages]


def test_unknown_article_filter_is_refused(engine):
    with pytest.raises(ArticleNotFound):
        engine.ask("mô hình", article="no-such-article")


def test_engine_switches_to_a_new_build_between_requests(engine, fake_settings):
    engine.ask("Sìn Hồ")
    before = engine.health()["index_version"]
    (fake_settings.articles_dir / "kon-plong-chuyen-bien.txt").unlink()
    other = Engine(fake_settings)  # another process rebuilding
    other.rebuild()
    after = engine.health()
    assert after["index_version"] != before
    assert after["articles"] == 4
    assert "kon-plong-chuyen-bien" not in {a.id for a in engine.articles()}


def test_articles_and_health(engine):
    articles = engine.articles()
    assert len(articles) == 5
    assert engine.article("sin-ho-tao-dong-luc-thi-dua").date == "2023-03-07 15:45"
    with pytest.raises(ArticleNotFound):
        engine.article("nope")
    health = engine.health()
    assert health["status"] == "ok" and health["chunks"] == sum(engine.chunk_counts().values())


def count_searches(engine) -> list:
    """Wrap the live retriever's search so that each call is recorded."""
    retriever, calls = engine.retriever(), []
    real = retriever.search
    retriever.search = lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs)
    return calls


def test_a_repeated_question_is_answered_from_the_result_cache(engine):
    first = engine.ask("Quỳnh Nhai huy động được bao nhiêu?", k=3)
    searches = count_searches(engine)
    again = engine.ask("Quỳnh Nhai huy động được bao nhiêu?", k=3)
    assert again.passages == first.passages and again.answer == first.answer
    assert searches == []  # the hit did not search
    engine.ask("Quỳnh Nhai huy động được bao nhiêu?", k=4)  # another k is another query
    assert len(searches) == 1


def test_the_result_cache_never_serves_a_result_from_an_older_build(engine, fake_settings):
    question = "Kon Plông"
    before = engine.ask(question, k=5)
    assert "kon-plong-chuyen-bien" in {p.article.id for p in before.passages}
    (fake_settings.articles_dir / "kon-plong-chuyen-bien.txt").unlink()
    Engine(fake_settings).rebuild()
    after = engine.ask(question, k=5)
    assert "kon-plong-chuyen-bien" not in {p.article.id for p in after.passages}


def test_the_result_cache_can_be_turned_off(fake_settings):
    engine = Engine(fake_settings.model_copy(update={"answer_cache": 0}))
    engine.ask("Sìn Hồ", k=2)
    searches = count_searches(engine)
    engine.ask("Sìn Hồ", k=2)
    assert len(searches) == 1


def test_who_wrote_an_article_is_answered_with_its_byline(engine):
    result = engine.ask("Ai là tác giả bài viết về Kon Plông?")
    assert result.answer.text == "Trần Văn Phúc"
    assert result.passages[result.answer.passage - 1].article.id == "kon-plong-chuyen-bien"


def test_a_new_build_that_cannot_be_loaded_leaves_the_old_one_answering(engine, fake_settings):
    before = engine.ask("Quỳnh Nhai huy động được bao nhiêu?")
    old = engine.health()["index_version"]
    (fake_settings.articles_dir / "kon-plong-chuyen-bien.txt").unlink()
    Engine(fake_settings.model_copy(update={"embedder": "fake:32"})).rebuild()  # someone rebuilt with another model
    after = engine.ask("Quỳnh Nhai huy động được bao nhiêu?")
    assert after.passages == before.passages
    health = engine.health()
    assert health["index_version"] == old
    assert "fake:32" in health["newer_build_not_loaded"]["error"]
    Engine(fake_settings).rebuild(force=True)  # rebuilt with the right one: picked up at once
    assert engine.health()["index_version"] not in (old, None) and "newer_build_not_loaded" not in engine.health()
    assert engine.health()["articles"] == 4


def test_a_build_whose_files_vanished_leaves_the_old_one_answering(engine, fake_settings):
    engine.ask("Sìn Hồ")
    old = engine.health()["index_version"]
    (fake_settings.articles_dir / "kon-plong-chuyen-bien.txt").unlink()
    report = Engine(fake_settings).rebuild()
    manifest = (fake_settings.index_dir / "builds" / report.version / "manifest.json").read_text()
    for segment in json.loads(manifest)["segments"]:
        shutil.rmtree(fake_settings.index_dir / "segments" / segment["name"])
    assert engine.ask("Sìn Hồ").passages and engine.health()["index_version"] == old
    assert engine.health()["newer_build_not_loaded"]["version"] == report.version


def test_chat_follow_ups_know_the_places_of_the_live_build(engine, fake_settings, tmp_path):
    from conftest import NEW_ARTICLE

    from qa.chat.conversation import Conversation

    conversation = Conversation()
    engine.chat(conversation, "How much did Quỳnh Nhai raise?")
    assert "Bắc Yên" not in engine.place_names()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bac-yen.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    engine.add([tmp_path / "in" / "bac-yen.txt"])  # the place becomes known with its article
    assert engine.chat(conversation, "con bac yen?").question == "How much did Bắc Yên raise?"


def test_the_engine_has_everything_the_store_writes_need(engine):
    """`qa.store.writes` types its caller as the `Writer` protocol (the store layer never imports the
    engine): a rename on `Engine` that the writes still use would only fail at run time."""
    import inspect

    from qa.store.writes import Writer
    needed = set(Writer.__annotations__) | {name for name, member in vars(Writer).items()
                                            if not name.startswith("_") and (callable(member) or isinstance(member, property))}
    assert needed >= {"settings", "chunker", "index_dir", "embedder", "store", "exclusive", "published"}
    assert [name for name in sorted(needed) if not hasattr(type(engine), name) and not hasattr(engine, name)] == []
    assert all(callable(inspect.getattr_static(engine, name)) for name in ("exclusive", "published"))
