"""Word lists and fitted weights: the data files under `qa/data/`, read through one loader.

The word tables the code consults (units, number words, question words, stopwords, name
heads, family names and titles, a bilingual glossary, a scorer's fitted weights) are files
in `qa/data/` whose header says where their entries come from, so a table can be reviewed,
refitted or replaced without touching code. This module only reads them; it knows nothing
of what they mean.

>>> "nghìn" in words("example")
True
"""
from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

__all__ = ["words", "table", "data_path"]


def data_path(name: str):
    """The packaged data file `name` (a Traversable: `.read_text()`, `.open()`)."""
    return files("qa") / "data" / name


@cache
def words(name: str) -> frozenset[str]:
    """The entries of `qa/data/<name>.txt`: one per line, `#` starts a comment, blank lines skipped."""
    lines = data_path(f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip())


@cache
def table(name: str):
    """The JSON document `qa/data/<name>.json` (a mapping or list; treat it as read-only)."""
    return json.loads(data_path(f"{name}.json").read_text(encoding="utf-8"))
