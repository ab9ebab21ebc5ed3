import unicodedata

import pytest

from qa.lang.accents import accent_table, restore_diacritics
from qa.lang.language import detect_language
from qa.lang.text import fold, fold_aligned, has_diacritics, normalize, phrase_spans, syllables, tokens


@pytest.mark.parametrize("raw, canonical", [
    ("hoá", "hóa"), ("khoẻ", "khỏe"), ("thuỷ", "thủy"), ("Thuỵ", "Thụy"), ("loà", "lòa"),
    ("khoá XII", "khóa XII"), ("chuyển hoá", "chuyển hóa"),
    # already canonical or not affected by the rule
    ("hóa", "hóa"), ("quý", "quý"), ("hoàn", "hoàn"), ("người", "người"), ("ngoài", "ngoài"),
    ("khuỷu", "khuỷu"), ("giá", "giá"), ("gì", "gì"), ("quả", "quả"), ("tuyết", "tuyết"), ("giường", "giường"),
])
def test_one_tone_mark_placement(raw, canonical):
    assert normalize(raw) == canonical
    assert normalize(unicodedata.normalize("NFD", raw)) == canonical  # NFD input too


def test_normalize_keeps_spacing_and_punctuation():
    text = "Kết luận số 21-KL/TW (khoá XIII) , “tự chuyển hoá”./."
    assert normalize(text) == "Kết luận số 21-KL/TW (khóa XIII) , “tự chuyển hóa”./."


def test_fold_maps_d_bar_and_drops_marks():
    assert fold("Quỳnh Nhai ĐẢNG đồng") == "quynh nhai dang dong"
    assert has_diacritics("Sìn Hồ") and not has_diacritics("sin ho")


@pytest.mark.parametrize("text", ["Kraków, Ogród, María Menéndez và İstanbul", unicodedata.normalize("NFD", "Quỳnh Nhai, Sìn Hồ"),
                                  "ĐẢNG \u0301x Ɖ ﬁ ß 東京 Ωmega"])
def test_fold_of_a_long_text_is_the_fold_of_its_decomposition_without_marks(text):
    # long texts fold through a per-character table: the same as decomposing the whole text
    long = " ".join([text] * 4)
    expected = "".join(c for c in unicodedata.normalize("NFD", long.lower()) if unicodedata.category(c) != "Mn")
    assert len(long) > 32 and fold(long) == expected.replace("đ", "d")


def test_fold_aligned_keeps_offsets():
    text = "Đảng bộ huyện Quỳnh Nhai, ĐẢNG"
    assert fold_aligned(text) == "dang bo huyen quynh nhai, dang" and len(fold_aligned(text)) == len(text)
    decomposed = unicodedata.normalize("NFD", "Hồ")  # its marks fold to nothing: one character each still
    assert len(fold_aligned(decomposed)) == len(decomposed) and fold_aligned(decomposed).startswith("ho")


def test_names_alone_are_read_by_their_marks_not_their_capitals():
    """Only names and acronyms (no word votes): typed without marks, the diacritics are restored."""
    assert detect_language("UBND Son La") == "vi-nodiacritics"
    assert detect_language("UBND Sơn La") == "vi"


def test_syllables_drop_thousands_dots_but_keep_decimal_commas():
    assert syllables("4.036 đảng viên, 2,1 tỷ và 2.500m") == ["4036", "đảng", "viên", "2,1", "tỷ", "và", "2500", "m"]


def test_tokens_add_bigrams_and_drop_question_words():
    toks = tokens("Quỳnh Nhai huy động được bao nhiêu?", folded=True, drop_question_words=True)
    assert "quynh_nhai" in toks and "huy_dong" in toks
    assert "bao" not in toks and "nhieu" not in toks


@pytest.mark.parametrize("question, language", [
    ("How much did Quỳnh Nhai raise?", "en"), ("Which commune raises local pigs?", "en"),
    ("Quỳnh Nhai huy động được bao nhiêu?", "vi"), ("quynh nhai huy dong duoc bao nhieu", "vi-nodiacritics"),
])
def test_detect_language(question, language):
    assert detect_language(question) == language


def test_restore_diacritics_from_corpus_usage():
    table = accent_table(["Đảng bộ huyện Quỳnh Nhai đã huy động được 2 tỷ đồng.", "Huyện Kon Plông có 50 mô hình."])
    assert restore_diacritics("quynh nhai huy dong duoc bao nhieu", table) == "quỳnh nhai huy động được bao nhiêu"
    assert restore_diacritics("kon plong co bao nhieu mo hinh", table) == "kon plông có bao nhiêu mô hình"


def test_codes_and_acronyms_do_not_make_a_question_english():
    assert detect_language("Kết luận số 01-KL/TW được ban hành ngày nào?") == "vi"
    assert detect_language("UBND tỉnh tặng bao nhiêu Bằng khen?") == "vi"


@pytest.mark.parametrize("word", ["Kraków", "Ogród", "María", "Menéndez", "José", "Pokémon", "Zürich", "café",
                                  "Bogotá", "Perú", "Ángel", "Müller"])
def test_foreign_words_keep_their_accents(word):
    # Not Vietnamese syllables (illegal onset, rhyme or letter): NFC only, marks stay put.
    assert normalize(word) == word
    assert normalize(unicodedata.normalize("NFD", word)) == word


def test_tone_placement_touches_only_the_vietnamese_syllables_of_a_sentence():
    text = "Ông José Menéndez đến Kraków năm 1990 để học hoá học; cô María ở Zürich vẫn khoẻ."
    assert normalize(text) == "Ông José Menéndez đến Kraków năm 1990 để học hóa học; cô María ở Zürich vẫn khỏe."


@pytest.mark.parametrize("word, vietnamese", [
    ("hoá", True), ("khuỷu", True), ("người", True), ("quốc", True), ("gì", True), ("Nguyễn", True), ("ĐẢNG", True),
    ("Kraków", False), ("María", False), ("café", False), ("Zürich", False), ("Broncos", False),
    ("tổt", False),  # a syllable closed by t takes only the acute or the dot below
])
def test_vietnamese_syllables_by_phonotactics(word, vietnamese):
    from qa.lang.phonotactics import is_vietnamese_syllable

    assert is_vietnamese_syllable(word) is vietnamese


@pytest.mark.parametrize("question, language", [
    ("Broncos ghi được bao nhiêu điểm trong Super Bowl 50?", "vi"),
    ("Đội thủ Panthers đã thua bao nhiêu điểm?", "vi"),
    ("Broncos ghi duoc bao nhieu diem?", "vi-nodiacritics"),
    ("Arsenal mua Mesut Özil từ Real Madrid với giá bao nhiêu?", "vi"),
    ("arsenal mua mesut ozil tu real madrid voi gia bao nhieu", "vi-nodiacritics"),
    ("When did Nguyễn Văn Linh become general secretary?", "en"),
    ("How long did the Đà Nẵng bridge take to build?", "en"),
    ("Who painted the ceiling of the Sistine Chapel?", "en"),
])
def test_detect_language_with_foreign_words(question, language):
    assert detect_language(question) == language


def test_restoration_prefers_general_words_over_the_corpus_favourite():
    # A corpus where "dang" is always "Đảng", "toi" always "tới" and "thieu" always "thiếu".
    table = accent_table(["Đảng bộ tỉnh lãnh đạo. Đảng viên gương mẫu. Đảng ủy họp.",
                          "Quà được trao tới các hộ. Đoàn đi tới xã. Nhiều nơi còn thiếu nước, thiếu điện."])
    assert restore_diacritics("ai dang lam chu tich xa", table) == "ai đang làm chủ tịch xã"
    assert restore_diacritics("so tien ung ho toi thieu la bao nhieu", table) == "số tiền ủng hộ tối thiểu là bao nhiêu"
    assert restore_diacritics("dang vien cua dang bo", table) == "đảng viên của đảng bộ"


def test_restoration_keeps_names_only_the_corpus_knows_and_unknown_words():
    table = accent_table(["Xã Đăk Ring, huyện Kon Plông có mô hình nuôi ong."])
    assert restore_diacritics("kon plong co bao nhieu mo hinh", table) == "kon plông có bao nhiêu mô hình"
    assert restore_diacritics("Broncos ghi duoc bao nhieu diem", {}) == "Broncos ghi được bao nhiêu điểm"


def test_restoration_keeps_the_case_numbers_and_punctuation_as_typed():
    # Lower-cased, "Tinh Ha Giang ..." lost the capitals that tell the answer stage a place is named.
    table = accent_table(["Tỉnh Hà Giang có 22.800 ha chè Shan tuyết.", "Hà Giang có bao nhiêu ha chè?"])
    assert restore_diacritics("Tinh Ha Giang co bao nhieu ha che?", table) == "Tỉnh Hà Giang có bao nhiêu ha chè?"
    typed = "Ha Giang co 22.800 ha, TP HCM thi sao?"
    restored = restore_diacritics(typed, table)
    assert fold(restored) == fold(typed) and restored.startswith("Hà Giang có 22.800 ") and "TP HCM" in restored


def test_phrase_spans_finds_every_occurrence_and_only_whole_phrases():
    words = ["ba", "tỷ", "đồng", "và", "ba", "triệu", "ba", "tỷ"]
    assert phrase_spans(words, ("ba", "tỷ")) == [(0, 2), (6, 8)]
    assert phrase_spans(tuple(words), ("tỷ",)) == [(1, 2), (7, 8)]
    assert phrase_spans(words, ("tỷ", "đồng", "và", "ba", "tỷ")) == []
    assert phrase_spans(words, ()) == []
