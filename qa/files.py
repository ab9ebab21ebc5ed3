"""Durable file writes: what a crash or a power cut cannot leave half-done.

Write-then-fsync for files, fsync for folders (so a rename is on disk), a whole tree at
once before it is renamed into place, and the next sequence number for a folder's
"000042-..." entries, and whether the process that left a file is still running. Knows
nothing of what the files hold.
"""
from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)  # an O_RDONLY fsync works for files too
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text(path: Path, data: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def fsync_tree(folder: Path) -> None:
    """Every file and folder under `folder` on disk, so a power cut cannot leave a build that
    is named complete but holds empty files (np.save and faiss do not fsync)."""
    for path in sorted(folder.rglob("*"), reverse=True):
        fsync_dir(path)
    fsync_dir(folder)


def next_number(folder: Path) -> int:
    """1 + the largest "000042-..." prefix among `folder`'s entries, a ".tmp-" one included,
    so names sort in the order they were made."""
    numbers = [int(head) for p in folder.iterdir() if (head := p.name.removeprefix(".tmp-").split("-")[0]).isdigit()]
    return max(numbers, default=0) + 1


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
