"""The English glossary: the hand table first, the induced table (bench/fit_glossary.py) for the rest."""
from __future__ import annotations

from qa.lang.glossary import english_terms, glossary, stem
from qa.lang.phonotactics import is_vietnamese_syllable
from qa.lang.text import fold
from qa.lang.wordlists import table, words


def forms_of(question: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    return dict(english_terms(question))


def test_a_word_the_hand_glossary_lacks_takes_the_induced_forms():
    assert stem("population") not in {k[0] for k in glossary().nouns} | {k[0] for k in glossary().words}
    assert ("dan", "so") in forms_of("What was the population of Warsaw in 1900?")["population"]


def test_the_hand_glossary_comes_first():
    hand = glossary().nouns[(stem("students"),)]
    assert forms_of("How many students did the fund help?")["students"] == tuple(tuple(fold(v).split()) for v in hand)


def test_a_word_neither_table_knows_gives_no_forms():
    assert forms_of("Which zyzzogeton did the museum show?")["zyzzogeton"] == ()


def test_the_induced_table_holds_only_vietnamese_forms_of_content_words():
    entries = table("glossary_induced")["entries"]
    function = words("en_function_words") | frozenset(table("glossary")["function_words"])
    assert len(entries) > 1000
    assert not function & {entry["word"] for entry in entries.values()}
    for key, entry in entries.items():
        english, forms = entry["word"], entry["forms"]
        assert key == stem(english)
        assert 1 <= len(forms) <= 3
        for form in forms:
            assert all(is_vietnamese_syllable(s) for s in form.split()), (english, form)
            assert english not in fold(form).split(), (english, form)  # the letters matched, not the meaning
