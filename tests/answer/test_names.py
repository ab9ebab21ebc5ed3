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
    ("Phần lớn nội dung HD dùng chuẩn DVB-S2 của châu Âu.", "DVB-S2", "DVB-S"),
    ("Tỷ lệ người nhập cư là 20:1 trong thập niên đó.", "20:1", "20"),
])
def test_no_candidate_cuts_a_token(text, whole, cut):
    found = {text[s:e] for s, e in in_sentence(text, analyse("Cái gì?"))}
    assert whole in found
    assert cut not in found
