"""The library's imports run one way, the folders show the layers, and chapters only read.

    settings -> text -> store -> data -> models -> training -> audit -> profiles -> experiments -> report -> commands

A module may import its own layer and the layers before it, never one after it.
"""

import ast
import re
from pathlib import Path

import pytest

from fmnist_lib.store import fingerprint

LIB = Path(__file__).resolve().parents[1] / "fmnist_lib"
CHAPTERS = LIB.parent / "chapters"
LAYERS = [
    "settings",
    "text",
    "store",
    "data",
    "models",
    "training",
    "audit",
    "profiles",
    "experiments",
    "report",
    "sphinx_ext",
]
COMMANDS = {"compute", "book", "check"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(LIB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The fmnist_lib modules a file imports (absolute names), at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fmnist_lib"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (LIB.parent / candidate.replace(".", "/")).with_suffix(".py").exists() or (
                    LIB.parent / candidate.replace(".", "/")
                ).is_dir()
                found.add(candidate if is_module else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; the library imports by absolute name")
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("fmnist_lib"))
    return found


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    if top in COMMANDS:
        return len(LAYERS)
    return LAYERS.index(top) if top in LAYERS else -1


GRAPH = {_module_name(p): _imports(p) for p in LIB.rglob("*.py")}


def test_every_import_goes_down_the_layers_or_stays_in_its_own():
    upward = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _layer(target) > _layer(module) and module != "fmnist_lib"
    ]
    assert not upward, upward


def test_the_library_has_no_import_cycle():
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        if state.get(module) == "done":
            return
        if state.get(module) == "open":
            pytest.fail("import cycle: " + " -> ".join([*path, module]))
        state[module] = "open"
        for target in sorted(GRAPH.get(module, ())):
            if target.startswith(module + "."):  # a package importing its own modules (re-exports)
                continue
            visit(target, [*path, module])
        state[module] = "done"

    for module in sorted(GRAPH):
        visit(module, [])


def test_tables_plots_and_prose_read_records_and_never_reach_the_registry_or_the_runner():
    readers = [m for m in GRAPH if m.startswith("fmnist_lib.report.") and not m.endswith(("runner", "browser_check"))]
    assert len(readers) >= 6
    for module in readers:
        assert not {t for t in GRAPH[module] if t.startswith("fmnist_lib.experiments")}, module
        assert "fmnist_lib.report.runner" not in GRAPH[module], module


# what computing a record reaches: a chapter that reaches any of these computes instead of reading
COMPUTING = {"training.engine:run_stages", "models.classical:fit_and_score", "store.runstore:cached_run",
             "store.runstore:write_json_atomic"}  # fmt: skip


def _chapter_calls(path: Path) -> tuple[set[str], set[str]]:
    """The library modules a chapter imports and the library functions it calls (``module:name``)."""
    tree = ast.parse(path.read_text())
    imported = _imports(path)
    bound: dict[str, str] = {}  # a chapter's local name -> the library module it names
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fmnist_lib"):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    calls = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
        ):
            module = bound.get(node.func.value.id)
            if module:
                calls.add(f"{module.removeprefix('fmnist_lib.')}:{node.func.attr}")
    return imported, calls


@pytest.mark.parametrize("chapter", sorted(p.name for p in CHAPTERS.glob("*.py")))
def test_a_chapter_only_reads(chapter):
    """Parsed, not searched: no import of the trainers, the job runner or a kind, and nothing it calls computes."""
    imported, calls = _chapter_calls(CHAPTERS / chapter)
    forbidden = (
        "fmnist_lib.training",
        "fmnist_lib.experiments.registry",
        "fmnist_lib.experiments.jobs",
        "fmnist_lib.experiments.kinds",
        "fmnist_lib.report.runner",
        "fmnist_lib.compute",
        "fmnist_lib.book",
    )
    assert not [m for m in imported if m.startswith(forbidden)], imported
    for call in calls:
        module, name = call.split(":")
        try:
            reached = fingerprint.scope((call,))
        except ValueError:  # a re-exported name: follow the package to where it is defined
            target = fingerprint._resolve(f"fmnist_lib.{module}", name)
            if not isinstance(target, tuple):
                continue
            reached = fingerprint.scope((fingerprint._short(*target),))
        assert not COMPUTING & set(reached), f"{chapter} calls {call}, which reaches {COMPUTING & set(reached)}"


READING_WITHOUT_KERAS = """
import sys
from fmnist_lib import experiments, profiles
from fmnist_lib.audit import bottom_line, claim_rules
from fmnist_lib.experiments import registry
from fmnist_lib.report import audit_tables, plots, prose, runcard, tables, verdict_text

config = profiles.load_profile("full")
found = [registry.stored_record(config, job) for job in registry.plan(config)]
judged = claim_rules.judge_claims(experiments.replication_records(config))
curves, _ = experiments.mechanism_curves(config)
bottom_line.answer(judged, curves)
print(sum(r is not None for r in found), sorted({"keras", "tensorflow", "jax", "sklearn"} & set(sys.modules)))
"""


@pytest.mark.slow  # one subprocess that reads every committed record (about 10 s here)
def test_reading_the_records_and_judging_the_claims_imports_no_keras():
    """8 of the 12 pages only read records and judge claims: importing Keras for that cost each 5-7 s here."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", READING_WITHOUT_KERAS], capture_output=True, text=True, cwd=LIB.parent, check=True
    ).stdout.split()
    assert int(out[0]) > 50 and out[1:] == ["[]"], out


def test_the_guard_catches_a_chapter_that_computes(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from fmnist_lib.models import classical\nclassical.fit_and_score('KNN', None, None, 0)\n")
    _, calls = _chapter_calls(bad)
    assert "models.classical:fit_and_score" in calls
    assert COMPUTING & set(fingerprint.scope(("models.classical:fit_and_score",)))


def _layout_paths(readme: str) -> set[str]:
    """The files the README's layout tree names, as paths: a line ending in '/' opens a folder for deeper lines."""
    block = readme[readme.index("## Layout") :].split("```")[1]
    paths, folders = set(), []  # (indent, name) of the open folders
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        name = line.split()[0].rstrip(",")
        folders = [(i, f) for i, f in folders if i < indent]
        path = "/".join([f for _, f in folders] + [name.rstrip("/")])
        if name.endswith("/"):
            folders.append((indent, name.rstrip("/")))
        else:
            paths.add(path)
    return paths


def test_the_readme_lists_every_module_of_the_library():
    listed = _layout_paths((LIB.parent / "README.md").read_text())
    modules = {str(p.relative_to(LIB.parent)) for p in LIB.rglob("*.py") if p.name != "__init__.py"}
    assert not modules - listed, f"the README's layout leaves out: {sorted(modules - listed)}"
    assert not {p for p in listed if p.startswith("fmnist_lib/")} - modules, (
        "the README lists modules that do not exist"
    )


@pytest.mark.parametrize("chapter", sorted(p.name for p in CHAPTERS.glob("*.py")))
def test_every_number_the_prose_cites_is_glued_by_name(chapter):
    """A glued name is a literal in the chapter's code, so renaming one fails here, not at build time."""
    text = (CHAPTERS / chapter).read_text()
    cited = set(re.findall(r"\{glue(?::\w+)?\}`([a-z_0-9]+)", text)) | set(
        re.findall(r"```\{glue:\w+\} ([a-z_0-9]+)", text)
    )
    code = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    literals = {n.value for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert cited <= literals, f"{chapter} cites {sorted(cited - literals)} without gluing them by name"


def test_the_records_chapters_load_one_by_one_are_the_ones_a_build_requires():
    from fmnist_lib.experiments import read

    loaded = set()
    for chapter in CHAPTERS.glob("*.py"):
        for node in ast.walk(ast.parse(chapter.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load":
                args = [a.value for a in node.args[1:] if isinstance(a, ast.Constant)]
                loaded.add((args[0], args[1] if len(args) > 1 else None))
    assert loaded and loaded <= set(read.REQUIRED), loaded - set(read.REQUIRED)
