"""The answer does not depend on how many passages are shown: the same question gives the same
`answer` for every k from 1 to 10, and the cited passage is always among those shown.

Over the dev questions (../shared/eval/dev.jsonl; skipped when absent) with the fake embedder,
and over a few of them with the real one (slow)."""
from __future__ import annotations

import json
import shutil

import pytest
from conftest import DEV_SET, SEEDS

from qa.engine import Engine
from qa.settings import Settings

KS = range(1, 11)


def dev_questions() -> list[str]:
    if not DEV_SET.exists():
        return []
    return [json.loads(line)["question"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def answers_over_k(engine: Engine, question: str) -> set:
    seen = set()
    for k in KS:
        result = engine.ask(question, k=k)
        assert len(result.passages) <= max(k, len(result.also) + 1) or result.answer is None or \
            result.answer.kind in ("superlative", "comparison", "total")  # computed answers cite every figure
        if result.answer is not None:
            assert 1 <= result.answer.passage <= len(result.passages)  # the citation is shown
            assert result.answer.sentence in result.passages[result.answer.passage - 1].text
        answer = result.answer
        seen.add(None if answer is None else (answer.text, answer.sentence, answer.kind))
    return seen


@pytest.fixture(scope="module")
def fake_engine(tmp_path_factory):
    home = tmp_path_factory.mktemp("k-home")
    shutil.copytree(SEEDS, home / "seeds")
    return Engine(Settings(home=home, embedder="fake", answer_cache=0))


@pytest.mark.skipif(not DEV_SET.exists(), reason="../shared/eval/dev.jsonl is not here")
@pytest.mark.parametrize("question", dev_questions())
def test_answer_is_the_same_for_every_k(fake_engine, question):
    assert len(answers_over_k(fake_engine, question)) == 1


@pytest.mark.slow
@pytest.mark.skipif(not DEV_SET.exists(), reason="../shared/eval/dev.jsonl is not here")
@pytest.mark.parametrize("question", dev_questions()[::3] + ["Toàn huyện Kon Plông có bao nhiêu mô hình?",
                                                           "Huyện nào xây dựng được nhiều mô hình nhất?"])
def test_answer_is_the_same_for_every_k_with_the_real_embedder(real_engine, question):
    assert len(answers_over_k(real_engine, question)) == 1
