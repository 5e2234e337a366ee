"""Whether a record's code is today's code: unchanged, changed, or changed in form only and tested equal.

A record keeps the fingerprint of the code that computed it. Moving or
reshaping that code changes the fingerprint without changing a single number;
such a change is not taken on trust. It is accepted only where a test
recomputes a record of the old code with the new code and gets exactly the
same result, and ``equivalences.json`` names that test beside the two
fingerprints. A record whose fingerprint matches no such entry says its code
has changed, by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

from fmnist_lib.store import fingerprint

EQUIVALENCES_FILE = Path(__file__).with_name("equivalences.json")
SHOWN_CHANGES = 4  # a status names at most this many changed definitions


class CodeState(Enum):
    UNCHANGED = "unchanged"
    EQUIVALENT = "equivalent, tested"
    CHANGED = "changed"
    NOT_FINGERPRINTED = "not fingerprinted"


@dataclass(frozen=True)
class CodeStatus:
    """A record's code against today's: the state, and the words a provenance row shows for it."""

    state: CodeState
    text: str

    @property
    def changed(self) -> bool:
        return self.state is CodeState.CHANGED


UNKNOWN = CodeStatus(CodeState.NOT_FINGERPRINTED, "")


@dataclass(frozen=True)
class Equivalence:
    """Code ``old`` and code ``new`` compute the same records of ``kind``; ``test`` shows it."""

    kind: str
    old: dict
    new: dict
    test: str


@lru_cache(maxsize=1)
def known() -> tuple[Equivalence, ...]:
    if not EQUIVALENCES_FILE.exists():
        return ()
    return tuple(Equivalence(**entry) for entry in json.loads(EQUIVALENCES_FILE.read_text()))


def status(kind: str, recorded: dict | None, now: dict) -> CodeStatus:
    """The record's code state, with the definitions that changed or the test that shows equivalence."""
    changes = fingerprint.changed(recorded, now)
    if changes is None:
        return CodeStatus(CodeState.NOT_FINGERPRINTED, "not fingerprinted (made before records kept one)")
    if not changes:
        return CodeStatus(CodeState.UNCHANGED, "unchanged")
    for entry in known():
        if entry.kind == kind and entry.old == recorded and entry.new == now:
            return CodeStatus(CodeState.EQUIVALENT, f"equivalent, tested ({entry.test})")
    named = ", ".join(changes[:SHOWN_CHANGES])
    more = f" and {len(changes) - SHOWN_CHANGES} more" if len(changes) > SHOWN_CHANGES else ""
    return CodeStatus(CodeState.CHANGED, f"CHANGED since: {named}{more}")


def add(entries: list[Equivalence]) -> None:
    """Keep new equivalences (each after its test passed), replacing any for the same kind and old code."""
    unique = list({(e.kind, json.dumps(e.old, sort_keys=True)): e for e in entries}.values())
    kept = [e for e in known() if not any(e.kind == n.kind and e.old == n.old for n in unique)]
    payload = [e.__dict__ for e in [*kept, *unique]]
    EQUIVALENCES_FILE.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    known.cache_clear()
