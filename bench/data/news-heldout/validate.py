#!/usr/bin/env python3
"""Validate the held-out news QA set. Exit code 0 = all checks passed."""
import collections
import json
import pathlib
import re
import sys
import unicodedata

HERE = pathlib.Path(__file__).resolve().parent
ART = HERE / "articles"
errors, notes = [], []

def nfc(s): return unicodedata.normalize("NFC", s)

# ---- articles ----
arts = {}
for p in sorted(ART.glob("*.txt")):
    raw = p.read_text(encoding="utf-8")
    if raw != nfc(raw):
        errors.append(f"{p.name}: not NFC")
    text = nfc(raw)
    lines = text.split("\n")
    if not lines[0].strip() or lines[1].strip() != "":
        errors.append(f"{p.name}: first line must be title followed by a blank line")
    body = "\n".join(lines[2:])
    n = len(body.split())
    if not 350 <= n <= 700:
        errors.append(f"{p.name}: body has {n} words (want 350-700)")
    if re.search(r"[ \t]+\n", text):
        notes.append(f"{p.name}: trailing whitespace")
    arts[p.stem] = text
    notes.append(f"article {p.stem}: {n} words (body), {len(text.split())} incl. title")
if len(arts) != 8:
    errors.append(f"expected 8 articles, found {len(arts)}")

# ---- questions ----
rows = []
for i, line in enumerate((HERE / "questions.jsonl").read_text(encoding="utf-8").splitlines(), 1):
    try:
        r = json.loads(line)
    except Exception as e:
        errors.append(f"line {i}: JSON error {e}"); continue
    if set(r) != {"question", "article", "answers", "group", "id"}:
        errors.append(f"line {i}: keys {sorted(r)}")
    if r.get("group") not in ("vi", "vi-nodiac", "en"):
        errors.append(f"line {i}: bad group {r.get('group')}")
    if r.get("article") not in arts:
        errors.append(f"line {i}: unknown article {r.get('article')}")
    if not isinstance(r.get("answers"), list):
        errors.append(f"line {i}: answers not a list")
    rows.append(r)

by_id = collections.defaultdict(list)
for r in rows:
    by_id[r["id"]].append(r)
for qid, rs in by_id.items():
    groups = sorted(r["group"] for r in rs)
    if groups != ["en", "vi", "vi-nodiac"]:
        errors.append(f"{qid}: groups {groups}")
    if len({r["article"] for r in rs}) != 1 or len({json.dumps(r["answers"], ensure_ascii=False) for r in rs}) != 1:
        errors.append(f"{qid}: article/answers differ between forms")
    qs = [r["question"] for r in rs]
    if len(set(qs)) != 3:
        errors.append(f"{qid}: forms not distinct")

qtype = {}
for ln in (HERE / "question_types.tsv").read_text(encoding="utf-8").splitlines()[1:]:
    i, _, ty = ln.split("\t"); qtype[i] = ty
if set(qtype) != set(by_id):
    errors.append("question_types.tsv ids differ from questions.jsonl ids")
ambiguous = []
for r in rows:
    q = r["question"]
    if q != nfc(q):
        errors.append(f"{r['id']}/{r['group']}: question not NFC")
    if r["group"] == "vi-nodiac":
        bad = [c for c in unicodedata.normalize("NFD", q) if unicodedata.category(c) == "Mn" or c in "đĐ" or ord(c) > 127]
        if bad:
            errors.append(f"{r['id']}: vi-nodiac has non-ASCII/diacritics {bad}")
    if r["group"] == "vi" and q == unicodedata.normalize("NFC", "".join(
            c for c in unicodedata.normalize("NFD", q) if unicodedata.category(c) != "Mn")) and "đ" not in q.lower():
        notes.append(f"{r['id']}: vi form has no diacritics at all")
    if r["group"] != "vi":
        continue
    text = arts.get(r["article"], "")
    for a in r["answers"]:
        if a != nfc(a):
            errors.append(f"{r['id']}: answer not NFC: {a!r}")
        if a != a.strip() or not a:
            errors.append(f"{r['id']}: answer has surrounding whitespace/empty: {a!r}")
        if nfc(a) not in text:
            errors.append(f"{r['id']}: answer not in article {r['article']}: {a!r}")
        n_tok = len(a.split())
        primary = (a == r["answers"][0])
        limit = (10 if qtype.get(r["id"]) == "why" else 8) if primary else 12
        if n_tok > limit:
            errors.append(f"{r['id']}: {'primary' if primary else 'alternate'} answer has {n_tok} tokens (> {limit}): {a!r}")
        c = text.count(nfc(a))
        if c > 1:
            ambiguous.append(f"{r['id']}: {a!r} occurs {c}x")

ids = sorted(by_id)
ans_ids = [i for i in ids if by_id[i][0]["answers"]]
un_ids = [i for i in ids if not by_id[i][0]["answers"]]
per_art = collections.Counter(by_id[i][0]["article"] for i in ans_ids)
for a in arts:
    if per_art[a] != 8:
        errors.append(f"{a}: {per_art[a]} answerable ids (want 8)")
if len(un_ids) != 10:
    errors.append(f"{len(un_ids)} unanswerable ids (want 10)")

# unanswerable probes: the key entity/figure asked about must not appear in any article
PROBES = {"un01": ["hồ tiêu", "tiêu đen"], "un02": ["Lâm Đồng"], "un03": ["thủ môn của SLNA", "thủ môn của Sông Lam", "thủ môn đội chủ nhà"],
          "un04": ["Phú Yên"], "un05": ["Hà Giang", "shan tuyết"], "un06": ["điểm trung bình", "điểm bình quân"],
          "un07": ["vé tháng"], "un08": ["trường học", "điểm trường"], "un09": ["định giá"], "un10": ["tuyến số 2", "tuyến metro số 2", "đường sắt đô thị số 2"]}
alltext = "\n".join(arts.values()).lower()
for qid, ps in PROBES.items():
    for p in ps:
        if nfc(p).lower() in alltext:
            errors.append(f"{qid}: probe {p!r} found in an article - may be answerable")

print(f"articles: {len(arts)}; lines: {len(rows)}; ids: {len(ids)} ({len(ans_ids)} answerable, {len(un_ids)} unanswerable)")
print("groups:", dict(collections.Counter(r["group"] for r in rows)))
for n in notes: print("note:", n)
for a in ambiguous: print("info (answer string occurs more than once):", a)
if errors:
    print(f"FAILED: {len(errors)} error(s)")
    for e in errors: print("  ERROR:", e)
    sys.exit(1)
print("OK: all checks passed")
