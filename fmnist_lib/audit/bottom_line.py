"""The front page's bottom line: three sentences and one table of the paper's headline claims.

A reader who gives the report thirty seconds should learn what holds and what
does not before any detail. Both are built from the audit's claims table and the
mechanism curves, the same objects the audit chapter shows, so the front page can
never say more than the audit measured.
"""

from __future__ import annotations

import pandas as pd

from fmnist_lib.audit import claims, mechanisms
from fmnist_lib.audit.claim_rules import NOT_COMPARABLE, REPRODUCED

# The audit's headline claims that a mechanism can explain (the accuracy drop is a difference of two of them).
_EXPLAINED_BY = {claim.audit_claim: claim for claim in mechanisms.HEADLINE}


def _only_by_spread(note: str) -> bool:
    """The audit's note says a claim holds only because the seeds spread so widely."""
    return "spread" in note


def _ours(row: pd.Series) -> str:
    """Our value with the interval that decides: the seeds' where there are several, else one run's."""
    seeds = row["95 % interval (seeds)"]
    if isinstance(seeds, str) and seeds not in ("–", ""):
        interval, _, count = seeds.partition(" over ")
        return f"{row['ours']}; {count}: {interval}"
    single = row["95 % interval (one run)"]
    return row["ours"] if single in ("–", "", "exact") else f"{row['ours']} {single}"


def _explanation(judged_by_claim: dict, claim_name: str, note: str) -> str:
    """What accounts for the claim: a mechanism that explains it, else the closest one, or why none applies."""
    claim = _EXPLAINED_BY.get(claim_name)
    if claim is None:  # the accuracy drop: a difference of two numbers, each judged above
        return "the seeds spread widely" if _only_by_spread(note) else "–"
    judged = judged_by_claim[claim]
    if not judged:
        return "no mechanism measured on the paper's data"
    names = [c.mechanism for c, cell in judged if cell["verdict"] in (mechanisms.EXPLAINS, mechanisms.OVER)]
    if names:
        return "; ".join(names)
    nearest = mechanisms.closest([c for c, _ in judged], claim)
    text = f"nothing of {len(judged)} tried"
    if nearest is not None:
        cell = {id(c): cell for c, cell in judged}[id(nearest)]
        text += f"; closest: {nearest.mechanism} at {cell['text'].split(', error')[0]}"
    return text


def _judged_by_claim(curves: list[mechanisms.Curve]) -> dict:
    """Each headline claim's verdicts from the mechanisms measured at its length on the paper's data, judged once."""
    return {claim: mechanisms.judged_here(curves, claim) for claim in mechanisms.HEADLINE}


def headline_claims(claims_table: pd.DataFrame, curves: list[mechanisms.Curve]) -> pd.DataFrame:
    """The paper's headline accuracy claims: claimed, ours with the deciding interval, verdict, what explains it."""
    rows = claims_table[claims_table["group"] == claims.HEADLINE]
    judged_by_claim = _judged_by_claim(curves)
    return pd.DataFrame(
        [
            {
                "claim": row["claim"],
                "claimed": row["claimed"],
                "ours (95 % interval)": _ours(row),
                "verdict": row["verdict"],
                "what explains it": _explanation(judged_by_claim, row["claim"], row["note"]),
            }
            for _, row in rows.iterrows()
        ]
    )


def sentences(claims_table: pd.DataFrame, curves: list[mechanisms.Curve]) -> str:
    """Three sentences: how the headline claims fare, the two final accuracies, and what could explain them."""
    rows = claims_table[claims_table["group"] == claims.HEADLINE]
    verdicts = rows["verdict"].value_counts()
    total, reproduced = len(rows), int(verdicts.get(REPRODUCED, 0))
    not_comparable = int(verdicts.get(NOT_COMPARABLE, 0))
    first = f"Of the seed paper's {total} headline accuracy claims, this run reproduces {reproduced}"
    if not_comparable:
        first += f" and cannot judge {not_comparable} (it does not follow the paper's protocol for them)"
    kept = [
        row["claim"] + (" (only because its seeds spread so widely)" if _only_by_spread(row["note"]) else "")
        for _, row in rows[rows["verdict"] == REPRODUCED].iterrows()
    ]
    first += f"{': ' + ', '.join(kept) if kept else ''}."
    by_name = {row["claim"]: row for _, row in rows.iterrows()}
    finals, comparable = [], []
    for name, label in (
        ("CNN-3-128 accuracy after 62 epochs", "CNN-3-128"),
        ("light model accuracy", "the light model"),
    ):
        row = by_name.get(name)
        if row is not None and row["ours"] != "not run":
            finals.append(f"{label} reaches {row['ours']} where the paper claims {row['claimed']}")
            comparable.append(row["verdict"] != NOT_COMPARABLE)
    if not finals:
        second = "This run has neither network's final accuracy."
    elif all(comparable):
        second = f"Trained as the paper describes, {' and '.join(finals)}."
    else:  # a subsample or a shorter schedule: the numbers check the pipeline, not the paper
        second = (
            f"On this profile's shortened protocol, which is not the paper's, {' and '.join(finals)}; "
            "only the full profile's numbers can be set against the claims."
        )
    judged_by_claim = _judged_by_claim(curves)
    explained = {
        claim.label: [c.mechanism for c, cell in judged if cell["verdict"] in (mechanisms.EXPLAINS, mechanisms.OVER)]
        for claim, judged in judged_by_claim.items()
    }
    unexplained = [label for label, names in explained.items() if not names]
    measured = {claim.label for claim, judged in judged_by_claim.items() if judged}
    tried = {c.mechanism for judged in judged_by_claim.values() for c, _ in judged}
    if not measured:
        third = (
            "No mechanism that could inflate the numbers was run on the paper's data here; "
            "the full profile tests seven."
        )
    elif all(label in unexplained for label in measured) and len(measured) == len(mechanisms.HEADLINE):
        third = (
            f"None of the {len(tried)} ways of inflating accuracy that we measured at the paper's length "
            "accounts for its numbers, so they stay unexplained by anything we tried."
        )
    elif all(label in unexplained for label in measured):  # only some claims had a mechanism measured
        ways = "1 way" if len(tried) == 1 else f"{len(tried)} ways"
        third = (
            f"On this run {ways} of inflating accuracy could be judged at the paper's length, for "
            f"{len(measured)} of the {len(mechanisms.HEADLINE)} headline numbers, and none accounts for them; "
            "the full profile judges all seven."
        )
    else:
        parts = [f"{label}: {', '.join(names)}" for label, names in explained.items() if names]
        third = f"Some claims match a mechanism that inflates accuracy ({'; '.join(parts)})."
    return " ".join((first, second, third))
