"""The layout: dependencies point one way (lang → ingest → store → search → answer → chat →
engine → serve/terminal), no import cycle, no module past 250 lines, a docstring on each, and
no module that reads a data file when it is imported.

The import graph is read from the source with `ast` (no import runs), so a lazy import inside a function
counts too; the data-file check imports every module in a fresh interpreter.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

QA = Path(__file__).resolve().parent.parent / "qa"
# Lower layers never import higher ones. The base modules are the shared vocabulary.
LAYERS = [
    {"qa.errors", "qa.records", "qa.settings", "qa.files"},
    {"qa.lang"}, {"qa.ingest"}, {"qa.store"}, {"qa.search"}, {"qa.answer"}, {"qa.chat"},
    {"qa.engine", "qa.live", "qa.evaluate"},
    {"qa.serve", "qa.terminal"},
]
MAX_LINES = 250


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(QA.rglob("*.py")):
        parts = list(path.relative_to(QA.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The qa modules `name` imports (a `from pkg import mod` names the module)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "qa"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "qa":
                continue
            subs = {f"{module}.{a.name}" for a in node.names} & known
            out |= subs or {module}
    return out - {name}


def layer(module: str) -> int:
    for n, members in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in members):
            return n
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_dependencies_point_one_way(graph):
    wrong = [f"{a} -> {b}" for a, deps in graph.items() if a != "qa" for b in deps
             if b != "qa" and layer(b) > layer(a)]
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def test_the_facade_imports_only_the_engine_and_settings(graph):
    assert graph["qa"] <= {"qa.engine", "qa.settings"}


def test_there_is_no_import_cycle(graph):
    # A module importing its own package's __init__ (for a re-export) is not a cycle of code.
    edges = {a: {b for b in deps if not a.startswith(b + ".")} for a, deps in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert not cycles, "\n".join(cycles)


def test_modules_are_small_and_say_what_they_do():
    for name, path in modules().items():
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= MAX_LINES, f"{name}: {len(source.splitlines())} lines"
        assert ast.get_docstring(ast.parse(source)), f"{name} has no docstring"


def test_importing_the_package_reads_no_data_file():
    """No import-time globals: every word list is read on first use, so importing any module is
    cheap and a broken data file fails the call that needs it, not every import."""
    # A module behind an extra that is not installed (the Milvus store without pymilvus) is skipped.
    code = ("import importlib, pkgutil, qa\n"
            "from qa.lang import wordlists\n"
            "for m in pkgutil.walk_packages(qa.__path__, 'qa.'):\n"
            "    try:\n"
            "        importlib.import_module(m.name)\n"
            "    except ModuleNotFoundError as e:\n"
            "        if (e.name or 'qa').split('.')[0] == 'qa':\n"
            "            raise\n"
            "print(wordlists.table.cache_info().currsize, wordlists.words.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "0"]


def test_a_layer_violation_would_be_seen(tmp_path):
    # The checker itself: a lang module importing the engine is caught.
    bad = tmp_path / "bad.py"
    bad.write_text('"""x"""\nfrom qa.engine import Engine\n')
    assert layer("qa.lang.bad") < layer(next(iter(imports("qa.lang.bad", bad, {"qa.engine"}))))
