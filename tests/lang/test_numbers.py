"""Vietnamese figures: forms taken from the seed articles, with their value, unit and kind."""
from pathlib import Path

import pytest

from qa.lang.numbers import find_quantities

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"

# (text from a seed, the span expected, value, unit, kind)
SEED_FORMS = [
    ("Đến nay, 4.036 đảng viên, 875 cán bộ, công chức", "4.036 đảng viên", 4036, "đảng viên", "count"),
    ("Đến nay, 4.036 đảng viên, 875 cán bộ, công chức", "875 cán bộ", 875, "cán bộ", "count"),
    ("huyện Pác Nặm có 09 tập thể, 41 cá nhân được ghi danh", "09 tập thể", 9, "tập thể", "count"),
    ("huyện Pác Nặm có 09 tập thể, 41 cá nhân được ghi danh", "41 cá nhân", 41, "cá nhân", "count"),
    ("Công an tỉnh biểu dương hơn 20 tập thể, cá nhân", "hơn 20 tập thể", 20, "tập thể", "count"),
    ("Đảng bộ thị trấn Sìn Hồ có 32 tập thể và hơn 500 cá nhân đăng ký", "hơn 500 cá nhân", 500, "cá nhân", "count"),
    ("đã huy động được 2 tỷ 652 triệu đồng; trong năm 2021", "2 tỷ 652 triệu đồng", 2_652_000_000, "VND", "money"),
    ("đã trích 1 tỷ 420 triệu đồng để hỗ trợ 48 hộ nghèo", "1 tỷ 420 triệu đồng", 1_420_000_000, "VND", "money"),
    ("đã trích 1 tỷ 420 triệu đồng để hỗ trợ 48 hộ nghèo", "48 hộ", 48, "hộ", "count"),
    ("hỗ trợ cho 10 học sinh có hoàn cảnh đặc biệt khó khăn", "10 học sinh", 10, "học sinh", "count"),
    ("ủng hộ quỹ ít nhất 30.000đ/1 tháng, cán bộ", "ít nhất 30.000đ/1 tháng", 30_000, "VND/tháng", "money"),
    ("cán bộ đảng viên 15.000đ/1 tháng, đảng viên", "15.000đ/1 tháng", 15_000, "VND/tháng", "money"),
    ("đảng viên nông thôn 1.000đ/1 tháng để thực hiện", "1.000đ/1 tháng", 1_000, "VND/tháng", "money"),
    ("đã huy động được 2 tỷ 800 triệu đồng để giúp đỡ", "2 tỷ 800 triệu đồng", 2_800_000_000, "VND", "money"),
    ("đã làm được 716 nhà đại đoàn kết từ các nguồn", "716 nhà", 716, "nhà", "count"),
    ("hỗ trợ hàng trăm em học sinh có hoàn cảnh", "hàng trăm em học sinh", 100, "em học sinh", "count"),
    ("triển khai xây dựng trên 579 mô hình trên các lĩnh vực", "trên 579 mô hình", 579, "mô hình", "count"),
    ("toàn huyện có 50 mô hình (13 mô hình duy trì", "50 mô hình", 50, "mô hình", "count"),
    ("toàn huyện có 50 mô hình (13 mô hình duy trì", "13 mô hình", 13, "mô hình", "count"),
    ("giải quyết dứt điểm 95% đơn thư KNTC", "95%", 95, "%", "percent"),
    ("(với 3 km chiều dài trên trục ĐT 499B", "3 km", 3, "km", "length"),
    ("giá trị thực hiện 120 triệu đồng và 700 ngày công lao động", "120 triệu đồng", 120_000_000, "VND", "money"),
    ("giá trị thực hiện 120 triệu đồng và 700 ngày công lao động", "700 ngày công", 700, "ngày công", "count"),
    ("lựa chọn nhân rộng ra 5 huyện, thành phố, thị xã", "5 huyện", 5, "huyện", "count"),
    ("tự nguyện phá dỡ hơn 2.500m tường rào", "hơn 2.500m", 2500, "m", "length"),
    ("đã vận động được 3.450 kg gạo, trên 2,1 tỷ đồng, tặng 25 con bò", "3.450 kg", 3450, "kg", "weight"),
    ("đã vận động được 3.450 kg gạo, trên 2,1 tỷ đồng, tặng 25 con bò", "trên 2,1 tỷ đồng", 2_100_000_000, "VND", "money"),
    ("đã vận động được 3.450 kg gạo, trên 2,1 tỷ đồng, tặng 25 con bò", "25 con bò", 25, "con bò", "count"),
    ("giúp cho trên 1.500 lượt hội viên, trẻ em", "trên 1.500 lượt hội viên", 1500, "lượt hội viên", "count"),
    ("huyện tổ chức 1.275 hội nghị học tập", "1.275 hội nghị", 1275, "hội nghị", "count"),
    ("đã vận động trên 300 hộ dân tự nguyện", "trên 300 hộ", 300, "hộ", "count"),
    ("đã huy động xã hội hóa hàng tỷ đồng, góp phần", "hàng tỷ đồng", 1_000_000_000, "VND", "money"),
    ("Kế hoạch số 82-KH/TU ngày 20/01/2022 thực hiện Kết luận số 21-KL/TW", "82-KH/TU", 82, "KH/TU", "code"),
    ("Kế hoạch số 82-KH/TU ngày 20/01/2022 thực hiện Kết luận số 21-KL/TW", "21-KL/TW", 21, "KL/TW", "code"),
    ("Kế hoạch số 82-KH/TU ngày 20/01/2022 thực hiện Kết luận số 21-KL/TW", "20/01/2022", 20220120, None, "date"),
    ("Chỉ thị 05 –CT/TW “về đẩy mạnh học tập", "05 –CT/TW", 5, "CT/TW", "code"),
    ("thực hiện Kết luận số 01- KL/TW, các tổ chức", "01- KL/TW", 1, "KL/TW", "code"),
    ("Kết luận số 01-KL/TW, ngày 18/5/2021 của Bộ Chính trị", "18/5/2021", 20210518, None, "date"),
    ("phong cách Hồ Chí Minh, giai đoạn 2016 - 2020.", "2016 - 2020", 2016, None, "period"),
    ("sau 5 năm (2017-2022), cấp ủy", "2017-2022", 2017, None, "period"),
    ("sau 5 năm (2017-2022), cấp ủy", "5 năm", 5, "năm", "duration"),
    ("từ 2018 đến 2022, cấp ủy, TCĐ", "từ 2018 đến 2022", 2018, None, "period"),
    ("trong 2 năm qua (5/2021-5/2023), Ban Thường vụ", "5/2021-5/2023", 2021, None, "period"),
    ("Trong hai năm (2022 -2023) huyện tổ chức", "2022 -2023", 2022, None, "period"),
    ("trong năm 2021, đã trích", "2021", 2021, None, "year"),
    ("Khu 5 là khu dân cư kiểu mẫu", "5", 5, None, "number"),
]


@pytest.mark.parametrize("text,span,value,unit,kind", SEED_FORMS)
def test_seed_forms(text, span, value, unit, kind):
    check_form(text, span, value, unit, kind)


def check_form(text, span, value, unit, kind):
    found = {q.text: q for q in find_quantities(text)}
    assert span in found, f"{span!r} not found in {list(found)}"
    q = found[span]
    assert q.value == pytest.approx(value)
    assert (q.unit, q.kind) == (unit, kind)
    assert text[q.start:q.end] == q.text


def test_qualifiers_ranges_and_rates():
    (q,) = find_quantities("Công an tỉnh biểu dương hơn 20 tập thể")
    assert q.qualifier == "hơn" and not q.vague
    (q,) = find_quantities("thực hiện từ 1 - 2 việc làm cụ thể")
    assert (q.value, q.upper, q.unit) == (1, 2, "việc làm")
    (q,) = find_quantities("phong cách Hồ Chí Minh, giai đoạn 2016 - 2020.")
    assert q.upper == 2020
    (q,) = find_quantities("đảng viên nông thôn 1.000đ/1 tháng")
    assert q.per == "tháng"
    (q,) = find_quantities("hỗ trợ hàng trăm em học sinh")
    assert q.vague


def test_percent_keeps_the_noun_it_is_about():
    text = "100% chi bộ trực thuộc Đảng ủy xếp loại hoàn thành tốt nhiệm vụ; 100% đảng viên hoàn thành tốt nhiệm vụ"
    percents = [q for q in find_quantities(text) if q.kind == "percent"]
    assert [q.noun for q in percents] == ["chi bộ", "đảng viên"]
    assert text[percents[1].start:percents[1].noun_end] == "100% đảng viên"


def test_codes_dates_and_identifiers_are_not_counts():
    kinds = [q.kind for q in find_quantities("Kết luận số 21-KL/TW của Ban Chấp hành Trung ương Đảng (khóa XIII)")]
    assert kinds == ["code"]
    assert find_quantities("trên trục ĐT 499B, giá trị") == []
    assert [q.kind for q in find_quantities("kết quả lũy kế đến ngày 31/12/2021 đã huy động")] == ["date"]


@pytest.mark.parametrize("text, date, value", [
    ("Pachauri từ chức vào tháng 2 năm 2015.", "tháng 2 năm 2015", 20150200),
    ("Ngày 7 tháng 2 năm 2016, trận đấu diễn ra", "Ngày 7 tháng 2 năm 2016", 20160207),
    ("BSkyB thông báo vào 8 tháng 2 năm 2007 rằng", "8 tháng 2 năm 2007", 20070208),
    ("Kennedy nhậm chức tháng 7, 1961.", "tháng 7, 1961", 19610700),
    ("lễ kỷ niệm ngày 30 tháng 4", "ngày 30 tháng 4", 430),
])
def test_a_written_out_date_is_one_date_not_a_duration(text, date, value):
    # "tháng 2 năm 2015" once read as "2 năm" (two years) and offered to "how long" questions.
    found = find_quantities(text)
    assert [(q.text, q.kind, q.value) for q in found] == [(date, "date", value)]


def test_a_number_before_thang_without_day_or_year_is_still_a_duration():
    assert [(q.text, q.kind) for q in find_quantities("mất 1 năm 6 tháng 2 ngày")] == [
        ("1 năm", "duration"), ("6 tháng", "duration"), ("2 ngày", "duration")]


def test_every_span_points_into_the_seed_text():
    seen = 0
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        spans = find_quantities(text)
        assert all(text[q.start:q.end] == q.text for q in spans)
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:])), "spans overlap"
        seen += len(spans)
    assert seen > 50


# Figures outside the seeds: compound scales, other currencies, spelled-out and English-style numbers.
@pytest.mark.parametrize("text,span,value,unit,kind", [
    ("Kim ngạch xuất khẩu cà phê đạt 1,2 nghìn tỷ đồng trong quý I", "1,2 nghìn tỷ đồng", 1.2e12, "VND", "money"),
    ("Tập đoàn cam kết rót 1,2 tỷ USD vào nhà máy", "1,2 tỷ USD", 1.2e9, "USD", "money"),
    ("giá xuất khẩu bình quân 2.350 đô la Mỹ mỗi tấn", "2.350 đô la Mỹ", 2350, "USD", "money"),
    ("khoản viện trợ 20 triệu euro và 5 tỷ yên", "20 triệu euro", 2e7, "EUR", "money"),
    ("khoản viện trợ 20 triệu euro và 5 tỷ yên", "5 tỷ yên", 5e9, "JPY", "money"),
    ("nhập khẩu 3 triệu nhân dân tệ hàng hóa, 2 triệu bảng Anh", "3 triệu nhân dân tệ", 3e6, "CNY", "money"),
    ("nhập khẩu 3 triệu nhân dân tệ hàng hóa, 2 triệu bảng Anh", "2 triệu bảng Anh", 2e6, "GBP", "money"),
    ("vé máy bay giá €120, khách sạn $85 một đêm", "€120", 120, "EUR", "money"),
    ("vé máy bay giá €120, khách sạn $85 một đêm", "$85", 85, "USD", "money"),
    ("Giải đấu thu hút năm triệu lượt xem", "năm triệu lượt xem", 5e6, "lượt xem", "count"),
    ("Đội hình ra sân có mười một cầu thủ", "mười một cầu thủ", 11, "cầu thủ", "count"),
    ("hai mươi lăm học sinh đạt giải", "hai mươi lăm học sinh", 25, "học sinh", "count"),
    ("xã có một trăm linh năm hộ trồng chè", "một trăm linh năm hộ", 105, "hộ", "count"),
    ("quỹ nhận hai tỷ rưỡi đồng", "hai tỷ rưỡi đồng", 2.5e9, "VND", "money"),
    ("tỷ lệ mắc sốt xuất huyết tăng ba mươi phần trăm", "ba mươi phần trăm", 30, "%", "percent"),
    ("dân số 1.234.567 người", "1.234.567 người", 1234567, "người", "count"),
    ("diện tích rừng 1,234,567 ha", "1,234,567 ha", 1234567, "ha", "area"),
    ("doanh thu 3.5 million USD", "3.5 million USD", 3.5e6, "USD", "money"),
    ("hàng trăm tỷ đồng đã được giải ngân", "hàng trăm tỷ đồng", 1e11, "VND", "money"),
])
def test_forms_outside_the_seeds(text, span, value, unit, kind):
    check_form(text, span, value, unit, kind)


def test_english_text_reads_english_separators_and_number_words():
    text = "The club raised $1,200 from 1,200 fans and 3.5 million dollars in five years; twenty-five players signed."
    found = {q.text: q for q in find_quantities(text)}
    assert found["$1,200"].value == 1200 and found["$1,200"].unit == "USD"
    assert found["1,200 fans"].value == 1200
    assert found["3.5 million dollars"].value == pytest.approx(3.5e6)
    assert found["five years"].value == 5 and found["five years"].kind == "duration" and found["five years"].spelled
    assert found["twenty-five players"].value == 25
    # The same figure in Vietnamese text keeps the Vietnamese decimal comma.
    (q,) = find_quantities("Tăng trưởng đạt 1,200 lần")
    assert q.value == pytest.approx(1.2)


def test_a_lone_digit_word_is_a_figure_only_before_a_noun_and_not_as_an_ordinal():
    assert [q.text for q in find_quantities("Thứ ba tuần sau, năm 2024, ba người về quê")] == ["2024", "ba người"]
    assert find_quantities("Một số hộ dân đã rời đi") == []


def test_a_counted_noun_of_three_syllables_is_kept_whole():
    # Invented sentence: "vận động viên" (athlete) is one word; the figure once ended at "vận động".
    found = [q.text for q in find_quantities("Có 17 vận động viên cần hỗ trợ y tế trong số 12.000 vận động viên.")]
    assert found == ["17 vận động viên", "12.000 vận động viên"]


def test_a_percentage_compared_with_something_counts_no_noun():
    (q, *_) = find_quantities("Doanh thu tăng 27,4% so với năm trước.")  # invented
    assert (q.text, q.noun) == ("27,4%", None)
