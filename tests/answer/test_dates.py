"""Date phrases (`qa.answer.dates`): the dates candidates offer, and the phrase an answer shows."""
import pytest

from qa.answer.dates import DATE, widest_date


@pytest.mark.parametrize("sentence,date", [("Trận đấu diễn ra ngày 7 tháng 2 năm 2016 ở California.", "ngày 7 tháng 2 năm 2016"),
                                           ("Luther sinh năm 1483 tại Eisleben.", "năm 1483"),
                                           ("Vào thế kỷ 19 thành phố lớn nhanh.", "thế kỷ 19")])
def test_a_date_as_the_grammar_writes_it_is_one_candidate(sentence, date):
    assert date in [m.group(0) for m in DATE.finditer(sentence)]


@pytest.mark.parametrize("sentence,year,phrase", [
    ("BSkyB thông báo vào 8 tháng 2 năm 2007 rằng họ sẽ thay thế ba kênh.", "2007", "8 tháng 2 năm 2007"),
    ("Vào mùa hè năm 1521, Luther mở rộng sự công kích.", "năm 1521", "mùa hè năm 1521"),
    ("Ủy ban được thành lập vào tháng 7, 1961.", "1961", "tháng 7, 1961"),
    ("Dịch bệnh xuất hiện từ 1500 đến 1850 ở nhiều nước.", "1500", "từ 1500 đến 1850"),
    ("Một cơn bão năm 2008 gây mất điện bốn ngày.", "2008", "năm 2008"),
    # News writes dates with slashes and the word that says what they are.
    ("Tuyến xe buýt điện chạy từ ngày 15/8/2024 ở Huế.", "15/8/2024", "từ ngày 15/8/2024"),
    ("Dự án cấp nước khởi công vào tháng 4/2023 tại Mèo Vạc.", "4/2023", "tháng 4/2023"),
    ("Tỉnh muốn đạt 90% hồ sơ trực tuyến trong quý IV/2025.", "2025", "quý IV/2025"),
    ("Công ty rao bán đất từ tháng 3/2018 đến tháng 10/2021.", "10/2021", "từ tháng 3/2018 đến tháng 10/2021"),
    ("Vụ ngộ độc xảy ra trưa ngày 16/10/2024 tại Nghệ An.", "16/10/2024", "trưa ngày 16/10/2024"),
])
def test_a_year_answer_is_widened_to_the_date_phrase_it_stands_in(sentence, year, phrase):
    at = sentence.index(year)
    start, end = widest_date(sentence, at, at + len(year))
    assert sentence[start:end] == phrase


@pytest.mark.parametrize("sentence,span", [("Thành phố có 2010 người di cư.", "2010 người"),
                                           ("Có 1.345.596 người sống ở đây.", "1.345.596"),
                                           ("Nghị quyết 05/2021 của tỉnh ủy ra đời.", "2021")])
def test_a_figure_that_is_no_date_is_not_widened(sentence, span):
    at = sentence.index(span)
    assert widest_date(sentence, at, at + len(span)) == (at, at + len(span))
