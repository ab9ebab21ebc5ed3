"""Vietnamese date phrases: the dates candidates offer, and the whole phrase an answer shows.

`DATE` matches a date or year as the grammar writes it ("ngày 7 tháng 2 năm 2016", "năm 1943",
"thế kỷ 19", a bare "1943"): the spans `candidates` offers, which the scorer was fitted on.
`widest_date` widens a chosen date answer to the phrase it stands in ("8 tháng 2 năm 2007" for
"2007", "từ tháng 3/2018 đến tháng 10/2021"). Does not parse dates into values: `qa.lang.numbers`
does.
"""
from __future__ import annotations

import re

# Vietnamese dates as the grammar writes them: "ngày 7 tháng 2 năm 2016", "năm 1943",
# "thế kỷ 19", "thập niên 1960"; a bare four-digit year. The pieces are shared with `_DATE_PHRASE`.
_MONTH = r"tháng\s+\d{1,2}(?:\s*(?:năm\s+|,\s*)\d{3,4})?"  # "tháng 2 năm 2016", "tháng 7, 1961"
_YEARS = r"(?:những\s+)?năm\s+\d{3,4}"  # "năm 1943", "những năm 1950"
_NUMERIC = r"\d{1,2}/\d{1,2}/\d{4}|[12]\d{3}"  # "7/2/2016", "1943"
DATE = re.compile(
    r"(?<!\w)(?:(?:ngày\s+\d{1,2}\s+)?" + _MONTH
    + r"|" + _YEARS + r"(?:\s*[-–]\s*\d{2,4})?(?:\s+TCN)?"
    r"|thế\s+kỷ\s+(?:thứ\s+)?[\dIVXLC]+(?:\s+TCN)?|thập\s+(?:niên|kỷ)\s+\d{2,4}"
    r"|" + _NUMERIC + r")(?!\w)", re.I)
# The whole date phrase a date or year stands in, as an answer shows it: "8 tháng 2 năm 2007"
# for "2007", "mùa hè năm 1521", "tháng 7, 1961", "từ 1500 đến 1850", "sau năm 1279". Candidates
# keep `DATE` (the scorer was fitted on its spans); only the chosen answer is widened.
# News writes dates with slashes and says what they are: "ngày 15/8/2024", "tháng 4/2023", "quý
# IV/2025", "từ tháng 3/2018 đến tháng 10/2021", "tối ngày 15/11": the phrase holds those words too.
_YEAR = r"(?:năm\s+)?\d{3,4}(?:\s+TCN)?"
_SLASHED = (r"(?:ngày\s+)?\d{1,2}/\d{1,2}/\d{4}|ngày\s+\d{1,2}/\d{1,2}|tháng\s+\d{1,2}/[12]\d{3}"
            r"|quý\s+(?:IV|I{1,3}|[1-4])(?:\s*/\s*|\s+năm\s+)\d{4}")
_ONE_DATE = (r"(?:(?:những\s+)?(?:(?:ngày\s+)?\d{1,2}\s+)?" + _MONTH + r"(?:/\d{4})?"
             + r"|" + _YEARS + r"(?:\s+TCN)?|" + _SLASHED + r"|" + _NUMERIC + r")")
_MONTH_YEAR = re.compile(r"\d{1,2}/[12]\d{3}")  # "4/2023" is widened only to "tháng 4/2023": "Nghị quyết 05/2021"
_DATE_PHRASE = re.compile(
    r"(?<!\w)(?:(?:từ|sau|trước|khoảng|vào khoảng|cuối|đầu|giữa|mùa\s+(?:xuân|hạ|hè|thu|đông)"
    r"|sáng|trưa|chiều|tối|đêm)\s+)?" + _ONE_DATE
    + r"(?:\s*(?:[-–]|đến|tới)\s*(?:" + _SLASHED + r"|" + _YEAR + r"))?(?!\w)", re.I)


def widest_date(text: str, start: int, end: int) -> tuple[int, int]:
    """The longest date phrase of `text` holding text[start:end] when that span is itself a date
    or a year, else (start, end) unchanged.

    >>> s = "BSkyB thông báo vào 8 tháng 2 năm 2007 rằng ..."
    >>> a, b = widest_date(s, s.index("2007"), s.index("2007") + 4); s[a:b]
    '8 tháng 2 năm 2007'
    >>> s = "Tuyến xe buýt chạy từ tháng 3/2018 đến tháng 10/2021, khai trương tối ngày 15/8/2024."
    >>> [s[slice(*widest_date(s, s.index(x), s.index(x) + len(x)))] for x in ("10/2021", "15/8/2024")]
    ['từ tháng 3/2018 đến tháng 10/2021', 'tối ngày 15/8/2024']
    """
    if not (_DATE_PHRASE.fullmatch(text[start:end]) or _MONTH_YEAR.fullmatch(text[start:end])):
        return start, end
    covering = [m.span() for m in _DATE_PHRASE.finditer(text) if m.start() <= start and end <= m.end()]
    return max(covering, key=lambda span: span[1] - span[0], default=(start, end))
