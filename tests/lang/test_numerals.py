"""Numbers as written (`qa.lang.numerals`): the two separator conventions, and the figure words read lazily."""
import pytest

from qa.lang.numerals import figure_words, parse_number, scaled_value


@pytest.mark.parametrize("s,value", [
    ("4.036", 4036), ("2,1", 2.1), ("68.132", 68132), ("1.234.567", 1234567), ("1.234,5", 1234.5),
    ("09", 9), ("1.5", 1.5), ("100", 100),
])
def test_parse_number(s, value):
    assert parse_number(s) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "abc", "2,1 tỷ", "-"])
def test_parse_number_rejects_non_numbers(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


@pytest.mark.parametrize("s,value", [("1,200", 1200), ("1,234,567", 1234567), ("3.5", 3.5), ("4.036", 4.036)])
def test_parse_number_english(s, value):
    assert parse_number(s, english=True) == pytest.approx(value)


@pytest.mark.parametrize("num,scales,value", [("2", " tỷ 652 triệu", 2.652e9), ("1,2", " nghìn tỷ", 1.2e12),
                                              ("3.5", " million", 3.5e6)])
def test_scaled_value_multiplies_each_number_by_the_scales_after_it(num, scales, value):
    assert scaled_value(num, scales, english=scales.strip().isascii()) == pytest.approx(value)


def test_every_written_unit_names_a_unit_of_its_own_table():
    words = figure_words()
    assert words.unit_words.keys() == words.currencies.keys() | words.measures.keys()
    assert all(words.unit_kinds[unit] == kind for unit, kind in words.measures.values())
