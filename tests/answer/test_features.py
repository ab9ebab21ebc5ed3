"""Candidate features on invented sentences: the question phrase's anchors (the words around
"ai", "năm nào"...) found around the candidate that answers, in any form of the question."""
import numpy as np
import pytest

from qa.answer import analyse, extract_answer, prepare
from qa.answer.features import NAMES
from qa.records import ArticleRef, Passage

TEXT = ("Công viên được thiết kế bởi Adam Idźkowski theo phong cách Anh, "
        "và Henryk Marconi là người xây hàng rào sắt của nó vào năm 1852.")


def passage(text: str) -> Passage:
    return Passage(rank=1, score=1.0, text=text, sentence=text, article=ArticleRef(id="a", title="A"),
                   start=0, end=len(text), sentence_start=0, sentence_end=len(text))


def close(where):
    return np.tile([0.88, 0.86], (len(where), 1))


@pytest.mark.parametrize("question,before,after", [
    ("Công viên được thiết kế bởi ai?", ("thiet", "ke", "boi"), ()),
    ("cong vien duoc thiet ke boi ai", ("thiet", "ke", "boi"), ()),
    ("Ai là người xây hàng rào sắt?", (), ("la", "nguoi", "xay")),
    ("Hàng rào được xây vào năm nào?", ("duoc", "xay", "vao"), ()),
    ("Nhà máy sản xuất cái gì?", ("may", "san", "xuat"), ()),
])
def test_the_question_phrase_has_the_words_around_it_as_anchors(question, before, after):
    q = analyse(question)
    assert (q.before, q.after) == (before, after)


def columns(question: str, text: str, *names: str) -> dict[str, tuple[float, ...]]:
    """Candidate text -> its values of the features `names`."""
    prepared = prepare(question, [passage(text)], dense=close)
    at = [NAMES.index(name) for name in names]
    return {c.text: tuple(row[at]) for c, row in zip(prepared.candidates, prepared.features)}


def anchors(question: str) -> dict[str, tuple[float, ...]]:
    return columns(question, TEXT, "anchor_before", "anchor_after")


def test_the_name_after_the_question_s_own_words_is_anchored_and_the_other_is_not():
    found = anchors("Công viên được thiết kế bởi ai?")
    assert found["Adam Idźkowski"][0] == 1.0
    assert found["Henryk Marconi"][0] == 0.0


def test_the_name_before_the_question_s_own_words_is_anchored_after():
    found = anchors("Ai là người xây hàng rào sắt?")
    assert found["Henryk Marconi"][1] == 1.0
    assert found["Adam Idźkowski"][1] == 0.0


@pytest.mark.parametrize("question,name", [
    ("Công viên được thiết kế bởi ai?", "Adam Idźkowski"), ("cong vien duoc thiet ke boi ai", "Adam Idźkowski"),
    ("Ai là người xây hàng rào sắt?", "Henryk Marconi"), ("ai la nguoi xay hang rao sat", "Henryk Marconi"),
])
def test_the_learned_stage_answers_with_the_anchored_name(question, name):
    answer, _ = extract_answer(question, [passage(TEXT)], dense=close)
    assert answer is not None and answer.text == name


def test_the_predicate_is_what_the_question_asks_besides_its_names_in_the_forms_the_text_may_hold():
    assert analyse("Quỳnh Nhai huy động được bao nhiêu tiền?").predicate == ((("dong",),), (("huy",),))
    english = analyse("How many households demolished fences in Sìn Hồ?").predicate
    assert (("pha", "do"),) in english and all(form != ("ho",) for forms in english for form in forms)


FIGURES = ("Huyện Sìn Hồ đã phá dỡ 120 mét tường rào để mở rộng đường. "
           "Đến nay, Sìn Hồ chỉ còn 3 hộ nghèo trên địa bàn.")


def predicate_rows(question: str) -> dict[str, tuple[float, ...]]:
    return columns(question, FIGURES, "predicate_win", "no_predicate")


def test_a_figure_beside_the_question_s_name_only_has_no_predicate_near_it():
    rows = predicate_rows("Sìn Hồ đã phá dỡ bao nhiêu mét tường rào?")
    assert rows["120 mét"][0] > 0 and rows["120 mét"][1] == 0.0
    assert rows["3 hộ"][0] == 0.0 and rows["3 hộ"][1] == 1.0


def test_a_document_number_is_a_name_not_a_figure():
    from qa.answer.candidates import in_sentence
    text = "Thực hiện Kết luận số 01-KL/TW của Bộ Chính trị, huyện có 120 hộ."
    spans = {text[s:e]: flags for (s, e), flags in in_sentence(text, analyse("How many households?")).items()}
    assert "name" in spans["01-KL/TW"] and "number" not in spans["01-KL/TW"]
    assert "number" in spans["120 hộ"]


def test_the_figure_that_counts_what_the_question_counts_is_marked_counted():
    # Invented, after an XQuAD-style sentence with two figures: the question counts "loài".
    text = "Khu rừng có khoảng 390 tỷ cây được chia thành 16.000 loài."
    found = columns("Khu rừng có bao nhiêu loài cây?", text, "counted")
    assert found["16.000 loài"][0] > 0
    assert found["khoảng 390 tỷ cây"][0] == 0


def test_a_candidate_cutting_a_word_of_the_lexicon_is_marked():
    found = columns("Có bao nhiêu người tham gia giải?", "Giải năm nay có 12 nhà khoa học tham gia.", "splits_word")
    assert found["12 nhà khoa"] == (1.0,)  # "khoa học" (science) is one word
    assert found["năm nay có 12 nhà khoa học"] == (0.0,)


def test_function_words_are_read_as_written_where_the_text_has_diacritics():
    """"ca" (a song) is no "cả" (all): in accented text only the function word counts as one."""
    song = columns("Lady Gaga đã hát bài gì?", "Tại lễ khai mạc, Lady Gaga đã biểu diễn quốc ca.", "function")
    assert "biểu diễn quốc ca" in song and "biểu diễn quốc" not in song
    assert song["biểu diễn quốc ca"] == (0.0,)
    everyone = columns("Ai đã hát?", "Tại lễ khai mạc, cả đội đã hát.", "function")
    assert everyone["cả đội đã hát"][0] > 0.0


def test_without_diacritics_the_folded_function_words_still_apply():
    found = columns("Lady Gaga da hat bai gi?", "Tai le khai mac, Lady Gaga da bieu dien quoc ca.", "function")
    assert "bieu dien quoc" in found


def test_a_term_few_sentences_hold_weighs_more_than_one_they_all_repeat():
    text = ("Nhà máy ở Hà Nội sản xuất 300 tấn mỗi ngày. Nhà máy ở Đà Nẵng sản xuất 200 tấn mỗi ngày. "
            "Nhà máy thép ở Hải Phòng sản xuất 500 tấn mỗi ngày.")
    found = columns("Nhà máy thép sản xuất bao nhiêu tấn mỗi ngày?", text, "lex_idf", "lex_idf_gap", "lex")
    steel, other = found["500 tấn"], found["300 tấn"]
    assert steel[0] == pytest.approx(1.0) and steel[1] == pytest.approx(0.0)
    assert other[1] < 0
    # "thép" is one of seven terms, but the only one that tells the sentences apart
    assert steel[0] - other[0] > steel[2] - other[2]


def test_the_sentence_naming_the_question_s_name_is_marked():
    text = "Vinamilk xuất khẩu 300 tấn sữa. Một công ty khác xuất khẩu 200 tấn sữa."
    found = columns("Công ty Vinamilk xuất khẩu bao nhiêu tấn sữa?", text, "sent_names", "sent_names_gap")
    assert found["300 tấn"] == (1.0, 0.0)
    assert found["200 tấn"] == (0.0, -1.0)


@pytest.mark.parametrize("question", ["Có bao nhiêu hộ dân tháo dỡ hàng rào?",
                                      "How many households pulled down their fences?"])
def test_a_number_counting_another_noun_than_the_one_asked_is_marked(question):
    text = "Xã có 120 hộ dân tháo dỡ hàng rào, và 56 gương điển hình được khen thưởng."
    found = columns(question, text, "miscounted")
    assert found["120 hộ"] == (0.0,)
    assert found["56 gương"] == (1.0,)


def test_an_english_compound_the_glossary_knows_is_counted_whole():
    """"working days" is "ngày công": its first word alone ("working": "làm việc") counts nothing here."""
    q = analyse("How many working days did the new road take?")
    assert q.counted == {"ngay"}
    text = "Con đường mới hoàn thành sau 700 ngày công, với 5 huyện cùng tham gia."
    found = columns("How many working days did the new road take?", text, "miscounted")
    assert found["700 ngày công"] == (0.0,)
    assert found["5 huyện"] == (1.0,)


def test_what_a_figure_counts_is_compared_with_its_tone_marks_where_both_have_them():
    """Folded, "hồ" (lakes) and "hộ" (households) are one syllable; as typed they are not."""
    text = "Huyện có 48 hộ tái định cư và 3 hồ thủy điện lớn."
    found = columns("Huyện có bao nhiêu hồ thủy điện?", text, "miscounted", "counted")
    assert found["48 hộ"] == (1.0, 0.0)
    assert found["3 hồ thủy"][0] == 0.0 and found["3 hồ thủy"][1] > 0
    # typed without tone marks, the question cannot tell them apart: neither is refused
    found = columns("Huyen co bao nhieu ho thuy dien?", text, "miscounted")
    assert found["48 hộ"] == (0.0,) and found["3 hồ thủy"] == (0.0,)


def test_only_tone_marks_the_asker_typed_are_compared_as_typed():
    # "giây" (seconds) typed bare and given back the marks of "giấy" (paper) by the restorer
    restored = analyse("Trận đấu còn lại bao nhiêu giấy?", marked=False)
    assert restored.after_typed == () and restored.counted == {"giay"}
    assert analyse("Trận đấu còn lại bao nhiêu giây?").after_typed[:1] == ("giây",)
    text = "Đội giành chiến thắng khi còn 17 giây trên đồng hồ."
    found = {c.text: row[NAMES.index("miscounted")] for c, row in zip(*(lambda p: (p.candidates, p.features))(
        prepare(restored, [passage(text)], dense=close)))}
    assert found["17 giây"] == 0.0


@pytest.mark.parametrize("question,countable", [
    ("Trường có bao nhiêu giáo viên được khen thưởng?", True),
    ("Truong co bao nhieu giao vien duoc khen thuong?", True),
    ("Công ty huy động được bao nhiêu tỷ đồng?", False),  # a scale word: the size of a sum
    ("Dự án huy động được bao nhiêu vốn?", False),  # a sum's own noun asks money
    ("Công ty huy động được bao nhiêu?", False),  # nothing counted
    ("How many teachers were rewarded?", True),
    ("How much did the company raise?", False)])
def test_a_count_of_a_noun_is_told_from_a_sum_in_both_languages(question, countable):
    assert analyse(question).countable is countable


@pytest.mark.parametrize("question,asked,unit", [("Năm 2030 huyện đặt mục tiêu thu bao nhiêu tỷ đồng?", "money", "VND"),
                                                ("Nam 2030 huyen dat muc tieu thu bao nhieu ty dong?", "money", "VND"),
                                                ("Công ty huy động được bao nhiêu triệu USD?", "money", "USD"),
                                                ("Có bao nhiêu triệu người sống ở đó?", "quantity", None)])
def test_a_currency_after_a_scale_word_asks_a_sum(question, asked, unit):
    q = analyse(question)
    assert (q.asked, q.unit) == (asked, unit)


def test_a_question_that_counts_nothing_marks_no_number():
    found = columns("Xã đã khen thưởng những ai?", "Xã có 120 hộ dân và 56 gương điển hình.", "miscounted")
    assert found["56 gương"] == (0.0,)


@pytest.mark.parametrize("question", ["Khu rừng bị mất bao nhiêu dặm vuông mỗi năm?",
                                      "How many square miles of forest were lost each year?"])
def test_a_figure_in_the_unit_the_question_names_is_marked_and_one_in_another_unit_too(question):
    text = "Mỗi năm khu rừng mất 22.392 km, tức 8.646 dặm vuông, và 19 loài cây."
    found = columns(question, text, "unit_asked", "unit_other")
    assert found["8.646 dặm vuông"] == (1.0, 0.0)
    assert found["22.392 km"] == (0.0, 1.0)


def test_a_question_naming_no_unit_marks_no_figure():
    found = columns("Khu rừng mất bao nhiêu?", "Mỗi năm khu rừng mất 22.392 km, tức 8.646 dặm vuông.", "unit_asked", "unit_other")
    assert found["8.646 dặm vuông"] == (0.0, 0.0) and found["22.392 km"] == (0.0, 0.0)
