"""The run card's tables: the parameters, machine, record sources and chapter times of a build.

The front page shows them so a reader can rerun the report; they describe the
build, not an experiment, so they live apart from the chapters' tables.
"""

from __future__ import annotations

import pandas as pd

from fmnist_lib import profiles
from fmnist_lib.store import provenance
from fmnist_lib.store.records import Record

AGREEMENT_WORDS = {True: "agrees", False: "DISAGREES", None: "cannot judge"}  # audit.agreement's three outcomes


def parameter_table(config: dict) -> pd.DataFrame:
    """Every parameter of the run, dotted names as ``--set`` takes them; None means all images."""
    rows = [(name, "all" if value is None else str(value)) for name, value in profiles.flatten(config).items()]
    return pd.DataFrame(rows, columns=["parameter", "value"])


def environment_table(prov: dict) -> pd.DataFrame:
    """Machine and versions of the build, one row each."""
    rows = [
        ("hardware", provenance.hardware_summary(prov)),
        ("CPU", prov["cpu"]),
        ("platform", prov["platform"]),
        ("Keras backend", prov["keras_backend"]),
        ("git commit", prov["git_commit"]),
        ("built (UTC)", prov["date"]),
    ]
    rows += [(name, version) for name, version in prov["versions"].items()]
    return pd.DataFrame(rows, columns=["item", "value"])


def recheck_table(rows: list[dict] | None) -> pd.DataFrame:
    """The re-check of committed records on this machine, one row each (``experiments.recheck``)."""
    if not rows:
        return pd.DataFrame(
            [{"record": "none re-checked in this build", "committed": "–", "here": "–", "rule": "–", "agreement": "–"}]
        )
    return pd.DataFrame(
        [
            {
                "record": row["label"],
                "committed": row["committed"],
                "here": row["here"],
                "rule": row["rule"],
                "agreement": AGREEMENT_WORDS[row["agrees"]] + (f"; {row['note']}" if row["note"] else ""),
            }
            for row in rows
        ]
    )


def lock_table(differences: list[tuple[str, str, str]]) -> pd.DataFrame:
    """The packages installed at other versions than ``requirements.lock`` names (the records' stack)."""
    if not differences:
        return pd.DataFrame([{"package": "every locked package", "locked": "as installed", "installed": "as locked"}])
    return pd.DataFrame(differences, columns=["package", "locked", "installed"])


def record_sources(records: list[Record]) -> pd.DataFrame:
    """Where the records behind a report were made: one row per machine, backend and commit.

    The build machine renders; the numbers may come from elsewhere (a GPU run
    whose records were committed), and the reader must see which, and how far
    each group can be traced: made from a committed tree or a dirty one, with a
    fingerprint of its code or from before records kept one.
    """
    groups: dict[tuple, list[Record]] = {}
    for rec in records:
        prov = rec.provenance
        versions = prov["versions"]
        backend = prov["keras_backend"]
        stack = (
            f"keras {versions.get('keras', '?')}, {backend} {versions.get(backend, versions.get(backend + '-cpu', ''))}"
        )
        groups.setdefault((provenance.hardware_summary(prov), stack.strip(), prov["git_commit"]), []).append(rec)
    rows = []
    for (hardware, stack, commit), recs in groups.items():
        fingerprinted = sum(r.code is not None for r in recs)
        shared = max(r.provenance.get("concurrent_jobs", 1) for r in recs)
        rows.append(
            {
                "where": f"{hardware}; {stack}" + (f"; up to {shared} jobs sharing it" if shared > 1 else ""),
                "commit": commit[:12] + (" (dirty tree)" if commit.endswith("+dirty") else ""),
                "records": len(recs),
                "fingerprinted": f"{fingerprinted} of {len(recs)}",
                "made (UTC)": min(r.provenance["date"] for r in recs)[:10],
                "experiments": ", ".join(sorted({r.experiment.replace("_", " ") for r in recs})),
            }
        )
    return pd.DataFrame(rows).sort_values(["where", "made (UTC)"], ignore_index=True) if rows else pd.DataFrame(rows)


def chapter_times(manifest: dict) -> pd.DataFrame:
    """Wall time of each chapter as the runner measured it, and when it ran."""
    rows = [
        {"chapter": c["chapter"], "wall time (s)": round(c["seconds"], 1), "executed (UTC)": c["ran_at"]}
        for c in manifest.get("chapters", [])
    ]
    table = pd.DataFrame(rows, columns=["chapter", "wall time (s)", "executed (UTC)"])
    if rows:
        total = {
            "chapter": "total",
            "wall time (s)": round(sum(r["wall time (s)"] for r in rows), 1),
            "executed (UTC)": "",
        }
        table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return table
