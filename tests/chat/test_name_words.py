"""Tests for qa.chat.name_words: the head words and family names, compared as the text being read is written."""
from __future__ import annotations

from qa.chat.name_words import is_head, is_surname, org_heads, place_heads, reading, reading_bare


def test_words_are_compared_with_their_marks_only_in_text_that_has_them():
    assert reading_bare()  # nothing being read: folded
    with reading("Ban Thường vụ họp"):
        assert not reading_bare()
        assert is_head("Ban", org_heads()) and not is_head("Ban", place_heads())  # a board, not "bản"
        assert is_surname("Tạ") and not is_surname("Tà") and not is_surname("Quảng")
    with reading("ban thuong vu hop"):
        assert is_head("Ban", place_heads()) and is_surname("Ta")
    assert reading_bare()  # restored on leaving
