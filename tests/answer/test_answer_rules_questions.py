"""What a question asks for, and its evidence terms (`qa.answer.rules.questions`, `rules.terms`)."""
import pytest

from qa.answer.rules.questions import classify_question


# ---- classification --------------------------------------------------------------------
@pytest.mark.parametrize("question,kind,noun", [
    ("Quỳnh Nhai đã huy động được bao nhiêu tiền?", "amount", None),
    ("quynh nhai huy dong duoc bao nhieu tien", "amount", None),
    ("How much money did the fund raise?", "amount", None),
    ("Huyện có bao nhiêu học sinh được hỗ trợ?", "count", "học sinh"),
    ("huyen co bao nhieu hoc sinh duoc ho tro", "count", "hoc sinh"),
    ("How many students did the fund help?", "count", "học sinh"),
    ("How many households escaped poverty?", "count", "hộ"),
    ("How many working days did it take?", "count", "ngày công"),
    ("Bao nhiêu phần trăm đảng viên hoàn thành nhiệm vụ?", "percent", "đảng viên"),
    ("bao nhieu phan tram dang vien hoan thanh nhiem vu", "percent", "dang vien"),
    ("What percentage of party members completed their tasks?", "percent", "đảng viên"),
    ("Ai là Trưởng Ban Tuyên giáo Huyện ủy?", "person", None),
    ("ai la truong ban tuyen giao huyen uy", "person", None),
    ("Who is the head of the propaganda department?", "person", None),
    ("Kế hoạch được ban hành khi nào?", "date", None),
    ("ke hoach duoc ban hanh ngay nao", "date", None),
    ("When was the plan issued?", "date", None),
    ("Mô hình này ở huyện nào?", "place", "huyện"),
    ("mo hinh nay o xa nao", "place", "xã"),
    ("Which ward runs the model?", "place", "phường"),
    ("Where do farmers grow tea?", "place", None),
    ("Mô hình do tổ chức nào đảm nhiệm?", "org", "tổ chức"),
    ("mo hinh cua dang bo nao", "org", "đảng bộ"),
    ("Which organisation runs the model?", "org", None),
    ("Xã có những mô hình nào?", "list", "mô hình"),
    ("xa co nhung mo hinh nao", "list", "mo hinh"),
    ("What models does the commune have?", "list", "mô hình"),
    ("Kế hoạch nhằm thực hiện kết luận nào?", "code", "kết luận"),
    ("ke hoach thuc hien ket luan nao", "code", "kết luận"),
    ("Which conclusion does the plan implement?", "code", "kết luận"),
    ("Bằng khen được trao cho giai đoạn nào?", "period", None),
    ("bang khen trao cho giai doan nao", "period", None),
    ("For which period were the certificates awarded?", "period", None),
    ("How do people develop their economy?", "other", None),
])
def test_classify_question(question, kind, noun):
    qtype = classify_question(question)
    assert qtype.kind == kind
    if noun is not None:
        assert qtype.noun == noun


@pytest.mark.parametrize("question,author", [("Ai là tác giả bài về Sìn Hồ?", True),
                                             ("Who wrote the article about Kon Plông?", True),
                                             ("Ai là tác giả cuốn sách về Sìn Hồ?", False),
                                             ("Who wrote the poem?", False)])
def test_only_a_question_naming_an_article_asks_for_its_byline(question, author):
    assert (classify_question(question).kind == "author") is author


def test_classify_units_and_rates():
    assert classify_question("How many metres of fences were demolished?").unit == "m"
    assert classify_question("Đường dài bao nhiêu km?").unit == "km"
    assert classify_question("Quỹ đã trích bao nhiêu tiền?").unit == "VND"
    assert classify_question("Mỗi tháng đảng viên ủng hộ bao nhiêu tiền?").per == "tháng"
    assert classify_question("kon plong co tat ca bao nhieu mo hinh").total
    assert classify_question("How many collectives and individuals were commended?").nouns == ("tập thể", "cá nhân")


@pytest.mark.parametrize("question,several,noun", [
    ("Những huyện nào có mô hình “Ngày thứ bảy với dân”?", True, "huyện"),
    ("Các xã nào có mô hình này?", True, "xã"),
    ("Mô hình này ở huyện nào?", False, "huyện"),
    ("Những địa phương nào có mô hình này?", True, "địa phương"),
    ("Which districts run a 'Saturday with the people' model?", True, "huyện"),
    ("Which ward runs the model?", False, "phường"),
    ("Which business runs the model?", False, None),
])
def test_plural_questions_want_several_answers(question, several, noun):
    qtype = classify_question(question)
    assert qtype.several is several
    if noun:
        assert qtype.noun == noun


def test_a_vietnamese_question_may_use_a_synonym_of_the_article_verb():
    from qa.answer.rules.questions import classify_question
    from qa.answer.rules.terms import question_terms
    from qa.lang.glossary import vi_synonyms

    assert ("huy", "dong") in vi_synonyms(("quyen", "gop"))
    assert vi_synonyms(("mo", "hinh")) == (("mo", "hinh"),)
    question = "Quỳnh Nhai quyên góp được bao nhiêu tiền?"
    terms = question_terms(question, classify_question(question))
    assert any(("huy", "dong") in t.forms for t in terms)


def test_every_unit_of_the_units_table_is_asked_for_as_an_amount_in_it():
    # One units table (qa/data/units.json, read by qa.lang.numbers): the rule stage has none of its own.
    from qa.lang.numbers import measure_words
    for written, unit in measure_words().items():
        if len(written.split()) > 2 or not written.replace(" ", "").isalpha():
            continue  # the question pattern reads two words after "bao nhiêu"; "km/h", "m2" are written with digits
        qtype = classify_question(f"Dự án này có bao nhiêu {written}?")
        assert (qtype.kind, qtype.unit) == ("amount", unit), written


def test_the_rule_stage_reads_its_question_function_words_from_the_data_file():
    from qa.answer.rules import questions
    from qa.lang.text import fold
    from qa.lang.wordlists import table
    data = table("question_stopwords")
    accented, folded = questions.question_stopwords()
    assert accented == set(data["accented"])
    assert folded == {fold(w) for w in data["accented"]} - set(data["folded_collisions"])
    assert questions.is_stopword("đang", accented=True) and not questions.is_stopword("dang", accented=False)  # đảng
