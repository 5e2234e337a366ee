"""Command line: judge any claimed Fashion-MNIST accuracy curve against the mechanisms in the run store.

Other papers report 99 %+ on Fashion-MNIST too. Given their claimed accuracies
by epoch, this prints, for every mechanism the store has curves of, its verdict
under the audit's one rule (``audit.verdicts.decide``): whether the mechanism
explains the claim (it is consistent with it), falls short, overshoots, or
cannot decide, with our value and its interval. It reads records, computes
nothing.

    python -m fmnist_lib.check --claim 2:99.06 --claim 62:99.67
    python -m fmnist_lib.check --network dsc_gap --claim 32:98.98 --reach 7:98.5
"""

from __future__ import annotations

import argparse
import sys

from fmnist_lib import profiles
from fmnist_lib.audit.claims import HeadlineClaim
from fmnist_lib.audit.verdicts import Outcome
from fmnist_lib.report.quiet import filtered_stderr
from fmnist_lib.text import counted

NETWORKS = ("cnn_3_128", "dsc_gap")


class BadClaim(ValueError):
    """A claim that is not EPOCHS:ACCURACY; the message shows the form."""


def parse_claim(text: str, network: str, reach: bool = False) -> HeadlineClaim:
    """'62:99.67' (percent) or '62:0.9967' -> a claim of that accuracy at that epoch of the paper's data."""
    epochs, sep, value = text.partition(":")
    try:
        e, v = int(epochs), float(value)
    except ValueError:
        raise BadClaim(f"--claim {text!r} is not EPOCHS:ACCURACY, e.g. --claim 62:99.67") from None
    if not sep or e < 1:
        raise BadClaim(f"--claim {text!r} is not EPOCHS:ACCURACY with EPOCHS of 1 or more, e.g. --claim 62:99.67")
    v = v / 100 if v > 1 else v
    if not 0 < v < 1:
        raise BadClaim(f"--claim {text!r}: the accuracy must lie between 0 and 100 %")
    label = f"{v:.2%} by epoch ~{e}" if reach else f"{v:.2%} at {e} epochs"
    return HeadlineClaim(label, network, e, v, label, reach=reach)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fmnist_lib.check", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="EPOCHS:ACCURACY",
        help="a claimed test accuracy after EPOCHS epochs of the 60,000 images (repeatable)",
    )
    parser.add_argument(
        "--reach",
        action="append",
        default=[],
        metavar="EPOCHS:ACCURACY",
        help="a claim that the accuracy is reached by about EPOCHS epochs (repeatable)",
    )
    parser.add_argument("--network", default="cnn_3_128", help=f"whose mechanisms: one of {', '.join(NETWORKS)}")
    parser.add_argument("--profile", default="full", help="whose records (default: full, the committed ones)")
    args = parser.parse_args(argv)
    try:
        if args.network not in NETWORKS:
            raise BadClaim(f"--network {args.network!r} is not one of {', '.join(NETWORKS)}")
        if not args.claim and not args.reach:
            raise BadClaim("give at least one --claim EPOCHS:ACCURACY, e.g. --claim 62:99.67")
        claimed = [parse_claim(c, args.network) for c in args.claim]
        claimed += [parse_claim(c, args.network, reach=True) for c in args.reach]
        cfg = profiles.load_profile(args.profile)
    except (BadClaim, profiles.ProfileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from fmnist_lib import experiments
    from fmnist_lib.audit import mechanisms
    from fmnist_lib.report import verdict_text as vt
    from fmnist_lib.store.runstore import RecordError

    try:
        curves, _ = experiments.mechanism_curves(cfg)
    except RecordError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mine = [c for c in curves if c.network == args.network and c.role is mechanisms.CurveRole.MECHANISM]
    print(
        f"{counted(len(mine), 'mechanism curve')} of {args.network} in profile {args.profile}; the rule: "
        "python -m fmnist_lib.book run, chapter 06, or fmnist_lib/audit/verdicts.py"
    )
    for claim in claimed:
        print(f"\nclaim: {claim.label}")
        for curve in mine:
            verdict = mechanisms.judge(curve, claim)
            caveats = vt.caveats_text(verdict)
            why = verdict.note if verdict.outcome is Outcome.INCONCLUSIVE and verdict.note else ""
            print(
                f"  {vt.AS_MECHANISM[verdict.outcome]:16} {vt.ours(verdict, against=claim.value):36} {curve.label}"
                + (f" [{caveats}]" if caveats else "")
                + (f"\n  {'':16} why: {why}" if why else "")
            )
    return 0


if __name__ == "__main__":
    with filtered_stderr():
        code = main()
    sys.exit(code)
