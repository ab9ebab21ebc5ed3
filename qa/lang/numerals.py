"""Numbers as written: the two conventions of separators, and the words figures are written with.

`parse_number` reads one number as written ("4.036" is 4036 in Vietnamese, "1,234,567" only
English writes); `scaled_value` multiplies it by the scale words after it ("2 tỷ 652 triệu").
Scale words ("nghìn", "tỷ", "million"), currencies and units of measure as written
(qa/data/units.json), qualifiers, vague amounts and the words around a figure
(number_context.json), each with the regular expression `numbers` matches them by. `figure_words()`
builds it all on first use, so importing a module that reads figures loads no data file.
Does not find figures in running text: `numbers` does.

>>> w = figure_words()
>>> w.scales["tỷ"], w.currencies["usd"], w.measures["ha"]
(1000000000.0, 'USD', ('ha', 'area'))
>>> w.unit_words["km"], w.unit_words["đồng"]
('km', 'VND')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from qa.lang.text import drop_thousands_dots
from qa.lang.wordlists import table

NUM = r"\d+(?:[.,]\d+)*"  # a number as written, either convention: "4.036", "2,1", "1,234,567"
START = r"(?<![\w.,/])"  # a number starts at a word boundary (not inside 2.500 or 5/2021)
END = r"(?![\w])"


@dataclass(frozen=True)
class FigureWords:
    scales: dict[str, float]  # scale word (lower case) -> its factor: "triệu" -> 1e6
    scale: str  # a pattern matching one scale word
    currencies: dict[str, str]  # as written (lower case) -> ISO code: "đồng" -> "VND"
    measures: dict[str, tuple[str, str]]  # as written -> (canonical unit, kind): "ha" -> ("ha", "area")
    unit_kinds: dict[str, str]  # canonical unit -> what it measures: "km" -> "length"
    unit_words: dict[str, str]  # each currency and measure as written -> its unit
    english_scales: frozenset[str]  # "million": a figure before one is written the English way
    qualifiers: tuple[str, ...]  # "hơn", "khoảng", "over"
    non_nouns: frozenset[str]  # words after a number that show it counts nothing ("Khu 5 là ...")
    classifiers: frozenset[str]  # "con" of "25 con bò": the counted noun goes on past it
    time_nouns: frozenset[str]  # a count of these is a duration ("3 năm")
    range_joins: tuple[str, ...]  # "30 [đến] 50 nghìn", "0,3 [tới] 0,6 °C", "2 [to] 3 million"
    amount: re.Pattern  # a figure with its qualifier, scales and unit: "hơn 2 tỷ 652 triệu đồng"
    unit_after: re.Pattern  # a percent sign or unit right after a number written as words


def _alternatives(words, by_escaped: bool = False) -> str:
    """A pattern matching any of `words`, longest first (so "mét vuông" is tried before "mét");
    `by_escaped`: longest as escaped for the pattern (the order the scale and qualifier patterns
    were first written with, kept so that no match changes)."""
    if by_escaped:
        return "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def figure_words() -> FigureWords:
    units, context = table("units"), table("number_context")
    scales = {w: float(v) for w, v in table("number_words")["digit_scales"].items()}
    scale = "(?:" + _alternatives(scales, by_escaped=True) + ")"
    currencies = dict(units["currencies"])
    measures = {w: tuple(v) for w, v in units["measures"].items()}
    unit = _alternatives(list(currencies) + list(measures))
    qualifiers = tuple(context["qualifiers"])
    vague = "(?:" + "|".join(context["vague"]) + ")"
    amount = re.compile(
        rf"(?i)(?:(?P<qual>{_alternatives(qualifiers, by_escaped=True)})\s+)?"
        rf"(?:(?P<vague>{vague})\s+(?P<vscale>{scale}(?:\s+{scale})*)|(?:(?P<pre>{_alternatives(units['prefix'])})\s?)?"
        rf"{START}(?P<num>{NUM})(?:\s*[-–]\s*(?P<upper>{NUM}))?"
        rf"(?P<scales>(?:\s+{scale}(?:\s+{NUM}(?=\s+{scale}))?)*(?:\s+{NUM}(?=\s*(?:{unit})(?!\w)))?))"
        rf"(?:(?P<pct>\s?%|\s+phần trăm|\s+percent)|\s?(?P<unit>{unit})(?!\w)(?P<per>/\s?(?:1\s)?\w+)?)?"
    )
    unit_after = re.compile(rf"(?i)(?:(?P<pct>\s?%|\s+phần trăm|\s+percent)"
                            rf"|\s(?P<unit>{unit})(?!\w)(?P<per>/\s?(?:1\s)?\w+)?)")
    return FigureWords(
        scales=scales, scale=scale, currencies=currencies, measures=measures,
        unit_kinds={u: kind for u, kind in measures.values()},
        unit_words={**currencies, **{w: u for w, (u, _) in measures.items()}},
        english_scales=frozenset(table("number_words")["en"]["scales"]), qualifiers=qualifiers,
        non_nouns=frozenset(context["non_nouns"]), classifiers=frozenset(context["classifiers"]),
        time_nouns=frozenset(context["time_nouns"]), range_joins=tuple(context["range_joins"]),
        amount=amount, unit_after=unit_after)


def english_form(s: str) -> bool:
    """True for figures only English writes: comma-grouped thousands ("1,234,567", "1,234.5")."""
    return bool(re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+", s))


def parse_number(s: str, english: bool = False) -> float:
    """Vietnamese: "4.036" -> 4036, "2,1" -> 2.1, "1.234,5" -> 1234.5, "1.5" -> 1.5 (not a thousands
    group). English (`english`, or a form only English writes): "1,200" -> 1200, "3.5" -> 3.5."""
    s = s.strip().replace(" ", "")
    if not re.fullmatch(NUM, s):
        raise ValueError(f"not a number: {s!r}")
    if english or english_form(s):
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", s):
            return float(s.replace(",", ""))
    s = drop_thousands_dots(s)
    whole, _, decimal = s.partition(",")
    if "." in whole:  # "1.5": a decimal dot (a thousands dot was dropped above)
        whole, _, dotted = whole.rpartition(".")
        whole, decimal = whole.replace(".", ""), dotted + decimal.replace(",", "")
    decimal = decimal.replace(",", "").replace(".", "")
    return float(f"{whole}.{decimal}" if decimal else whole)


def scaled_value(num: str, scales: str, english: bool = False) -> float:
    """"2" + " tỷ 652 triệu" -> 2.652e9: each number is multiplied by the scales after it, and
    adjacent scales multiply ("1,2" + " nghìn tỷ" -> 1.2e12)."""
    parts = re.findall(rf"{NUM}|{figure_words().scale}", scales, flags=re.I)
    total, current, last, after_scale = 0.0, parse_number(num, english), 0.0, False
    for part in parts:
        scale = figure_words().scales.get(part.lower())
        if scale is None:
            current, after_scale = parse_number(part, english), False
        elif after_scale:
            total += last * (scale - 1)
            last *= scale
        else:
            last = current * scale
            total += last
            current, after_scale = 0.0, True
    return total + current
