"""Tests for the facts table and what is computed from it (qa.chat.facts, qa.chat.compare), the about-check
(qa.chat.about), multi-part splitting (qa.chat.multipart), article questions (qa.chat.meta), and `k` trimming
(qa.chat.answering.trim). Engine-level ones run over a copy of the seeds with the fake embedder."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qa.chat import compare, meta, multipart
from qa.chat.about import entity_of, is_about, kind_asked, nested_places
from qa.chat.answering import trim
from qa.chat.facts import build
from qa.engine import Engine
from qa.records import Answer, Article, ArticleRef, Chunk, Passage

GAZETTEER = frozenset(["Quỳnh Nhai", "Mộc Châu", "Thanh Liêm", "Kon Plông"])


def chunk(article_id: str, sentence: str, start: int = 0) -> Chunk:
    return Chunk(article_id, 0, sentence, sentence, start, start + len(sentence), start, start + len(sentence), "h")


def test_a_figure_belongs_to_the_place_named_before_it_else_to_the_article():
    articles = {"a": Article("a", "Kon Plông: Chuyển biến", "…", date="2023-05-25")}
    chunks = [chunk("a", "Đảng bộ huyện Mộc Châu đã làm được 716 nhà, còn huyện Quỳnh Nhai 48 hộ."),
              chunk("a", "Toàn huyện có 50 mô hình.", 100)]
    facts = build(articles, chunks, GAZETTEER)
    assert [(f.text, f.owner, f.owner_source, f.counts) for f in facts] == [
        ("716 nhà", "Mộc Châu", "sentence", "nhà"), ("48 hộ", "Quỳnh Nhai", "sentence", "hộ"),
        ("50 mô hình", "Kon Plông", "title", "mô hình")]
    last = facts[-1]
    assert (last.start, last.end, last.date) == (114, 124, "2023-05-25")
    assert chunks[1].sentence[last.start - 100:last.end - 100] == "50 mô hình"


def fact_table():
    articles = {"x": Article("x", "Tin", "…")}
    chunks = [chunk("x", "Huyện Thanh Liêm xây dựng 698 mô hình và huy động 2 tỷ đồng."),
              chunk("x", "Huyện Kon Plông có 50 mô hình, trị giá 5 km đường."),
              chunk("x", "Huyện Mộc Châu huy động được 2 tỷ 800 triệu đồng.")]
    return build(articles, chunks, GAZETTEER)


def test_superlative_comparison_total_and_refusal_are_computed():
    facts, anything = fact_table(), (lambda f: 1.0)
    most = compare.analyse("Huyện nào xây dựng được nhiều mô hình nhất?", GAZETTEER)
    assert most is not None and most.op == "max" and most.noun == "mô hình"
    outcome = compare.compute(most, facts, anything)
    assert outcome.winner.owner == "Thanh Liêm" and [f.value for f in outcome.figures] == [698, 50]
    fewest = compare.compute(compare.analyse("Huyện nào có ít mô hình nhất?", GAZETTEER), facts, anything)
    assert fewest.winner.owner == "Kon Plông"
    more = compare.analyse("Which raised more, Mộc Châu or Thanh Liêm?", GAZETTEER)
    assert more.op == "more" and set(more.entities) == {"Mộc Châu", "Thanh Liêm"} and "money" in more.kinds
    assert compare.compute(more, facts, anything).winner.owner == "Mộc Châu"
    total = compare.analyse("Tổng cộng Mộc Châu và Thanh Liêm huy động bao nhiêu tiền?", GAZETTEER)
    summed = compare.compute(total, facts, anything)
    assert summed.total == 4.8e9 and compare.amount_text(summed.total, summed.winner) == "4,8 tỷ đồng"
    # Kon Plông states no money figure: nothing to compare it with.
    refused = compare.compute(compare.analyse("Which raised more, Kon Plông or Mộc Châu?", GAZETTEER), facts, anything)
    assert refused.winner is None and "Kon Plông" in compare.summary(refused, "en")


@pytest.mark.parametrize("question", ["Ít nhất 5 hộ ở Sìn Hồ làm gì?", "Mộc Châu có hơn 500 cá nhân làm gì?",
                                      "Quỳnh Nhai huy động được bao nhiêu tiền?", "Tổng số đảng viên của Sìn Hồ?"])
def test_ordinary_questions_are_not_comparisons(question):
    assert compare.analyse(question, GAZETTEER | {"Sìn Hồ"}) is None


def test_a_place_and_where_it_lies_are_not_two_places_to_total():
    # Invented: "tổng cộng" of one plant, named by its commune and its province.
    gazetteer = GAZETTEER | {"Phù Lãng", "Bắc Ninh"}
    assert compare.analyse("Nhà máy điện rác Phù Lãng ở Bắc Ninh được đầu tư tổng cộng bao nhiêu tiền?", gazetteer) is None
    assert compare.analyse("Quỳnh Nhai và Mộc Châu tổng cộng huy động bao nhiêu?", gazetteer).op == "total"


@pytest.mark.parametrize("question", ["Tổng giá trị lô thuốc giả CL23087 là bao nhiêu?",
                                      "Mạng 5G được thử nghiệm ở đâu?"])
def test_letters_glued_to_digits_are_a_code_not_an_entity(question):
    assert entity_of(question, GAZETTEER) is None


def test_different_units_are_not_comparable():
    facts = fact_table()
    op = compare.Comparison("more", ("Thanh Liêm", "Kon Plông"), frozenset({"length"}), None)
    assert compare.compute(op, facts, lambda f: 1.0).winner is None


@pytest.mark.parametrize("sentence, title, expected", [
    ("Đảng bộ huyện Mộc Châu đã làm được 716 nhà.", "Sơn La: Tạo chuyển biến", False),  # another place's figure
    ("Quỳnh Nhai đã làm được 48 nhà.", "Sơn La: Tạo chuyển biến", True),
    ("Toàn huyện có 50 mô hình.", "Quỳnh Nhai: Chuyển biến", True),  # the article's own place
    ("Toàn huyện có 50 mô hình.", "Tin tức", False),  # nothing says whose
])
def test_is_about(sentence, title, expected):
    assert is_about("Quỳnh Nhai", sentence, sentence, title, GAZETTEER) is expected


def test_an_article_about_the_place_by_title_and_by_its_own_place_speaks_of_it_beside_others():
    # Invented: a district's workers abroad; the answer sentence names the countries they work in.
    sentence = "Hiện có khoảng 9.400 người của huyện đang làm việc ở nước ngoài, gần 60% ở Nhật Bản."
    gazetteer = frozenset({"Diễn Châu", "Nhật Bản", "Hàn Quốc"})
    title = "Người lao động Diễn Châu tìm cơ hội ở Nhật Bản, Hàn Quốc"
    assert is_about("Diễn Châu", sentence, sentence, title, gazetteer, article_place="Diễn Châu")
    # The title alone, or the article's place alone, does not outweigh another place in the sentence.
    assert not is_about("Diễn Châu", sentence, sentence, title, gazetteer, article_place="Hàn Quốc")
    assert not is_about("Diễn Châu", sentence, sentence, "Xuất khẩu lao động", gazetteer, article_place="Diễn Châu")


def test_a_sentence_naming_another_place_the_question_names_is_about_it():
    # Invented: a road between two districts; the sentence names the far end and places on the way.
    question = "Tuyến cao tốc Sơn Tịnh – Sơn Hà dài bao nhiêu km?"
    sentence = "Tuyến dài 42 km, điểm đầu tại nút giao Tịnh Phong, điểm cuối tại thị trấn Di Lăng, huyện Sơn Hà."
    gazetteer = frozenset({"Sơn Tịnh", "Sơn Hà", "Tịnh Phong", "Di Lăng"})
    assert is_about("Sơn Tịnh", sentence, sentence, "Cao tốc Sơn Tịnh – Sơn Hà", gazetteer, question=question)
    assert not is_about("Sơn Tịnh", sentence, sentence, "Cao tốc Sơn Tịnh – Sơn Hà", gazetteer,
                        question="Huyện Sơn Tịnh có tuyến đường dài bao nhiêu km?")


def test_an_english_questions_entity_drops_the_english_words_after_its_vietnamese_name():
    # The article writes "Khu công nghiệp Tân Quang", "Công ty Hồng Lam": the English words are not in it.
    assert entity_of("How many people work in Tan Quang Industrial Park?") == "Tan Quang"
    assert entity_of("How much does Hồng Lam Fertiliser save each quarter?") == "Hồng Lam"
    assert entity_of("How much did Nordvind Energy invest?") is None  # a foreign name of unknown kind, in English


def test_entity_of_prefers_the_place():
    assert entity_of("Ai là Phó Bí thư Huyện ủy Kon Plông?", GAZETTEER) == "Kon Plông"
    assert entity_of("Giá vàng hôm nay là bao nhiêu?", GAZETTEER) is None


@pytest.mark.parametrize("question, entity", [
    ("How much did Hà Nội raise for flood relief in 2024?", "Hà Nội"),  # a Vietnamese name, tone marks and all
    ("How many tonnes of tea did Tân Cương export?", "Tân Cương"),
    ("How many Muscovy ducks did the farm raise?", None),  # English names what the text may name otherwise
    ("What about Newcastle?", None),
])
def test_an_english_question_names_a_place_written_the_vietnamese_way(question, entity):
    assert entity_of(question, GAZETTEER) == entity


@pytest.mark.parametrize("question", [
    "Kịch bản nào được gọi là kịch bản cơ sở?",  # "bản" folds to the place head "ban" (a village)
    "Ước tính có bao nhiêu bác sĩ tự phân phát thuốc?",  # "tính" folds to "tinh" (tỉnh, a province)
])
def test_a_first_word_before_a_word_that_only_folds_to_a_place_head_is_no_place(question):
    assert entity_of(question, GAZETTEER) is None


def test_a_name_before_an_english_place_head_is_a_place():
    assert entity_of("How much did Thanh Liem district raise?", GAZETTEER) == "Thanh Liêm"


@pytest.mark.parametrize("question, parts", [
    ("Mô hình Đường hoa quân sự dài bao nhiêu km và trị giá bao nhiêu?",
     ["Mô hình Đường hoa quân sự dài bao nhiêu km?", "Mô hình Đường hoa quân sự trị giá bao nhiêu?"]),
    ("How long is the road and how much did it cost?", ["How long is the road?", "how much did the road cost?"]),
    ("Mộc Châu và Quỳnh Nhai huy động bao nhiêu tiền?", ["Mộc Châu và Quỳnh Nhai huy động bao nhiêu tiền?"]),
])
def test_multipart_split(question, parts):
    assert multipart.split(question, GAZETTEER) == parts


@pytest.mark.parametrize("question, field", [
    ("Bài về Kon Plông được đăng ngày nào?", "date"), ("When was the article about Kon Plông published?", "date"),
    ("Ai là tác giả bài về Sìn Hồ?", "author"), ("Nguồn của bài về Sìn Hồ là gì?", "source"),
    ("What is the title of the article about Thanh Liêm?", "title"),
    ("Kon Plông có bao nhiêu mô hình?", None), ("When did Mộc Châu build 716 houses?", None)])
def test_meta_field_asked(question, field):
    assert meta.field_asked(question) == field


def passages(n: int) -> list[Passage]:
    return [Passage(rank=i, score=1 / i, text=f"p{i}", sentence=f"s{i}", article=ArticleRef(id="a", title="T"),
                    start=i, end=i + 1, sentence_start=i, sentence_end=i + 1) for i in range(1, n + 1)]


def test_trim_keeps_the_cited_passage_shown_and_renumbers():
    answer = Answer("x", "s4", passage=4, confidence=0.9)
    shown, moved, also = trim(passages(10), 2, answer, (Answer("y", "s2", 2, 0.5), Answer("z", "s7", 7, 0.5)))
    assert [p.text for p in shown] == ["p4", "p1"] and moved.passage == 1
    assert also == ()  # neither other citation is shown at k=2
    shown, moved, also = trim(passages(10), 5, answer, (Answer("y", "s2", 2, 0.5),))
    assert [p.text for p in shown] == ["p1", "p2", "p3", "p4", "p5"] and moved.passage == 4 and also[0].passage == 2


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    import shutil

    from conftest import SEEDS

    from qa.settings import Settings

    home = tmp_path_factory.mktemp("facts-home")
    shutil.copytree(SEEDS, home / "seeds")
    return Engine(Settings(home=home, embedder="fake"))


def test_engine_facts_by_place(engine):
    thanh_liem = engine.facts("thanh liem")
    assert thanh_liem and all(f.owner == "Thanh Liêm" for f in thanh_liem)
    assert any(f.text == "698 mô hình" for f in thanh_liem)
    assert len(engine.facts()) > len(thanh_liem)


def test_engine_answers_the_superlative_from_the_facts(engine):
    result = engine.ask("Huyện nào xây dựng được nhiều mô hình nhất?", k=1)
    assert result.answer.text == "Thanh Liêm" and result.answer.kind == "superlative" and result.answer.value == 698
    cited = result.passages[result.answer.passage - 1]
    assert "698 mô hình" in cited.sentence
    assert {a.text for a in result.also} >= {"698 mô hình", "50 mô hình"}
    assert all(0 < a.passage <= len(result.passages) for a in result.also)


def test_cli_facts_lists_a_place_with_citations(engine, monkeypatch):
    import cli

    monkeypatch.setattr(cli, "engine", lambda: engine)
    out = CliRunner().invoke(cli.app, ["facts", "--place", "Thanh Liêm", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert any(r["text"] == "698 mô hình" and "698 mô hình" in r["sentence"] for r in rows)
    table = CliRunner().invoke(cli.app, ["facts", "--place", "Thanh Liêm"])
    assert table.exit_code == 0 and "698 mô hình" in table.output and "Figures about Thanh Liêm" in table.output


def test_is_about_the_articles_own_place_when_its_title_does_not_name_it():
    sentence = "Khu 5 có 2 dân tộc Dao và Kinh sinh sống."
    assert is_about("Sìn Hồ", sentence, sentence, "Tạo động lực thi đua", article_place="Sìn Hồ")
    assert not is_about("Sìn Hồ", sentence, sentence, "Tạo động lực thi đua", article_place="Mộc Châu")
    assert not is_about("Sìn Hồ", "Huyện Mộc Châu có 5 khu.", "", "Tin", GAZETTEER, article_place="Sìn Hồ")


def test_a_name_of_unknown_kind_is_not_refused_because_other_names_stand_beside_the_answer():
    sentence = "Kony Ealy có năm lần vật ngã, cùng Jared Allen được chọn vào Pro Bowl."
    passage = "Hàng thủ của Carolina Panthers rất mạnh. " + sentence
    assert kind_asked("Ai có năm lần vật ngã cho Carolina Panthers?") == "name"
    assert is_about("Carolina Panthers", sentence, passage, "Super Bowl 50", kind="name", answer="Kony Ealy")
    # Named nowhere near the answer (not in its sentence, passage or title): not about it.
    assert not is_about("Denver Broncos", sentence, passage, "Super Bowl 50", kind="name", answer="Kony Ealy")


# Invented articles for the about check's article-wide evidence.
LEAD = "Sáng 3/4, nhà máy xử lý rác Yên Phong, đặt tại xã Yên Phong, huyện Quế Lâm, đi vào hoạt động."
BODY = LEAD + "\n\nNhà máy có hai lò đốt. Mỗi ngày nhà máy xử lý 900 tấn rác."
PLACES = frozenset({"Yên Phong", "Quế Lâm", "Bắc Giang", "Hà Nội"})


def test_nested_places_are_read_from_addresses_smallest_unit_first():
    nested = nested_places([LEAD, "Ông Ba ở xã Tân Lập (huyện Quế Lâm)."], PLACES | {"Tân Lập"})
    assert nested == {("yen phong", "que lam")}  # a parenthesis is no address
    # A list of siblings is no address, whatever their heads: no unit of a higher tier follows.
    siblings = "rác từ thị xã Quế Lâm, thành phố Bắc Giang, huyện Yên Phong và quận Hà Đông."
    assert nested_places([siblings], PLACES | {"Hà Đông"}) == frozenset()


def test_the_lead_names_what_an_article_is_about_under_a_title_naming_its_province():
    sentence = "Mỗi ngày nhà máy xử lý 900 tấn rác."
    title = "Nhà máy rác 2.000 tỷ đồng ở Bắc Giang vận hành"
    assert is_about("Yên Phong", sentence, sentence, title, PLACES, article_text=BODY)
    # The same sentence in an article whose title and lead name only another place is not about it.
    assert not is_about("Yên Phong", sentence, sentence, title, PLACES, article_text="Bắc Giang có nhà máy.\n\n"
                        "Trước đây rác của Yên Phong được chôn lấp. " + sentence)


def test_a_place_that_holds_the_asked_one_is_not_another_place():
    sentence = "Huyện Quế Lâm có 900 hộ dùng điện từ nhà máy."
    nested = nested_places([LEAD], PLACES)
    assert is_about("Yên Phong", sentence, sentence, "Tin", PLACES, article_text=BODY, nested=nested)
    assert not is_about("Yên Phong", sentence, sentence, "Tin", PLACES, article_text=BODY)


def test_a_title_naming_the_place_beside_others_is_about_it_when_the_passage_names_no_other():
    sentence = "Giải có tổng giá trị giải thưởng 900 triệu đồng."
    title = "Vận động viên Kenya và Nhật Bản thắng giải marathon Quế Lâm"
    gazetteer = PLACES | {"Kenya", "Nhật Bản"}
    assert is_about("Quế Lâm", sentence, sentence, title, gazetteer, article_text=sentence)
    passage = "Tại Hà Nội, giải chạy khác cũng diễn ra. " + sentence
    assert not is_about("Quế Lâm", sentence, passage, title, gazetteer, article_text=passage)


def test_a_name_the_article_names_elsewhere_is_what_a_sentence_naming_nothing_else_is_about():
    body = "Ngân hàng TMCP Phương Bắc (PBBank) báo lãi.\n\nTỷ lệ nợ xấu là 1,2%. Đối thủ KLBank có nợ xấu 2%."
    assert is_about("PBBank", "Tỷ lệ nợ xấu là 1,2%.", "Tỷ lệ nợ xấu là 1,2%.", "Ngân hàng báo lãi", kind="name",
                    answer="1,2%", article_text=body)
    assert not is_about("PBBank", "Đối thủ KLBank có nợ xấu 2%.", "Đối thủ KLBank có nợ xấu 2%.", "Ngân hàng báo lãi",
                        kind="name", answer="2%", article_text=body)
    assert not is_about("MBBank", "Tỷ lệ nợ xấu là 1,2%.", "Tỷ lệ nợ xấu là 1,2%.", "Ngân hàng báo lãi", kind="name",
                        answer="1,2%", article_text=body)


def test_a_district_named_in_passing_in_another_districts_article_is_not_its_topic():
    body = "Huyện Mộc Châu làm được nhiều nhà.\n\nGiống như Quỳnh Nhai, huyện đã vận động. Toàn huyện có 716 nhà."
    sentence = "Toàn huyện có 716 nhà."
    assert not is_about("Quỳnh Nhai", sentence, sentence, "Mộc Châu: Tạo chuyển biến", GAZETTEER, article_text=body)


def test_a_place_named_anywhere_in_its_article_is_what_a_sentence_naming_no_other_place_is_about():
    body = ("Nhà máy đi vào hoạt động.\n\nChủ đầu tư cho biết xã Yên Phong sẽ được ưu tiên tuyển lao động."
            "\n\nMỗi ngày nhà máy xử lý 900 tấn rác.")
    sentence = "Mỗi ngày nhà máy xử lý 900 tấn rác."
    assert is_about("Yên Phong", sentence, sentence, "Nhà máy rác vận hành", PLACES, article_text=body)
    # A place the article never names: the check refuses, as for a district with no article.
    assert not is_about("Tân Lập", sentence, sentence, "Nhà máy rác vận hành", PLACES | {"Tân Lập"}, article_text=body)


def test_a_place_in_the_sentence_does_not_stop_a_name_the_article_names_elsewhere():
    body = "Tàu Sông Lam 09 được hạ thủy.\n\nCông ty cho biết. Tàu đóng tại Hải Phòng tiết kiệm 20% nhiên liệu."
    sentence = "Tàu đóng tại Hải Phòng tiết kiệm 20% nhiên liệu."
    assert is_about("Sông Lam 09", sentence, sentence, "Hạ thủy tàu mới", frozenset({"Hải Phòng"}), kind="name",
                    answer="20%", article_text=body)
