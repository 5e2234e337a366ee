"""Records in, tables out: what the chapters show, our numbers beside the paper's.

Tables are built only from records, so every cell is traceable to a run.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fmnist_lib.audit import claims
from fmnist_lib.audit.stats import format_interval, wilson_interval
from fmnist_lib.report.glossary import network_name
from fmnist_lib.store import provenance
from fmnist_lib.store.records import Record


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2%}"


def _cell(value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Number):
        return value
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    return "–" if np.isnan(value) else f"{value:,.4g}"


# a whole cell of numbers: counts, percentages, intervals, seconds, ratios ("92.29% [91.75%, 92.80%]", "1,002 s")
NOTE_LENGTH = 30  # characters: a last column with a longer cell holds notes, not values
_NUMERIC = re.compile(r"[\s\d.,+\-−–\[\]()%×]*(pp|s|ms|µs)?[\s\d.,+\-−–\[\]()%×]*(pp)?")


def _escaped(text: str) -> str:
    """A cell's text as literal MyST: pipes, emphasis and math markers must not change the table."""
    text = " ".join(str(text).split())
    for char in ("\\", "|", "*", "$", "<", "`"):
        text = text.replace(char, "\\" + char)
    return text


def _is_numeric(cells: list[str]) -> bool:
    """A column of numbers (counts, percentages, intervals, seconds): aligned right so digits line up."""
    filled = [c for c in cells if c not in ("–", "", "nan")]
    return bool(filled) and all(_NUMERIC.fullmatch(c) and any(ch.isdigit() for ch in c) for c in filled)


@dataclass(frozen=True)
class ReportTable:
    """A numbered table with a caption: Sphinx numbers it, the text cites it with {numref}`name`.

    In the report it is a MyST ``table`` directive (myst-nb renders text/markdown
    outputs as MyST), so it gets the theme's table class, a number and a
    caption, and scrolls in its own box when wide; in Jupyter it shows as HTML.
    ``folded`` puts it in a dropdown: provenance is for those who look for it.
    """

    frame: pd.DataFrame
    caption: str
    name: str
    folded: bool = False

    def _cells(self) -> list[list[str]]:
        def text(value) -> str:
            if isinstance(value, (bool, np.bool_)):
                return "yes" if value else "no"
            return value if isinstance(value, str) else str(_cell(value))

        return [[text(v) for v in row] for row in self.frame.itertuples(index=False)]

    def _repr_markdown_(self) -> str:
        cells = [[_escaped(c) for c in row] for row in self._cells()]
        header = [_escaped(c) for c in self.frame.columns] or ["records"]
        if not cells:  # nothing recorded yet: one row that says so, not a table without rows
            cells = [["none recorded yet"] + ["–"] * (len(header) - 1)]
        align = ["---:" if _is_numeric([row[i] for row in cells]) else ":---" for i in range(len(header))]
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        notes = any(len(row[-1]) > NOTE_LENGTH for row in cells)  # a last column of sentences gets room to read
        classes = "report-table notes-last" if notes else "report-table"
        table = f"```{{table}} {self.caption}\n:name: {self.name}\n:class: {classes}\n\n" + "\n".join(lines) + "\n```"
        if not self.folded:
            return table
        return f"````{{dropdown}} {self.caption}\n{table}\n````"

    def __repr__(self) -> str:  # text/plain: what a terminal or a log shows
        return f"<table {self.name}: {self.caption} ({len(self.frame)} rows)>"

    def _repr_html_(self) -> str:
        styler = self.frame.style.hide(axis="index").format(_cell).set_caption(self.caption)
        return styler.to_html()


def show(table: pd.DataFrame, caption: str, name: str, folded: bool = False) -> ReportTable:
    """A table as the report prints it: numbered, captioned, no row numbers, thousands separated.

    ``name`` (``tbl-...``) is what the text cites; ``caption`` says what the
    table holds and in which units, in one sentence.
    """
    if not name.startswith("tbl-"):
        raise ValueError(f"table names start with 'tbl-' so references read as tables: {name!r}")
    return ReportTable(table, caption, name, folded)


def baseline_table(records: list[Record], scaled: list[Record] = ()) -> pd.DataFrame:
    """Table I: our accuracy with its 95 % interval (raw pixels, and scaled where run), the seed's and the authors'."""
    on_scaled = {rec.result["model"]: rec for rec in scaled}
    rows = []
    for rec in records:
        r = rec.result
        claimed = claims.TABLE_I_ACCURACY.get(r["model"])
        other = on_scaled.get(r["model"])
        rows.append(
            {
                "model": r["model"],
                "ours (95 % interval)": format_interval(r["accuracy"], r["n_test"]),
                "seed paper": pct(claimed),
                "difference (pp)": "–" if claimed is None else signed(100 * (r["accuracy"] - claimed), 1),
                "benchmark": pct(claims.XIAO_BENCHMARK.get(r["model"])),
                "ours, pixels /255": "–" if other is None else pct(other.accuracy),
            }
        )
    return pd.DataFrame(rows)


def baseline_costs(records: list[Record]) -> pd.DataFrame:
    """Table I's models: training images, fit and prediction times, and whether the solver converged."""
    return pd.DataFrame(
        [
            {
                "model": rec.result["model"],
                "training images": rec.result["n_train"],
                "fit (s)": round(rec.result["fit_seconds"], 1),
                "predict (s)": round(rec.result["predict_seconds"], 1),
                "converged": "yes" if rec.result["converged"] else "no (max_iter reached)",
            }
            for rec in records
        ]
    )


def signed(value: float, digits: int) -> str:
    """'+1.2', '-0.3', and '0.0' rather than '-0.0' or '+0.0'."""
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def baseline_summary(records: list[Record]) -> dict:
    """The numbers the baselines chapter states in prose."""
    res = [rec.result for rec in records]
    best = max(res, key=lambda r: r["accuracy"])
    slowest = max(res, key=lambda r: r["fit_seconds"])
    gaps = [
        abs(r["accuracy"] - claims.TABLE_I_ACCURACY[r["model"]]) for r in res if r["model"] in claims.TABLE_I_ACCURACY
    ]
    return {
        "n_train": res[0]["n_train"],
        "n_test": res[0]["n_test"],
        "best_model": best["model"],
        "best_accuracy": best["accuracy"],
        "max_abs_diff": 100 * max(gaps) if gaps else float("nan"),
        "slowest_model": slowest["model"],
        "slowest_seconds": slowest["fit_seconds"],
    }


def stage_table(record: Record) -> pd.DataFrame:
    """One row per stage: cumulative epochs, test accuracy with its interval, the seed's claim, loss and time."""
    rows = []
    for stage in record.stages:
        claimed = claims.CNN_ACCURACY_BY_EPOCH.get(stage.epochs) if record.name == "cnn_3_128" else None
        rows.append(
            {
                "epochs": stage.epochs,
                "test accuracy (95 % interval)": format_interval(stage.test_accuracy, record.n_test),
                "seed paper": pct(claimed),
                "test loss": round(stage.test_loss, 4),
                "stage (s)": round(stage.train_seconds, 1),
                "cumulative (s)": round(stage.cumulative_train_seconds, 1),
            }
        )
    return pd.DataFrame(rows)


def layer_display(table: pd.DataFrame) -> pd.DataFrame:
    """``models.cost.layer_table`` as a reader checks it: each layer, its output, the counts, and their total last.

    The total row is the number the paper states, so a reader compares it without adding up.
    """
    layers = pd.DataFrame(
        {
            "layer": table["layer"] + " (" + table["type"] + ")",
            "output": table["output shape"],
            "by hand": table["analytic"],
            "Keras": table["keras"],
            "of them not trainable": table["non-trainable (keras)"],
        }
    )
    total = {
        "layer": "total",
        "output": "",
        "by hand": int(table["analytic"].sum()),
        "Keras": int(table["keras"].sum()),
        "of them not trainable": int(table["non-trainable (keras)"].sum()),
    }
    return pd.concat([layers, pd.DataFrame([total])], ignore_index=True)


def network_summary(record: Record) -> dict:
    """The numbers a network chapter states in prose, from its record."""
    first, last = record.stages[0], record.final
    n = record.n_test
    low, high = wilson_interval(round(last.test_accuracy * n), n)
    return {
        "first_epochs": first.epochs,
        "first_accuracy": first.test_accuracy,
        "final_epochs": last.epochs,
        "final_accuracy": last.test_accuracy,
        "final_low": low,
        "final_high": high,
        "n_test": n,
        "final_train_accuracy": record.history[-1]["accuracy"],
        "train_seconds": last.cumulative_train_seconds,
        "trainable_params": record.trainable_params,
        "total_params": record.total_params,
        "hardware": provenance.hardware_summary(record.provenance),
        "backend": record.provenance["keras_backend"],
    }


def top_confusions(y_true, y_pred, k: int = 5) -> pd.DataFrame:
    """The k most frequent (true, predicted) error pairs."""
    from fmnist_lib.data.fashion import CLASS_NAMES

    pairs = pd.DataFrame({"true": y_true, "predicted": y_pred})
    errors = pairs[pairs["true"] != pairs["predicted"]]
    counts = errors.value_counts().head(k).reset_index(name="errors")
    counts["true"] = counts["true"].map(lambda c: CLASS_NAMES[c])
    counts["predicted"] = counts["predicted"].map(lambda c: CLASS_NAMES[c])
    counts["share of all errors"] = (counts["errors"] / max(len(errors), 1)).map("{:.1%}".format)
    return counts


def at_paper_epochs(record: Record, epochs: int):
    """The stage a comparison with the paper reads: the one at the paper's epochs, by name (None: the run has none)."""
    return record.stage(epochs)


def comparison_table(cnn: Record, light: Record) -> pd.DataFrame:
    """Table II, measured against claimed: parameters, accuracy at the paper's epochs (62 and 32), training time."""
    rows = []
    for rec, label, params_claim, acc_claim, epochs in (
        (cnn, network_name("cnn_3_128"), claims.CNN_PARAMS, claims.CNN_ACCURACY_BY_EPOCH[62], claims.PAPER_EPOCHS),
        (light, network_name("dsc_gap"), claims.LIGHT_PARAMS, claims.LIGHT_ACCURACY, claims.LIGHT_EPOCHS),
    ):
        stage = at_paper_epochs(rec, epochs)
        rows.append(
            {
                "model": label,
                "parameters, ours": f"{rec.total_params:,}",
                "parameters, paper": f"{params_claim:,}",
                "epochs": epochs,
                "accuracy, ours (95 % interval)": "not run"
                if stage is None
                else format_interval(stage.test_accuracy, rec.n_test),
                "accuracy, paper": pct(acc_claim),
                "training (s)": "–" if stage is None else round(stage.cumulative_train_seconds, 1),
            }
        )
    return pd.DataFrame(rows)


def comparison_summary(cnn: Record, light: Record) -> dict:
    """Table II's derived numbers (reduction, accuracy drop, times) at the paper's epochs, from the two records."""
    cnn_at, light_at = at_paper_epochs(cnn, claims.PAPER_EPOCHS), at_paper_epochs(light, claims.LIGHT_EPOCHS)
    cnn_stage, light_stage = cnn_at or cnn.final, light_at or light.final  # a shorter run: its last stage, said so
    light_timed = light.stage_or_final(claims.LIGHT_EPOCHS_FOR_TIME)
    cnn_times, light_times = cnn.epoch_times(cnn_stage.epochs), light.epoch_times(light_stage.epochs)
    return {
        "reduction": 1 - light.total_params / cnn.total_params,
        "reduction_trainable": 1 - light.trainable_params / cnn.trainable_params,
        "drop_pp": 100 * (cnn_stage.test_accuracy - light_stage.test_accuracy),
        "cnn_accuracy": cnn_stage.test_accuracy,
        "light_accuracy": light_stage.test_accuracy,
        "cnn_epochs": cnn_stage.epochs,
        "light_epochs": light_stage.epochs,
        "at_paper_epochs": cnn_at is not None and light_at is not None,
        "cnn_seconds": cnn_stage.cumulative_train_seconds,
        "light_timed_epochs": light_timed.epochs,
        "light_seconds": light_timed.cumulative_train_seconds,
        # a steady epoch (the median after the first, which compiles): one computation for every epoch time
        "cnn_seconds_per_epoch": cnn_times["epoch_seconds"]
        if cnn_times
        else cnn_stage.cumulative_train_seconds / cnn_stage.epochs,
        "light_seconds_per_epoch": light_times["epoch_seconds"]
        if light_times
        else light_stage.cumulative_train_seconds / light_stage.epochs,
    }


def provenance_table(records: list[Record]) -> pd.DataFrame:
    """Which run made each record: when, where (machine, backend, jobs sharing it), commit, wall time, code state.

    Library versions are on the run card (one row per machine and backend); the
    commit says "+dirty" when the working tree had changes the commit does not hold.
    """
    rows = []
    for rec in records:
        prov = rec.provenance
        shared = prov.get("concurrent_jobs", 1)
        rows.append(
            {
                "record": f"{rec.name}-{rec.key}",
                "made (UTC)": prov["date"][:16].replace("T", " "),
                "where": f"{provenance.hardware_summary(prov)}, {prov['keras_backend']}"
                + (f", {shared} jobs sharing it" if shared > 1 else ""),
                "commit": prov["git_commit"][:12] + ("+dirty" if prov["git_commit"].endswith("+dirty") else ""),
                "wall time (s)": round(rec.wall_seconds, 1),
                # has the code that computed it changed since? (store.fingerprint, store.equivalence)
                "code": rec.code_status.text or "–",
            }
        )
    return pd.DataFrame(rows)


def family_frame(records: list[Record]) -> pd.DataFrame:
    """One numeric row per family member: size, cost, accuracy, speed."""
    from fmnist_lib.audit.scaling import member_flag

    rows = []
    for rec in records:
        c, r = rec.config, rec.result
        last = rec.final
        fit_accuracy = rec.history[-1].get("accuracy") if rec.history else None
        flag = member_flag(last.test_accuracy, fit_accuracy)
        rows.append(
            {
                "member": rec.name.removeprefix("family-"),
                "depth": c["depth"],
                "width": c["width"],
                "head": c["head"],
                "separable": c["separable"],
                "parameters": r["total_params"],
                "trainable": r["trainable_params"],
                "analytic = keras": r["analytic_params"] == r["total_params"],
                "MACs": r["macs"],
                "test accuracy": last.test_accuracy,
                "training accuracy (fit)": fit_accuracy,
                "flagged": flag is not None,
                "flag": flag.reason if flag else "",
                "flag rule": flag.rule if flag else "",
                "n_test": rec.n_test,
                "s per epoch": last.cumulative_train_seconds / last.epochs,
                "latency b=1 (ms)": 1e3 * r["latency_batch1_s"],
                "latency b=1024 (µs/image)": 1e6 * r["latency_batch1024_s"],
            }
        )
    return pd.DataFrame(rows)


def family_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The family's members as a reader compares them: size and cost, then accuracy (in %) and speed.

    The design columns (depth, width, head, separable) are in the member's name;
    the check that hand-counted parameters equal Keras' count is said in the text.
    """
    return pd.DataFrame(
        {
            "member": frame["member"],
            "parameters": frame["parameters"].map("{:,}".format),
            "MACs": frame["MACs"].map("{:,}".format),
            "test accuracy": frame["test accuracy"].map(pct),
            "s per epoch": frame["s per epoch"].map(lambda v: f"{v:,.1f}"),
            "latency (ms)": frame["latency b=1 (ms)"].map(lambda v: f"{v:,.1f}"),
            # the reason in two or three words; the flagged members' table gives the numbers behind it
            "flag": frame["flag"].map(lambda reason: reason or "–"),
        }
    )


def compression_table(records: dict[str, Record]) -> pd.DataFrame:
    """Size, accuracy and latency of each network as float32 and int8 TFLite, and after pruning."""
    rows = []
    for label, rec in records.items():
        r = rec.result
        for fmt in ("float32", "int8"):
            rows.append(
                {
                    "model": label,
                    "variant": f"TFLite {fmt}",
                    "size (KiB)": round(r[fmt]["bytes"] / 1024, 1),
                    "test accuracy": pct(r[fmt]["test_accuracy"]),
                    "latency b=1 (ms)": round(1e3 * r[fmt]["latency_s"], 3),
                }
            )
        for p in r["pruning"]:
            rows.append(
                {
                    "model": label,
                    "variant": f"pruned to {p['sparsity']:.0%} zeros (no fine-tuning)",
                    "size (KiB)": "–",
                    "test accuracy": pct(p["test_accuracy"]),
                    "latency b=1 (ms)": "–",
                }
            )
    return pd.DataFrame(rows)


def batchnorm_lag(records: list[Record]) -> pd.DataFrame:
    """Per seed: training accuracy as fit reports it, the same images in inference mode, and the test set.

    With BatchNorm, fit normalises with batch statistics and inference with the
    moving averages; where the two disagree, the model scores its own training
    images lower in inference mode than fit said, and the test accuracy follows.
    """
    rows = []
    for rec in records:
        last = rec.history[-1] if rec.history else {}
        rows.append(
            {
                "seed": rec.config.get("seed"),
                "epochs": rec.final.epochs,
                "training accuracy in fit (last epoch)": pct(last.get("accuracy")),
                "training images, inference mode": pct(rec.final.train_set_accuracy),
                "test accuracy": pct(rec.final.test_accuracy),
            }
        )
    return pd.DataFrame(rows)


def subfamily_fit_table(fits: list[dict]) -> pd.DataFrame:
    """The saturating fit per group of members: asymptote, exponent and RMS residual, in percent."""
    rows = []
    for entry in fits:
        fit = entry["fit"]
        ok = fit.get("converged")
        rows.append(
            {
                "members": entry["members"],
                "n": entry["n"],
                "a (asymptote)": pct(fit["a"]) if ok else "–",
                "c (exponent)": f"{fit['c']:.3f}" if ok else "–",
                "RMS residual (pp)": f"{100 * fit['rmse']:.1f}" if ok else "–",
                "note": ("asymptote at its 100 % bound" if fit["a"] >= 0.999 else "") if ok else fit.get("reason", ""),
            }
        )
    return pd.DataFrame(rows)


def pruning_table(
    pruned: list[Record],
    int8: list[Record],
    dense: dict[str, float],
    labels: dict[str, str],
    missing: list | None = None,
) -> pd.DataFrame:
    """Per pruned network: its sparsity, dense and pruned accuracy, and the int8 model's accuracy, sizes and latency.

    Sizes are the TFLite files as stored and after zlib: zeros save bytes only once compressed. The int8 columns
    come from each pruned network's own conversion record (``int8``, made where TensorFlow is); a pruned network
    without one says so. ``missing`` (the pruning jobs not recorded yet) get a row each, so a reader sees what the
    table will hold.
    """
    converted = {(r.config["pruned"]["network"]["model"], r.config["pruned"]["sparsity"]): r.result for r in int8}
    rows = []
    for job in missing or []:
        model, sparsity = job.arg
        rows.append({"model": labels[model], "weights pruned": f"{sparsity:.0%}", "dense": pct(dense.get(model)),
                     "pruned, fine-tuned": "not recorded yet"})  # fmt: skip
    for rec in sorted(pruned, key=lambda r: (r.config["network"]["model"], r.config["sparsity"])):
        r, model = rec.result, rec.config["network"]["model"]
        row = {
            "model": labels[model],
            "weights pruned": f"{r['sparsity_reached']:.0%}",
            "dense": pct(dense.get(model)),
            "pruned, fine-tuned": pct(rec.final.test_accuracy),
            "pruned, int8": "not converted yet",
        }
        lite = converted.get((model, rec.config["sparsity"]))
        if lite is not None:
            row.update(
                {
                    "pruned, int8": pct(lite["int8"]["test_accuracy"]),
                    "float32 (KiB, zlib)": f"{lite['float32']['zlib_bytes'] / 1024:,.0f}",
                    "int8 (KiB, zlib)": f"{lite['int8']['zlib_bytes'] / 1024:,.0f}",
                    "int8 b=1 (ms)": round(1e3 * lite["int8"]["latency_s"], 3),
                }
            )
        rows.append(row)
    frame = pd.DataFrame(rows).fillna("–")
    return frame.sort_values(["model", "weights pruned"], kind="stable").reset_index(drop=True) if rows else frame


def light_budget_table(
    results: list, variants: dict[str, dict], macs: dict[str, int], missing: list | None = None
) -> pd.DataFrame:
    """The budget study: per variant, what it changes, its cost, and its accuracy against CNN-3-128.

    ``results`` are ``audit.budget_study.VariantResult``; ``variants`` the
    profile's factors and ``macs`` the multiply-accumulates per image, by variant
    name; ``missing`` (the runs not recorded yet) are listed by variant and seed,
    so the plan shows too.
    """
    from fmnist_lib.audit.verdicts import Outcome
    from fmnist_lib.models import budget
    from fmnist_lib.report import verdict_text as vt

    against = {
        Outcome.CONSISTENT: "reaches it",
        Outcome.BELOW: "falls short",
        Outcome.ABOVE: "above it",
        Outcome.INCONCLUSIVE: "inconclusive (only by the seeds' spread)",
        Outcome.NOT_TESTED: "CNN-3-128 not recorded",
    }
    rows = [
        {
            "variant": _variant_words(r.variant, r.changed),
            "parameters": r.parameters,
            "MACs per image (M)": round(macs[r.variant] / 1e6, 1),
            "epochs": r.epochs,
            "training (s)": round(r.train_seconds),
            "test accuracy": vt.ours_with_seeds(r.verdict),
            "against CNN-3-128": "at chance: not learnt" if r.at_chance else against[r.verdict.outcome],
        }
        for r in results
    ]
    waiting: dict[str, list[int]] = {}
    for job in missing or []:
        waiting.setdefault(job.arg, []).append(job.seed)
    rows += [
        {
            "variant": _variant_words(name, variants[name]),
            "parameters": "–" if variants[name] is None else budget.parameters(variants[name]),
            "MACs per image (M)": "–" if variants[name] is None else round(macs[name] / 1e6, 1),
            "test accuracy": f"not recorded yet (seeds {', '.join(map(str, seeds))})",
        }
        for name, seeds in waiting.items()
    ]
    return pd.DataFrame(rows).fillna("–")


def _variant_words(name: str, changed: dict | None) -> str:
    """A budget variant in words; the best combination says it is one, and says so before it is chosen."""
    from fmnist_lib.audit.budget_study import COMBINED
    from fmnist_lib.models import budget

    if name != COMBINED:
        return budget.describe(changed)
    if changed is None:
        return "best combination of the variants that help (chosen once they are recorded)"
    return f"best combination: {budget.describe(changed)}"
