"""What an English question asks: its fronted question phrase, not a clause's, and after a bare
"what" or "which" the head of the noun phrase. Questions written here, no article's."""
import pytest

from qa.answer import analyse
from qa.answer.asking import asking


@pytest.mark.parametrize("question,asked", [
    ("What bridge was closed when the river flooded?", "other"),  # not "when": a clause's
    ("How many boats were lost when the storm hit the harbour?", "quantity"),
    ("Who led the army when the city fell?", "person"),
    ("What is the name of the architect who designed the library?", "person"),
    ("What was the last name of the mayor who built the dam?", "person"),
    ("Which Lisbon architect won the prize?", "person"),  # a name between "which" and its head
    ("What did the mayor open in 1990?", "other"),  # the mayor is who acts, not what is asked
    ("What is the name of the ship that sank?", "other"),
    ("In what year did the mill close?", "date"),
    ("When did the bridge open?", "date"),
])
def test_an_english_question_asks_what_its_first_question_phrase_asks(question, asked):
    assert analyse(question).asked == asked


def test_the_question_phrase_of_an_english_question_is_where_it_stands_first():
    asked, where = asking("What bridge crosses the river where the king was born?", english=True)
    assert (asked, where) == ("other", (0, 4))  # "what", not "where"


def test_vietnamese_keeps_the_order_of_its_types():
    # "bao nhiêu" asks, wherever it stands; "khi nào" inside is a clause's only in English.
    assert analyse("Khi tàu rời cảng, có bao nhiêu hành khách trên tàu?").asked == "quantity"
