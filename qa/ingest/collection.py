"""The articles folder as a collection: add files under safe ids, remove them, spot duplicates.

Writes only inside the articles folder, each file atomically (temp file, fsync, link, fsync
of the folder), and never overwrites an existing article. Removed articles are moved to
`.removed/`, not deleted, each under a name of its own. What may be added is decided by
`articles.article_text`, the rule the builder reads files with, so an accepted article is
never skipped later. Does not rebuild the index: the Engine does that, under the writer lock.
"""
from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from qa.errors import AmbiguousArticle, ArticleNotFound, BadArticle, DuplicateArticle
from qa.files import fsync_dir
from qa.ingest.articles import (
    NEAR_DUPLICATE_THRESHOLD,
    SUFFIXES,
    article_id_from_title,
    content_hash,
    describe,
    parse_article,
    read_article_file,
    shingles,
    similarity,
    validate_article_id,
)
from qa.records import Article


@dataclass(frozen=True)
class Added:
    id: str
    path: Path
    title: str
    article: Article  # as read back from `path` (so the caller need not parse it again)
    written: bool = True  # False: the file was there already (an add killed before its rebuild)


def _write_new(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # fails if the name was taken meanwhile: never overwrite an article
    finally:
        tmp.unlink()
    fsync_dir(path.parent)  # the new name is on disk before anyone is told it was added


def remove_leftovers(folder: Path) -> list[str]:
    """Delete temp files of writes that were killed half-way. Call it holding the writer lock:
    then no write is in progress, and every temp file is a dead one's."""
    removed = []
    for leftover in folder.glob(".*.tmp") if folder.is_dir() else []:
        leftover.unlink(missing_ok=True)
        removed.append(leftover.name)
    return removed


def _free_id(folder: Path, wanted: str) -> str:
    taken = {p.stem for p in folder.iterdir()}
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    return candidate


def add_text(folder: Path, raw: str, suffix: str, existing: list[Article], *, name: str = "article",
             force: bool = False, near=None, cleaned=None, unbuilt: set[str] = frozenset()) -> Added:
    """Store one article's raw text (already decoded) in `folder` under an id from its title.
    `near` (a `qa.store.duplicates.NearDuplicates` over `existing`) makes the near-duplicate check fast;
    `cleaned` is `parse_article(raw, suffix)` when the caller has it already. The same text
    already in the folder under one of the `unbuilt` ids (not in the live build as it is:
    an add killed before its rebuild) is returned as added (`written=False`), not refused."""
    suffix = suffix.lower() if suffix.lower() in SUFFIXES else ".txt"
    cleaned = cleaned or parse_article(raw, suffix, name)
    digest = content_hash(cleaned.text)
    for other in existing:
        if other.content_hash == digest and other.id in unbuilt:
            return Added(other.id, Path(other.path), other.title, other, written=False)
        if other.content_hash == digest:
            raise DuplicateArticle(f"{name}: already in the collection as {other.id!r} (the same text).")
    if not force:
        mine = shingles(cleaned.text) if near is None else None
        scores = near.similarities(cleaned.text) if near is not None else (similarity(mine, o.text) for o in existing)
        for other, score in zip(near.articles if near is not None else existing, scores):
            if score >= NEAR_DUPLICATE_THRESHOLD:
                raise DuplicateArticle(
                    f"{name}: {score:.0%} the same as {other.id!r} ({other.title}), probably a syndicated copy. "
                    "Add it anyway with --force.")
    folder.mkdir(parents=True, exist_ok=True)
    article_id = _free_id(folder, article_id_from_title(cleaned.title))
    path = folder / f"{article_id}{suffix}"
    _write_new(path, raw if raw.endswith("\n") else raw + "\n")
    return Added(article_id, path, cleaned.title, describe(article_id, cleaned, path))


@dataclass(frozen=True)
class Source:
    """A file about to be added, read and parsed once."""

    path: Path
    raw: str
    suffix: str
    cleaned: object  # articles.CleanedText


def read_source(source: Path, max_bytes: int) -> Source:
    """A file to add, or BadArticle: the builder's own rules (`read_article_file`: empty, binary,
    oversized, undecodable) and its parser's, so that nothing added is skipped later."""
    source = Path(source)
    if source.is_file() and source.suffix.lower() not in SUFFIXES:  # a .csv is text too, but no article
        raise BadArticle(f"{source.name}: unsupported file type; use one of {', '.join(SUFFIXES)}")
    raw = read_article_file(source, max_bytes)
    return Source(source, raw, source.suffix, parse_article(raw, source.suffix, source.name))


def add_file(folder: Path, source: Path, existing: list[Article], *, max_bytes: int, force: bool = False,
             near=None) -> Added:
    s = read_source(source, max_bytes)
    return add_text(folder, s.raw, s.suffix, existing, name=s.path.name, force=force, near=near, cleaned=s.cleaned)


def article_path(folder: Path, name: str) -> Path:
    """The article file that `name` means: its id, its file name, or a prefix of one id only.
    Only files directly in `folder`; an ambiguous prefix lists the ids it matches."""
    try:
        validate_article_id(name)
    except BadArticle:
        raise ArticleNotFound(f"{name!r} is not an article id. List them with: qa articles") from None
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                   and not p.name.startswith(".")) if folder.is_dir() else []
    exact = [p for p in files if name in (p.stem, p.name)]
    matches = exact or [p for p in files if p.stem.startswith(name)]
    if len(matches) == 1 and matches[0].resolve().parent == folder.resolve():
        return matches[0]
    if len(matches) > 1:
        raise AmbiguousArticle(f"{name!r} could be any of {len(matches)} articles: "
                               f"{', '.join(p.stem for p in matches)}. Give more of the id.")
    raise ArticleNotFound(f"No article with id {name!r} in {folder}. List them with: qa articles")


def remove(folder: Path, article_id: str) -> Path:
    """Move the article's file to `<folder>/.removed/` (recoverable) and return its new path."""
    return set_aside(article_path(folder, article_id))


def set_aside(path: Path) -> Path:
    """Move an article file into `.removed/` under a name no earlier removal has (two removals
    of one id in one second keep both copies), durably, and return where it went."""
    trash = path.parent / ".removed"
    trash.mkdir(exist_ok=True)
    stamp, n = time.strftime("%Y%m%dT%H%M%S"), 1
    while True:
        target = trash / f"{stamp}-{path.name}" if n == 1 else trash / f"{stamp}-{n}-{path.name}"
        try:
            os.link(path, target)  # never replaces: a taken name fails and the next is tried
            break
        except FileExistsError:
            n += 1
    path.unlink()
    fsync_dir(trash)
    fsync_dir(path.parent)
    return target
