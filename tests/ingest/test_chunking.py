from qa.ingest.chunking import ChunkerSettings, chunk_article, sentence_spans
from qa.records import Article


def article(text: str) -> Article:
    return Article(id="a", title="Tiêu đề", text=text)


def test_sentences_do_not_split_numbers_or_codes():
    text = "Đến nay, 4.036 đảng viên xây dựng kế hoạch. Kết luận số 21-KL/TW đã được 2,1 tỷ đồng hỗ trợ."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Đến nay, 4.036 đảng viên xây dựng kế hoạch.", "Kết luận số 21-KL/TW đã được 2,1 tỷ đồng hỗ trợ."]


def test_offsets_point_into_the_article_text():
    text = "Câu một ở đây. Câu hai ở đây!\n\nĐoạn hai, câu ba? Câu bốn."
    chunks = chunk_article(article(text))
    assert [c.sentence for c in chunks] == ["Câu một ở đây.", "Câu hai ở đây!", "Đoạn hai, câu ba?", "Câu bốn."]
    for c in chunks:
        assert text[c.start:c.end] == c.sentence
        assert text[c.context_start:c.context_end] == c.context
        assert c.context_start <= c.start < c.end <= c.context_end


def test_context_holds_neighbours_within_budget():
    text = "Một. Hai. Ba. Bốn."
    chunks = chunk_article(article(text), ChunkerSettings(context_sentences=1))
    assert chunks[1].context == "Một. Hai. Ba."
    assert chunks[0].context == "Một. Hai."
    tight = chunk_article(article(text), ChunkerSettings(context_sentences=1, max_context_chars=5))
    assert all(c.context == c.sentence for c in tight)


def test_a_sentence_repeated_in_an_article_is_indexed_once():
    text = "Ảnh chú thích một lần.\n\nẢnh chú thích một lần.\n\nNội dung khác."
    sentences = [c.sentence for c in chunk_article(article(text))]
    assert sentences == ["Ảnh chú thích một lần.", "Nội dung khác."]


def test_run_on_sentences_split_at_semicolons_only_when_too_long():
    short = "Một vế; vế hai."
    assert len(chunk_article(article(short))) == 1
    long = "; ".join(["vế rất dài " * 5] * 30) + "."
    assert len(chunk_article(article(long), ChunkerSettings(max_sentence_chars=200))) > 1


def test_no_sentence_end_after_abbreviations_titles_and_initials():
    text = ("Hội thảo do PGS. TS. Trần Văn Bình và GS. Lê Hoa chủ trì tại TP. Huế. Ông B. cho biết "
            "ThS. Phạm Duy và Th.S Ngô Lan cùng Mr. Smith, Dr. Jones dự. Nhà thơ Nguyễn V. A. đọc thơ ở St. Louis. "
            "Các món quà gồm sách, vở v.v. và mỗi em nhận 1.5 triệu đồng, tăng 3.5% so với năm 2020. Buổi lễ kết thúc.")
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Hội thảo do PGS. TS. Trần Văn Bình và GS. Lê Hoa chủ trì tại TP. Huế.",
        "Ông B. cho biết ThS. Phạm Duy và Th.S Ngô Lan cùng Mr. Smith, Dr. Jones dự.",
        "Nhà thơ Nguyễn V. A. đọc thơ ở St. Louis.",
        "Các món quà gồm sách, vở v.v. và mỗi em nhận 1.5 triệu đồng, tăng 3.5% so với năm 2020.",
        "Buổi lễ kết thúc.",
    ]


def test_a_sentence_still_ends_after_a_word_or_a_number():
    text = "Năm nay tỉnh đạt 98 điểm. Trong năm 2023. Anh ấy mua sách, vở v.v. Sau đó về quê."
    assert len(sentence_spans(text)) == 4
