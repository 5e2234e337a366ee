"""Shared helpers for the benchmark scripts: a machine line and a table printer."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmnist_lib.store import provenance  # noqa: E402


def machine_line() -> str:
    prov = provenance.collect()
    versions = prov["versions"]
    return (
        f"machine: {provenance.hardware_summary(prov)}; keras {versions.get('keras')} on "
        f"{prov['keras_backend']}; python {versions['python']}; commit {prov['git_commit'][:12]}"
    )


def print_table(rows: list[dict]) -> None:
    import pandas as pd

    print(pd.DataFrame(rows).to_string(index=False))
