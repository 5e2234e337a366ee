"""How a verdict reads: the words for its outcome, our value with its interval, its seeds and caveats.

The one place where a ``verdicts.Verdict`` becomes text. A claim's outcome reads
"reproduced"; a mechanism's, "explains"; both come from the same outcome, so a
table and a sentence can never disagree about it.
"""

from __future__ import annotations

from fmnist_lib.audit.claims import Claim
from fmnist_lib.audit.verdicts import Caveat, Outcome, Verdict

AS_CLAIM = {
    Outcome.CONSISTENT: "reproduced",
    Outcome.BELOW: "not reproduced",
    Outcome.ABOVE: "not reproduced",
    Outcome.EXCLUDED: "not reproduced",
    Outcome.INCONCLUSIVE: "inconclusive",
    Outcome.NOT_TESTED: "not tested",
}
AS_MECHANISM = {
    Outcome.CONSISTENT: "explains",
    Outcome.BELOW: "falls short",
    Outcome.ABOVE: "overshoots",
    Outcome.EXCLUDED: "does not explain",
    Outcome.INCONCLUSIVE: "inconclusive",
    Outcome.NOT_TESTED: "not tested",
}


def percent(value: float | None, digits: int = 2) -> str:
    """'92.41%'; '–' for nothing. The report's one format for an accuracy."""
    return "–" if value is None else f"{value:.{digits}%}"


def _number(value: float, unit: str) -> str:
    if unit == "accuracy" or unit == "ratio":
        return percent(value)
    if unit == "pp":
        return f"{100 * value:.2f} pp"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "epoch":
        return f"epoch {value:g}"
    if unit == "seconds":
        return f"{value:,.0f} s"
    return f"{value:g}"


def _bound(value: float, against: float | None) -> str:
    """An interval's end as a percent, with more digits where two would print it as the claim it misses:
    '99.669%', not '99.67%', for an end 0.001 pp short of a claimed 99.67 %."""
    digits = 2
    while (
        against is not None and value != against and digits < 5 and percent(value, digits) == percent(against, digits)
    ):
        digits += 1
    return percent(value, digits)


def interval_text(verdict: Verdict, against: float | None = None) -> str:
    """'[92.20%, 92.61%]' in the verdict's unit; '' without an interval. ``against``: the claim it is read against."""
    if verdict.interval is None:
        return ""
    low, high = verdict.interval
    if verdict.unit == "pp":
        return f"[{100 * low:.2f}, {100 * high:.2f}] pp"
    if verdict.unit == "accuracy":
        return f"[{_bound(max(low, 0.0), against)}, {_bound(min(high, 1.0), against)}]"
    return f"[{_number(low, verdict.unit)}, {_number(high, verdict.unit)}]"


def seeds_text(verdict: Verdict) -> str:
    """'mean of 4 seeds', 'one run', 'one fit over its runs' or '' (no seeds behind it)."""
    if Caveat.DETERMINISTIC in verdict.caveats:
        return f"{verdict.n_seeds} seeds, all equal"
    if len(verdict.per_seed) > 1 and verdict.unit in ("accuracy", "pp"):
        return f"mean of {len(verdict.per_seed)} seeds"
    if len(verdict.per_seed) == 1 and verdict.unit in ("accuracy", "pp"):
        # the cross-validation's fit gives one value, bootstrapped over all its runs (folds and seeds)
        return "one fit over its runs" if Caveat.EXTRAPOLATED in verdict.caveats else "one run"
    return ""


def ours(verdict: Verdict, against: float | None = None) -> str:
    """Our value with its interval in one cell: '92.41% [92.20%, 92.61%]', or what the verdict shows instead.

    ``against``, the claimed value, keeps an interval's end that misses the claim from printing as the claim.
    """
    if verdict.shown:
        return verdict.shown
    if verdict.value is None:
        return verdict.note or "–"
    return " ".join(x for x in (_number(verdict.value, verdict.unit), interval_text(verdict, against)) if x)


def ours_with_seeds(verdict: Verdict, against: float | None = None) -> str:
    """``ours`` followed by what it is over: '92.41% [92.20%, 92.61%], mean of 4 seeds'."""
    seeds = seeds_text(verdict)
    return ours(verdict, against) + (f", {seeds}" if seeds and not verdict.shown else "")


def caveats_text(verdict: Verdict, leave_out: frozenset[Caveat] = frozenset({Caveat.DETERMINISTIC})) -> str:
    """The caveats that qualify a verdict, in words, in the vocabulary's order."""
    return "; ".join(c.value for c in Caveat if c in verdict.caveats and c not in leave_out)


def note_text(verdict: Verdict) -> str:
    """The verdict's caveats and its note, for a table's note column."""
    return "; ".join(x for x in (caveats_text(verdict), verdict.note) if x)


def claimed_text(claim: Claim) -> str:
    """What the paper claims, in the report's formats: the same percent format as ours."""
    return {
        "accuracy": percent(claim.value, 0) if claim.measure == "baseline" else percent(claim.value),
        "count": f"{claim.value:,}",
        "epoch": f"98.50% by epoch ~{claim.value}",
        "ratio": percent(claim.value, 1),
        "rounded ratio": f"roughly {percent(claim.value, 0)}",
        "share": "most",
        "drop": f"{claim.value:.2f} pp",
        "seconds": f"{claim.value:,.0f} s",
        "shape": "(in words)",
        "deviation": f"within {claim.value:g} pp",
    }[claim.kind]
