"""Tests for qa.ingest.articles (reading, loading, ids, near-duplicates) and the cleaning it uses
(qa.ingest.htmlpages): a golden test per seed plus refusals, encodings, .md and .html."""
from __future__ import annotations

import collections
import hashlib
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import to_cp1258

from qa.errors import ArticleNotFound, BadArticle
from qa.ingest.articles import (
    NEAR_DUPLICATE_THRESHOLD,
    article_id_from_title,
    clean,
    load_article,
    load_articles,
    near_duplicate_key,
    read_article_file,
    similarity,
    validate_article_id,
)
from qa.lang.text import normalize

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"

GOLDEN = {  # id: (title, date, source, author, first words of the body, first words of its last paragraph)
    "day-manh-xay-dung-chinh-don-dang": (
        "Đẩy mạnh xây dựng, chỉnh đốn Đảng theo tư tưởng Hồ Chí Minh", "2022-05-18 16:15", None, "Việt Bắc",
        "Thực hiện Chỉ thị số 05-CT/TW", "Theo đó, hằng năm"),
    "kon-plong-chuyen-bien": (
        "Kon Plông: Chuyển biến giữa việc học tập và làm theo Bác", "2023-05-25 13:09", None, "Trần Văn Phúc",
        "Thực hiện Kết luận số 01-KL/TW, ngày 18/5/2021", "Phó Bí thư Thường trực"),
    "sin-ho-tao-dong-luc-thi-dua": (
        "Tạo động lực thi đua trong cán bộ, đảng viên, Nhân dân", "2023-03-07 15:45", "BLC", "Hà Tĩnh",
        "Thời gian qua, Đảng bộ huyện Sìn Hồ", "Những kết quả đạt được"),
    "son-la-tao-chuyen-bien-manh-me": (
        "Sơn La: Tạo chuyển biến mạnh mẽ trong học tập và làm theo Bác", None, "baosonla.org.vn", "Phong Lưu",
        "Các huyện, thành ủy, đảng ủy", "Triển khai hiệu quả Kết luận"),
    "thanh-liem-nhan-rong-mo-hinh": (
        "Nhân rộng các mô hình học tập và làm theo Bác ở Đảng bộ Thanh Liêm", None, None, None,
        "Để việc xây dựng, nhân rộng mô hình", "Tăng cường kiểm tra, giám sát"),
}
FOOTER_LINES = ["Phản hồi", "Các tin khác", "Mới nhất", "Liên kết website", "Bình luận",
                "Hiện tại chưa có bình luận", "Viết bình luận", "Ý kiến bạn đọc", "Chuyên mục khác",
                "Tin liên quan", "Xem thêm", "Chia sẻ"]


@pytest.fixture(scope="module")
def seeds():
    result = load_articles(SEEDS)
    assert result.problems == []
    return {a.id: a for a in result.articles}


def test_seeds_all_load_sorted_by_id(seeds):
    assert list(seeds) == sorted(GOLDEN)


@pytest.mark.parametrize("article_id", sorted(GOLDEN))
def test_seed_golden(seeds, article_id):
    a = seeds[article_id]
    title, date, source, author, first, last = GOLDEN[article_id]
    assert (a.title, a.date, a.source, a.author) == (normalize(title), date, source, author)
    paragraphs = a.text.split("\n\n")
    assert paragraphs[0].startswith(normalize(first))
    assert paragraphs[-1].startswith(normalize(last))
    assert a.content_hash == hashlib.sha256(a.text.encode()).hexdigest()
    assert a.path == str(SEEDS / f"{article_id}.txt")


@pytest.mark.parametrize("article_id", sorted(GOLDEN))
def test_seed_has_no_boilerplate_left(seeds, article_id):
    a = seeds[article_id]
    lines = a.text.split("\n\n")
    for marker in FOOTER_LINES:
        assert normalize(marker) not in lines
    assert "[GMT+7]" not in a.text and "Theo http" not in a.text and "\u00a0" not in a.text
    assert "Than Uyên:" not in a.text and "Góp sức cho những cánh rừng" not in a.text
    assert a.title not in lines[:1]  # the title is not part of the body
    assert a.author is None or a.author not in lines
    for line in a.text.split("\n"):
        assert line == "" or (line == line.strip() and "  " not in line)
    assert "\n\n\n" not in a.text and a.text == unicodedata.normalize("NFC", a.text)


@pytest.mark.parametrize("article_id", sorted(GOLDEN))
def test_seed_has_no_repeated_line_or_sentence(seeds, article_id):
    text = seeds[article_id].text
    units = [u.strip() for line in text.split("\n") for u in re.split(r"(?<=[.!?…])\s+", line) if u.strip()]
    repeated = [u for u, n in collections.Counter(units).items() if n > 1]
    assert repeated == []


def test_seed_specifics(seeds):
    # The headline reappearing as a section heading in day-manh is content: kept, once.
    assert seeds["day-manh-xay-dung-chinh-don-dang"].text.split("\n\n").count(
        normalize("Đẩy mạnh xây dựng, chỉnh đốn Đảng theo tư tưởng Hồ Chí Minh")) == 1
    assert seeds["day-manh-xay-dung-chinh-don-dang"].text.count("Lãnh đạo tỉnh tặng Bằng khen") == 1
    # sin-ho prints one caption twice with a small difference: the fuller copy is kept.
    sin_ho = seeds["sin-ho-tao-dong-luc-thi-dua"].text
    assert sin_ho.count("Lãnh đạo Đảng ủy thị trấn Sìn Hồ") == 1 and "Kết luận 01-KL/TW đến cán bộ" in sin_ho
    assert "(BLC)" not in sin_ho and "07/03/2023" not in sin_ho
    kon_plong = seeds["kon-plong-chuyen-bien"].text
    assert "khoá" not in kon_plong and "Nghị quyết Trung ương 4 (khóa XII)" in kon_plong
    assert "ngày 18/5/2021" in kon_plong  # a date inside a sentence is text, not metadata
    assert seeds["son-la-tao-chuyen-bien-manh-me"].text.split("\n\n")[1] == \
        normalize("Nông dân bản Dọi, xã Tân Lập, huyện Mộc Châu thu hái chè.")


# -- photo captions and credits ----------------------------------------------------------
def _raw_lines(article_id: str) -> list[str]:
    return [normalize(line).strip() for line in (SEEDS / f"{article_id}.txt").read_text("utf-8").splitlines()]


@pytest.mark.parametrize("article_id", sorted(GOLDEN))
def test_seed_captions_with_a_credit_are_not_text(seeds, article_id):
    credited = [line for line in _raw_lines(article_id) if re.search(r"(?:^|[.(]\s*)Ảnh:", line)]
    text = seeds[article_id].text
    assert "Ảnh:" not in text
    for line in credited:  # neither the credit nor the caption it belongs to
        assert line.rsplit("Ảnh:", 1)[0].strip(" .(") not in text


@pytest.mark.parametrize("article_id", sorted(GOLDEN))
def test_seed_lines_printed_twice_are_said_once(seeds, article_id):
    lines = [line for line in _raw_lines(article_id) if line]
    doubled = [b for a, b in zip(lines, lines[1:]) if a == b]
    for line in doubled:
        assert seeds[article_id].text.split("\n\n").count(line) == 1


def test_the_seeds_have_captions_for_the_rules_above_to_remove():
    """The two tests above would pass vacuously on seeds without captions."""
    credited = sum(1 for a in GOLDEN for line in _raw_lines(a) if "Ảnh:" in line)
    lines = {a: [x for x in _raw_lines(a) if x] for a in GOLDEN}
    doubled = sum(1 for a in GOLDEN for x, y in zip(lines[a], lines[a][1:]) if x == y)
    assert credited >= 3 and doubled >= 2


@pytest.mark.parametrize("caption", [
    "Nông dân xã Tân Lập thu hái chè. Ảnh: Q.H", "Toàn cảnh hội nghị (Ảnh: TTXVN)", "Ảnh minh họa",
    "Người dân trồng mắc ca trên đất dốc (ảnh minh hoạ).", "Ảnh: Việt Hà", "Nguồn ảnh: Internet",
    "Đường hoa ở xã Thanh Tâm - Photo: Reuters"])
def test_caption_lines_are_dropped(caption):
    c = clean("\n".join(["Tiêu đề bài", BODY[0], caption, BODY[1]]))
    assert c.text == normalize("\n\n".join(BODY))


def test_a_long_paragraph_ending_in_a_credit_keeps_its_text():
    paragraph = "Đoạn văn dài nói về kết quả " + "của phong trào thi đua ở các xã vùng cao, " * 8 + "rất đáng mừng."
    c = clean("\n".join(["Tiêu đề bài", paragraph + " Ảnh: TTXVN", BODY[1]]))
    assert c.text.split("\n\n") == [normalize(paragraph), normalize(BODY[1])]


@pytest.mark.parametrize("line", ["Ông nói với anh: cố lên, còn 2 tỷ đồng nữa.",
                                  "Các em được xem hình ảnh: cây, hoa, suối và rừng."])
def test_a_sentence_mentioning_a_photo_or_anh_is_text(line):
    assert normalize(line) in clean("\n".join(["Tiêu đề bài", BODY[0], line, BODY[1]])).text


def test_a_line_printed_twice_is_said_once_near_or_far():
    caption = "Lãnh đạo huyện trao thưởng cho các tập thể tiêu biểu."
    fuller = caption.replace("tiêu biểu.", "tiêu biểu năm 2023.")
    c = clean("\n".join(["Tiêu đề bài", BODY[0], caption, fuller, BODY[1], caption.upper()]))
    assert c.text.split("\n\n") == [normalize(x) for x in (BODY[0], fuller, BODY[1])]


def test_short_repeated_lines_such_as_table_cells_are_kept():
    c = clean("\n".join(["Tiêu đề bài", BODY[0], "Năm", "2022", "Có", BODY[1], "Năm", "2023", "Có"]))
    assert c.text.split("\n\n")[-3:] == ["Năm", "2023", "Có"]


def test_html_captions_are_not_text(tmp_path):
    page = f"""<html><head><title>Tin mẫu có ảnh</title></head><body><article><h1>Tin mẫu có ảnh</h1>
    <p>{BODY[0]}</p>
    <figure><img src="a.jpg" alt="x"><figcaption>Người dân thu hoạch chè ở Mộc Châu.</figcaption></figure>
    <table class="image"><tr><td><img src="b.jpg"></td></tr><tr><td class="image-caption">Lãnh đạo huyện
    thăm mô hình trồng mắc ca.</td></tr></table>
    <p><em>Toàn cảnh hội nghị tổng kết. (Ảnh: TTXVN)</em></p>
    <p>{BODY[1]}</p></article></body></html>"""
    a = load_article(_write(tmp_path, "co-anh.html", page.encode()))
    assert a.text == normalize("\n\n".join(BODY))


def test_html_the_parser_cannot_read_is_reported_and_skipped(tmp_path, monkeypatch):
    import trafilatura

    def broken(*args, **kwargs):
        raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    shutil.copy(SEEDS / "kon-plong-chuyen-bien.txt", tmp_path)
    shutil.copy(FIXTURES / "tin-mau-html.html", tmp_path)
    articles, problems = load_articles(tmp_path)
    assert [a.id for a in articles] == ["kon-plong-chuyen-bien"]
    assert [(p.name, "lxml_html_clean" in why) for p, why in problems] == [("tin-mau-html.html", True)]


# -- cleaning rules on small inputs ------------------------------------------------------
BODY = ["Đoạn văn thứ nhất nói về mô hình học tập và làm theo Bác ở huyện, dài vừa phải.",
        "Đoạn văn thứ hai kể kết quả: 50 mô hình, 2 tỷ đồng, hơn 300 hộ dân tham gia ủng hộ."]


def test_clean_footer_marker_early_is_dropped_alone_and_late_cuts_the_rest():
    raw = "\n".join(["Tiêu đề bài", "XEM THÊM", BODY[0], "chia se", BODY[1], "Bình luận (0)",
                     "Tin khác hoàn toàn", "Teaser của bài khác."])
    c = clean(raw)
    assert c.title == "Tiêu đề bài"
    assert c.text == normalize("\n\n".join(BODY))


def test_clean_dates_sources_bylines():
    raw = "\n".join(["Thứ hai, 01/01/2024, 07:00 [GMT+7]", "Tiêu đề", "Cập nhật: 2023-12-31", BODY[0],
                     "Ngày 18/5/2021 là ngày ký.", "Nguyễn Văn A", "Nguồn: https://www.vnexpress.net/a-b.html"])
    c = clean(raw)
    assert (c.title, c.date, c.source, c.author) == ("Tiêu đề", "2023-12-31", "vnexpress.net", "Nguyễn Văn A")
    assert c.text == normalize(BODY[0] + "\n\nNgày 18/5/2021 là ngày ký.")
    only_crawl = clean("Chủ nhật, 10/12/2023, 18:14 [GMT+7]\nTiêu đề\n" + BODY[0])
    assert only_crawl.date is None and only_crawl.title == "Tiêu đề"
    ends_with_sentence = clean("Tiêu đề\n" + BODY[0] + "\nHà Nội đẹp.")
    assert ends_with_sentence.author is None and ends_with_sentence.text.endswith("Hà Nội đẹp.")


def test_clean_first_line_too_long_for_a_headline_stays_in_the_body():
    c = clean(BODY[0] * 4 + "\n" + BODY[1])
    assert c.title.endswith("…") and len(c.title) <= 121
    assert c.text.startswith(normalize(BODY[0]))


def test_clean_refuses_text_without_body():
    with pytest.raises(BadArticle):
        clean("Chỉ có tiêu đề")
    with pytest.raises(BadArticle):
        clean("Bình luận\nChia sẻ\n")


# -- reading files -----------------------------------------------------------------------
def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data", [b"", b"  \n\n \t\n"])
def test_empty_file_is_refused(tmp_path, data):
    path = _write(tmp_path, "rong.txt", data)
    with pytest.raises(BadArticle, match=r"rong\.txt.*empty"):
        read_article_file(path, 1000)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
                                  bytes((i * 7919) % 32 for i in range(2000))])
def test_binary_file_is_refused(tmp_path, data):
    path = _write(tmp_path, "anh.txt", data)
    with pytest.raises(BadArticle, match=r"anh\.txt.*binary"):
        load_article(path)


def test_too_large_file_is_refused(tmp_path):
    path = _write(tmp_path, "lon.txt", ("Tiêu đề\n" + "Nội dung bài báo. " * 200).encode())
    with pytest.raises(BadArticle, match=r"lon\.txt.*1,000-byte limit"):
        load_article(path, max_bytes=1000)


def test_missing_file_and_unsupported_type(tmp_path):
    with pytest.raises(ArticleNotFound):
        read_article_file(tmp_path / "khong-co.txt", 1000)
    path = _write(tmp_path, "bai.pdf", b"%PDF-1.4")
    with pytest.raises(BadArticle, match=r"bai\.pdf.*unsupported"):
        load_article(path)


def test_utf8_bom_and_utf16_are_read(tmp_path):
    text = (SEEDS / "kon-plong-chuyen-bien.txt").read_text("utf-8")
    assert read_article_file(_write(tmp_path, "a.txt", b"\xef\xbb\xbf" + text.encode()), 10**6) == text
    assert read_article_file(_write(tmp_path, "b.txt", text.encode("utf-16")), 10**6) == text


@pytest.mark.parametrize("article_id", sorted(GOLDEN))
def test_windows_1258_seed_decodes_to_the_same_article(tmp_path, seeds, article_id):
    data = to_cp1258((SEEDS / f"{article_id}.txt").read_text("utf-8"))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    a = load_article(_write(tmp_path, f"{article_id}.txt", data))
    b = seeds[article_id]
    assert (a.title, a.text, a.date, a.source, a.author, a.content_hash) == \
        (b.title, b.text, b.date, b.source, b.author, b.content_hash)


def test_other_legacy_encoding_is_refused_with_a_fix(tmp_path):
    path = _write(tmp_path, "nga.txt", ("Съешь же ещё этих мягких французских булок. " * 20).encode("koi8-r"))
    with pytest.raises(BadArticle, match=r"nga\.txt: not UTF-8.*iconv -f KOI8-R"):
        read_article_file(path, 10**6)


# -- Markdown and HTML -------------------------------------------------------------------
def test_markdown_article():
    a = load_article(FIXTURES / "tin-mau-md.md")
    assert a.id == "tin-mau-md"
    assert a.title == normalize('Quỳnh Nhai: Quỹ "Chỉ thị 05" giúp hộ nghèo làm nhà')
    assert (a.date, a.author) == ("2022-05-18 16:15", "Nguyễn Thị Hoa")
    assert a.text.startswith(normalize("Năm 2022, Đảng bộ huyện Quỳnh Nhai đã vận động cán bộ, đảng viên ủng hộ "
                                       'quỹ "Chỉ thị 05" được hơn 2 tỷ đồng'))
    assert "Hỗ trợ làm nhà ở" in a.text.split("\n\n") and "(xem báo cáo)" in a.text
    for syntax in ("#", "**", "*", "](", "http", "Xem thêm", "Một bài khác"):
        assert syntax not in a.text


def test_html_article():
    a = load_article(FIXTURES / "tin-mau-html.html")
    assert a.title == normalize("Mộc Châu: Nông dân thu hoạch chè vụ xuân")
    assert (a.date, a.author, a.source) == ("2023-04-12", "Lò Văn Mạnh", "Báo Tây Bắc Mẫu")
    assert normalize("năng suất vụ xuân ước đạt 2,1 tấn búp tươi mỗi ha") in a.text
    assert normalize("giá chè búp tươi loại một ổn định ở mức 12.000 đồng mỗi kg") in a.text
    for noise in ("Trang chủ", "Liên hệ quảng cáo", "Tin liên quan", "Yên Châu", "bình luận", "Giấy phép",
                  "Bản quyền", a.title):
        assert normalize(noise) not in a.text


def test_html_without_article_text_is_refused(tmp_path):
    path = _write(tmp_path, "trong.html", b"<html><head><title>x</title></head><body><nav>Menu</nav></body></html>")
    with pytest.raises(BadArticle, match=r"trong\.html"):
        load_article(path)


# -- a folder with good and bad files ------------------------------------------------------
def test_load_articles_reports_bad_files_and_keeps_the_good(tmp_path):
    for name in ("son-la-tao-chuyen-bien-manh-me.txt", "kon-plong-chuyen-bien.txt"):
        shutil.copy(SEEDS / name, tmp_path / name)
    shutil.copy(FIXTURES / "tin-mau-md.md", tmp_path / "kon-plong-chuyen-bien.md")  # same id: first name wins
    _write(tmp_path, "rong.txt", b"")
    _write(tmp_path, "nhi-phan.html", b"\x00\x01\x02" * 100)
    _write(tmp_path, "Bài viết.txt", "Tiêu đề\nNội dung.".encode())
    _write(tmp_path, "ghi-chu.json", b"{}")  # not an article type: ignored
    _write(tmp_path, ".an.txt", b"")  # hidden: ignored
    articles, problems = load_articles(tmp_path)
    assert [a.id for a in articles] == ["kon-plong-chuyen-bien", "son-la-tao-chuyen-bien-manh-me"]
    reported = {path.name: message for path, message in problems}
    assert set(reported) == {"rong.txt", "nhi-phan.html", "Bài viết.txt", "kon-plong-chuyen-bien.txt"}
    assert "already has the id" in reported["kon-plong-chuyen-bien.txt"]
    assert all(message.startswith(name) for name, message in reported.items())
    assert "bai-viet.txt" in reported["Bài viết.txt"]


# -- ids ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("title, expected", [
    ("Sơn La: Tạo chuyển biến mạnh mẽ", "son-la-tao-chuyen-bien-manh-me"),
    ("Đẩy mạnh xây dựng, chỉnh đốn Đảng", "day-manh-xay-dung-chinh-don-dang"),
    ("../etc/passwd", "etc-passwd"),
    ("..\\..\\windows\\system32", "windows-system32"),
    ("  KHOÁ   XIII  ", "khoa-xiii"),
])
def test_article_id_from_title(title, expected):
    assert article_id_from_title(title) == expected


@pytest.mark.parametrize("title", ["", "...", "///", "中文标题", "Tạo " * 40, "a" * 100, "../" * 30])
def test_article_id_from_title_is_always_safe(title):
    slug = article_id_from_title(title)
    assert slug and len(slug) <= 60 and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert validate_article_id(slug) == slug


@pytest.mark.parametrize("bad", ["../etc/passwd", "..", ".", "a/b", "a\\b", "", ".hidden", "a b", "a\x00b",
                                 "x" * 200, "bai..txt", "-rf", "%2e%2e"])
def test_validate_article_id_refuses_unsafe_ids(bad):
    with pytest.raises(BadArticle):
        validate_article_id(bad)


@pytest.mark.parametrize("good", ["son-la-tao-chuyen-bien-manh-me", "kon_plong-2", "bai.v2"])
def test_validate_article_id_accepts_file_stems(good):
    assert validate_article_id(good) == good


# -- near-duplicates -----------------------------------------------------------------------------
def test_syndicated_copy_with_another_header_is_a_near_duplicate(tmp_path, seeds):
    original = seeds["son-la-tao-chuyen-bien-manh-me"]
    raw = (SEEDS / "son-la-tao-chuyen-bien-manh-me.txt").read_text("utf-8").split("\n", 1)[1]
    copy = ("Thứ năm, 01/06/2023, 09:00 [GMT+7]\n\nTrang chủ\n\nSơn La tạo chuyển biến trong học tập theo Bác\n\n"
            "01/06/2023 09:00\n\n" + raw.replace("khóa", "khoá"))
    copied = load_article(_write(tmp_path, "ban-sao.txt", copy.encode()))
    assert similarity(copied.text, original.text) >= NEAR_DUPLICATE_THRESHOLD
    raw_original = (SEEDS / "son-la-tao-chuyen-bien-manh-me.txt").read_text("utf-8")
    assert similarity(copy, raw_original) >= NEAR_DUPLICATE_THRESHOLD  # even before cleaning


def test_different_seeds_are_not_near_duplicates(seeds):
    texts = [a.text for a in seeds.values()]
    scores = [similarity(x, y) for i, x in enumerate(texts) for y in texts[i + 1:]]
    assert max(scores) < 0.2 < NEAR_DUPLICATE_THRESHOLD
    assert similarity(texts[0], texts[0]) == 1.0


def test_near_duplicate_key_ignores_spacing_case_and_tone_placement():
    text = "Nghị quyết Trung ương 4 (khóa XII), Kết luận số 21-KL/TW."
    assert near_duplicate_key(text) == near_duplicate_key("  nghị  quyết trung ương 4 (khoá xii), kết luận số 21-KL/TW")
    assert near_duplicate_key(text) != near_duplicate_key(text.replace("21", "22"))
