"""Which of the best spans is shown: invented spans and scores, no article."""
import numpy as np

from qa.answer.consensus import choose, tokens

SPANS = ["Trần Văn A", "Lê Thị B", "Trần Văn A và Lê Thị B", "năm 1990"]


def test_a_sure_ranker_shows_its_best_span():
    assert choose(SPANS, np.array([8.0, 2.0, 1.0, 0.0]), temperature=1.0, holds=0.2) == 0


def test_a_ranker_wavering_between_two_spans_shows_the_span_holding_both():
    assert choose(SPANS, np.array([3.0, 2.9, 1.0, 0.0]), temperature=1.0, holds=0.2) == 2


def test_the_holding_weight_moves_a_leaning_ranker_to_the_span_holding_both():
    leaning = np.array([3.0, 2.0, 1.0, 0.0])
    assert choose(SPANS, leaning, temperature=1.0, holds=0.0) == 0
    assert choose(SPANS, leaning, temperature=1.0, holds=0.5) == 2


def test_temperature_zero_is_the_best_score():
    assert choose(SPANS, np.array([3.0, 2.9, 1.0, 0.0]), temperature=0.0, holds=0.2) == 0


def test_a_span_of_punctuation_only_never_wins():
    assert choose(["…", "năm 1990"], np.array([5.0, 1.0]), temperature=1.0, holds=0.2) == 1


def test_words_are_compared_as_squad_compares_them():
    assert tokens("Đại học “Newcastle”, năm 2000.") == ("đại", "học", "newcastle", "năm", "2000")


def test_the_learned_stage_shows_an_agreed_span_with_its_best_span_s_confidence():
    from qa.answer import extract_answer, prepare
    from qa.answer.consensus import Consensus
    from qa.answer.features import NAMES
    from qa.answer.scorer import Scorer
    from qa.records import ArticleRef, Passage

    text = ("Công viên được thiết kế bởi kiến trúc sư Adam Idźkowski theo phong cách Anh, "
            "và Henryk Marconi là người xây hàng rào sắt của nó vào năm 1852.")
    p = Passage(rank=1, score=1.0, text=text, sentence=text, article=ArticleRef(id="a", title="A"),
                start=0, end=len(text), sentence_start=0, sentence_end=len(text))
    close = lambda where: np.tile([0.88, 0.86], (len(where), 1))  # noqa: E731
    n = len(NAMES)  # a ranker that cannot tell the spans apart: every span as likely
    flat = Scorer(np.zeros(n), np.zeros(n + 1), 0.0, np.zeros(n), np.ones(n), 0.0)
    question = "Công viên được thiết kế bởi ai?"
    best, _ = extract_answer(question, [p], dense=close, scorer=flat, consensus=Consensus(temperature=0.0))
    agreed, _ = extract_answer(question, [p], dense=close, scorer=flat,
                               consensus=Consensus(temperature=1.0, holds=1.0, pool=20, growth=3.0))
    assert best is not None and agreed is not None and agreed.text != best.text
    assert agreed.confidence == best.confidence == 0.5  # the best-ranked span decides whether to answer
    assert agreed.text in {c.text for c in prepare(question, [p], dense=close).candidates}
    assert len(agreed.text.split()) <= 3 * len(best.text.split()) + 2
