"""Numbers written as words: "năm triệu", "mười một", "hai mươi lăm", "một trăm linh năm",
"hai tỷ rưỡi"; in English text "five million", "twenty-five", "one hundred and five".

`spelled_numbers` returns (start, end, value) for each run of number words in a text. The
words are data (qa/data/number_words.json). A lone digit word is ambiguous in Vietnamese
("năm" is also "year", "một" also "a", "thứ ba" is Tuesday), so a run of one word is kept
only for 2-10 and only when no ordinal word precedes it; `numbers` then keeps it only when a
noun or unit follows. `as_digits` maps a folded digit word to its digits for comparing
names ("thứ bảy" ~ "thứ 7"). Does not read digits ("2 tỷ" is `numbers`' job).
"""
from __future__ import annotations

import re
from functools import lru_cache

from qa.lang.text import fold
from qa.lang.wordlists import table


@lru_cache(maxsize=2)
def _vocab(language: str) -> dict[str, tuple[str, float]]:
    """word -> (role, value); roles: digit ten tens empty half scale hundred and."""
    data = table("number_words")[language]
    vocab: dict[str, tuple[str, float]] = {w: ("digit", float(v)) for w, v in data["digits"].items()}
    for role in ("ten", "tens", "empty_tens", "half"):
        vocab.update({w: (role, 0.0) for w in data.get(role, [])})
    for w, v in data["scales"].items():
        vocab[w] = ("hundred" if v == 100 else "scale", float(v))
    if language == "en":
        vocab["and"] = ("and", 0.0)
    return vocab


def value_of(words: list[str], language: str = "vi") -> float | None:
    """The value of a run of number words, or None when they do not form a number."""
    vocab = _vocab(language)
    total = hundreds = small = 0.0
    last_scale = scale_word = 0.0
    previous = ""
    for word in words:
        role, v = vocab[word]
        if role == "digit":
            # "hai ba" is two numbers; "twenty-five" is one
            if previous == "digit" and not (language == "en" and small % 10 == 0 and small >= 20 and v < 10):
                return None
            small += v
        elif role == "ten":
            small += 10
        elif role == "tens":
            if previous != "digit":
                return None
            small *= 10
        elif role == "hundred":
            hundreds, small = (small or 1) * 100, 0.0
        elif role == "scale":
            if previous == "scale":  # "nghìn tỷ": scales compound
                total += last_scale * (v - 1)
                last_scale *= v
            else:
                last_scale = (hundreds + small or 1) * v
                total += last_scale
                hundreds = small = 0.0
            scale_word = v
        elif role == "half":
            if previous not in ("scale", "hundred"):
                return None
            total += (scale_word / 2) if previous == "scale" else 0.0
            hundreds += 50 if previous == "hundred" else 0.0
        previous = role if role not in ("empty_tens", "and") else previous
    return total + hundreds + small


def spelled_numbers(text: str, language: str = "vi") -> list[tuple[int, int, float]]:
    """(start, end, value) of each run of number words in `text`, in reading order."""
    vocab = _vocab(language)
    words = list(re.finditer(r"[^\W\d_]+", text))
    out, i = [], 0
    while i < len(words):
        j = i
        while j < len(words) and words[j].group(0).lower() in vocab and (
                j == i or text[words[j - 1].end():words[j].start()] in (" ", "-", " and ")):
            j += 1
        run = [w.group(0).lower() for w in words[i:j]]
        while run and vocab[run[-1]][0] in ("empty_tens", "and"):  # "... linh" / "... and" end no number
            run.pop()
            j -= 1
        value = None
        while run and vocab[run[0]][0] in ("digit", "ten", "hundred", "scale") and _acceptable(run, words, i, vocab):
            value = value_of(run, language)  # the longest prefix that reads as one number
            if value is not None:
                break
            run.pop()
            j -= 1
        if value is not None:
            out.append((words[i].start(), words[j - 1].end(), value))
            i = j
        else:
            i += 1
    return out


def _acceptable(run: list[str], words, i: int, vocab) -> bool:
    if vocab[run[0]][0] in ("scale", "hundred") and len(run) == 1:  # "triệu người": no amount
        return False
    if len(run) > 1:
        return True
    before = words[i - 1].group(0).lower() if i > 0 else ""
    data = table("number_words")
    return run[0] not in data["ambiguous_alone"] and before not in data["vi"]["ordinal_heads"]


# Spelled-out small numbers, folded, as digits: "Ngày thứ bảy" and "Ngày thứ 7" name one thing.
# Folded, some collide with other words (năm/nam "year", sáu/sau "after"): compare names only
# after mapping both sides alike, never read running text with it.
@lru_cache(maxsize=1)
def _digit_words() -> dict[str, str]:
    words = table("number_words")["vi"]
    # "lăm"/"nhăm" (5 after mươi) fold to "lam"/"nham", which are far more often làm/nhằm
    out = {fold(w): str(v) for w, v in words["digits"].items() if v and fold(w) not in ("lam", "nham")}
    out.update({fold(w): "10" for w in words["ten"]})
    return out


def as_digits(folded_word: str) -> str:
    """"bay" (bảy, folded) -> "7"; any other word unchanged."""
    return _digit_words().get(folded_word, folded_word)
