"""Diacritics for a question typed without them, from the corpus' own usage.

`accent_table` maps each folded syllable and syllable pair of a corpus to its most frequent
accented form; `restore_diacritics` puts marks back on a folded question with it. Lossy by
nature: the result is an extra query for search, never displayed.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from .text import fold, syllables

# Frequent words of questions, which news text rarely contains, in their accented form:
# restoring diacritics prefers these over the corpus ("bao nhieu" -> "bao nhiêu", not "bảo nhiều").
COMMON_WORDS = (
    "bao nhiêu mấy nào gì ai ở đâu khi nào năm nào ngày nào tháng nào thế nào như thế nào tại sao vì sao "
    "tất cả có không là của được những các đã và thì còn trong ngoài tiền phần trăm người huyện xã tỉnh "
    "thành phố mô hình đảng viên cán bộ học sinh"
).split()


def accent_table(texts) -> dict[str, str]:
    """folded syllable / syllable pair -> its most frequent accented form in `texts`."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        sylls = syllables(text)
        for a in sylls:
            counts[fold(a)][a] += 1
        for a, b in zip(sylls, sylls[1:]):
            counts[f"{fold(a)} {fold(b)}"][f"{a} {b}"] += 1
    return {key: forms.most_common(1)[0][0] for key, forms in counts.items() if forms.most_common(1)[0][0] != key}


def _common_table() -> dict[str, str]:
    table: dict[str, str] = {}
    words = COMMON_WORDS
    for a, b in zip(words, words[1:]):
        table.setdefault(f"{fold(a)} {fold(b)}", f"{a} {b}")
    for a in words:
        table.setdefault(fold(a), a)
    return table


def restore_diacritics(text: str, table: dict[str, str]) -> str:
    """Put diacritics back on a question typed without them, from the corpus' own usage:
    "quynh nhai huy dong" -> "quỳnh nhai huy động". Greedy, pairs before single syllables;
    common question words first. Lossy by nature: used as an extra query, never displayed."""
    common = _common_table()
    sylls = [fold(s) for s in syllables(text)]
    out, i = [], 0
    while i < len(sylls):
        pair = f"{sylls[i]} {sylls[i + 1]}" if i + 1 < len(sylls) else None
        hit = pair and (common.get(pair) or table.get(pair))
        if hit:
            out.append(hit)
            i += 2
            continue
        out.append(common.get(sylls[i]) or table.get(sylls[i]) or sylls[i])
        i += 1
    return " ".join(out)


