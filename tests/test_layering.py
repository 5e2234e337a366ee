"""The library's imports run one way: data and models below, the registry above them, command lines on top."""

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "fmnist_lib"
CHAPTERS = LIB.parent / "chapters"
COMMAND_LINES = {"compute", "book"}  # only people and scripts call these


def _imports(source: Path) -> set[str]:
    """The fmnist_lib modules a file imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:  # from .x import y
                found.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import x, y
                found.update(alias.name for alias in node.names)
            elif node.module == "fmnist_lib":
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("fmnist_lib."):
                found.add(node.module.split(".")[1])
    return found


GRAPH = {p.stem: _imports(p) - {p.stem} for p in LIB.glob("*.py") if p.stem != "__init__"}


def test_library_imports_have_no_cycle():
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        if state.get(module) == "done":
            return
        if state.get(module) == "open":
            pytest.fail("import cycle: " + " -> ".join([*path, module]))
        state[module] = "open"
        for target in sorted(GRAPH.get(module, ())):
            visit(target, [*path, module])
        state[module] = "done"

    for module in sorted(GRAPH):
        visit(module, [])


def test_no_module_imports_a_command_line_and_chapters_only_read():
    for module, targets in GRAPH.items():
        assert not (targets & COMMAND_LINES) or module in COMMAND_LINES, module
    assert "compute" not in GRAPH["book"]
    for chapter in CHAPTERS.glob("*.py"):
        assert not _imports(chapter) & (COMMAND_LINES | {"jobs", "training"}), chapter.name


def test_records_and_tables_sit_below_the_registry():
    """Tables, plots, prose and the audit read records; they never reach up into the registry or the runner."""
    for module in ("records", "results", "tables", "plots", "prose", "runcard", "audit", "selection", "stats"):
        assert not GRAPH[module] & {"experiments", "jobs", *COMMAND_LINES}, module
