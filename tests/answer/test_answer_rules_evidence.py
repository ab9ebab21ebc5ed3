"""The rule stage's evidence on text written here, not the seeds: a name places a sentence but
does not pick the figure in it, and a figure whose only evidence is its counted noun answers
only from the sentence the question is closest to (by the dense lookup it is given)."""
import numpy as np

from qa.answer.rules.stage import extract_answer
from qa.ingest.chunking import sentence_spans
from qa.records import ArticleRef, Passage

ROAD_AND_FUND = ("Công trình đường làng của Ban Chỉ huy Quân sự huyện Đông Anh (với 5 km chiều dài, giá trị "
                 "thực hiện 300 triệu đồng) được đưa vào sử dụng. Các chi hội ở địa phương đã quyên góp được "
                 "trên 1,5 tỷ đồng cho quỹ khuyến học.")
POOR_HOUSEHOLDS = ("Người dân xã Tân Lập trồng chè trên các sườn đồi. Đến nay, xã Tân Lập chỉ còn 4 hộ nghèo, "
                   "các hộ dân tích cực tham gia xây dựng nông thôn mới.")


def passage(text: str, article: str, title: str, rank: int = 1) -> Passage:
    s, e = sentence_spans(text)[0]
    return Passage(rank=rank, score=1.0 / rank, text=text, sentence=text[s:e], article=ArticleRef(id=article, title=title),
                   start=0, end=len(text), sentence_start=s, sentence_end=e)


def closest_at(text: str, snippet: str):
    """A dense lookup under which the sentence of `text` holding `snippet` is the closest one."""
    start = next(s for s, e in sentence_spans(text) if snippet in text[s:e])
    return lambda where: np.array([[0.9 if at == start else 0.7, 0.8] for _, at in where])


def test_the_figure_next_to_what_the_question_says_wins_over_the_one_next_to_its_name():
    found = passage(ROAD_AND_FUND, "dong-anh", "Đông Anh làm đường, lập quỹ")
    answer, _ = extract_answer("Đông Anh quyên góp được bao nhiêu tiền?", [found])
    assert answer is not None and answer.text == "trên 1,5 tỷ đồng"


def test_a_name_still_picks_among_figures_the_question_words_stand_near():
    text = ("Huyện Bắc Sơn có 12 tập thể được khen thưởng; huyện Văn Quan có 7 tập thể được khen thưởng.")
    answer, _ = extract_answer("Huyện Văn Quan có bao nhiêu tập thể được khen thưởng?",
                               [passage(text, "lang-son", "Khen thưởng ở Lạng Sơn")])
    assert answer is not None and answer.text == "7 tập thể"


def test_a_counted_noun_alone_is_no_answer_when_another_sentence_is_closer():
    found = passage(POOR_HOUSEHOLDS, "tan-lap", "Tân Lập giảm nghèo")
    question = "How many households demolished fences in Tân Lập?"
    answer, _ = extract_answer(question, [found], dense=closest_at(POOR_HOUSEHOLDS, "trồng chè"))
    assert answer is None


def test_a_counted_noun_alone_answers_from_the_closest_sentence():
    found = passage(POOR_HOUSEHOLDS, "tan-lap", "Tân Lập giảm nghèo")
    question = "How many households demolished fences in Tân Lập?"
    answer, _ = extract_answer(question, [found], dense=closest_at(POOR_HOUSEHOLDS, "4 hộ nghèo"))
    assert answer is not None and answer.text == "4 hộ"
