"""What a question asks for, and which of its words a passage must contain (the rule stage).

`classify_question`: the kind of answer (KINDS), the noun or unit counted ("How many
students" -> count of "học sinh"; English via `english`), whether several answers are wanted.
`question_terms`: the evidence to look for (names, numbers, quoted names, content words),
folded so questions typed without diacritics match. Does not look at passages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from qa.answer.asking import names_article
from qa.answer.rules.english import english_type
from qa.lang.glossary import english_terms, glossary, stem, vi_synonyms
from qa.lang.language import detect_language
from qa.lang.numbers import folded_measure_words, vi_words
from qa.lang.numwords import as_digits
from qa.lang.text import drop_thousands_dots, fold, has_diacritics, normalize
from qa.lang.wordlists import table

KINDS = ("amount", "count", "percent", "person", "date", "place", "org", "list", "code", "period", "author", "other")
# Vietnamese function words of a question (`qa/data/question_stopwords.json`): they carry no
# topic and never count as evidence. Without diacritics some of them collide with content
# words (đang/đảng, thế/thể), which the data file lists; those are left out of the folded set.
STOPWORDS_ACCENTED = frozenset(table("question_stopwords")["accented"])
STOPWORDS = frozenset(fold(w) for w in STOPWORDS_ACCENTED) - frozenset(table("question_stopwords")["folded_collisions"])


def is_stopword(word: str, accented: bool) -> bool:
    """`accented`: the question was typed with diacritics, so `word` can be checked exactly."""
    w = word.lower()
    return w in STOPWORDS_ACCENTED if accented else fold(w) in STOPWORDS


_TOKEN = re.compile(r"\d+(?:[.,/-]\d+)*(?:-[A-ZĐ]+/[A-ZĐ]+)?|[^\W\d_]+", re.UNICODE)


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


@dataclass(frozen=True)
class Term:
    """One piece of evidence: any of `forms` (folded syllable tuples) found in a passage."""

    forms: tuple[tuple[str, ...], ...]
    weight: float
    required: bool = False  # proper names and numbers: a passage without them is off topic
    label: str = ""
    single: bool = False  # a one-syllable word: found inside a compound ("giá" in "giá trị") it counts less
    name: bool = False  # a proper name of the question
    # A quoted name, word by word (alternative folded forms of each): found loosely, see
    # `evidence.loose_hits`. `scattered`: an English quote translated word by word, whose
    # Vietnamese words may come in any order with other words between them.
    parts: tuple[tuple[tuple[str, ...], ...], ...] = ()
    scattered: bool = False


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
        folded = f"{m.group(1)} {m.group(2)}" if m.group(1) and m.group(1) not in STOPWORDS | {"la"} else m.group(2)
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
    folded = fold(_QUOTE.sub(" , ", question))  # "“Việc tốt mỗi ngày”" is a name, not a rate
    per = re.search(r"\b(?:moi|hang|mot|each|per|a|every) (thang|nam|ngay|month|year|day)\b|\b(month|year|dai)ly\b", folded)
    if per:
        unit = per.group(1) or per.group(2)
        return replace(qtype, per={"month": "tháng", "year": "năm", "day": "ngày", "dai": "ngày", "thang": "tháng",
                                   "nam": "năm", "ngay": "ngày"}[unit])
    return qtype


def _forms(phrase: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in re.findall(r"\w+", phrase))


def names_in(question: str) -> list[str]:
    """Proper names: runs of capitalised syllables not opening the question ("Quỳnh Nhai")."""
    text = _QUOTE.sub(" , ", re.sub(r"[“”\"‘’][^“”\"‘’]*[“”\"‘’]", " , ", normalize(question)))  # quotes are terms of their own
    english = is_english(question)
    names, run = [], []
    for m in re.finditer(r"\w+|[^\w\s]", text):
        word = m.group(0)
        # The question's first word is capitalised anyway: a name only if a capitalised word follows.
        following = re.match(r"\s+(\w)", text[m.end():])
        opening = not names and not run and not text[:m.start()].strip() and not (
            following and following.group(1).isupper()) or (not names and not run and fold(word) in glossary().english_words)
        if word[0].isupper() and not word[0].isdigit() and not opening and not (english and fold(word) in glossary().english_words):
            run.append(word)
            continue
        if run:
            names.append(" ".join(run))
        run = []
    if run:
        names.append(" ".join(run))
    # One syllable without diacritics ("Ho", "KH") is too weak to call a name.
    return [n for n in names if " " in n or fold(n) != n.lower()]


# "Ai là tác giả bài viết về ...?", "Who wrote the article on ...?" (folded).
_AUTHOR = re.compile(r"\b(tac gia|ai (?:da )?viet|nguoi viet|(?:duoc )?viet boi|phong vien nao|but danh|"
                     r"who (?:wrote|authored|reported)|author|written by|byline)\b")

# Phrases that only set the time of asking or the form of the answer.
_STOP_PHRASES = re.compile(r"(?i)\b(hiện nay|hôm nay|bây giờ|như thế nào|thế nào|là gì|là bao nhiêu|bao nhiêu|"
                           r"(?:ngày|năm|tháng|khi|lúc|thời gian|thời điểm) nào|bao giờ|ở đâu|tại đâu|là ai)\b")
_CODE = re.compile(r"\d+\s?[-–]\s?[A-ZĐ]+/[A-ZĐ]+")
_QUOTE = re.compile(r"[“\"‘]([^”\"’]{3,})[”\"’]|(?<!\w)'([^']{3,}?)'(?!\w)")


def _digit_variant(forms: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """The forms plus their spelled-out numbers as digits ("thu bay" -> also "thu 7")."""
    # One syllable alone is too ambiguous without diacritics ("bay" is also "fly").
    extra = tuple(d for f in forms if len(f) > 1 and (d := tuple(as_digits(w) for w in f)) != f and d not in forms)
    return forms + extra


def _quote_term(quote: str, english: bool) -> tuple[Term | None, set[str]]:
    """The evidence for a quoted name, and the English words it covers. A Vietnamese quote
    must be found nearly as written (spelled-out numbers = digits, a word more or less); an
    English one through the glossary, word by word. A passage without it is off topic."""
    words = _forms(quote)
    vietnamese = has_diacritics(quote) or not english or not any(w in glossary().english_words for w in words)
    if vietnamese:
        parts = tuple(((as_digits(w),),) for w in words)
        return Term(_digit_variant((words,)), 1.0 + 0.3 * len(words), required=len(words) >= 2, label=quote,
                    parts=parts if len(words) >= 2 else ()), set()
    # Words the glossary does not know stay as parts nobody can find: "Friday for the
    # environment" is not found through "environment" alone.
    parts = tuple(forms for _, forms in english_terms(quote))
    if len(parts) < 2:  # one word: evidence like any other word
        return None, set()
    return Term((), 1.0 + 0.3 * len(parts), required=True, label=quote, parts=parts, scattered=True), \
        {fold(w) for w in re.findall(r"[^\W\d_]+", quote)}


def question_terms(question: str, qtype: QuestionType) -> list[Term]:
    """The evidence a passage should hold: names and numbers (required), quotes, content words."""
    text = normalize(question)
    english = is_english(text)
    terms: list[Term] = []
    quoted_english: set[str] = set()
    for m in _QUOTE.finditer(text):
        term, english_words = _quote_term(m.group(1) or m.group(2), english)
        terms.extend([term] if term else [])
        quoted_english |= english_words
    for name in names_in(text):
        several = " " in name  # a one-syllable capitalised word may be a common noun ("Bác")
        terms.append(Term((_forms(name),), 2.0 if several else 1.5, required=several, label=name, name=True))
    for code in _CODE.findall(text):
        terms.append(Term((_forms(code),), 1.5, label=code))
    for num in re.findall(r"\b\d+(?:[./]\d+)*\b", _QUOTE.sub(" , ", text)):  # a quote's numbers are its own
        terms.append(Term(((drop_thousands_dots(num),),), 1.5, required=len(num) >= 4, label=num))
    skip = {fold(w) for n in qtype.nouns for w in n.split()}
    covered = {w for t in terms for f in t.forms for w in f}
    if english:
        for label, forms in english_terms(text, covered | quoted_english):
            if not forms:  # an English word the glossary does not know: evidence nobody can find
                terms.append(Term((), 1.0, label=label))
            elif not any(set(f) <= skip for f in forms):
                terms.append(Term(forms, 1.0, label=label))
        return terms
    text = _STOP_PHRASES.sub(" , ", _QUOTE.sub(" , ", _CODE.sub(" , ", text)))
    accented = has_diacritics(text)
    written = [w for w in _TOKEN.findall(text) if not w[0].isdigit()]
    words = [None if is_stopword(w, accented) else fold(w) for w in written]
    pairs = list(zip(words, words[1:]))
    if accented:  # whole words: "giá" must not be found inside "giá trị"
        segmented = [tuple(fold(w) for w in word.split()) for word in vi_words(text)]
        for word, sylls in zip(vi_words(text), segmented):
            if not sylls or sylls[0][:1].isdigit() or set(sylls) <= covered or all(is_stopword(w, True) for w in word.split()):
                continue
            if len(sylls) == 1:
                terms.append(Term((sylls,), 0.5 if sylls[0] in skip else 0.8, single=True, label=word))
            else:
                for i in range(len(sylls) - 1):
                    pair = sylls[i:i + 2]
                    terms.append(Term(vi_synonyms(pair), 0.6 if set(pair) <= skip else 1.2, label=" ".join(pair)))
        # Adjacent one-syllable words may still be one word in the article ("thiện nguyện").
        singles = [s[0] if len(s) == 1 and not is_stopword(s[0], False) else None for s in segmented]
        pairs = list(zip(singles, singles[1:]))
    else:
        for w in dict.fromkeys(w for w in words if w and w not in covered):
            terms.append(Term(((w,),), 0.6 if w in skip else 1.0, label=w))
    labels = {t.label for t in terms}
    for a, b in pairs:
        if a and b and not {a, b} <= covered and f"{a} {b}" not in labels:
            terms.append(Term(((a, b),), 0.8, label=f"{a} {b}"))
    return [replace(t, forms=_digit_variant(t.forms)) if not (t.name or t.parts) else t for t in terms]
