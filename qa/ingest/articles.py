"""Article files: read them safely, clean them, describe them; ids and near-duplicates.

The only module that reads article files (.txt news pages as crawled, .md, .html). It
refuses empty, binary, oversized and undecodable files with a message naming the file;
decodes UTF-8 (BOM stripped), UTF-16 with a BOM and windows-1258 (detected with
charset-normalizer, NFC-composed). Cleaning the text and finding title, date, source
and author is `htmlpages`' job (`clean` is re-exported here). Never writes anything;
neither chunks nor indexes.
"""
from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

from qa.errors import ArticleNotFound, BadArticle
from qa.ingest.htmlpages import CleanedText, clean, clean_html, clean_markdown
from qa.lang.text import fold, normalize, syllables
from qa.records import Article
from qa.settings import default

__all__ = ["CleanedText", "LoadResult", "NEAR_DUPLICATE_THRESHOLD", "article_id_from_title", "article_text", "clean",
           "content_hash", "load_article", "load_articles", "parse_article", "near_duplicate_key", "read_article_file",
           "shingles", "similarity", "validate_article_id"]

SUFFIXES = (".txt", ".md", ".html", ".htm")
NEAR_DUPLICATE_THRESHOLD = 0.8
_SAFE_ID = re.compile(r"^[^\W_][\w.-]{0,127}$")
_VIETNAMESE = set("ăâđêôơư")


class LoadResult(NamedTuple):
    """What `load_articles` returns; unpacks as `articles, problems = load_articles(...)`."""

    articles: list[Article]
    problems: list[tuple[Path, str]]  # (file, why it was skipped)


# -- reading ---------------------------------------------------------------------------
def read_article_file(path: Path, max_bytes: int) -> str:
    """The file's text (NFC), or BadArticle/ArticleNotFound saying what is wrong with it."""
    path, name = Path(path), Path(path).name
    if not path.exists():
        raise ArticleNotFound(f"{path}: no such file")
    if not path.is_file():
        raise BadArticle(f"{name}: not a regular file")
    if path.stat().st_size > max_bytes:
        raise BadArticle(_too_big(name, max_bytes))
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)  # the file may grow between stat and read
    return article_text(data, name, max_bytes)


def article_text(data: bytes, name: str, max_bytes: int) -> str:
    """The one rule of what an article's bytes may be, for the builder, `qa add` and POST
    /articles alike: the text (NFC), or BadArticle when too big, binary (NUL bytes, many
    control characters), undecodable or empty."""
    if len(data) > max_bytes:
        raise BadArticle(_too_big(name, max_bytes))
    text = _decode(data, name)
    if not text.strip():
        raise BadArticle(f"{name}: the file is empty; put the article text in it (UTF-8)")
    return unicodedata.normalize("NFC", text)


def _too_big(name: str, max_bytes: int) -> str:
    return f"{name}: larger than the {max_bytes:,}-byte limit; split it or raise QA_MAX_ARTICLE_BYTES"


def _decode(data: bytes, name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise BadArticle(f"{name}: starts with a UTF-16 mark but is not valid UTF-16") from None
    binary = f"{name}: looks like a binary file, not text; articles are .txt, .md or .html text files"
    if b"\x00" in data:
        raise BadArticle(binary)
    try:
        text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as err:
        text = _decode_legacy(data, name, err)
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise BadArticle(binary)
    return text


def _decode_legacy(data: bytes, name: str, err: UnicodeDecodeError) -> str:
    """windows-1258, the legacy Vietnamese code page that charset-normalizer can detect.

    cp1258 writes tones as combining marks, so the text is NFC-composed after decoding.
    VISCII and TCVN3 have no Python codec: such files are refused with the iconv command.
    """
    import charset_normalizer

    matches = charset_normalizer.from_bytes(data)
    if "cp1258" in {m.encoding for m in matches}:
        try:
            text = unicodedata.normalize("NFC", data.decode("cp1258"))
        except UnicodeDecodeError:
            text = ""
        letters = sum(c.isalpha() for c in text)
        if sum(c in _VIETNAMESE for c in text.lower()) >= max(1, letters // 200):
            return text
    best = matches.best()
    if best is None:
        raise BadArticle(f"{name}: not text (invalid UTF-8 at byte {err.start}, no known encoding fits)")
    guess = best.encoding.replace("_", "-").upper()
    raise BadArticle(f"{name}: not UTF-8 (byte {err.start}); it looks like {guess}. Convert it: iconv -f {guess} "
                     f"-t UTF-8 '{name}' > fixed.txt (for VISCII or TCVN3 text use -f VISCII or -f TCVN)")


_PARSERS = {".txt": clean, ".md": clean_markdown, ".html": clean_html, ".htm": clean_html}


# -- loading ---------------------------------------------------------------------------
def parse_article(raw: str, suffix: str, name: str = "article") -> CleanedText:
    """Clean the text of a file of the given kind (".txt", ".md", ".html")."""
    parser = _PARSERS.get(suffix.lower())
    if parser is None:
        raise BadArticle(f"{name}: unsupported file type; use one of {', '.join(SUFFIXES)}")
    try:
        return parser(raw)
    except BadArticle as err:
        raise BadArticle(f"{name}: {err}") from None
    except Exception as err:  # any parser failure costs this one file, never a build
        raise BadArticle(f"{name}: could not be parsed as {suffix.lower()} ({type(err).__name__}: {err})") from None


def load_article(path: Path, max_bytes: int = default("max_article_bytes")) -> Article:
    """Read, clean and describe one article file; id = file name without extension."""
    path = Path(path)
    parser = _PARSERS.get(path.suffix.lower())
    if parser is None:
        raise BadArticle(f"{path.name}: unsupported file type; use one of {', '.join(SUFFIXES)}")
    try:
        validate_article_id(path.stem)
    except BadArticle:
        raise BadArticle(f"{path.name}: unusable file name for an article id; rename it, e.g. to "
                         f"{article_id_from_title(path.stem)}{path.suffix.lower()}") from None
    raw = read_article_file(path, max_bytes)
    return describe(path.stem, parse_article(raw, path.suffix, path.name), path)


def describe(article_id: str, c: CleanedText, path: Path) -> Article:
    """The Article of cleaned text stored at `path`."""
    return Article(id=article_id, title=c.title, text=c.text, date=c.date, source=c.source, author=c.author,
                   path=str(path), content_hash=content_hash(c.text))


def load_articles(folder: Path, max_bytes: int = default("max_article_bytes"), load=None) -> LoadResult:
    """Every article file in `folder` (not recursive), sorted by id; a bad file is reported
    in `problems` and does not stop the others. Hidden files are ignored. `load(path,
    max_bytes)` reads one file (default `load_article`; the build cache passes its own)."""
    load = load or load_article
    articles: dict[str, Article] = {}
    problems: list[tuple[Path, str]] = []
    files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
    for path in files:
        if path.stem in articles:
            problems.append((path, f"{path.name}: another file already has the id {path.stem!r}; rename one"))
            continue
        try:
            articles[path.stem] = load(path, max_bytes)
        except (BadArticle, ArticleNotFound, OSError) as err:
            problems.append((path, str(err)))
        except Exception as err:  # a bug in reading one file must not abort the build
            problems.append((path, f"{path.name}: could not be read ({type(err).__name__}: {err})"))
    return LoadResult([articles[k] for k in sorted(articles)], problems)


# -- ids -------------------------------------------------------------------------------
def article_id_from_title(title: str, max_len: int = 60) -> str:
    """A safe id: folded a-z0-9 words joined by '-', cut at a word end, never empty."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(normalize(title or ""))).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len + 1].rsplit("-", 1)[0] if "-" in slug[:max_len + 1] else slug[:max_len]
    return slug or "article-" + content_hash(title or "")[:8]


def validate_article_id(article_id: str) -> str:
    """The id itself when safe (letters, digits, '-', '_', '.', no '..'); else BadArticle."""
    if not isinstance(article_id, str) or not _SAFE_ID.match(article_id) or ".." in article_id:
        raise BadArticle(f"{article_id!r} is not a valid article id: use letters, digits, '-', '_' "
                         "and '.', starting with a letter or digit, at most 128 characters")
    return article_id


# -- hashes and near-duplicates --------------------------------------------------------
def content_hash(text: str, chars: int = 64) -> str:
    """The sha256 of `text` in hex (an article's `content_hash`); `chars` keeps a prefix of it,
    for keys stored once per text (`chunking.text_key`)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:chars]


def near_duplicate_key(text: str) -> str:
    """sha256 of the folded syllables: equal for copies differing in spacing, case, tone marks."""
    return content_hash(" ".join(fold(s) for s in syllables(text)))


def shingles(text: str, size: int = 5) -> frozenset[int]:
    """Hashes of the folded `size`-syllable windows (stable across processes)."""
    sylls = [fold(s) for s in syllables(text)]
    grams = [" ".join(sylls[i:i + size]) for i in range(max(1, len(sylls) - size + 1))] if sylls else []
    return frozenset(int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams)


def similarity(a: str | frozenset[int], b: str | frozenset[int]) -> float:
    """Jaccard over 5-syllable shingles; ≥ NEAR_DUPLICATE_THRESHOLD means a near-duplicate."""
    sa = shingles(a) if isinstance(a, str) else a
    sb = shingles(b) if isinstance(b, str) else b
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0
