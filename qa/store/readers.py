"""Who is reading an index: long-lived processes record the build they answer from.

A server (`Engine.watch`) swaps to a new build in the background, so its requests never
wait on a load. A writer in another process (`qa add`) then cannot know when the server
answers from the new build, unless the server says so: each watching engine keeps
`index/readers/<pid>-<n>.json` = {"pid", "version", "failed"} up to date, and the writer
waits (bounded) until every live reader has loaded the build it published, or failed to.
A reader whose process has died is ignored and its file removed. Does not load anything.
"""
from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path

from qa.files import process_alive, write_text

_numbers = itertools.count(1)


def _folder(index_dir: Path) -> Path:
    return index_dir / "readers"


class Reader:
    """One watching engine's entry; `report` after each swap, `close` at shutdown."""

    def __init__(self, index_dir: Path):
        self.path = _folder(index_dir) / f"{os.getpid()}-{next(_numbers)}.json"

    def report(self, version: str | None, failed: str | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        write_text(tmp, json.dumps({"pid": os.getpid(), "version": version, "failed": failed}))
        os.replace(tmp, self.path)

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def lagging(index_dir: Path, version: str) -> list[str]:
    """Readers (file names) of live processes that have neither loaded `version` nor failed to."""
    folder = _folder(index_dir)
    behind = []
    for path in folder.glob("*.json") if folder.is_dir() else []:
        try:
            entry = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # being replaced right now: read again on the next look
        if not process_alive(int(entry.get("pid", 0))):
            path.unlink(missing_ok=True)
        elif version not in (entry.get("version"), entry.get("failed")):
            behind.append(path.name)
    return behind


def wait_for(index_dir: Path, version: str, timeout: float, poll: float = 0.05) -> list[str]:
    """Wait until every live reader answers from `version` (or gave up on it); returns the
    readers still behind when `timeout` ran out (empty: all swapped)."""
    deadline = time.monotonic() + timeout
    while (behind := lagging(index_dir, version)) and time.monotonic() < deadline:
        time.sleep(poll)
    return behind
