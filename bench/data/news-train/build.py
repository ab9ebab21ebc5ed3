"""Make questions.jsonl (the eval format, three forms per question) from questions.tsv, and check.

    python bench/data/news-train/build.py

questions.tsv holds one question a line: article slug, the Vietnamese question, the gold span
(copied from the article), the English question. The unaccented form is made here, as XQuAD-dev's
is: diacritics removed and đ → d, case and punctuation kept. Fails (exit 1) when a gold span is
not in its article's text or an article is not NFC.
"""
from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent


def unaccented(text: str) -> str:
    """'Đà Nẵng huy động bao nhiêu?' -> 'Da Nang huy dong bao nhieu?'"""
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                                if unicodedata.category(c) != "Mn"))


def main() -> int:
    articles = {p.stem: p.read_text(encoding="utf-8") for p in sorted((HERE / "articles").glob("*.txt"))}
    errors = [f"{name}: not NFC" for name, text in articles.items() if text != unicodedata.normalize("NFC", text)]
    rows, seen = [], set()
    for n, line in enumerate((HERE / "questions.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        slug, vi, gold, en = (unicodedata.normalize("NFC", f.strip()) for f in line.split("\t"))
        if slug not in articles:
            errors.append(f"line {n}: no article {slug}")
        elif gold not in articles[slug]:
            errors.append(f"line {n}: gold {gold!r} not in {slug}")
        if vi in seen:
            errors.append(f"line {n}: duplicate question")
        seen.add(vi)
        qid = f"{slug}-{sum(r['article'] == slug for r in rows) // 3 + 1:02d}"
        for group, text in (("vi", vi), ("vi-nodiac", unaccented(vi)), ("en", en)):
            rows.append({"question": text, "article": slug, "answers": [gold], "group": group, "id": qid})
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    (HERE / "questions.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(articles)} articles, {len(rows) // 3} questions × 3 forms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
