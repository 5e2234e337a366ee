"""Fingerprints of the code that computes a record, so a record never silently outlives it.

A record keeps a short digest of each module its experiment runs through.
When one of those modules changes, every record it made says so, by name,
wherever it is shown; changes elsewhere (a plot, a chapter, comments and
docstrings) leave records untouched. The digest is of the module's syntax
tree without docstrings, so reformatting and comments do not count as change.
"""

from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

LIB = Path(__file__).resolve().parent


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


@lru_cache(maxsize=None)
def module_digest(part: str) -> str:
    """A 12-hex digest of ``module`` or of ``module:name,name`` (only those top-level definitions).

    The syntax tree is hashed without docstrings, so comments, docstrings and
    formatting do not count as a change; naming definitions keeps a record
    from being flagged when an unrelated function of the same module changes.
    """
    module, _, names = part.partition(":")
    tree = _without_docstrings(ast.parse((LIB / f"{module}.py").read_text()))
    if names:
        wanted = set(names.split(","))
        nodes = [n for n in tree.body if getattr(n, "name", None) in wanted]
        missing = wanted - {n.name for n in nodes}
        if missing:
            raise ValueError(f"fingerprint names {sorted(missing)}, which {module}.py does not define")
        tree = ast.Module(body=nodes, type_ignores=[])
    return hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()[:12]


def digests(parts: tuple[str, ...]) -> dict[str, str]:
    return {part: module_digest(part) for part in parts}


def changed(recorded: dict[str, str] | None, parts: tuple[str, ...]) -> list[str] | None:
    """The code parts that differ from when the record was made; None if the record predates fingerprints."""
    if recorded is None:
        return None
    now = digests(parts)
    return sorted(m for m in set(now) | set(recorded) if now.get(m) != recorded.get(m))
