"""Scripted conversations through `Engine.chat` and `POST /chat`, with the real embedder, over a
copy of the seeds plus four Vietnamese Wikipedia articles (tests/fixtures/xquad).

Each exchange is a list of (message, what must hold). A turn holds when its rewritten question
is the expected one (when given) and its answer contains the expected text, or, when `None` is
expected, no answer is given (the reply then says the articles do not say about the entity).
Over every turn: no answer cites a sentence about another entity than the one asked.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEEDS
from fastapi.testclient import TestClient

from qa.chat.about import entity_of, is_about, kind_asked
from qa.chat.conversation import Conversation
from qa.engine import Engine
from qa.serve.app import create_app
from qa.settings import Settings

pytestmark = pytest.mark.slow
XQUAD = Path(__file__).resolve().parents[1] / "fixtures" / "xquad"
NOT_ABOUT = ("không nói về", "do not say about")


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    home = tmp_path_factory.mktemp("conversations")
    shutil.copytree(SEEDS, home / "seeds")
    for article in XQUAD.glob("*.txt"):
        shutil.copy(article, home / "seeds" / article.name)
    return Settings(home=home)


@pytest.fixture(scope="module")
def engine(settings) -> Engine:
    engine = Engine(settings)
    engine.rebuild()
    return engine


# (message, expected rewritten question or None to skip the check, expected answer text or None for no answer)
ISSUE = {
    "nha-dai-doan-ket": [("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?", None, "716 nhà"),
                         ("Còn Quỳnh Nhai thì sao?", "Quỳnh Nhai làm được bao nhiêu nhà đại đoàn kết?", None)],
    "pho-bi-thu": [("Ai là Phó Bí thư Thường trực Huyện ủy Kon Plông?", None, "Y Thị"),
                   ("and in Thanh Liêm?", "Ai là Phó Bí thư Thường trực Huyện ủy Thanh Liêm?", None)],
    "they-built": [("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?", None, "716 nhà"),
                   ("how many houses did they build?", "how many houses did Mộc Châu build?", "716 nhà")],
    "raised-more": [("Which raised more, Mộc Châu or Quỳnh Nhai?", None, "Mộc Châu")],
    "most-models": [("Huyện nào xây dựng được nhiều mô hình nhất?", None, "Thanh Liêm")],
    "published": [("Bài về Kon Plông được đăng ngày nào?", None, "2023-05-25")],
    "raised-thanh-liem": [("Quỳnh Nhai huy động được bao nhiêu tiền?", None, "2 tỷ 652 triệu đồng"),
                          ("Còn Mộc Châu thì sao?", "Mộc Châu huy động được bao nhiêu tiền?", "2 tỷ 800 triệu đồng"),
                          ("and in Thanh Liêm?", "Thanh Liêm huy động được bao nhiêu tiền?", "2,1 tỷ đồng")],
    "fences-sin-ho": [("How many households demolished fences in Thanh Liêm?", None, "300 hộ"),
                      ("and in Sìn Hồ?", "How many households demolished fences in Sìn Hồ?", None)],
}
OWN = {
    "en-what-about": [("How much did Quỳnh Nhai raise?", None, "2 tỷ 652 triệu đồng"),
                      ("What about Mộc Châu?", "How much did Mộc Châu raise?", "2 tỷ 800 triệu đồng")],
    "bare-follow-up": [("quynh nhai huy dong duoc bao nhieu", None, "2 tỷ 652 triệu đồng"),
                       ("con moc chau?", "Mộc Châu huy dong duoc bao nhieu", "2 tỷ 800 triệu đồng")],
    "models": [("Toàn huyện Kon Plông có bao nhiêu mô hình?", None, "50 mô hình"),
               ("Còn Thanh Liêm thì sao?", "Toàn huyện Thanh Liêm có bao nhiêu mô hình?", "698 mô hình")],
    "back-to-quynh-nhai": [("Thanh Liêm có bao nhiêu mô hình?", None, "698 mô hình"),
                           ("Còn Quỳnh Nhai thì sao?", "Quỳnh Nhai có bao nhiêu mô hình?", None)],
    "there": [("How much did Quỳnh Nhai raise?", None, "2 tỷ 652 triệu đồng"),
              ("How many students did the fund help there?", "How many students did the fund help in Quỳnh Nhai?",
               "10 học sinh")],
    "ho": [("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?", None, "716 nhà"),
           ("Họ huy động được bao nhiêu tiền?", "Mộc Châu huy động được bao nhiêu tiền?", "2 tỷ 800 triệu đồng")],
    "huyen-nay": [("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?", None, "716 nhà"),
                  ("Huyện này huy động được bao nhiêu tiền?", "Huyện Mộc Châu huy động được bao nhiêu tiền?",
                   "2 tỷ 800 triệu đồng")],
    "fences-metres": [("How many households demolished fences in Thanh Liêm?", None, "300 hộ"),
                      ("How many metres of fences were demolished there?",
                       "How many metres of fences were demolished in Thanh Liêm?", "2.500m")],
    "ghi-danh": [("Huyện Pác Nặm có bao nhiêu tập thể được ghi danh?", None, "09 tập thể"),
                 ("Còn huyện Bạch Thông?", "Huyện Bạch Thông có bao nhiêu tập thể được ghi danh?", "159 tập thể")],
    "clear-forgets": [("How much did Quỳnh Nhai raise?", None, "2 tỷ 652 triệu đồng"),
                      ("clear", "clear", None),
                      ("What about Thanh Liêm?", "What about Thanh Liêm?", None)],
    "thanks-is-not-context": [("Đội thủ Panthers đã thua bao nhiêu điểm?", None, "308 điểm"),
                              ("thanks", "thanks", None),
                              ("Còn Broncos thì sao?", "Đội thủ Broncos đã thua bao nhiêu điểm?", None)],
    "population": [("Dân số thành phố Jacksonville vào năm 2010 là bao nhiêu?", None, "1.345.596 người"),
                   ("Còn Fresno thì sao?", "Dân số thành phố Fresno vào năm 2010 là bao nhiêu?", None)],
    "passengers": [("Mạng lưới đường sắt ở Newcastle vận chuyển bao nhiêu hành khách mỗi năm?", None, "37 triệu"),
                   ("Còn Jacksonville thì sao?",
                    "Mạng lưới đường sắt ở Jacksonville vận chuyển bao nhiêu hành khách mỗi năm?", None)],
    "compare-then-swap": [("Which raised more, Mộc Châu or Quỳnh Nhai?", None, "Mộc Châu"),
                          ("What about Thanh Liêm?", "Which raised more, Thanh Liêm or Quỳnh Nhai?", "Quỳnh Nhai")],
    "total": [("Tổng cộng Mộc Châu và Quỳnh Nhai huy động được bao nhiêu tiền?", None, "5,452 tỷ đồng")],
    "article-date-follow-up": [("Bài về Kon Plông được đăng ngày nào?", None, "2023-05-25"),
                               ("Còn bài về Sìn Hồ?", "Bài về Sìn Hồ được đăng ngày nào?", "2023-03-07")],
    "article-date-en": [("When was the article about Kon Plông published?", None, "2023-05-25")],
    "author-follow-up": [("Ai là tác giả bài về Sìn Hồ?", None, "Hà Tĩnh"),
                         ("Còn bài về Kon Plông?", "Ai là tác giả bài về Kon Plông?", "Trần Văn Phúc")],
    "two-parts": [("Quỳnh Nhai huy động được bao nhiêu tiền và giúp bao nhiêu học sinh?", None,
                   "2 tỷ 652 triệu đồng")],
    "pronoun-city": [("Dân số thành phố Jacksonville vào năm 2010 là bao nhiêu?", None, "1.345.596 người"),
                     ("Thành phố đó nằm ở quận nào?", "Thành phố Jacksonville nằm ở quận nào?", "Duval")],
    "people-there": [("Dân số thành phố Jacksonville vào năm 2010 là bao nhiêu?", None, "1.345.596 người"),
                     ("How many people lived there in 2010?", "How many people lived in Jacksonville in 2010?",
                      "1.345.596 người")],
    "broncos": [("Đội thủ Panthers đã thua bao nhiêu điểm?", None, "308 điểm"),
                ("Còn Broncos thì sao?", "Đội thủ Broncos đã thua bao nhiêu điểm?", None)],
    "fund-2021": [("Quỹ Chỉ thị 05 của Quỳnh Nhai đã trích bao nhiêu tiền trong năm 2021?", None, "1 tỷ 420 triệu đồng"),
                  ("Còn Mộc Châu thì sao?", "Quỹ Chỉ thị 05 của Mộc Châu đã trích bao nhiêu tiền trong năm 2021?", None)],
    "civil-servants": [("How many civil servants in Sìn Hồ built commitment plans to follow Uncle Ho?", None, "875"),
                       ("What about Kon Plông?",
                        "How many civil servants in Kon Plông built commitment plans to follow Uncle Ho?", None)],
    "unaccented-place": [("Sìn Hồ có bao nhiêu tập thể đăng ký các phần việc làm theo?", None, "32 tập thể"),
                         ("What about Thanh Liem?", "Thanh Liêm có bao nhiêu tập thể đăng ký các phần việc làm theo?",
                          None)],
    "english-fresno": [("Dân số thành phố Jacksonville vào năm 2010 là bao nhiêu?", None, "1.345.596 người"),
                       ("What about Newcastle?", "Dân số thành phố Newcastle vào năm 2010 là bao nhiêu?", None)],
}


def check_turn(engine: Engine, turn, question: str | None, answer: str | None) -> None:
    if question is not None:
        assert turn.question == question
    result = turn.result
    if answer is None:
        assert result.answer is None, f"{turn.question!r} answered {result.answer.text!r}"
    else:
        assert result.answer is not None, f"{turn.question!r}: no answer ({result.note})"
        assert answer in result.answer.text or answer in (result.note or "")
        assert 1 <= result.answer.passage <= len(result.passages)
    about_the_asked_entity(engine, turn)


def about_the_asked_entity(engine: Engine, turn) -> None:
    """No answer cites a sentence about another entity than the one the question names."""
    result, gazetteer = turn.result, frozenset(engine.place_names())
    entity = entity_of(turn.question, gazetteer)
    if result.answer is None or entity is None or result.answer.kind in ("superlative", "comparison", "total",
                                                                        "date", "author", "source", "title"):
        return
    cited = result.passages[result.answer.passage - 1]
    assert is_about(entity, result.answer.sentence, cited.text, cited.article.title, gazetteer,
                    kind_asked(turn.question, gazetteer), engine.article_places().get(cited.article.id),
                    result.answer.text), f"{turn.question!r} answered from {result.answer.sentence!r}"


def run(engine: Engine, exchange) -> None:
    conversation = Conversation()
    for message, question, answer in exchange:
        check_turn(engine, engine.chat(conversation, message, k=3), question, answer)


@pytest.mark.parametrize("name", sorted(ISSUE))
def test_the_issues_exchanges(engine, name):
    run(engine, ISSUE[name])


@pytest.mark.parametrize("name", sorted(OWN))
def test_follow_up_exchanges(engine, name):
    run(engine, OWN[name])


def test_the_refusal_names_the_asked_place(engine):
    conversation = Conversation()
    engine.chat(conversation, "Mộc Châu làm được bao nhiêu nhà đại đoàn kết?")
    turn = engine.chat(conversation, "Còn Quỳnh Nhai thì sao?")
    assert turn.result.answer is None and "Quỳnh Nhai" in turn.result.note
    assert any(words in turn.result.note for words in NOT_ABOUT)


def test_the_answer_does_not_depend_on_k(engine):
    for question in ("Toàn huyện Kon Plông có bao nhiêu mô hình?", "Huyện nào xây dựng được nhiều mô hình nhất?"):
        answers = {(r.answer.text if r.answer else None) for r in (engine.ask(question, k=k) for k in range(1, 11))}
        assert len(answers) == 1 and None not in answers, question


def test_superlative_cites_every_figure(engine):
    result = engine.ask("Huyện nào xây dựng được nhiều mô hình nhất?", k=1)
    assert result.answer.text == "Thanh Liêm" and result.answer.value == 698
    assert "698 mô hình" in result.passages[result.answer.passage - 1].sentence
    for figure in result.also:
        assert figure.text in result.passages[figure.passage - 1].sentence


def test_multi_part_question_answers_each_part(engine):
    result = engine.ask("Quỳnh Nhai huy động được bao nhiêu tiền và giúp bao nhiêu học sinh?")
    assert "2 tỷ 652 triệu đồng" in result.answer.text
    [part] = result.parts
    assert part.question == "Quỳnh Nhai giúp bao nhiêu học sinh?"
    assert part.answer is not None and "10 học sinh" in part.answer.text
    assert part.answer.sentence in result.passages[part.answer.passage - 1].text


def test_multi_part_road(engine):
    result = engine.ask("Mô hình Đường hoa quân sự dài bao nhiêu km và trị giá bao nhiêu?")
    assert "3 km" in result.answer.text
    [part] = result.parts
    assert part.answer is not None and "120 triệu đồng" in part.answer.text


@pytest.fixture(scope="module")
def client(settings, engine):
    # A loopback Host: the app answers only the hosts QA_ALLOWED_HOSTS names (TestClient's default is "testserver").
    with TestClient(create_app(settings, engine=engine), base_url="http://127.0.0.1") as c:
        yield c


@pytest.mark.parametrize("name", sorted(ISSUE) + ["ghi-danh", "thanks-is-not-context", "two-parts"])
def test_the_exchanges_over_http(client, engine, name):
    exchange = (ISSUE | OWN)[name]
    session = None
    for message, question, answer in exchange:
        response = client.post("/chat", json={"message": message, "k": 3, **({"session_id": session} if session else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        session = body["session_id"]
        if question is not None:
            assert body["question"] == question
        got = body["result"]["answer"]
        if answer is None:
            assert got is None and body["reply"]
        else:
            assert got is not None and (answer in got["text"] or answer in body["result"].get("note", ""))
            assert body["reply"] == got["text"]
    if name == "two-parts":
        assert body["result"]["parts"][0]["answer"]["text"].endswith("học sinh")


def test_http_refusal_is_the_reply(client):
    first = client.post("/chat", json={"message": "Mộc Châu làm được bao nhiêu nhà đại đoàn kết?"}).json()
    body = client.post("/chat", json={"session_id": first["session_id"], "message": "Còn Quỳnh Nhai thì sao?"}).json()
    assert body["question"] == "Quỳnh Nhai làm được bao nhiêu nhà đại đoàn kết?"
    assert body["result"]["answer"] is None and "Quỳnh Nhai" in body["reply"] and "không nói về" in body["reply"]


def test_http_facts(client):
    rows = client.get("/facts", params={"place": "Thanh Liêm"}).json()
    assert rows and all(r["owner"] == "Thanh Liêm" for r in rows)
    assert any(r["text"] == "698 mô hình" and r["sentence"][r["start"] - r["sentence_start"]:][:11] == "698 mô hình"
               for r in rows)
