"""Golden: real embedder, real index, XQuAD-vi questions nobody here wrote (slow)."""
import shutil
from pathlib import Path

import pytest

from qa.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "xquad"


@pytest.fixture(scope="module")
def xquad_engine(tmp_path_factory):
    from qa.engine import Engine

    home = tmp_path_factory.mktemp("xquad-home")
    (home / "seeds").mkdir()
    for article in FIXTURES.glob("*.txt"):
        shutil.copy(article, home / "seeds" / article.name)
    engine = Engine(Settings(home=home))
    engine.rebuild()
    return engine


@pytest.mark.slow
@pytest.mark.parametrize("question,gold", [
    ("Đội thủ Panthers đã thua bao nhiêu điểm?", "308"),
    ("Doi thu Panthers da thua bao nhieu diem?", "308"),
    ("How many points did the Panthers defense surrender?", "308"),
    # A known miss of the fitted scorer (it answers "Pro Bowl 5"): strict, so a fix shows up.
    pytest.param("Ai dẫn đầu Panthers về số lần vật ngã?", "Kawann Short",
                 marks=pytest.mark.xfail(strict=True, reason="known miss: a capitalised run that is no person wins")),
])
def test_the_answer_holds_the_gold_span(xquad_engine, question, gold):
    result = xquad_engine.ask(question)
    assert result.answer is not None and gold in result.answer.text
    assert result.answer.text in result.passages[result.answer.passage - 1].text  # a span of the cited passage
