"""Name spans (`qa.answer.names`) on sentences written for these tests, none from the seeds."""
import pytest

from qa.answer.candidates import in_sentence
from qa.answer.names import names
from qa.answer.question import analyse


def spans(text: str) -> list[str]:
    return [text[s:e] for s, e in names(text)]


@pytest.mark.parametrize("text, whole, bare", [
    ("Hợp đồng được trao cho Tập đoàn Thiết kế Meridian vào tháng trước.", "Tập đoàn Thiết kế Meridian", "Meridian"),
    ("Đoàn quân do Thiếu tướng James Abercrombie chỉ huy tiến về phía bắc.", "Thiếu tướng James Abercrombie",
     "James Abercrombie"),
    ("Bản tin được dịch sang Ngôn ngữ Ký hiệu Việt Nam cho người khiếm thính.", "Ngôn ngữ Ký hiệu Việt Nam", "Việt Nam"),
])
def test_a_capitalised_common_word_mid_sentence_heads_the_name_after_it(text, whole, bare):
    found = spans(text)
    assert whole in found
    assert bare in found  # the bare name stays a candidate too


def test_a_sentence_or_quotation_start_heads_no_name():
    assert not any(s.startswith("Năm ngoái") for s in spans("Năm ngoái Hà Nội đón 2 triệu khách."))
    assert not any(s.startswith("Thời gian") for s in spans('Ông nói: "Thời gian Hà Nội cần là hai năm".'))


@pytest.mark.parametrize("text, listed", [
    ("Các cố vấn như Lưu Bỉnh Trung và Yao Shu đã ảnh hưởng đến triều đình.", "Lưu Bỉnh Trung và Yao Shu"),
    ("Bài báo của Maria K. Novak, Peter S. Lund và Anna Berg được trích dẫn nhiều.",
     "Maria K. Novak, Peter S. Lund và Anna Berg"),
    ("Ba đội Hải Phòng, Nam Định hoặc Thanh Hóa sẽ vào chung kết.", "Hải Phòng, Nam Định hoặc Thanh Hóa"),
])
def test_names_listed_with_and_or_or_are_one_more_candidate(text, listed):
    found = spans(text)
    assert listed in found
    assert all(name in found for name in listed.replace(" hoặc ", ", ").replace(" và ", ", ").split(", "))


def test_a_comma_between_clauses_lists_nothing():
    text = "Anh từng dự Pro Bowl, Kawann Short dẫn đầu đội về số lần vật ngã, và Luke Kuechly đứng thứ hai."
    found = spans(text)
    assert "Pro Bowl" in found and "Kawann Short" in found
    assert not any("," in s for s in found)


@pytest.mark.parametrize("text, whole, cut", [
    ("Dịch vụ dùng vệ tinh Astra 2A đặt ở quỹ đạo 28,5° Đông.", "Astra 2A", "Astra 2"),
    ("Đồng hồ chỉ 4:51 khi đội khách có bóng.", "4:51", "4"),
    ("Tỷ lệ người nhập cư là 20:1 trong thập niên đó.", "20:1", "20"),
])
def test_no_candidate_cuts_a_token(text, whole, cut):
    found = {text[s:e] for s, e in in_sentence(text, analyse("Cái gì?"))}
    assert whole in found
    assert cut not in found


@pytest.mark.parametrize("text, titled", [
    ("Phát biểu tại hội nghị, Đại tá Lê Quang Vinh cho biết số vụ giảm.", "Đại tá Lê Quang Vinh"),
    ("Theo Giám đốc Công ty Minh Phát, đơn hàng tăng gấp đôi.", "Giám đốc Công ty Minh Phát"),
])
def test_a_persons_title_or_a_person_is_no_head_of_the_name(text, titled):
    assert titled not in spans(text)


@pytest.mark.parametrize("text, not_headed, headed", [
    ("Dịch vụ dùng vệ tinh Astra 2A từ năm 1998.", "tinh Astra", None),
    ("Newcastle thay ông bằng Lord Loudoun vào năm 1756.", "bằng Lord Loudoun", None),
    ("Đoàn khách đến Hà Nội và thăm sông Hồng.", "đến Hà Nội", "sông Hồng"),
    ("Doan khach den Ha Noi va tham song Hong.", None, "song Hong"),
])
def test_a_common_head_before_a_name_is_read_as_written_where_the_text_has_tone_marks(text, not_headed, headed):
    found = spans(text)
    assert not_headed is None or not any(s.startswith(not_headed) for s in found)
    assert headed is None or headed in found


def test_a_slash_joins_words_that_stand_alone():
    text = "Tỉnh đặt mục tiêu hoàn thành vào quý II/2025."
    found = {text[s:e] for s, e in in_sentence(text, analyse("Khi nào?"))}
    assert "quý II/2025" in found or "2025" in found
    assert "II/2025" not in found
