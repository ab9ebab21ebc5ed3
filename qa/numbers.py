"""Vietnamese numbers in running text: money, percentages, measures, counts, dates, codes.

`find_quantities` returns every figure of a text as a `Quantity` with its exact span,
parsed value, unit and kind. Vietnamese conventions: "4.036" is 4036 (dot = thousands),
"2,1" is 2.1 (comma = decimal); scale words nghìn/ngàn 10³, triệu 10⁶, tỷ/tỉ 10⁹ may be
compounded ("2 tỷ 652 triệu đồng"). Document codes ("21-KL/TW") and dates ("31/12/2021")
are recognised first so that their digits are never read as counts. The counted noun
of a count ("09 tập thể") is segmented (longest lexicon match) and kept to at most two syllables (three
after a classifier: "25 con bò"). Does not read spelled-out numbers ("hai", "mười").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import segment

_NUM = r"\d+(?:[.,]\d+)*"
_SCALES = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9, "trăm": 1e2, "chục": 10.0}
_SCALE = r"(?:nghìn|ngàn|triệu|tỷ|tỉ|trăm|chục)"
_CURRENCY = {"đồng": "VND", "đ": "VND", "vnđ": "VND", "vnd": "VND", "usd": "USD", "$": "USD", "đô la": "USD"}
_MEASURES = {  # unit as written (lower-case) -> (canonical unit, kind)
    "km": ("km", "length"), "m": ("m", "length"), "mét": ("m", "length"), "cm": ("cm", "length"),
    "m2": ("m2", "area"), "m²": ("m2", "area"), "mét vuông": ("m2", "area"), "ha": ("ha", "area"),
    "héc-ta": ("ha", "area"), "kg": ("kg", "weight"), "tấn": ("tấn", "weight"), "tạ": ("tạ", "weight"),
    "lít": ("lít", "volume"),
}
_UNIT_WORDS = sorted(list(_CURRENCY) + list(_MEASURES), key=len, reverse=True)
_UNIT = "|".join(re.escape(u) for u in _UNIT_WORDS)
QUALIFIERS = ("ít nhất", "tối thiểu", "tối đa", "khoảng", "gần", "hơn", "trên", "dưới", "chừng", "xấp xỉ", "tới")
_QUAL = "|".join(QUALIFIERS)
_VAGUE = r"(?:hàng|nhiều|vài|mấy)"
_B = r"(?<![\w.,/])"  # a number starts at a word boundary (not inside 2.500 or 5/2021)
_E = r"(?![\w])"

_CODE = re.compile(rf"{_B}(\d+)\s?[-–]\s?([A-ZĐ]{{1,6}})\s?/\s?([A-ZĐ]{{1,6}}){_E}")
_DATE = re.compile(rf"{_B}(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_E}")
_MONTH = re.compile(rf"{_B}(\d{{1,2}})/(\d{{4}}){_E}")
_PERIOD = re.compile(rf"{_B}(?:(\d{{1,2}})/)?((?:19|20)\d\d)\s*[-–]\s*(?:(\d{{1,2}})/)?((?:19|20)\d\d){_E}")
_FROM_TO = re.compile(rf"(?i)\btừ\s+(?:năm\s+)?((?:19|20)\d\d)\s+(?:đến|tới)\s+(?:năm\s+)?((?:19|20)\d\d){_E}")
_AMOUNT = re.compile(
    rf"(?i)(?:(?P<qual>{_QUAL})\s+)?"
    rf"(?:(?P<vague>{_VAGUE})\s+(?P<vscale>{_SCALE})|{_B}(?P<num>{_NUM})(?:\s*[-–]\s*(?P<upper>{_NUM}))?"
    rf"(?P<scales>(?:\s+{_SCALE}(?:\s+{_NUM}(?=\s+{_SCALE}))?)*(?:\s+{_NUM}(?=\s*(?:{_UNIT})(?!\w)))?))"
    rf"(?:(?P<pct>\s?%|\s+phần trăm)|\s?(?P<unit>{_UNIT})(?!\w)(?P<per>/\s?(?:1\s)?\w+)?)?"
)
_WORD_RUN = re.compile(r"[^\W\d_]+(?:\s+[^\W\d_]+){0,4}")
# Words after a number that show it counts nothing ("Khu 5 là ...", "năm 2021 đã ...").
NON_NOUNS = frozenset(
    "là và có được của với đã đang sẽ thì mà để cho từ đến trong tại ở về theo này đó như hay hoặc "
    "nhưng vì do bị trở lên xuống qua nay trước sau gồm ra vào nên cũng đều không chưa".split())
CLASSIFIERS = frozenset("con cái chiếc lượt em gương ngôi căn cuốn bộ suất tấm bức".split())
TIME_NOUNS = frozenset("năm tháng ngày tuần giờ phút quý".split())


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

    @property
    def vague(self) -> bool:
        return self.qualifier in ("hàng", "nhiều", "vài", "mấy")


# Spelled-out small numbers, folded, as digits: "Ngày thứ bảy" and "Ngày thứ 7" name one thing.
# Folded, some collide with other words (năm/nam "year", sáu/sau "after"): compare names only
# after mapping both sides alike, never read running text with it.
DIGIT_WORDS = {"mot": "1", "hai": "2", "ba": "3", "bon": "4", "tu": "4", "nam": "5", "sau": "6", "bay": "7",
               "tam": "8", "chin": "9", "muoi": "10"}


def as_digits(folded_word: str) -> str:
    """"bay" (bảy, folded) -> "7"; any other word unchanged."""
    return DIGIT_WORDS.get(folded_word, folded_word)


def parse_number(s: str) -> float:
    """"4.036" -> 4036, "2,1" -> 2.1, "1.234,5" -> 1234.5, "1.5" -> 1.5 (not a thousands group)."""
    s = s.strip().replace(" ", "")
    if not re.fullmatch(_NUM, s):
        raise ValueError(f"not a number: {s!r}")
    whole, _, decimal = s.partition(",")
    groups = whole.split(".")
    if len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]):
        whole, decimal = "".join(groups[:-1]), groups[-1]  # "1.5": a decimal dot
    else:
        whole = "".join(groups)
    decimal = decimal.replace(",", "").replace(".", "")
    return float(f"{whole}.{decimal}" if decimal else whole)


def _scaled_value(num: str, scales: str) -> float:
    """"2" + " tỷ 652 triệu" -> 2.652e9: each number is multiplied by the scale after it."""
    parts = re.findall(rf"{_NUM}|{_SCALE}", scales, flags=re.I)
    total, current = 0.0, parse_number(num)
    for part in parts:
        if part.lower() in _SCALES:
            total += current * _SCALES[part.lower()]
            current = 0.0
        else:
            current = parse_number(part)
    return total + current


def vi_words(text: str) -> tuple[str, ...]:
    """Vietnamese words ("tập thể", "ghi danh"), syllables joined by a space; punctuation
    dropped. Longest match over a lexicon (qa.text.segment): pyvi's CRF agreed on 94.5% of
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
    words = m.group(0).split()
    if words[0].lower() in NON_NOUNS:
        return None
    if words[0].lower() in ("các", "những") and len(words) > 1:  # "100% các chi bộ"
        words = words[1:]
    first = _first_word(" ".join(words)).split()[:2]
    if len(first) == 1 and first[0].lower() in CLASSIFIERS and len(words) > 1:
        first = [first[0]] + _first_word(" ".join(words[1:])).split()[:2]
    noun = " ".join(first)
    end = text.index(noun, m.start()) + len(noun) if noun in text[m.start():] else m.start() + len(first[0])
    return noun, end


def _scan(text: str) -> list[Quantity]:
    found: list[Quantity] = []

    def free(s: int, e: int) -> bool:
        return all(e <= q.start or s >= q.end for q in found)

    def add(q: Quantity) -> None:
        if free(q.start, q.end):
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
    for m in _AMOUNT.finditer(text):
        if m.group("num") is None and m.group("vague") is None or not free(m.start(), m.end()):
            continue
        if text[m.end():m.end() + 1].isalnum():  # "499B", "19a": an identifier, not a figure
            continue
        add(_amount(text, m))
    return sorted(found, key=lambda q: q.start)


def _amount(text: str, m: re.Match) -> Quantity:
    qual = (m.group("qual") or m.group("vague") or "").lower() or None
    if m.group("vague"):
        value = _SCALES[m.group("vscale").lower()]
        upper = None
    else:
        value = _scaled_value(m.group("num"), m.group("scales") or "")
        upper = parse_number(m.group("upper")) if m.group("upper") else None
    start, end = m.start(), m.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    unit_word = (m.group("unit") or "").lower()
    per = re.sub(r"^/\s?(?:1\s)?", "", m.group("per")) if m.group("per") else None
    common = dict(qualifier=qual, upper=upper)
    if m.group("pct"):
        noun = _noun_after(text, end)
        return Quantity(text[start:end], start, end, value, "%", "percent", **common,
                        noun=noun[0] if noun else None, noun_end=noun[1] if noun else end)
    if unit_word in _CURRENCY:
        unit = _CURRENCY[unit_word] + (f"/{per}" if per else "")
        return Quantity(text[start:end], start, end, value, unit, "money", **common, per=per)
    if unit_word in _MEASURES:
        unit, kind = _MEASURES[unit_word]
        return Quantity(text[start:end], start, end, value, unit, kind, **common, per=per)
    digits = m.group("num") or ""
    scaled = bool((m.group("scales") or "").strip()) or m.group("vague")
    if re.fullmatch(r"(?:19|20)\d\d", digits) and not scaled and not qual:
        return Quantity(text[start:end], start, end, value, None, "year")
    noun = _noun_after(text, end)
    if noun is None:
        return Quantity(text[start:end], start, end, value, None, "number", **common)
    kind = "duration" if noun[0].lower() in TIME_NOUNS else "count"
    return Quantity(text[start:noun[1]], start, noun[1], value, noun[0], kind, **common,
                    noun=noun[0], noun_end=noun[1])


def find_quantities(text: str) -> list[Quantity]:
    """Every figure in `text`, in reading order, with non-overlapping spans."""
    return _scan(text)
