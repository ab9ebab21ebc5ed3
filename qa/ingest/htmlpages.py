"""News pages to article text: what a person reads, plus title, date, source and author.

Takes the text of a crawled news page (.txt as in seeds/), Markdown (via markdown-it-py)
or HTML (via trafilatura) and drops what the web page put around the article:
navigation and footer lines, teasers of other articles after the footer, photo captions
with credits ("… Ảnh: T.V.P", "(Ảnh: TTXVN)", "Ảnh minh họa", HTML <figcaption>), the
second copy of a repeated line, crawl-time headers, "Theo <url>" lines. Works on strings only:
reading and decoding files is `articles`' job. A page the HTML parser cannot handle is
a BadArticle, never another exception.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from qa.errors import BadArticle
from qa.lang.text import fold, normalize

_fold = lru_cache(maxsize=4096)(fold)  # each line is folded by several rules

# Whole lines a news site prints around an article, folded ("Bình luận (0)" -> "binh luan").
FOOTER_MARKERS = frozenset(
    "phan hoi|gui phan hoi|cac tin khac|tin khac|moi nhat|tin moi|tin moi nhat|lien ket website|"
    "binh luan|hien tai chua co binh luan|viet binh luan|gui binh luan|y kien ban doc|"
    "y kien cua ban|ban doc binh luan|gui y kien|chuyen muc khac|tin lien quan|bai lien quan|"
    "bai viet lien quan|tin cung chuyen muc|cung chuyen muc|doc nhieu nhat|tin doc nhieu|"
    "tin noi bat|xem them|xem tiep|chia se|chia se bai viet|in bai|in trang|gui bai|gui email|"
    "email|facebook|twitter|zalo|tweet|like|share|print|quay lai|ve dau trang|len dau trang|"
    "trang chu|dong|tags|tag|tu khoa|related|comments|read more".split("|"))
_TAG_PREFIX = re.compile(r"^(tags?|tu khoa)\s*:")  # "Từ khóa: Sơn La, Chỉ thị 05"
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_SOURCE_LINE = re.compile(r"^(?:theo|nguon)\s*:?\s*((?:https?://|www\.)\S+)$")
_AGENCY_TAG = re.compile(r"^\(([A-ZĐ][A-ZĐ0-9&. -]{0,14})\)\s*[-–—:]\s*")  # "(BLC) - "
# A photo credit: "Ảnh: T.V.P", "(Ảnh: TTXVN)", "Nguồn ảnh: …", "Photo: …", "Ảnh minh họa".
# Matched on the NFC text, so "ảnh" (photo) is never "anh" (a pronoun).
_CREDIT = (r"(?:(?:ảnh|hình)\s+minh\s+(?:họa|hoạ)(?:\s*[:：]\s*[^:()\[\]]{0,60}?)?"
           r"|(?:nguồn\s+ảnh|ảnh|photo|image|photo\s+credit|credit)\s*[:：]\s*[^:()\[\]]{1,60}?)")
# At the end of a line only after a sentence end, a dash or inside brackets: "… chè. Ảnh: X",
# "… chè - Ảnh: X", "… chè (Ảnh: X)"; never "… xem hình ảnh: cây, hoa".
_CREDIT_END = re.compile(r"(?:^|(?<=[.!?…)\]])\s*|\s*[-–—|]\s*|\s*(?=[(\[]))[(\[]?\s*" + _CREDIT
                         + r"\s*[)\]]?\s*\.?$", re.IGNORECASE)
_CREDIT_START = re.compile(r"^[(\[]?\s*" + _CREDIT.replace("{1,60}?", "{1,300}?") + r"[)\]]?\s*\.?$", re.IGNORECASE)
CAPTION_MAX_CHARS = 300  # a caption is a line or two under a photo; a longer line is a paragraph
_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
_TIME = re.compile(r"\b(\d{1,2})[:h](\d{2})\b")
_DATE_WORDS = re.compile(r"\b(thu (hai|ba|tu|nam|sau|bay|[2-7])|chu nhat|cn|ngay|luc|gio|cap nhat|"
                         r"ngay dang|dang|dang luc|thoi gian|published|updated|(gmt|utc) ?[+-] ?\d+)\b")


@dataclass(frozen=True)
class CleanedText:
    title: str
    text: str  # paragraphs separated by "\n\n"
    date: str | None = None
    source: str | None = None
    author: str | None = None


# -- plain text --------------------------------------------------------------------------
def _marker_key(line: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", _fold(line)).split())


def _is_boilerplate(line: str) -> bool:
    return len(line) <= 60 and (_marker_key(line) in FOOTER_MARKERS or bool(_TAG_PREFIX.match(_fold(line))))


def _date_line(line: str) -> tuple[str | None, bool]:
    """(date, is_crawl_time) when the line holds only a date and time, else (None, False)."""
    folded = _fold(line)
    m = _DATE.search(folded)
    if not m or len(line) > 60:
        return None, False
    rest = _DATE_WORDS.sub(" ", _TIME.sub(" ", _DATE.sub(" ", folded)))
    if re.sub(r"[\W_]+", "", rest):  # other words: a sentence that mentions a date
        return None, False
    d, mo, y = (m[1], m[2], m[3]) if m[1] else (m[6], m[5], m[4])
    t = _TIME.search(_DATE.sub(" ", folded))
    try:
        when = datetime(int(y), int(mo), int(d), int(t[1]) if t else 0, int(t[2]) if t else 0)
    except ValueError:
        return None, False
    return when.strftime("%Y-%m-%d %H:%M" if t else "%Y-%m-%d"), "gmt" in folded or "utc" in folded


def _is_byline(line: str) -> bool:
    """2-4 capitalised words, no final punctuation: "Phong Lưu", "Trần Văn Phúc"."""
    words = line.split()
    return 2 <= len(words) <= 4 and len(line) <= 40 and not line.endswith((".", ":", "!", "?", ",")) \
        and all(w[0].isupper() and all(c.isalpha() or c in ".'-" for c in w) for w in words)


def _same_line(a: str, b: str) -> bool:
    if 2 * min(len(a), len(b)) < 0.9 * (len(a) + len(b)):  # the ratio below cannot reach 0.9
        return False
    fa, fb = _fold(a), _fold(b)
    if fa == fb:
        return True
    matcher = difflib.SequenceMatcher(None, fa, fb, autojunk=False)
    return matcher.quick_ratio() >= 0.9 and matcher.ratio() >= 0.9


def _caption_credit(line: str) -> tuple[bool, str]:
    """(is a caption, the line without its credit). A short line that starts or ends with a
    photo credit is a caption; a long paragraph that ends with one only loses the credit."""
    if len(line) <= CAPTION_MAX_CHARS and _CREDIT_START.match(line):
        return True, ""
    m = _CREDIT_END.search(line)
    if m is None:
        return False, line
    rest = line[:m.start()].rstrip()
    return len(rest) <= CAPTION_MAX_CHARS, rest


def _drop_captions(lines: list[str]) -> list[str]:
    """Lines without photo credits and without repeats: a short line with a credit is a
    caption and goes; a line that repeats another (a caption the page prints twice, as alt
    text and as caption) is said once: the fuller of two near-copies (≥0.9 similar within
    two lines), the first of two copies of a sentence farther apart."""
    kept: list[str] = []
    seen: set[str] = set()
    for line in lines:
        caption, line = _caption_credit(line)
        if caption or not line or _fold(line) in seen:  # (only sentences are in `seen`)
            continue
        twin = next((i for i in range(max(0, len(kept) - 2), len(kept)) if _same_line(kept[i], line)), None)
        if twin is None:
            kept.append(line)
        elif len(line) > len(kept[twin]):
            kept[twin] = line
        if len(line.split()) >= 5:  # a repeated word or figure (a table cell) is no repeat
            seen.add(_fold(line))
    return kept


def clean(raw: str) -> CleanedText:
    """Clean a plain-text news page (one paragraph or heading a line): see `clean_lines`."""
    return clean_lines(raw.splitlines())


def clean_lines(lines: list[str], title: str | None = None) -> CleanedText:
    """Keep what a person reads; turn header/footer lines into metadata or drop them.

    Rules (why): a footer marker in the second half of the text ends the article, since
    what follows is comments and teasers of other articles; a marker line anywhere else
    is dropped alone. The title is the first line that is not a date or navigation line
    (a first line over 200 characters is text, not a headline: it stays, shortened as title);
    a date-only line right after it is the article's date, date lines before it are the
    page's crawl-time header (used only when nothing follows the title; "[GMT+7]" lines
    never). A leading "(BLC) - " agency tag becomes the source and leaves the body; so do
    "Theo <url>" lines. Photo captions with a credit ("… Ảnh: T.V.P", "(Ảnh: …)", "Ảnh
    minh họa") are not article text, and a repeated line (a caption printed twice) is kept
    once (`_drop_captions`). A short capitalised last line is the byline.
    """
    lines = [_SPACES.sub(" ", _INVISIBLE.sub("", normalize(line))).strip() for line in lines]
    lines = [line for line in lines if line]
    title, source = (title.strip() or None) if title else None, None
    for line in lines:
        if m := _SOURCE_LINE.match(_fold(line)):
            url = m[1] if "://" in m[1] else "http://" + m[1]
            source = source or (urlsplit(url).hostname or "").removeprefix("www.") or None
    lines = [line for line in lines if not _SOURCE_LINE.match(_fold(line))]
    total, seen = sum(map(len, lines)), 0
    for i, line in enumerate(lines):
        if seen >= total / 2 and _is_boilerplate(line):
            lines = lines[:i]
            break
        seen += len(line)
    lines = [line for line in lines if not _is_boilerplate(line)]
    dates, top = [], 0  # dates: (date, crawl_time, after_title)
    while title is None and top < len(lines):
        date, crawl = _date_line(lines[top])
        title = lines[top] if date is None else None
        dates += [(date, crawl, False)] if date else []
        top += 1
    if not title:
        raise BadArticle("no article text left after cleaning")
    if len(title) > 200 and top and lines[top - 1] == title:  # no headline: the text starts at once
        top -= 1
        title = title[:120].rsplit(" ", 1)[0] + "…"
    title = _SPACES.sub(" ", normalize(title)).strip()
    if top < len(lines) and lines[top] == title:  # HTML text often repeats the headline
        top += 1
    for _ in range(3):
        date, crawl = _date_line(lines[top]) if top < len(lines) else (None, False)
        if date is None:
            break
        dates.append((date, crawl, True))
        top += 1
    body = lines[top:]
    date = next((d for d, crawl, after in sorted(dates, key=lambda x: not x[2]) if not crawl), None)
    if body and (m := _AGENCY_TAG.match(body[0])):
        source, body[0] = source or m[1].strip(), body[0][m.end():]
        body = [line for line in body if line]
    kept = _drop_captions(body)
    author = None
    if len(kept) > 1 and _is_byline(kept[-1]):
        author = kept.pop()
    if sum(len(line.split()) for line in kept) < 5:  # e.g. an HTML page whose main text is its menu
        raise BadArticle(f"no article text under the title {title!r} (fewer than 5 words)")
    return CleanedText(title, "\n\n".join(kept), date, source, author)


def clean_markdown(raw: str) -> CleanedText:
    """Markdown to lines with markdown-it-py; the first level-1 heading is the title."""
    from markdown_it import MarkdownIt

    title, lines, heading = None, [], None
    for tok in MarkdownIt("commonmark").parse(raw):
        if tok.type == "heading_open":
            heading = tok.tag
        elif tok.type in ("fence", "code_block"):
            lines.extend(tok.content.splitlines())
        elif tok.type == "inline":
            text = "".join(c.content if c.type in ("text", "code_inline") else " " if c.type == "softbreak"
                           else "\n" if c.type == "hardbreak" else "" for c in tok.children or ())
            if heading == "h1" and title is None:
                title = text
            else:
                lines.extend(text.splitlines())
            heading = None
    return clean_lines(lines, title)


# Captions as pages mark them up: <figcaption>, or any element whose class names a caption.
_CAPTION_XPATH = ["//figcaption", "//*[contains(translate(@class, 'CAPTION', 'caption'), 'caption')]"]


def clean_html(raw: str) -> CleanedText:
    """Main text and metadata by trafilatura; its text then goes through the same cleaning."""
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, include_tables=True,
                                          prune_xpath=_CAPTION_XPATH)
    except ImportError as exc:  # e.g. lxml without its html_clean part, a separate package since lxml 5.2
        raise BadArticle(f"saved HTML pages cannot be read here ({exc}); reinstall qa: pip install -e .") from None
    except Exception as exc:  # the parser's own errors on a broken page: the page is bad, not the build
        raise BadArticle(f"the HTML page could not be parsed ({type(exc).__name__}: {exc})") from None
    get = (doc.get if isinstance(doc, dict) else lambda key: getattr(doc, key, None)) if doc else None
    if not get or not (get("text") or "").strip():
        raise BadArticle("no article text found in the HTML page")
    cleaned = clean_lines(get("text").splitlines(), title=get("title") or None)
    return replace(cleaned, date=cleaned.date or get("date") or None, author=get("author") or cleaned.author,
                   source=cleaned.source or get("sitename") or get("hostname") or None)
