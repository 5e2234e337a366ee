"""The sentences the report writes from numbers: one place for wording that carries a verdict.

Chapters glue these into their prose; keeping them together means one
style for "inside our interval", "on this hardware" and "the fit says", and
one place to test that a sentence says what the numbers say.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from fmnist_lib.audit.bottom_line import Answer, Finding
from fmnist_lib.audit.mechanisms import defined
from fmnist_lib.audit.scaling import plateau_params
from fmnist_lib.audit.stats import wilson_interval
from fmnist_lib.audit.verdicts import Outcome
from fmnist_lib.report import verdict_text as vt
from fmnist_lib.report.glossary import network_name
from fmnist_lib.store.provenance import hardware_summary
from fmnist_lib.store.records import Record
from fmnist_lib.text import counted, listed


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def answer_sentences(answer: Answer) -> str:
    """The front page's bottom line, every sentence built from the typed answer: a paragraph, then a list.

    1. How our runs fare against the five headline claims (honest verdicts).
    2. Our two final accuracies at the paper's epochs, against the claims, or why this profile cannot say.
    3. Which mechanisms that inflate accuracy were measured, then one item per headline claim: what explains
       it (with the mechanism's value), what cannot decide it and why, or that nothing tested does.
    """
    lead = " ".join((_claims_sentence(answer), _protocol_sentence(answer), _mechanisms_sentence(answer)))
    if not answer.tested:
        return lead
    items = [_claim_clause(a) for a in answer.headline] + [_drop_clause(answer.drop)]
    return lead + "\n\n" + "\n".join(f"- {item[0].upper()}{item[1:]}." for item in items)


def _drop_clause(drop) -> str:
    """The fifth claim, the accuracy the light model gives up, in a clause: what we measure and our verdict on it."""
    v = drop.verdict
    note = vt.note_text(v)
    return (
        f"the light model's drop of {drop.claim.value:.2f} pp from CNN-3-128: our runs measure "
        f"{vt.ours_with_seeds(v)} and find it {vt.AS_CLAIM[v.outcome]}" + (f" ({note})" if note else "")
    )


def _claims_sentence(answer: Answer) -> str:
    outcomes = [a.honest.outcome for a in answer.headline] + [answer.drop.verdict.outcome]
    reproduced = sum(o is Outcome.CONSISTENT for o in outcomes)
    excluded = sum(o.excluded for o in outcomes)
    inconclusive = sum(o is Outcome.INCONCLUSIVE for o in outcomes)
    untested = sum(o is Outcome.NOT_TESTED for o in outcomes)
    parts = [f"reproduces {reproduced}"]
    if excluded:
        parts.append(f"excludes {excluded}")
    if inconclusive:
        parts.append(f"leaves {inconclusive} inconclusive")
    if untested:
        parts.append(f"cannot test {untested}")
    first = (
        f"Of the seed paper's {len(outcomes)} headline accuracy claims, our reconstruction of its protocol "
        f"{listed(parts)}"
    )
    if answer.tested:  # the table's finding column also weighs the mechanisms: say its counts, not only ours
        findings = Counter([finding_words(a) for a in answer.headline] + [vt.AS_CLAIM[answer.drop.verdict.outcome]])
        counts = [f"{n} {words}" for words, n in findings.items()]
        first += (
            f"; weighing the ways of inflating accuracy as well, the findings in the table below are {listed(counts)}"
        )
    return first + "."


def _protocol_sentence(answer: Answer) -> str:
    if not answer.protocol_followed:
        return (
            "This profile trains on a subsample or for fewer epochs than the paper, so its numbers check the "
            "pipeline and show trends; only the full profile's can be set against the claims."
        )
    by_claim = {a.claim.claim: a for a in answer.headline}
    cnn = by_claim["CNN-3-128 accuracy after 62 epochs"]
    light = by_claim["light model accuracy"]
    return (
        f"Trained as we reconstruct the paper's protocol, CNN-3-128 reaches {_in_sentence(cnn)} "
        f"after 62 epochs where the paper claims {vt.percent(cnn.claim.value)}, and the light model "
        f"{_in_sentence(light)} after 32 epochs where it claims {vt.percent(light.claim.value)}."
    )


def _mechanisms_sentence(answer: Answer) -> str:
    total = len(defined())
    if not answer.tested:
        return (
            f"None of the {total} ways of inflating accuracy that the audit defines was measured at the paper's "
            "length on the paper's data here; the full profile's records measure them."
        )
    letters = [f"({m.letter})" for m in answer.tested]
    if len(letters) == total:
        measured = f"All {total} ways of inflating accuracy that the audit defines were measured"
    else:
        were = "was" if len(letters) == 1 else "were"
        measured = f"{len(letters)} of the {total} ways of inflating accuracy that the audit defines {were} measured"
    return f"{measured} at the length of at least one headline claim: {listed(letters)}. Claim by claim:"


def _in_sentence(a) -> str:
    """'92.44% [92.16%, 92.71%] (mean of 4 seeds)': a claim's honest value with what it is over, inside a sentence."""
    seeds = vt.seeds_text(a.honest)
    return vt.ours(a.honest, a.claim.value) + (f" ({seeds})" if seeds else "")


def _claim_clause(a) -> str:
    """One headline claim's finding in a clause: what explains it, what cannot decide, or that nothing tested does."""
    phrase = claim_phrase(a.claim)
    if a.finding is Finding.REPRODUCED:
        return f"our honest runs reproduce {phrase}"
    if a.finding is Finding.CONSISTENT_WITH:
        names = listed([_with_value(c, v, a.claim.value) for c, v in a.explaining])
        return f"{phrase} is consistent with {names}"
    if a.finding is Finding.INCONCLUSIVE:
        names = "; ".join(_with_reason(c, v) for c, v in a.inconclusive)
        return f"{phrase} is inconclusive under {names}" if names else f"{phrase} is inconclusive"
    if a.finding is Finding.EXCLUDED:
        return f"none of the {_tested_words(a)} accounts for {phrase}"
    return f"no mechanism was tested at the length of {phrase}"


def _the(network: str) -> str:
    """'CNN-3-128', 'the light model': a network's name inside a sentence."""
    owner = network_name(network)
    return f"{'the ' if owner[0].islower() else ''}{owner}"


def claim_phrase(claim) -> str:
    """A headline claim inside a sentence: "CNN-3-128's 99.06% at 2 epochs", "the light model's 98.98% at 32 epochs"."""
    return f"{_the(claim.network)}'s {claim.short}"


def _tested_words(a) -> str:
    """'9 measurements of 6 mechanisms tested': curves and the distinct mechanisms they measure, counted apart."""
    mechanisms = {m for c, _ in a.tested for m in c.mechanisms}
    measurements = _count(len(a.tested), "measurement", "measurements")
    return f"{measurements} of {_count(len(mechanisms), 'mechanism', 'mechanisms')} tested"


def _with_reason(curve, verdict) -> str:
    """A mechanism that cannot decide, by its letters (the table below names it), with why: its design's reason
    where it has one, else its caveats."""
    reason = verdict.note or vt.caveats_text(verdict)
    return f"{curve.letters} ({reason})" if reason else curve.letters


def _with_value(curve, verdict, against: float) -> str:
    """A mechanism that explains a claim, by its letters, with its value there and its caveats: '(e) at 98.26%
    [97.24%, 99.39%] (one seed)'. The table below names it in full."""
    caveats = vt.caveats_text(verdict)
    return f"{curve.letters} at {vt.ours(verdict, against)}" + (f" ({caveats})" if caveats else "")


def _with_caveats(curve, verdict) -> str:
    caveats = vt.caveats_text(verdict)
    return f"{curve.label} ({caveats})" if caveats else curve.label


def recheck_sentence(rows: list[dict] | None) -> str:
    """What the re-check on this machine found, in a sentence: how many agree, and which do not."""
    if not rows:
        return (
            "This build re-checked none of the committed records on its own machine; `make report` (or "
            "`python -m fmnist_lib.book run --profile full --recheck`) re-computes a sample before rendering."
        )
    disagree = [row["label"] for row in rows if row["agrees"] is False]
    undecided = [row["label"] for row in rows if row["agrees"] is None]
    text = f"Before rendering, this build re-computed {len(rows)} of the committed records on its own machine"
    if disagree:
        return (
            text + f"; **{len(disagree)} {'disagrees' if len(disagree) == 1 else 'disagree'} with the committed "
            f"record: {', '.join(disagree)}**, so the "
            "numbers rendered below may not be what this code computes here."
        )
    if undecided:
        return (
            text + f"; {len(rows) - len(undecided)} agree with their committed records by the rule in their row, "
            f"and for {len(undecided)} the rule cannot decide ({', '.join(undecided)}: see the row)."
        )
    return (
        text + f" ({', '.join(row['label'] for row in rows)}), and each agrees with its committed record "
        "by the rule in its row."
    )


def coverage_sentence(rows) -> str:
    """What the profile planned against what the store holds, from ``experiments.coverage``: one sentence."""
    planned = sum(r.planned for r in rows)
    recorded = sum(r.recorded for r in rows)
    if recorded == planned:
        return f"All {planned:,} records this profile plans are in the store."
    on_gpu = sum(r.planned - r.recorded for r in rows if r.trains)
    return (
        f"The store holds {recorded:,} of the {planned:,} records this profile plans; "
        f"{on_gpu:,} of the {planned - recorded:,} missing ones train networks (best made on a GPU)."
    )


def coverage_list(rows) -> str:
    """The gaps by kind of experiment, as a Markdown list, and the command that lists every missing record."""
    gaps = [f"- {r.description}: {r.recorded} of {r.planned}" for r in rows if r.recorded < r.planned]
    if not gaps:
        return coverage_sentence(rows)
    return (
        coverage_sentence(rows)
        + " Recorded of planned, by kind:\n\n"
        + "\n".join(gaps)
        + "\n\n`python -m fmnist_lib.compute --plan` lists every record with its state."
    )


def mechanism_list() -> str:
    """The audit's mechanisms as a list, from the vocabulary: a new mechanism appears here without editing a chapter."""
    return "\n".join(f"- **({m.letter}) {m.title[0].upper() + m.title[1:]}**: {m.description}." for m in defined())


def findings_list(answer: Answer) -> str:
    """Per headline claim, its finding and every tested mechanism grouped by its verdict, as a list."""
    lines = []
    for a in answer.headline:
        by_word: dict[str, list[str]] = {}
        for curve, verdict in a.tested:
            by_word.setdefault(vt.AS_MECHANISM[verdict.outcome], []).append(
                "+".join(f"({m.letter})" for m in curve.mechanisms) + (f" {curve.variant}" if curve.variant else "")
            )
        detail = "; ".join(f"{word}: {', '.join(names)}" for word, names in by_word.items()) or "nothing tested"
        lines.append(
            f"- **{a.claim.label}**: {finding_words(a)}. Our runs: {vt.AS_CLAIM[a.honest.outcome]}. "
            f"Mechanisms at this length: {detail}."
        )
    return "\n".join(lines)


def finding_words(a) -> str:
    """A headline claim's finding in a few words: 'consistent with (a) and (f)', 'inconclusive', ..."""
    if a.finding is Finding.CONSISTENT_WITH:
        return "consistent with " + listed([c.letters for c, _ in a.explaining])
    return a.finding.value


def evidence(a) -> str:
    """A headline claim's evidence in one line: what explains it, what cannot decide, or the closest tested."""
    honest = f"our runs: {vt.AS_CLAIM[a.honest.outcome]}"
    if a.finding is Finding.CONSISTENT_WITH:
        parts = [f"{_with_caveats(c, v)}: {vt.ours(v, a.claim.value)}" for c, v in a.explaining]
        return "; ".join([honest, *parts])
    if a.finding is Finding.INCONCLUSIVE:
        parts = [f"{c.label}: {vt.ours(v, a.claim.value)} ({v.note or vt.caveats_text(v)})" for c, v in a.inconclusive]
        return "; ".join([honest, *parts])
    if not a.tested:
        return f"{honest}; no mechanism measured at this length on the paper's data"
    text = f"{honest}; none of the {_tested_words(a)} explains it"
    nearest = a.closest
    if nearest is not None:
        text += f"; closest: {nearest[0].label}, {vt.ours(nearest[1], a.claim.value)}"
    return text


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


def compare_at_epochs(record: Record, epochs: int, claim: float) -> str:
    """The claim set against this run's stage at the paper's epoch (by name), or why this run cannot say."""
    stage = record.stage(epochs)
    if stage is None:
        return (
            f"this run has no stage at {epochs} epochs (its schedule ends at {record.final.epochs}), so it cannot "
            "be set against that claim"
        )
    return f"after {epochs} epochs " + compare_to_claim(stage.test_accuracy, record.n_test, claim)


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
        f"{counted(len(low), 'member')} stayed below {threshold:.0%} after the short schedule ({', '.join(low)}): "
        "the BatchNorm lag described in the light-model chapter, not an inability to learn."
    )


def chance_stages_note(record: Record, threshold: float = 0.2) -> str:
    """A sentence for the stages a reader would otherwise take for a broken run: test accuracy near chance
    (ten classes) while fit reported learning. Empty when no stage is near chance."""
    fitted = {h["epoch"]: h.get("accuracy") for h in record.history}
    low = [s for s in record.stages if s.test_accuracy < threshold]
    if not low:
        return ""
    parts = [
        f"{s.test_accuracy:.2%} on the test set after {counted(s.epochs, 'epoch')}"
        + (f" while fit reported {fitted[s.epochs]:.2%} on its training images" if fitted.get(s.epochs) else "")
        for s in low
    ]
    learned = all((fitted.get(s.epochs) or 0) > 0.5 for s in low)
    why = (
        "It learned; its BatchNorm moving statistics had not caught up yet (the BatchNorm section below measures "
        "the lag)."
        if learned
        else "The run had not learned yet by then: too few steps to mean anything about the model."
    )
    return f"This run scores {'; '.join(parts)}: near chance for ten classes. {why}"


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


def finetuned_networks(networks: list[str], labels: dict[str, str]) -> str:
    """Which networks the profile prunes while fine-tuning, as the sentence's subject ("each network ... is")."""
    if set(networks) >= set(labels):
        return "each network of chapters 3 and 4 is"

    def the(label: str) -> str:  # "CNN-3-128", "the light model"
        return label if label[0].isupper() else f"the {label}"

    named = " and ".join(the(labels[n]) for n in labels if n in networks)
    left = " and ".join(the(labels[n]) for n in labels if n not in networks)
    return f"{named} is (this profile leaves {left} to the full profile; the front page says why)"


def pruning_summary(
    pruned: list[Record],
    dense: dict[str, float],
    labels: dict[str, str],
    within: float = 0.01,
    chance_level: float = 0.2,
) -> str:
    """Per network, the highest sparsity whose fine-tuned accuracy stays within ``within`` of the dense network's.

    A dense network near chance (a run too short to learn) is said to be so: staying "within a point" of 10 %
    would mean nothing.
    """
    parts = []
    for model, label in labels.items():
        mine = sorted((r for r in pruned if r.config["network"]["model"] == model), key=lambda r: r.config["sparsity"])
        if not mine or dense.get(model) is None:
            continue
        if dense[model] < chance_level:
            parts.append(
                f"{label}'s dense network scores {dense[model]:.2%}, near chance for ten classes, so what pruning "
                "costs it cannot be read from this run"
            )
            continue
        kept = [r for r in mine if dense[model] - r.final.test_accuracy <= within]
        tried = ", ".join(f"{r.config['sparsity']:.0%}" for r in mine)
        if kept:
            best = max(kept, key=lambda r: r.config["sparsity"])
            parts.append(
                f"{label} stays within {100 * within:g} point of its dense {dense[model]:.2%} up to "
                f"{best.config['sparsity']:.0%} of its weights pruned ({best.final.test_accuracy:.2%}; tried: {tried})"
            )
        else:
            parts.append(f"{label} loses more than {100 * within:g} point at every sparsity tried ({tried})")
    return "; ".join(parts) + "." if parts else ""


def pareto_front_text(frame, front) -> str:
    """The family members on the Pareto front, smallest first, or why there are none."""
    if frame.empty:
        return "none: no member is recorded yet"
    members = list(frame.loc[front].sort_values("parameters")["member"])
    return ", ".join(members) if members else "none: every recorded member is flagged (see the table above)"


def light_budget_summary(results: list, reference: float | None) -> str:
    """What the budget study found, from its judged variants; says so when its runs are too short to learn."""
    from fmnist_lib.models.budget import describe

    if not results:
        return ""
    if any(r.at_chance for r in results):
        return (
            "Some variants score at chance after this profile's few epochs: BatchNorm's moving statistics have "
            "not settled (the lag above), so this profile's study checks the pipeline only."
        )
    best = max(results, key=lambda r: r.verdict.value)
    literal = next((r for r in results if not r.changed), None)
    text = f"The best variant ({describe(best.changed)}) reaches {vt.ours_with_seeds(best.verdict)}"
    if literal is not None and literal is not best:
        text += f", against the seed's design at {vt.ours_with_seeds(literal.verdict)} under the same protocol"
    if reference is None:
        text += "; CNN-3-128 is not recorded in this profile, so the gap to it is not measured."
    else:
        reached = {Outcome.CONSISTENT: "holds", Outcome.ABOVE: "lies above"}.get(best.verdict.outcome, "lies below")
        text += f". Its interval {reached} CNN-3-128's {vt.percent(reference)} (the mean of its seeds)."
    return text


def digits_cv_missing(found, cfg: dict) -> str:
    """What (e)'s cross-validation has not recorded yet, per network and seed, with what a recorded run cost.

    The design lists dozens of runs, so they are counted, not named; the
    recorded runs' wall times say what the rest would cost on their hardware.
    """
    if not found.missing:
        return ""
    groups = Counter((job.arg[1], job.seed) for job in found.missing)
    parts = [f"{counted(n, 'run')} of {_the(net)} at seed {seed}" for (net, seed), n in groups.items()]
    text = f"Not recorded yet: {listed(parts)}; {found.makes_them(cfg)}"
    for net in dict.fromkeys(net for net, _ in groups):
        done = [r for r in found.records if r.config["model"] == net]
        if done:
            minutes = np.median([r.wall_seconds for r in done]) / 60
            text += (
                f" The {counted(len(done), 'recorded run')} of {_the(net)} took a median of {minutes:.0f} min each "
                f"(on {measured_on(done)}; a wall time includes whatever else ran on the machine)."
            )
    return text


def combination_text(combine: bool, found: tuple[dict, list[str]] | None) -> str:
    """The budget study's best combination: its rule, and what the records chose (or that nothing helps)."""
    from fmnist_lib.audit.budget_study import COMBINATION_RULE

    if not combine:
        return ""
    if found is None:
        return COMBINATION_RULE
    factors, used = found
    if not factors:
        return f"{COMBINATION_RULE} No variant's interval lies above the seed's design, so there is nothing to combine."
    return f"{COMBINATION_RULE} The records chose the factors of {listed(used)}."
