"""Vietnamese words (`qa.lang.lexicon`): segmentation by longest match, word edges, the lexicon and the inventory."""
from qa.lang.lexicon import folds_to_syllable, is_word, opens_word, segment, word_edges


def test_word_edges_keep_a_lexicon_word_whole():
    opens, closes = word_edges(("biểu", "diễn", "bằng", "ma", "trận", "kề"))
    assert opens == (True, False, True, True, False, True)
    assert closes == (False, True, True, False, True, True)


def test_word_edges_of_unknown_syllables_are_all_edges():
    assert word_edges(("Idźkowski", "xyz")) == ((True, True), (True, True))


def test_segment_keeps_figures_and_lexicon_words_whole():
    assert segment("09 tập thể, 41 cá nhân được khen thưởng") == ("09", "tập thể", "41", "cá nhân", "được", "khen thưởng")


def test_a_word_typed_without_marks_is_the_word_it_folds_to_and_a_name_is_none():
    assert is_word("Đa khoa") and is_word("Da khoa") and not is_word("Long An")
    text = "Bệnh viện Đa khoa tỉnh Long An"
    assert opens_word(text, text.index("Đa"), text.index("Đa") + 2)
    assert not opens_word(text, text.index("Long"), text.index("Long") + 4)
    assert folds_to_syllable("Phuong") and not folds_to_syllable("Park")
