"""Diacritic restoration (qa.lang.accents.restore_diacritics): syllable accuracy on XQuAD-dev questions.

    python bench/restore.py [--home DIR] [--method restore|corpus-only|pyvi]

Each vi-nodiac question of ../shared/eval/xquad-dev/questions.jsonl has a parallel `vi`
form (same id), the question as a person typed it. The restored question is compared with
it syllable by syllable (lower case, NFC; pairs whose syllable counts differ are skipped and
counted). The corpus' own usage is the accent table of the 24 XQuAD articles (HOME/seeds, as
`qa index` builds it). Methods: `restore` (the shipped one: corpus + general Vietnamese),
`corpus-only` (the corpus table alone, greedy, pairs first: the rule before this change),
`previous` (the same behind the old list of seed words), `pyvi` (pyvi's CRF add_accents, no
corpus). `--seeds DIR` measures on the sentences of DIR's articles instead, each restored
with the accent table of the other articles (news text, unseen by the table). Prints accuracy over all syllables and over the
syllables whose folded form has more than one accented reading in the gold text, and the
median time per question.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.lang.accents import accent_table, restore_diacritics  # noqa: E402
from qa.lang.text import fold, syllables  # noqa: E402


def corpus_only(text: str, table: dict[str, str]) -> str:
    sylls = [fold(s) for s in syllables(text)]
    out, i = [], 0
    while i < len(sylls):
        pair = f"{sylls[i]} {sylls[i + 1]}" if i + 1 < len(sylls) else None
        if pair and pair in table:
            out.append(table[pair])
            i += 2
            continue
        out.append(table.get(sylls[i], sylls[i]))
        i += 1
    return " ".join(out)


# The rule before issue 12, for the "before" row: the corpus table, greedy, behind a short
# list of question and seed-article words (the list was dropped: it came from the seeds).
PREVIOUS_COMMON = (
    "bao nhiêu mấy nào gì ai ở đâu khi nào năm nào ngày nào tháng nào thế nào như thế nào tại sao vì sao "
    "tất cả có không là của được những các đã và thì còn trong ngoài tiền phần trăm người huyện xã tỉnh "
    "thành phố mô hình đảng viên cán bộ học sinh"
).split()


def previous(text: str, table: dict[str, str]) -> str:
    common = {}
    for a, b in zip(PREVIOUS_COMMON, PREVIOUS_COMMON[1:]):
        common.setdefault(f"{fold(a)} {fold(b)}", f"{a} {b}")
    for a in PREVIOUS_COMMON:
        common.setdefault(fold(a), a)
    return corpus_only(text, {**table, **common})


def pyvi_method(text: str, table: dict[str, str]) -> str:
    from pyvi import ViUtils

    return " ".join(syllables(ViUtils.add_accents(" ".join(fold(s) for s in syllables(text)))))


METHODS = {"restore": restore_diacritics, "corpus-only": corpus_only, "previous": previous, "pyvi": pyvi_method}


def seed_pairs(seeds: Path) -> list[tuple[str, str, dict[str, str]]]:
    """(folded sentence, the sentence, accent table of the OTHER articles) for every sentence of
    every seed article: restoration measured on news text whose own words the table lacks."""
    from qa.ingest.chunking import sentence_spans

    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))}
    out = []
    for name, text in texts.items():
        table = accent_table([t for n, t in texts.items() if n != name])
        for s, e in sentence_spans(text):
            out.append((fold(text[s:e]), text[s:e], table))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=str(Path(__file__).resolve().parent / "out" / "xquad-home"))
    ap.add_argument("--questions", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "xquad-dev" / "questions.jsonl"))
    ap.add_argument("--method", choices=sorted(METHODS), action="append")
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--seeds", type=Path, help="measure on these articles' sentences instead (leave one article out)")
    args = ap.parse_args()
    texts = []
    for path in sorted(Path(args.home, "seeds").glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        texts.append(title + "\n" + body)
    table = accent_table(texts)
    rows = [json.loads(line) for line in Path(args.questions).read_text(encoding="utf-8").splitlines()]
    gold = {r["id"]: r["question"] for r in rows if r["group"] == "vi"}
    pairs = [(r["question"], gold[r["id"]], table) for r in rows if r["group"] == "vi-nodiac" and r["id"] in gold]
    if args.seeds:
        pairs = seed_pairs(args.seeds)
    ambiguous_keys = {}
    for _, g, _ in pairs:
        for s in syllables(g):
            ambiguous_keys.setdefault(fold(s), set()).add(s)
    print("| method | items | skipped | syllable accuracy | on ambiguous syllables | ms per question (p50) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.method or ["previous", "restore"]:
        method = METHODS[name]
        method("warm up", table)
        right = total = amb_right = amb_total = skipped = 0
        took, shown = [], 0
        for plain, accented, corpus in pairs:
            t0 = time.perf_counter()
            out = method(plain, corpus).split()
            took.append((time.perf_counter() - t0) * 1000)
            want = syllables(accented)
            if len(out) != len(want):
                skipped += 1
                continue
            for o, w in zip(out, want):
                total += 1
                right += o == w
                if len(ambiguous_keys.get(fold(w), ())) > 1 or fold(w) != w:
                    amb_total += 1
                    amb_right += o == w
            if out != want and shown < args.show:
                shown += 1
                print(f"  {' '.join(out)}\n  {' '.join(want)}")
        print(f"| {name} | {len(pairs) - skipped} | {skipped} | {right / total:.3f} | {amb_right / amb_total:.3f} | "
              f"{statistics.median(took):.2f} |")


if __name__ == "__main__":
    main()
