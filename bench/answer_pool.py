"""The questions the answer scorer is fitted on, as the answer stage sees them (`bench/fit_answer.py`).

`collect` asks every XQuAD-style question through the engine's retrieval, with and without its
own article, and keeps what the answer stage is given (question, passages, dense similarities)
so that `featurise` can recompute candidates and feature rows after `features.py` changes
without retrieving again; `masked` adds each answerable question without the passages that hold
its gold. Fits nothing.
"""
from __future__ import annotations

import numpy as np
import xquad

from qa.answer import prepare
from qa.lang.text import normalize


def collect(home, articles, questions, k: int, source: str = "xquad-dev") -> list[dict]:
    """Per question and setting (answerable / own article left out): what the answer stage is
    given (the question as the dense model reads it, the passages, the sentences' dense
    similarities), so that the features can be recomputed without retrieving again. Each item
    names its `source` (the data set), so that figures can be read per data set."""
    engine = xquad.engine_for(xquad.prepare_home(home, articles), warm=False)
    retriever = engine.retriever()
    out = []
    for n, q in enumerate(xquad.load_questions(questions)):
        text = normalize(q["question"]).strip()
        for blind in (False, True):
            passages = retriever.search(text, k=k, exclude=frozenset({q["article"]}) if blind else frozenset())
            seen = {}

            def dense(where, text=text, seen=seen):
                seen["sims"] = retriever.dense_similarity(text, where)
                return seen["sims"]
            accented = retriever.with_diacritics(text)
            prepare(accented, passages, dense=dense)
            out.append({"id": q["id"], "group": q["group"], "article": q["article"], "blind": blind, "source": source,
                        "answers": q["answers"], "question": accented, "passages": passages,
                        "sims": seen.get("sims", np.zeros((0, 2)))})
        if n % 200 == 0:
            print(f"  {n} questions", flush=True)
    return out


def masked(items: list[dict]) -> list[dict]:
    """Each answerable setting again without the passages that hold its gold: unanswerable from
    its own article, the hard case ("the article is about the asked place, not about what is
    asked of it") that leaving the whole article out never shows the confidence model."""
    from qa.answer.candidates import sentences
    out = []
    for i in items:
        if i["blind"]:
            continue
        keys = lambda ps: [(ps[s.passage].article.id, ps[s.passage].start + s.start) for s in sentences(ps)]  # noqa: E731
        sims = dict(zip(keys(i["passages"]), i["sims"]))
        kept = [p for p in i["passages"] if not xquad.holds(p.text, i["answers"])]
        if not kept or len(kept) == len(i["passages"]):
            continue
        out.append({**i, "blind": True, "masked": True, "passages": kept,
                    "sims": np.array([sims[k] for k in keys(kept)]).reshape(-1, 2)})
    return out


def featurise(items: list[dict]) -> list[dict]:
    """Candidates, feature rows (the current `features.NAMES`), F1 and holds of every item."""
    for i in items:
        prep = prepare(i["question"], i["passages"], dense=lambda where, sims=i["sims"]: sims)
        texts = [c.text for c in prep.candidates]
        i["X"], i["texts"] = prep.features.astype(np.float32), texts
        i["f1"] = np.array([0.0 if i["blind"] else xquad.f1(t, i["answers"]) for t in texts])
        i["holds"] = np.array([False if i["blind"] else xquad.holds(t, i["answers"]) for t in texts], dtype=bool)
    return items
