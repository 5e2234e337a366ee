"""The report's answer, as data: for each headline claim, what our runs and the audit's mechanisms say.

Per headline claim (``claims.HEADLINE_CLAIMS``) one finding: *reproduced* by
our honest runs, *consistent with* mechanisms that inflate accuracy, *excluded*
by everything we measured, *inconclusive*, or *untested* at the paper's length.
It is built from the typed verdicts of the claims and of the mechanism curves,
the same objects the audit chapter shows, so the front page can never say more
than the audit measured. ``report.prose`` renders it in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from fmnist_lib.audit import claims, mechanisms
from fmnist_lib.audit.claim_rules import ClaimVerdict, by_name
from fmnist_lib.audit.mechanisms import Curve, Mechanism
from fmnist_lib.audit.verdicts import Caveat, Outcome, Verdict


class Finding(Enum):
    REPRODUCED = "reproduced"
    CONSISTENT_WITH = "consistent with"
    EXCLUDED = "excluded by what we measured"
    INCONCLUSIVE = "inconclusive"
    UNTESTED = "untested at the paper's length"


@dataclass(frozen=True)
class HeadlineAnswer:
    """One headline claim: our honest verdict, every mechanism tested at its length, and the finding."""

    claim: claims.HeadlineClaim
    honest: Verdict
    tested: tuple[tuple[Curve, Verdict], ...]
    finding: Finding

    def with_outcome(self, outcome: Outcome) -> list[tuple[Curve, Verdict]]:
        return [(c, v) for c, v in self.tested if v.outcome is outcome]

    @property
    def explaining(self) -> list[tuple[Curve, Verdict]]:
        return self.with_outcome(Outcome.CONSISTENT)

    @property
    def inconclusive(self) -> list[tuple[Curve, Verdict]]:
        return self.with_outcome(Outcome.INCONCLUSIVE)

    @property
    def closest(self) -> tuple[Curve, Verdict] | None:
        return mechanisms.closest(list(self.tested), self.claim)

    @property
    def caveats(self) -> frozenset[Caveat]:
        """What qualifies the finding: the caveats of the verdicts it rests on."""
        resting = self.explaining or self.inconclusive or []
        found = frozenset().union(*(v.caveats for _, v in resting)) if resting else frozenset()
        return found | (self.honest.caveats if self.finding is Finding.REPRODUCED else frozenset())


@dataclass(frozen=True)
class Answer:
    """The whole answer: the headline claims, the drop between the two networks, and the mechanisms counted once."""

    headline: tuple[HeadlineAnswer, ...]
    drop: ClaimVerdict
    measured: tuple[Mechanism, ...]  # mechanisms with a curve in the store, on any data
    tested: tuple[Mechanism, ...]  # mechanisms tested at the paper's length on the paper's data (one count, everywhere)

    @property
    def protocol_followed(self) -> bool:
        """Whether our runs follow the paper's protocol for the headline claims (all data, the claimed epochs)."""
        return all(a.honest.outcome is not Outcome.NOT_TESTED for a in self.headline)

    def count(self, finding: Finding) -> int:
        return sum(a.finding is finding for a in self.headline)


def _finding(honest: Verdict, tested: list[tuple[Curve, Verdict]]) -> Finding:
    if honest.outcome is Outcome.CONSISTENT:
        return Finding.REPRODUCED
    if any(v.outcome is Outcome.CONSISTENT for _, v in tested):
        return Finding.CONSISTENT_WITH
    if honest.outcome is Outcome.INCONCLUSIVE or any(v.outcome is Outcome.INCONCLUSIVE for _, v in tested):
        return Finding.INCONCLUSIVE
    if tested and honest.outcome.excluded:
        return Finding.EXCLUDED
    return Finding.UNTESTED


def answer(judged: list[ClaimVerdict], curves: list[Curve]) -> Answer:
    """The answer from the claims' verdicts (``claim_rules.judge_claims``) and the mechanism curves."""
    verdicts = by_name(judged)
    headline = []
    for claim in claims.HEADLINE_CLAIMS:
        tested = tuple(mechanisms.tested(mechanisms.judged(curves, claim)))
        honest = verdicts[claim.claim]
        headline.append(HeadlineAnswer(claim, honest, tested, _finding(honest, list(tested))))
    drop = next(cv for cv in judged if cv.claim.measure == "drop")
    measured = mechanisms.mechanisms_in(curves)
    tested_anywhere = [c for a in headline for c, _ in a.tested]
    return Answer(tuple(headline), drop, tuple(measured), tuple(mechanisms.mechanisms_in(tested_anywhere)))
