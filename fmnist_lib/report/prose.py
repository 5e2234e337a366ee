"""The sentences the report writes from numbers: one place for wording that carries a verdict.

Chapters glue these into their prose; keeping them together means one
style for "inside our interval", "on this hardware" and "the fit says", and
one place to test that a sentence says what the numbers say.
"""

from __future__ import annotations

import numpy as np

from fmnist_lib.audit.scaling import plateau_params
from fmnist_lib.audit.stats import wilson_interval
from fmnist_lib.store.provenance import hardware_summary
from fmnist_lib.store.records import Record


def compare_to_claim(accuracy: float, n: int, claim: float) -> str:
    """A plain sentence placing a claimed accuracy against our 95 % interval."""
    low, high = wilson_interval(round(accuracy * n), n)
    if low <= claim <= high:
        return f"the claimed {claim:.2%} lies inside our 95 % interval [{low:.2%}, {high:.2%}]"
    side, gap = ("above", claim - high) if claim > high else ("below", low - claim)
    return (
        f"the claimed {claim:.2%} lies {100 * gap:.2f} percentage points {side} "
        f"our 95 % interval [{low:.2%}, {high:.2%}]"
    )


def fit_summary(fit: dict, n_test: int, largest_member: int) -> str:
    """The fit in one paragraph, with the plateau only where the data can support one.

    The noise level is the binomial standard deviation of one accuracy measured
    on ``n_test`` images at the asymptote: below it, a gain cannot be seen. A
    plateau far beyond the largest member is an extrapolation and is called so.
    """
    if not fit.get("converged"):
        reason = fit.get("reason", "unknown reason")
        return f"The fit did not converge on these points ({reason}); no plateau is predicted."
    text = (
        f"The fit gives a = {fit['a']:.4f}, b = {fit['b']:.4g}, c = {fit['c']:.4f}, with residuals of "
        f"{fit['rmse']:.2%} RMS (largest {max(map(abs, fit['residuals'])):.2%}). "
    )
    if fit["a"] >= 0.999:
        return text + (
            "The asymptote runs into its bound of 100 %: these points do not yet bend towards a "
            "ceiling, so no plateau can be read off them."
        )
    noise = float(np.sqrt(fit["a"] * (1 - fit["a"]) / n_test))
    plateau = plateau_params(fit, noise)
    text += (
        f"The asymptote a is the accuracy this family approaches under this training budget. Taking the "
        f"binomial noise of one accuracy on {n_test:,} test images at that level ({noise:.2%}) as the "
        f"smallest visible gain, the curve comes within it of its asymptote at about {plateau:,.0f} parameters"
    )
    if plateau > 10 * largest_member:
        return text + f", more than ten times the largest member ({largest_member:,}): an extrapolation, not a finding."
    return text + "."


def low_members_text(members: list[str], accuracies: list[float], threshold: float = 0.2) -> str:
    """A sentence naming the members left near chance after the short schedule, if any.

    Written from the data: which members, if any, stay below ``threshold``
    changes with the profile, so the prose must not assume it.
    """
    low = [m for m, a in zip(members, accuracies) if a < threshold]
    if not low:
        return f"No member stayed below {threshold:.0%} after the short schedule."
    return (
        f"{len(low)} member(s) stayed below {threshold:.0%} after the short schedule ({', '.join(low)}): "
        "the BatchNorm lag described in the light-model chapter, not an inability to learn."
    )


def compression_summary(records: dict[str, Record]) -> str:
    """One sentence per network: file size and test accuracy, float32 then int8."""
    parts = []
    for label, rec in records.items():
        f, q = rec.result["float32"], rec.result["int8"]
        parts.append(
            f"{label}: {f['bytes'] / 1024:,.0f} KiB → {q['bytes'] / 1024:,.0f} KiB, test accuracy "
            f"{f['test_accuracy']:.2%} → {q['test_accuracy']:.2%}"
        )
    return "int8 quantisation, float32 → int8: " + "; ".join(parts) + "."


def measured_on(records: list[Record]) -> str:
    """Where a set of records was measured, and whether other jobs shared the device meanwhile.

    Timings taken while other trainings ran beside them are not a lone run's;
    the prose says so wherever it states such a timing.
    """
    places = sorted({hardware_summary(r.provenance) for r in records})
    shared = sorted({r.provenance.get("concurrent_jobs", 1) for r in records} - {1})
    text = " and ".join(places) or "no records"
    if shared:
        text += f", with up to {max(shared)} jobs sharing the device (so these times are longer than a lone run's)"
    return text


def lowest_seed_text(records: list) -> str:
    """The light model's worst seed in words: what fit reported, what inference mode scores, what the test says.

    One low seed widens the seeds' interval, which then decides the light model's
    verdicts; the reader should see whether it is a worse fit or the BatchNorm lag.
    """
    if len(records) < 2:
        return ""
    worst = min(records, key=lambda r: r.final.test_accuracy)
    fit = worst.history[-1].get("accuracy") if worst.history else None
    inference = worst.final.train_set_accuracy
    text = f"The light model's lowest seed is seed {worst.config.get('seed')}, at {worst.final.test_accuracy:.2%}."
    if fit is not None and inference is not None:
        lag = "the BatchNorm lag of the light-model chapter" if fit - inference > 0.02 else "no BatchNorm lag"
        text += (
            f" Its last epoch ran at {fit:.2%} training accuracy in fit, but the same training images score "
            f"{inference:.2%} in inference mode: {lag}, not only a worse fit."
        )
    return text + " This one run is what makes the light model's seed interval wide."
