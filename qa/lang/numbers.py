"""Numbers in running text: money, percentages, measures, counts, dates, codes.

`find_quantities` returns every figure of a text as a `Quantity` with its exact span,
parsed value, unit and kind. Vietnamese conventions: "4.036" is 4036 (dot = thousands),
"2,1" is 2.1 (comma = decimal); English ones where the text or the figure says so
("1,234,567", "1,234.5", "$1,200", "3.5 million", or `language="en"`). Scale words (nghìn,
triệu, tỷ, thousand, million, ...) compound: "2 tỷ 652 triệu đồng" is 2.652e9 and "1,2
nghìn tỷ đồng" 1.2e12. Any currency of qa/data/units.json ("1,2 tỷ USD", "€20", "5 triệu
yên"). Numbers written as words ("năm triệu", "hai mươi lăm", "five million") are read by
`numwords` and carry `spelled=True`. Document codes ("21-KL/TW") and dates ("31/12/2021")
are recognised first so that their digits are never read as counts. The counted noun of a
count ("09 tập thể") is segmented (longest lexicon match) and kept to at most two syllables
(three after a classifier: "25 con bò"). Word lists: qa/data/units.json, number_words.json,
number_context.json.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.lang.lexicon import segment
from qa.lang.numerals import END, START, english_form, figure_words, parse_number, scaled_value
from qa.lang.numwords import spelled_numbers
from qa.lang.text import fold


def measure_words() -> dict[str, str]:
    """Each way a unit of measure is written (lower case) -> its canonical unit ("mét vuông" -> "m2")."""
    return {written: unit for written, (unit, _) in figure_words().measures.items()}


@lru_cache(maxsize=1)
def folded_measure_words() -> tuple[tuple[str, str], ...]:
    """(folded written form, canonical unit) of every unit of measure, longest form first, so
    that "mét vuông" is tried before "mét"."""
    return tuple(sorted(((fold(w), unit) for w, unit in measure_words().items()), key=lambda wu: -len(wu[0])))


def unit_kind(unit: str | None) -> str | None:
    """What a canonical unit measures ("km" -> "length", "ha" -> "area"), None for no known unit."""
    return figure_words().unit_kinds.get(unit or "")


_CODE = re.compile(rf"{START}(\d+)\s?[-–]\s?([A-ZĐ]{{1,6}})\s?/\s?([A-ZĐ]{{1,6}}){END}")
_DATE = re.compile(rf"{START}(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){END}")
_MONTH = re.compile(rf"{START}(\d{{1,2}})/(\d{{4}}){END}")
# A date written out: "ngày 7 tháng 2 năm 2016", "8 tháng 2 năm 2007", "tháng 7, 1961", "tháng 12".
# The number after "tháng" names a month: read as a count, "tháng 2 năm 2015" gave "2 năm", two
# years. A number before "tháng" is a day only with "ngày" or a year ("6 tháng 2 ngày" is a duration).
_WORDED_DATE = re.compile(rf"(?i)(?<![\w.,/])(ngày\s+)?(?:(\d{{1,2}})\s+)?tháng\s+(\d{{1,2}})"
                          rf"(?:\s*(?:năm\s+|,\s*|/)(\d{{4}}))?{END}")
_PERIOD = re.compile(rf"{START}(?:(\d{{1,2}})/)?((?:19|20)\d\d)\s*[-–]\s*(?:(\d{{1,2}})/)?((?:19|20)\d\d){END}")
_FROM_TO = re.compile(rf"(?i)\btừ\s+(?:năm\s+)?((?:19|20)\d\d)\s+(?:đến|tới)\s+(?:năm\s+)?((?:19|20)\d\d){END}")
_WORD_RUN = re.compile(r"[^\W\d_]+(?:\s+[^\W\d_]+){0,4}")


@dataclass(frozen=True)
class Quantity:
    text: str  # the exact span as written ("hơn 500 cá nhân", "2 tỷ 652 triệu đồng")
    start: int
    end: int
    value: float  # money in its currency, dates as yyyymmdd, periods by their first year
    unit: str | None  # "VND", "%", "m", the counted noun ("tập thể"), the code's letters ("KL/TW")
    kind: str  # money percent count duration length area weight volume year date period code number
    qualifier: str | None = None  # "hơn", "trên", ... ; "hàng"/"nhiều" for vague figures
    upper: float | None = None  # the end of a range ("1 - 2 việc làm", "2016 - 2020")
    per: str | None = None  # "tháng" in "30.000đ/1 tháng"
    noun: str | None = None  # the noun a percentage or count is about ("đảng viên")
    noun_end: int | None = None  # where that noun ends in the text ("100% đảng viên")
    spelled: bool = False  # written as words ("năm triệu đồng", "twenty-five")

    @property
    def vague(self) -> bool:
        return self.qualifier in ("hàng", "nhiều", "vài", "mấy")


def vi_words(text: str) -> tuple[str, ...]:
    """Vietnamese words ("tập thể", "ghi danh"), syllables joined by a space; punctuation
    dropped. Longest match over a lexicon (qa.lang.lexicon.segment): pyvi's CRF agreed on 94.5% of
    the seeds' multi-syllable words but costs ~1.3 s of imports on every `qa ask`."""
    return segment(text)


def _first_word(run: str) -> str:
    return (vi_words(run) or (run.split()[0],))[0]


def _noun_after(text: str, pos: int) -> tuple[str, int] | None:
    """The noun that starts right after `pos` ("09| tập thể, 41 ..." -> "tập thể")."""
    if not text[pos:pos + 1].isspace():
        return None
    m = _WORD_RUN.match(text, pos + 1)
    if not m:
        return None
    figure, run = figure_words(), m.group(0).split()
    if run[0].lower() in figure.non_nouns:
        return None
    if run[0].lower() in ("các", "những") and len(run) > 1:  # "100% các chi bộ"
        run = run[1:]
    first = _first_word(" ".join(run)).split()[:3]
    if len(first) == 1 and first[0].lower() in figure.classifiers and len(run) > 1:
        first = [first[0]] + _first_word(" ".join(run[1:])).split()[:3]
    noun = " ".join(first)
    end = text.index(noun, m.start()) + len(noun) if noun in text[m.start():] else m.start() + len(first[0])
    return noun, end


def _scan(text: str, english: bool) -> list[Quantity]:
    found: list[Quantity] = []

    def free(s: int, e: int) -> bool:
        return all(e <= q.start or s >= q.end for q in found)

    def add(q: Quantity | None) -> None:
        if q is not None and free(q.start, q.end):
            found.append(q)

    for m in _CODE.finditer(text):
        add(Quantity(m.group(0), m.start(), m.end(), float(m.group(1)), f"{m.group(2)}/{m.group(3)}", "code"))
    for m in _PERIOD.finditer(text):
        add(Quantity(m.group(0), m.start(), m.end(), float(m.group(2)), None, "period", upper=float(m.group(4))))
    for m in _FROM_TO.finditer(text):
        add(Quantity(m.group(0), m.start(), m.end(), float(m.group(1)), None, "period", upper=float(m.group(2))))
    for m in _DATE.finditer(text):
        d, mo, y = (int(g) for g in m.groups())
        if 1 <= d <= 31 and 1 <= mo <= 12:
            add(Quantity(m.group(0), m.start(), m.end(), float(y * 10000 + mo * 100 + d), None, "date"))
    for m in _MONTH.finditer(text):
        mo, y = (int(g) for g in m.groups())
        if 1 <= mo <= 12 and 1900 <= y <= 2100:
            add(Quantity(m.group(0), m.start(), m.end(), float(y * 10000 + mo * 100), None, "date"))
    for m in _WORDED_DATE.finditer(text):
        said_day, (d, mo, y) = m.group(1), (int(g) if g else 0 for g in m.groups()[1:])
        if m.group(2) and not (said_day or y) or not said_day and text[:m.start()].rstrip()[-1:].isdigit():
            continue
        if d <= 31 and 1 <= mo <= 12:
            add(Quantity(m.group(0), m.start(), m.end(), float(y * 10000 + mo * 100 + d), None, "date"))
    for m in figure_words().amount.finditer(text):
        if m.group("num") is None and m.group("vague") is None or not free(m.start(), m.end()):
            continue
        if text[m.end():m.end() + 1].isalnum():  # "499B", "19a": an identifier, not a figure
            continue
        add(_amount(text, m, english))
    for language in ("vi", "en") if english else ("vi",):
        for s, e, value in spelled_numbers(text, language):
            if free(s, e):
                add(_spelled(text, s, e, value))
    return sorted(found, key=lambda q: q.start)


def _reads_english(m: re.Match, english: bool) -> bool:
    """Read this figure's separators the English way: the text is English, a $/€/£ precedes it,
    an English scale word follows it ("3.5 million"), or only English writes it ("1,234,567")."""
    if english or m.group("pre"):
        return True
    scales = (m.group("scales") or "").lower().split()
    return any(w in figure_words().english_scales for w in scales) or english_form(m.group("num"))


def _amount(text: str, m: re.Match, english: bool) -> Quantity:
    qual = (m.group("qual") or m.group("vague") or "").lower() or None
    if m.group("vague"):
        value = 1.0
        for scale in m.group("vscale").lower().split():  # "hàng trăm tỷ": 1e11
            value *= figure_words().scales[scale]
        upper = None
    else:
        eng = _reads_english(m, english)
        value = scaled_value(m.group("num"), m.group("scales") or "", eng)
        upper = parse_number(m.group("upper"), eng) if m.group("upper") else None
    start, end = m.start(), m.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    unit_word = (m.group("unit") or m.group("pre") or "").lower()
    per = re.sub(r"^/\s?(?:1\s)?", "", m.group("per")) if m.group("per") else None
    common = dict(qualifier=qual, upper=upper)
    if not m.group("pct") and unit_word not in figure_words().unit_words:
        digits = m.group("num") or ""
        scaled = bool((m.group("scales") or "").strip()) or m.group("vague")
        if re.fullmatch(r"(?:19|20)\d\d", digits) and not scaled and not qual:
            return Quantity(text[start:end], start, end, value, None, "year")
    return _with_unit(text, start, end, value, bool(m.group("pct")), unit_word, per, common)


def _with_unit(text: str, start: int, end: int, value: float, pct: bool, unit_word: str, per: str | None,
               common: dict) -> Quantity | None:
    """The figure text[start:end] typed by what it measures: %, a currency, a unit, a noun."""
    if pct:
        noun = _noun_after(text, end)
        return Quantity(text[start:end], start, end, value, "%", "percent", **common,
                        noun=noun[0] if noun else None, noun_end=noun[1] if noun else end)
    figure = figure_words()
    if unit_word in figure.currencies:
        unit = figure.currencies[unit_word] + (f"/{per}" if per else "")
        return Quantity(text[start:end], start, end, value, unit, "money", **common, per=per)
    if unit_word in figure.measures:
        unit, kind = figure.measures[unit_word]
        return Quantity(text[start:end], start, end, value, unit, kind, **common, per=per)
    noun = _noun_after(text, end)
    if noun is None:
        return Quantity(text[start:end], start, end, value, None, "number", **common)
    kind = "duration" if noun[0].lower() in figure.time_nouns else "count"
    return Quantity(text[start:noun[1]], start, noun[1], value, noun[0], kind, **common,
                    noun=noun[0], noun_end=noun[1])


def _spelled(text: str, start: int, end: int, value: float) -> Quantity | None:
    """A number written as words, typed like a figure; a lone word ("ba") only before a noun."""
    m = figure_words().unit_after.match(text, end)
    if m:
        per = re.sub(r"^/\s?(?:1\s)?", "", m.group("per")) if m.group("per") else None
        q = _with_unit(text, start, m.end(), value, bool(m.group("pct")), (m.group("unit") or "").lower(), per, {})
    else:
        q = _with_unit(text, start, end, value, False, "", None, {})
        if q.kind == "number" and " " not in text[start:end].strip():
            return None
    return Quantity(**{**q.__dict__, "spelled": True})


def find_quantities(text: str, language: str | None = None) -> list[Quantity]:
    """Every figure in `text`, in reading order, with non-overlapping spans. `language` "en"
    reads "1,200" as 1200 and spelled English numbers; None decides from the text."""
    return list(_quantities(text, language))


@lru_cache(maxsize=16384)  # the answer stage reads the same sentences of a corpus question after question
def _quantities(text: str, language: str | None) -> tuple[Quantity, ...]:
    if language is None:
        from qa.lang.language import detect_language

        language = detect_language(text) if re.search(r"[A-Za-z]{2}", text) else "vi"
    return tuple(_scan(text, language == "en"))
