"""What a question asks for (the rule stage), read from the question alone.

`classify_question`: the kind of answer (KINDS), the noun or unit counted ("How many
students" -> count of "học sinh"; English via `english`), whether several answers are wanted.
Also the question's function words (`is_stopword`) and whether it is English, which `terms`
reads too. Does not pick the evidence a passage must hold (`terms`), and does not look at passages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from qa.answer.asking import names_article
from qa.answer.rules.english import english_type
from qa.lang.glossary import glossary, stem
from qa.lang.language import detect_language
from qa.lang.numbers import folded_measure_words
from qa.lang.text import fold, has_diacritics, normalize
from qa.lang.wordlists import table

KINDS = ("amount", "count", "percent", "person", "date", "place", "org", "list", "code", "period", "author", "other")


@cache
def question_stopwords() -> tuple[frozenset[str], frozenset[str]]:
    """(accented, folded): the Vietnamese function words of a question
    (`qa/data/question_stopwords.json`). They carry no topic and never count as evidence.
    Without diacritics some of them collide with content words (đang/đảng, thế/thể), which the
    data file lists; those are left out of the folded set."""
    data = table("question_stopwords")
    accented = frozenset(data["accented"])
    return accented, frozenset(fold(w) for w in accented) - frozenset(data["folded_collisions"])


def is_stopword(word: str, accented: bool) -> bool:
    """`accented`: the question was typed with diacritics, so `word` can be checked exactly."""
    w = word.lower()
    accented_words, folded_words = question_stopwords()
    return w in accented_words if accented else fold(w) in folded_words


# "Ai là tác giả bài viết về ...?", "Who wrote the article on ...?" (folded).
_AUTHOR = re.compile(r"\b(tac gia|ai (?:da )?viet|nguoi viet|(?:duoc )?viet boi|phong vien nao|but danh|"
                     r"who (?:wrote|authored|reported)|author|written by|byline)\b")
# A quoted name: no rate for `classify_question` ("“Việc tốt mỗi ngày”"), a term of its own for `terms`.
QUOTE = re.compile(r"[“\"‘]([^”\"’]{3,})[”\"’]|(?<!\w)'([^']{3,}?)'(?!\w)")


@dataclass(frozen=True)
class QuestionType:
    kind: str  # one of KINDS
    nouns: tuple[str, ...] = ()  # what is counted or named, in Vietnamese ("học sinh"; "huyện")
    unit: str | None = None  # "VND", "%", "m", ... when the question names a unit
    english: bool = False
    total: bool = False  # "in total", "tất cả": the largest figure, not a part of it
    per: str | None = None  # "tháng" for "mỗi tháng" / "each month": a rate is wanted
    unknown_noun: bool = False  # it counts something the English glossary cannot translate
    several: bool = False  # "những huyện nào", "which districts": every article's answer is wanted

    @property
    def noun(self) -> str | None:
        return self.nouns[0] if self.nouns else None


def is_english(question: str) -> bool:
    # Document codes and acronyms ("01-KL/TW", "UBND") are not English words.
    return detect_language(re.sub(r"\S*\d\S*|\b[A-ZĐ]{2,}\b", " ", question)) == "en"


def _after(question: str, pattern: str, n: int = 2) -> str | None:
    """Up to n content syllables, as written, right after folded `pattern` in the question."""
    words = re.findall(r"\w+|%", normalize(question).lower())
    accented = has_diacritics(question)
    folded = " ".join(fold(w) for w in words)
    m = re.search(rf"(?:^|\s){pattern}\s", folded + " ")
    if not m:
        return None
    i = len(folded[:m.end()].split())
    out = []
    for w in words[i:i + n]:
        if is_stopword(w, accented) or fold(w) in ("nao", "gi", "duoc"):
            break
        out.append(w)
    return " ".join(out) or None


def _written(question: str, folded_phrase: str) -> str:
    """The words of the question, as written, whose folded form is `folded_phrase`."""
    words = re.findall(r"\w+", normalize(question).lower())
    n = len(folded_phrase.split())
    for i in range(len(words) - n + 1):
        if " ".join(fold(w) for w in words[i:i + n]) == folded_phrase:
            return " ".join(words[i:i + n])
    return folded_phrase


def _vi_type(question: str) -> QuestionType:
    q = " ".join(re.findall(r"\w+|%", fold(normalize(question))))
    total = bool(re.search(r"\b(tat ca|tong cong|tong so|toan bo|tong)\b", q))
    if re.search(r"\b(phan tram|ty le|ti le)\b|%", q):
        noun = _after(question, r"phan tram") or _after(question, r"ty le")
        return QuestionType("percent", (noun,) if noun else (), "%")
    if re.search(r"\b(giai doan|thoi ky|nhiem ky) nao\b", q):
        return QuestionType("period")
    for word, letters in glossary().code_words.items():
        if re.search(rf"\b{fold(word)} (nao|so may|so bao nhieu|gi)\b", q):
            return QuestionType("code", (word,), letters or None)
    if re.search(r"\b(khi nao|bao gio|ngay nao|nam nao|thang nao|thoi gian nao|thoi diem nao|luc nao)\b", q):
        return QuestionType("date")
    if re.search(r"\b(do ai|cua ai|boi ai)\b", q):  # "by whom": a person or a body
        return QuestionType("person", ("tổ chức",))
    if re.search(r"\b(la ai|ai la|nguoi nao|dong chi nao|ong nao|ba nao)\b|^ai\b", q):
        return QuestionType("person")
    for word in sorted(glossary().place_words, key=len, reverse=True):  # "địa phương nào" is not "phường nào"
        if re.search(rf"\b{fold(word)} nao\b", q):
            return QuestionType("place", (word,))
    if re.search(r"\b(o dau|tai dau|noi nao|cho nao)\b", q):
        return QuestionType("place")
    for word in glossary().org_words:
        if re.search(rf"\b{fold(word)} nao\b", q):
            return QuestionType("org", (word,))
    m = re.search(r"\b(nhung|cac) ((?:\w+ ){1,3}?)(?:nao|gi)\b", q)
    if m:
        noun = _after(question, m.group(1), len(m.group(2).split()))
        return QuestionType("list", (noun,) if noun else ())
    m = re.search(r"(?:(\w+) )?(\w+) gi\b", q)  # "công tác gì": what kind of work -> what follows it
    if m and m.group(2) not in ("la", "lam", "de", "vi", "co"):
        folded = f"{m.group(1)} {m.group(2)}" if m.group(1) and m.group(1) not in question_stopwords()[1] | {"la"} else m.group(2)
        return QuestionType("list", (_written(question, folded),))
    if re.search(r"\bbao nhieu (tien|dong)\b|\b(so tien|kinh phi|gia tri|tri gia)\b|^gia\b", q):
        return QuestionType("amount", (), "VND", total=total)
    m = re.search(r"\b(?:bao nhieu|may)\s+(\w+(?: \w+)?)", q)
    for word, unit in folded_measure_words():
        if m and (m.group(1) == word or m.group(1).startswith(word + " ")):
            return QuestionType("amount", (), unit, total=total)
    if re.search(r"\b(dai|rong|cao|sau|xa) bao nhieu\b|\b(chieu dai|do dai|khoang cach)\b", q):
        return QuestionType("amount", (), "m", total=total)
    if re.search(r"\bdien tich\b", q):
        return QuestionType("amount", (), "m2", total=total)
    if m:
        noun = _after(question, r"(?:bao nhieu|may)")
        return QuestionType("count", (noun,) if noun else (), total=total)
    if re.search(r"\bbao nhieu\b", q):  # nothing named: money when money moves, else any figure
        money = re.search(r"\b(huy dong|quyen gop|ung ho|dong gop|trich|dau tu|chi tra|kinh phi|gia)\b", q)
        return QuestionType("amount", (), "VND", total=total) if money else QuestionType("count", (), total=total)
    return QuestionType("other")


def _several(question: str, english: bool) -> bool:
    """A plural question: "những/các huyện nào", "which districts" (not "which ward")."""
    folded = " ".join(re.findall(r"\w+", fold(question)))
    if not english:
        return bool(re.search(r"\b(nhung|cac) (?:\w+ ){1,3}?nao\b", folded))
    m = re.search(r"\b(?:which|what) (\w+)", folded)
    return bool(m and m.group(1).endswith("s") and not m.group(1).endswith("ss") and stem(m.group(1)) != m.group(1))


@lru_cache(maxsize=4096)  # `staged_answer` reads the kind before the rule stage reads the question
def classify_question(question: str) -> QuestionType:
    """The kind of answer a question wants (Vietnamese with or without diacritics, English)."""
    english = is_english(question)
    if _AUTHOR.search(fold(question)) and names_article(question):  # the byline answers it, not the article's text
        return QuestionType("author", english=english)
    qtype = QuestionType(**english_type(question), english=True) if english else _vi_type(question)
    if _several(question, english):
        qtype = replace(qtype, several=True)
    folded = fold(QUOTE.sub(" , ", question))  # "“Việc tốt mỗi ngày”" is a name, not a rate
    per = re.search(r"\b(?:moi|hang|mot|each|per|a|every) (thang|nam|ngay|month|year|day)\b|\b(month|year|dai)ly\b", folded)
    if per:
        unit = per.group(1) or per.group(2)
        return replace(qtype, per={"month": "tháng", "year": "năm", "day": "ngày", "dai": "ngày", "thang": "tháng",
                                   "nam": "năm", "ngay": "ngày"}[unit])
    return qtype
