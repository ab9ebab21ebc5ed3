"""Shared by the benchmark scripts: rewrite one generated section of bench/README.md."""
from __future__ import annotations

import re
from pathlib import Path


def write_section(path: Path, section: str, keep_below: str, generated: str) -> None:
    """Replace the text from `section` down to the `keep_below` marker with `generated`,
    keeping the hand-written notes below the marker and every other section."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    generated = f"{generated.rstrip()}\n\n{keep_below}\n"
    ours = re.compile(rf"^{re.escape(section)}\n.*?{re.escape(keep_below)}\n", re.S | re.M)
    if ours.search(text):
        text = ours.sub(lambda _: generated, text)
    else:
        text = text.rstrip("\n") + "\n\n" + generated
    path.write_text(text, encoding="utf-8")
