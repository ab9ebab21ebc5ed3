"""The rule stage's answers (`qa.answer.rules.stage`): spans picked from hand-built passages made
of seed sentences, asked in vi / vi without diacritics / en; abstention when the passages are
about something else. Question kinds and terms: test_answer_rules_questions.py."""
from pathlib import Path

import pytest

from qa.answer.rules.questions import classify_question
from qa.answer.rules.stage import extract_answer
from qa.ingest.chunking import sentence_spans
from qa.records import ArticleRef, Passage

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
TITLES = {
    "son-la-tao-chuyen-bien-manh-me": "Sơn La: Tạo chuyển biến mạnh mẽ trong học tập và làm theo Bác",
    "thanh-liem-nhan-rong-mo-hinh": "Nhân rộng các mô hình học tập và làm theo Bác ở Đảng bộ Thanh Liêm",
    "kon-plong-chuyen-bien": "Kon Plông: Chuyển biến giữa việc học tập và làm theo Bác",
    "day-manh-xay-dung-chinh-don-dang": "Đẩy mạnh xây dựng, chỉnh đốn Đảng theo tư tưởng Hồ Chí Minh",
    "sin-ho-tao-dong-luc-thi-dua": "Tạo động lực thi đua trong cán bộ, đảng viên, Nhân dân",
}


def passage(article: str, snippet: str, rank: int = 1, neighbours: int = 0) -> Passage:
    """The seed sentence holding `snippet` (plus neighbours) as a retrieved passage."""
    text = (SEEDS / f"{article}.txt").read_text(encoding="utf-8")
    spans = sentence_spans(text)
    i = next(k for k, (s, e) in enumerate(spans) if snippet in text[s:e])
    lo, hi = spans[max(0, i - neighbours)][0], spans[min(len(spans) - 1, i + neighbours)][1]
    s, e = spans[i]
    return Passage(rank=rank, score=1.0 / rank, text=text[lo:hi], sentence=text[s:e],
                   article=ArticleRef(id=article, title=TITLES[article]), start=lo, end=hi,
                   sentence_start=s, sentence_end=e)


QUYNH_NHAI = passage("son-la-tao-chuyen-bien-manh-me", "Quỹ Chỉ thị 05")
MODELS = passage("son-la-tao-chuyen-bien-manh-me", "Người tốt, việc tốt", neighbours=1)
DISTRACTORS = [
    passage("thanh-liem-nhan-rong-mo-hinh", "Đường hoa quân sự", rank=2),
    passage("sin-ho-tao-dong-luc-thi-dua", "4.036 đảng viên", rank=3),
    passage("kon-plong-chuyen-bien", "50 mô hình", rank=4),
]


# ---- extraction: the right figure among many -------------------------------------------
@pytest.mark.parametrize("question,expected,value,unit", [
    ("Quỳnh Nhai đã huy động được bao nhiêu tiền?", "2 tỷ 652 triệu đồng", 2_652_000_000, "VND"),
    ("quynh nhai huy dong duoc bao nhieu tien", "2 tỷ 652 triệu đồng", 2_652_000_000, "VND"),
    ("Trong năm 2021 quỹ của Quỳnh Nhai đã trích bao nhiêu tiền?", "1 tỷ 420 triệu đồng", 1_420_000_000, "VND"),
    ("How many students did the Quỳnh Nhai fund support?", "10 học sinh", 10, "học sinh"),
    ("Quỹ của Quỳnh Nhai hỗ trợ bao nhiêu hộ nghèo?", "48 hộ", 48, "hộ"),
    ("How much must leading party members in Quỳnh Nhai give to the fund each month?", "30.000đ", 30_000, "VND/tháng"),
])
def test_picks_the_figure_the_question_asks_for(question, expected, value, unit):
    answer, _ = extract_answer(question, [QUYNH_NHAI, *DISTRACTORS])
    assert answer is not None and expected in answer.text
    assert answer.value == pytest.approx(value) and answer.unit == unit
    assert answer.passage == 1 and answer.sentence == QUYNH_NHAI.sentence
    assert 0.0 < answer.confidence <= 1.0


def test_count_answer_among_distractor_passages():
    question = "How many working days did the military flower road take?"
    answer, _ = extract_answer(question, [QUYNH_NHAI, *DISTRACTORS])
    assert answer.text == "700 ngày công" and answer.passage == 2 and answer.kind == "count"


@pytest.mark.parametrize("question,expected", [
    ("Mô hình ngày về cơ sở xây dựng nông thôn mới ở huyện nào?", "Mai Sơn"),
    ("Which ward of Sơn La city runs the good people, good deeds honour roll model?", "Chiềng Lề"),
    ("Mô hình Việc tốt mỗi ngày của đảng bộ nào?", "Mộc Châu"),
])
def test_places_and_bodies(question, expected):
    answer, _ = extract_answer(question, [MODELS, *DISTRACTORS])
    assert answer is not None and expected in answer.text
    assert "Sơn La" not in answer.text  # the question's own place is never the answer


def test_body_in_parentheses_belongs_to_the_title_before_it():
    lights = passage("thanh-liem-nhan-rong-mo-hinh", "Camera an ninh")
    answer, _ = extract_answer("Mô hình Camera an ninh do tổ chức nào phát động?", [lights])
    assert "chi bộ công an" in answer.text
    answer, _ = extract_answer("Mô hình Thắp sáng đường làng ngõ xóm do tổ chức nào đảm nhiệm?", [lights])
    assert answer.text == "Đoàn thanh niên"


def test_code_person_period_list():
    plan = passage("day-manh-xay-dung-chinh-don-dang", "82-KH/TU")
    answer, _ = extract_answer("Kế hoạch 82-KH/TU thực hiện kết luận nào?", [plan])
    assert answer.text == "21-KL/TW"
    leader = passage("son-la-tao-chuyen-bien-manh-me", "Nguyễn Duy Lương")
    answer, _ = extract_answer("Ai là Phó trưởng Ban Thường trực Ban Tuyên giáo Tỉnh ủy Sơn La?", [leader])
    assert answer.text == "Nguyễn Duy Lương"
    merit = passage("day-manh-xay-dung-chinh-don-dang", "giai đoạn 2016 - 2020")
    answer, _ = extract_answer("For which period were the provincial certificates of merit awarded?", [merit])
    assert answer.text == "2016 - 2020"
    communes = passage("kon-plong-chuyen-bien", "Đảng ủy xã Đăk Ring")
    answer, _ = extract_answer("Đảng ủy xã Pờ Ê có những mô hình nào?", [communes])
    assert "chăn nuôi heo" in answer.text and "Đăk Ring" not in answer.text
    answer, _ = extract_answer("Which commune raises local pigs with Muscovy ducks and breeding buffaloes?", [communes])
    assert answer.text == "xã Hiếu"


# ---- abstention -----------------------------------------------------------------------
@pytest.mark.parametrize("question", [
    "Giá vàng hôm nay là bao nhiêu?",
    "How much did Hà Nội raise for flood relief in 2024?",
    "Thủ tướng Chính phủ hiện nay là ai?",
    "How many hospitals are there in Quỳnh Nhai?",
    "What is the population of Thanh Liêm district?",
    "Quỳnh Nhai có bao nhiêu đảng viên?",
])
def test_abstains_when_the_passages_are_about_something_else(question):
    answer, also = extract_answer(question, [QUYNH_NHAI, *DISTRACTORS])
    assert answer is None and also == ()


def test_abstains_without_passages():
    assert extract_answer("Quỳnh Nhai đã huy động được bao nhiêu tiền?", []) == (None, ())


# ---- several articles -----------------------------------------------------------------
def test_answers_from_other_articles_come_second():
    savings = [
        passage("son-la-tao-chuyen-bien-manh-me", "Việc tốt mỗi ngày", rank=1),
        passage("day-manh-xay-dung-chinh-don-dang", "Quỹ tiết kiệm cộng đồng", rank=2),
    ]
    answer, also = extract_answer("Đảng bộ huyện nào có mô hình quỹ tiết kiệm?", savings)
    found = [answer.text, *(a.text for a in also)]
    assert any("Mộc Châu" in t for t in found) and any("Bạch Thông" in t for t in found)
    assert {answer.passage, *(a.passage for a in also)} == {1, 2}


def test_how_many_answers_and_how_close_they_must_score_are_settings():
    savings = [
        passage("son-la-tao-chuyen-bien-manh-me", "Việc tốt mỗi ngày", rank=1),
        passage("day-manh-xay-dung-chinh-don-dang", "Quỹ tiết kiệm cộng đồng", rank=2),
    ]
    question = "Đảng bộ huyện nào có mô hình quỹ tiết kiệm?"
    assert extract_answer(question, savings)[1] != ()
    assert extract_answer(question, savings, max_answers=1)[1] == ()  # QA_MAX_ANSWERS=1: no `also`
    best, _ = extract_answer(question, savings)
    assert extract_answer(question, savings, also_ratio=1.0)[0] == best


# ---- several articles answer: each with its own citation ------------------------------
MUONG_LA = "son-la-tao-chuyen-bien-manh-me", "Ngày thứ 7 với dân"  # "... của Đảng bộ xã Ngọc Chiến huyện Mường La"
THANH_LIEM = "thanh-liem-nhan-rong-mo-hinh", "Ngày thứ bảy về với dân"  # "... do UBND các xã, thị trấn triển khai"


def saturday_passages():
    return [passage(*THANH_LIEM, rank=1), passage(*MUONG_LA, rank=2),
            passage("son-la-tao-chuyen-bien-manh-me", "Việc tốt mỗi ngày", rank=3),
            passage("day-manh-xay-dung-chinh-don-dang", "Quỹ tiết kiệm cộng đồng", rank=4)]


@pytest.mark.parametrize("question", [
    "Những huyện nào có mô hình “Ngày thứ bảy với dân”?",
    "nhung huyen nao co mo hinh ngay thu bay voi dan",
    "Which districts run a 'Saturday with the people' model?",
])
def test_several_districts_each_cited_at_its_own_passage(question):
    passages = saturday_passages()
    answer, also = extract_answer(question, passages)
    answers = [answer, *also]
    by_place = {("Mường La" if "Mường La" in a.text else "Thanh Liêm" if "Thanh Liêm" in a.text else a.text): a
                for a in answers}
    assert set(by_place) == {"Mường La", "Thanh Liêm"}  # Mộc Châu, Bạch Thông: other models
    assert by_place["Mường La"].passage == 2 and "Ngày thứ 7 với dân" in by_place["Mường La"].sentence
    # The sentence names no district: the place is the article's own (its title: "... ở Đảng bộ Thanh Liêm").
    assert by_place["Thanh Liêm"].passage == 1 and "Ngày thứ bảy về với dân" in by_place["Thanh Liêm"].sentence
    assert all(a.kind == "place" and 0 < a.confidence <= 1 for a in answers)


def test_the_sentence_own_place_of_the_asked_level_wins():
    answer, also = extract_answer("Những xã nào có mô hình “Ngày thứ bảy với dân”?", saturday_passages())
    # The Thanh Liêm article is about a district and names no commune for the model.
    assert answer.text == "xã Ngọc Chiến" and answer.passage == 2 and also == ()


def test_a_place_named_near_the_model_beats_the_article_place():
    answer, also = extract_answer("Những huyện nào có mô hình “Ngày thứ bảy với dân”?", saturday_passages())
    assert answer.text == "huyện Mường La" and [a.passage for a in also] == [1]


@pytest.mark.parametrize("question", [
    "Những huyện nào có mô hình “Chủ nhật xanh”?",
    "Which provinces run a 'Green Sunday' model?",
    "Những huyện nào có mô hình “Ngày thứ sáu với dân”?",  # another number: another model
    "Mô hình “Ngày thứ bảy về với doanh nghiệp” ở huyện nào?",
    "Which districts have a 'Friday for the people' model?",  # "Friday": no glossary word, never found
    "Huyện nào có mô hình nuôi cá hồi?",
])
def test_several_answers_question_about_something_else_abstains(question):
    assert extract_answer(question, saturday_passages()) == (None, ())


def test_quoted_names_match_loosely_but_not_another_name():
    from qa.answer.rules.evidence import loose_hits, tokens
    from qa.answer.rules.terms import question_terms

    def found(question: str, text: str) -> list[str]:
        term = question_terms(question, classify_question(question))[0]
        words = [t[0] for t in tokens(text)]
        return [" ".join(words[a:b]) for a, b, _ in loose_hits(words, term)]

    text = "như: “Chưa hết việc, chưa hết giờ”, “Ngày thứ bảy về với dân”, “Ngày không viết, ngày không hẹn”"
    assert found("Mô hình “Ngày thứ 7 với dân” ở đâu?", text) == ["ngay thu bay ve voi dan"]
    assert found("Mô hình “Ngày thứ bảy về với dân” ở đâu?", "Mô hình “Ngày thứ 7 với dân” của") == ["ngay thu 7 voi dan"]
    assert found("Which districts run a 'Saturday with the people' model?", text) == ["thu bay ve voi dan"]
    assert found("Mô hình “Ngày thứ ba với dân” ở đâu?", text) == []
    assert found("Mô hình “Nuôi ong lấy sữa” ở đâu?", "làm vườn ươm, nuôi ong lấy mật, lò đốt rác") == []
    assert found("Which provinces run a 'Green Sunday' model?", "Chủ nhật, 10/12/2023, 18:14 màu xanh") == []


def test_article_place_from_the_title():
    from qa.answer.rules.spans import article_place
    assert article_place(TITLES["thanh-liem-nhan-rong-mo-hinh"]) == ("Thanh Liêm", None)
    assert article_place(TITLES["thanh-liem-nhan-rong-mo-hinh"], ["Ban CHQS huyện Thanh Liêm"]) == ("Thanh Liêm", "huyện")
    assert article_place(TITLES["kon-plong-chuyen-bien"], ["Huyện ủy Kon Plông"]) == ("Kon Plông", "huyện")
    assert article_place("Mô hình hay ở xã Ngọc Chiến") == ("Ngọc Chiến", "xã")
    assert article_place(TITLES["day-manh-xay-dung-chinh-don-dang"]) is None


def test_translate_terms_for_retrieval():
    from qa.lang.glossary import translate_terms
    words = translate_terms("Which districts run a 'Saturday with the people' model?")
    assert {"huyện", "thứ bảy", "thứ 7", "dân", "nhân dân", "mô hình"} <= set(words)
    assert len(words) == len(set(words))
    assert translate_terms("How much did Quỳnh Nhai raise?") == ["huy động", "vận động", "quyên góp"]
    assert translate_terms("Giá vàng hôm nay là bao nhiêu?") == []


@pytest.mark.slow
def test_several_districts_through_the_real_engine(real_engine):
    result = real_engine.ask("Những huyện nào có mô hình “Ngày thứ bảy với dân”?")
    assert result.answer is not None
    cited = {a.text: result.passages[a.passage - 1] for a in (result.answer, *result.also)}
    places = {("Mường La" if "Mường La" in t else "Thanh Liêm" if "Thanh Liêm" in t else t): p for t, p in cited.items()}
    assert places["Mường La"].article.id == "son-la-tao-chuyen-bien-manh-me"
    assert places["Thanh Liêm"].article.id == "thanh-liem-nhan-rong-mo-hinh"
    assert "Ngày thứ 7 với dân" in places["Mường La"].text and "Ngày thứ bảy về với dân" in places["Thanh Liêm"].text
    assert real_engine.ask("Những huyện nào có mô hình “Chủ nhật xanh”?").answer is None


@pytest.mark.parametrize("question", ["Ai là tác giả bài viết về Kon Plông?", "ai viet bai ve Kon Plong",
                                      "Who wrote the article about Kon Plông?", "Bài về Kon Plông do phóng viên nào viết?",
                                      "Kon Plông article author?"])
def test_who_wrote_it_is_answered_from_the_byline_of_the_article_it_is_about(question):
    assert classify_question(question).kind == "author"
    about = passage("kon-plong-chuyen-bien", "50 mô hình")
    other = passage("son-la-tao-chuyen-bien-manh-me", "Quỹ Chỉ thị 05", rank=2)
    answer, also = extract_answer(question, [about, other],
                                  {"kon-plong-chuyen-bien": "Trần Văn Phúc", "son-la-tao-chuyen-bien-manh-me": "Phong Lưu"})
    assert answer.text == "Trần Văn Phúc" and answer.kind == "author" and answer.passage == 1 and also == ()


def test_an_article_without_a_byline_abstains_rather_than_naming_another_author():
    about = passage("thanh-liem-nhan-rong-mo-hinh", "Đường hoa quân sự")
    other = passage("kon-plong-chuyen-bien", "50 mô hình", rank=2)
    answer, _ = extract_answer("Ai là tác giả bài về Thanh Liêm?", [about, other],
                               {"thanh-liem-nhan-rong-mo-hinh": None, "kon-plong-chuyen-bien": "Trần Văn Phúc"})
    assert answer is None
    assert classify_question("Ai là Bí thư Huyện ủy Quỳnh Nhai?").kind == "person"  # not a byline question
    assert classify_question("Which authority approved the plan?").kind != "author"


def test_the_rule_stage_reads_its_name_lists_from_the_data_files():
    # One copy of each list (qa/data/place_heads.txt, org_heads.txt, surnames.txt, also read by
    # qa.chat.name_words): the rule stage derives its forms from them and keeps none of its own.
    from qa.answer.rules import spans
    from qa.lang.text import fold
    from qa.lang.wordlists import words
    vocabulary = spans.vocabulary()
    assert vocabulary.surnames == {fold(w) for w in words("surnames")}
    assert set(vocabulary.place_heads) == words("place_heads") and set(vocabulary.org_heads) == words("org_heads")
    lengths = [len(h) for h in vocabulary.org_heads]
    assert lengths == sorted(lengths, reverse=True)  # longest first: "Ban Thường vụ" before "Ban"
    body = spans.orgs("Ban Thường vụ Tỉnh ủy đã họp.")[0]
    assert (body.head, body.text) == ("Ban Thường vụ", "Ban Thường vụ Tỉnh ủy")
    assert [p.text for p in spans.people("Hà Lan và La Mã; đồng chí Rơ Mah Hiền")] == ["Rơ Mah Hiền"]
    # Forms of address are one list for both readers; office titles make a person in a passage only.
    from qa.chat.entities import mentions
    from qa.chat.name_words import person_titles
    assert set(vocabulary.person_titles) == words("person_titles") | words("office_titles")
    assert person_titles() == {fold(w) for w in words("person_titles")} and "dong" not in person_titles()
    assert [(m.kind, m.name) for m in mentions("Ai la Thu tuong cuoi cung cua Dong Duc?")][-1] == ("name", "Dong Duc")


@pytest.mark.parametrize("question, article, snippet, kind", [
    ("Thanh Liêm vận động được bao nhiêu tiền?", "thanh-liem-nhan-rong-mo-hinh", "2,1 tỷ", "amount"),
    ("How many models does Kon Plông have?", "kon-plong-chuyen-bien", "50 mô hình", "count"),
    ("Xã nào nuôi heo địa phương kết hợp với vịt xiêm?", "kon-plong-chuyen-bien", "xã Hiếu", "place"),
    ("Từ năm nào 37 mô hình được xây dựng?", "kon-plong-chuyen-bien", "50 mô hình", "date"),
])
def test_answer_kind_is_the_kind_of_the_answer_the_rule_stage_gives(question, article, snippet, kind):
    # `staged_answer` asks the rules first only for the kind whose answers stand, read from the
    # question alone: that is safe only if the answer's kind never differs from it.
    from qa.answer.rules import answer_kind
    found, also = extract_answer(question, [passage(article, snippet, neighbours=1)])
    assert found is not None and answer_kind(question) == kind
    assert all(answer.kind == kind for answer in (found, *also))
