"""The audit's one vocabulary: what a verdict is, and the one rule that decides an accuracy claim.

A verdict is data: an outcome, our value with its interval, the values it was
built from (one per seed), the rule that decided and the caveats that qualify
it. Tables, prose and the front page render verdicts; nothing reads a verdict
back out of words. Claims of the paper and the audit's mechanisms are judged by
the same rule (``decide``), written down here before any number comes in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Sequence

import numpy as np

from fmnist_lib.audit.stats import Z95, mean_interval, wilson_interval


class Outcome(Enum):
    """How a claim fares against a measurement. Below and above are the two ways to be excluded."""

    CONSISTENT = "consistent"  # the claimed value lies within what we measured
    BELOW = "below"  # excluded: what we measured lies below the claim
    ABOVE = "above"  # excluded: what we measured lies above the claim
    EXCLUDED = "excluded"  # excluded, without a direction (a count, a shape)
    INCONCLUSIVE = "inconclusive"  # the evidence cannot decide; the verdict's note says what would
    NOT_TESTED = "not tested"  # not measured at the claim's point, or not under the paper's protocol

    @property
    def excluded(self) -> bool:
        return self in (Outcome.BELOW, Outcome.ABOVE, Outcome.EXCLUDED)


class Caveat(Enum):
    """What qualifies a verdict; each is shown beside it wherever it is shown."""

    ONE_SEED = "one seed"
    DETERMINISTIC = "deterministic: the seed does not change it"
    ONLY_BY_SPREAD = "inside only through the seeds' spread"
    SUBSAMPLE = "trained on a subsample, not the paper's protocol"
    STEP_EQUIVALENT = "epochs matched to the paper's in optimizer steps"
    EXTRAPOLATED = "extrapolated from smaller training sets"
    SHORTER_RUN = "the run stops before the claimed epoch"
    EXAMPLE = "the paper gives it as an example"
    BEST_OF_SEEDS = "the best of the seeds' runs, chosen on the test set"


class Rule(Enum):
    """The rules a verdict can come from; ``RULES_TEXT`` states each in words."""

    ACCURACY = "accuracy"
    REACH = "reach"
    ROUNDED = "rounded"
    EXACT = "exact"
    SHAPE = "shape"
    NOT_COMPARABLE = "not comparable"


@dataclass(frozen=True)
class Estimate:
    """One measured value with its 95 % interval and the number of images behind it."""

    value: float
    low: float
    high: float
    n: int | None = None

    @classmethod
    def accuracy(cls, accuracy: float, n: int) -> Estimate:
        """An accuracy on ``n`` images, with its Wilson interval."""
        low, high = wilson_interval(round(accuracy * n), n)
        return cls(accuracy, low, high, n)

    @classmethod
    def difference(cls, a: float, n_a: int, b: float, n_b: int) -> Estimate:
        """a - b of two accuracies on independent images (normal approximation), in the same units."""
        half = Z95 * math.sqrt(a * (1 - a) / n_a + b * (1 - b) / n_b)
        return cls(a - b, a - b - half, a - b + half)

    def holds(self, claim: float) -> bool:
        return self.low <= claim <= self.high


@dataclass(frozen=True)
class Verdict:
    """One judgement: the outcome, our value and interval, the per-seed values, the rule and its caveats.

    ``shown`` is how our value reads where it is not a plain number (a pair of
    classes, "never"); ``note`` is detail for a reader. Both are for display only.
    """

    outcome: Outcome
    rule: Rule
    value: float | None = None
    interval: tuple[float, float] | None = None
    per_seed: tuple[float, ...] = ()
    seeds: tuple[int, ...] = ()
    n: int | None = None
    caveats: frozenset[Caveat] = field(default_factory=frozenset)
    unit: str = "accuracy"  # accuracy | pp | count | ratio | epoch | seconds | text
    shown: str = ""
    note: str = ""

    @property
    def n_seeds(self) -> int:
        return max(len(self.per_seed), 1)


NOT_MEASURED = Verdict(Outcome.NOT_TESTED, Rule.NOT_COMPARABLE, note="not measured")


def decide(estimates: Sequence[Estimate], claim: float, seeds: Sequence[int] = (), unit: str = "accuracy") -> Verdict:
    """The one rule for a claimed value against our measurements, one estimate per seed.

    - One seed, or seeds that all give the same value (a deterministic result):
      the claim is consistent when it lies inside that run's 95 % interval;
      otherwise it is excluded, below or above.
    - Several seeds: the Student-t 95 % interval of the seeds' mean decides,
      because it holds the run-to-run spread a single run's interval leaves out.
      A claim outside it is excluded. A claim inside it is consistent, unless
      every seed's own interval excludes it: then only the spread of the seeds
      keeps it inside, and the verdict is inconclusive (more seeds would decide).
    """
    values = tuple(e.value for e in estimates)
    n = estimates[0].n if estimates else None
    if not estimates:
        return NOT_MEASURED
    if len(set(values)) == 1:
        one = estimates[0]
        caveat = Caveat.ONE_SEED if len(estimates) == 1 else Caveat.DETERMINISTIC
        outcome = Outcome.CONSISTENT if one.holds(claim) else (Outcome.BELOW if one.high < claim else Outcome.ABOVE)
        return Verdict(
            outcome, Rule.ACCURACY, one.value, (one.low, one.high), values, tuple(seeds), n, frozenset({caveat}), unit
        )
    m = mean_interval(list(values))
    interval = (m["low"], m["high"])
    if claim > m["high"]:
        outcome, caveats = Outcome.BELOW, frozenset()
    elif claim < m["low"]:
        outcome, caveats = Outcome.ABOVE, frozenset()
    elif not any(e.holds(claim) for e in estimates):
        outcome, caveats = Outcome.INCONCLUSIVE, frozenset({Caveat.ONLY_BY_SPREAD})
    else:
        outcome, caveats = Outcome.CONSISTENT, frozenset()
    return Verdict(outcome, Rule.ACCURACY, m["mean"], interval, values, tuple(seeds), n, caveats, unit)


def decide_reach(first_epochs: Sequence[float | None], by_epoch: float, seeds: Sequence[int] = ()) -> Verdict:
    """'Reaches the level by about epoch E': every seed by E (plus the tolerance), none, or some."""
    reached = [e is not None and e <= by_epoch for e in first_epochs]
    if not first_epochs:
        return NOT_MEASURED
    if all(reached):
        outcome = Outcome.CONSISTENT
    elif not any(reached):
        outcome = Outcome.BELOW
    else:
        outcome = Outcome.INCONCLUSIVE
    known = [e for e in first_epochs if e is not None]
    caveats = frozenset({Caveat.ONE_SEED}) if len(first_epochs) == 1 else frozenset()
    return Verdict(
        outcome,
        Rule.REACH,
        min(known) if known else None,
        None,
        tuple(e if e is not None else math.inf for e in first_epochs),
        tuple(seeds),
        None,
        caveats,
        "epoch",
    )


def decide_threshold(estimates: Sequence[Estimate], level: float, seeds: Sequence[int] = ()) -> Verdict:
    """'Reaches ``level``' from estimates with intervals: every interval above it, every one below, or neither."""
    if not estimates:
        return NOT_MEASURED
    if all(e.low >= level for e in estimates):
        outcome = Outcome.CONSISTENT
    elif all(e.high < level for e in estimates):
        outcome = Outcome.BELOW
    else:
        outcome = Outcome.INCONCLUSIVE
    values = tuple(e.value for e in estimates)
    interval = (min(e.low for e in estimates), max(e.high for e in estimates))
    caveats = frozenset({Caveat.ONE_SEED}) if len(estimates) == 1 else frozenset()
    return Verdict(outcome, Rule.REACH, float(np.mean(values)), interval, values, tuple(seeds), estimates[0].n, caveats)


def with_caveats(verdict: Verdict, *caveats: Caveat, not_tested: bool = False, note: str = "") -> Verdict:
    """The verdict with more caveats; ``not_tested`` turns it into 'not tested' (e.g. a subsample's)."""
    from dataclasses import replace

    outcome = Outcome.NOT_TESTED if not_tested else verdict.outcome
    joined = "; ".join(x for x in (verdict.note, note) if x)
    return replace(verdict, outcome=outcome, caveats=verdict.caveats | frozenset(caveats), note=joined)
