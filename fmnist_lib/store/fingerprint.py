"""Fingerprints of the code that computes a record, so a record never silently outlives it.

A record keeps a short digest of every definition its computation runs through:
the kind's compute function and, followed through the library, each function,
class and constant it uses, and what those use in turn (a static call graph).
When one of them changes, every record it made says so, by name, wherever it is
shown; a change anywhere else (a new baseline, a plot, a chapter, comments and
docstrings, error messages) leaves the record untouched. A digest is of the
definition's syntax tree without docstrings and without the messages of the
exceptions it raises, so reformatting, comments and rewording do not count as change.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PACKAGE = "fmnist_lib"
LIB = Path(__file__).resolve().parents[1]


def _without_words(tree: ast.AST) -> ast.AST:
    """The tree without docstrings and without the messages of the exceptions it raises.

    Neither computes anything: rewording an error message (or a docstring) must
    not mark every record that passes through that code as computed by other code.
    """
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            node.exc.args, node.exc.keywords = [], []
    return tree


@dataclass
class _Module:
    """One library module: its top-level definitions and what its names are bound to by imports."""

    name: str
    definitions: dict[str, ast.AST] = field(default_factory=dict)
    modules: dict[str, str] = field(default_factory=dict)  # local name -> module
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # local name -> (module, name)


def _path_of(module: str) -> Path | None:
    parts = module.split(".")[1:]
    for candidate in (LIB.joinpath(*parts).with_suffix(".py"), LIB.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


def _absolute(module: str, level: int, target: str | None, is_package: bool) -> str:
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


@lru_cache(maxsize=None)
def _module(name: str) -> _Module | None:
    path = _path_of(name)
    if path is None:
        return None
    tree = _without_words(ast.parse(path.read_text()))
    found = _Module(name)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.definitions[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        found.definitions[leaf.id] = node
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):  # imports at the top and inside functions alike
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE):
                    found.modules[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else PACKAGE
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(name, node.level, node.module, is_package)
            if not source.startswith(PACKAGE):
                continue
            for alias in node.names:
                local = alias.asname or alias.name
                if _path_of(f"{source}.{alias.name}") is not None:
                    found.modules[local] = f"{source}.{alias.name}"
                else:
                    found.names[local] = (source, alias.name)
    return found


def _resolve(module: str, name: str, depth: int = 0) -> tuple[str, str] | str | None:
    """A name in a module: the (module, name) of its definition, the module it names, or None (not ours)."""
    found = _module(module)
    if found is None or depth > 20:
        return None
    if name in found.definitions:
        return (module, name)
    if name in found.modules:
        return found.modules[name]
    if name in found.names:
        return _resolve(*found.names[name], depth + 1)
    return None


def _references(node: ast.AST) -> set[tuple[str, str | None]]:
    """(name, attribute) pairs a definition reads: ``f`` as (f, None), ``mod.f`` as (mod, f)."""
    out: set[tuple[str, str | None]] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            out.add((sub.value.id, sub.attr))
        elif isinstance(sub, ast.Name):
            out.add((sub.id, None))
    return out


def _digest(node: ast.AST) -> str:
    return hashlib.sha256(ast.dump(node, annotate_fields=False).encode()).hexdigest()[:12]


def _short(module: str, name: str) -> str:
    return f"{module.removeprefix(PACKAGE + '.')}:{name}"


@lru_cache(maxsize=None)
def scope(roots: tuple[str, ...]) -> dict[str, str]:
    """Digests of ``roots`` (``"package.module:name"``) and of every library definition they reach.

    Keys name each definition (``training.engine:run_stages``), so a changed
    record says which code changed.
    """
    todo = []
    for root in roots:
        module, _, name = root.partition(":")
        todo.append((f"{PACKAGE}.{module}", name))
    digests: dict[str, str] = {}
    while todo:
        module, name = todo.pop()
        key = _short(module, name)
        if key in digests:
            continue
        found = _module(module)
        if found is None or name not in found.definitions:
            raise ValueError(f"the fingerprint names {key}, which the library does not define")
        node = found.definitions[name]
        digests[key] = _digest(node)
        for base, attribute in _references(node):
            target = _resolve(module, base)
            if isinstance(target, str) and attribute is not None:
                target = _resolve(target, attribute)
            if isinstance(target, tuple) and _short(*target) not in digests:
                todo.append(target)
    return dict(sorted(digests.items()))


def changed(recorded: dict[str, str] | None, now: dict[str, str]) -> list[str] | None:
    """The definitions that differ from when the record was made; None if the record predates fingerprints."""
    if recorded is None:
        return None
    return sorted(m for m in set(now) | set(recorded) if now.get(m) != recorded.get(m))
