"""Figures from records and arrays; each function returns a closed matplotlib figure.

Closed so that a chapter shows a figure once, where it is glued with a caption,
not a second time when the cell ends.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.text import Text

from fmnist_lib.audit import claims
from fmnist_lib.audit.stats import wilson_interval
from fmnist_lib.data.fashion import CLASS_NAMES
from fmnist_lib.store.records import Record

sns.set_theme(style="whitegrid", context="notebook")
OURS, PAPER, OTHER = "#1f77b4", "#d62728", "#7f7f7f"


COLUMN_PX = 772  # the report's content column at 1400 px: a wider figure is shown shrunk to it
MIN_TEXT_PX = 12  # about 9 pt on screen: the smallest text a reader should have to read


def _percent_axis(axis) -> None:
    """Accuracies read as percentages everywhere in the report, axes included."""
    axis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{100 * v:.4g}"))  # 87.5, not a rounded 88


def legible(fig: Figure) -> Figure:
    """Raise every text of ``fig`` to at least MIN_TEXT_PX on screen, once shrunk to the column.

    A figure wider than the column is scaled down with its text; sizes are set
    for the size the reader sees, whatever the figure's width.
    """
    natural_px = fig.get_figwidth() * fig.dpi
    shrink = min(1.0, COLUMN_PX / natural_px)
    min_points = MIN_TEXT_PX / shrink * 72 / fig.dpi
    for text in fig.findobj(Text):
        if text.get_text() and text.get_fontsize() < min_points:
            text.set_fontsize(min_points)
    return fig


def _done(fig: Figure) -> Figure:
    legible(fig)
    fig.tight_layout()
    plt.close(fig)
    return fig


def sample_grid(images: np.ndarray, labels: np.ndarray, per_class: int = 8, seed: int = 0) -> Figure:
    """A few random images of each class, one row per class."""
    rng = np.random.default_rng(seed)
    fig, axes = plt.subplots(len(CLASS_NAMES), per_class, figsize=(per_class * 0.9, len(CLASS_NAMES) * 0.95))
    for c, name in enumerate(CLASS_NAMES):
        picks = rng.choice(np.flatnonzero(labels == c), per_class, replace=False)
        for j, idx in enumerate(picks):
            ax = axes[c, j]
            ax.imshow(images[idx], cmap="gray_r")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
        axes[c, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    return _done(fig)


def class_balance(y_train: np.ndarray, y_test: np.ndarray) -> Figure:
    """Images per class in each split: the dataset is exactly balanced."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2), sharey=False)
    for ax, labels, title in ((axes[0], y_train, "training"), (axes[1], y_test, "test")):
        counts = np.bincount(labels, minlength=len(CLASS_NAMES))
        ax.bar(range(len(CLASS_NAMES)), counts, color=OURS)
        ax.set_xticks(range(len(CLASS_NAMES)), CLASS_NAMES, rotation=45, ha="right")
        ax.set_title(f"{title} split ({len(labels):,} images)")
        ax.set_ylabel("images")
    return _done(fig)


def class_means(images: np.ndarray, labels: np.ndarray) -> Figure:
    """The average image of each class, with its mean pixel value."""
    fig, axes = plt.subplots(2, len(CLASS_NAMES) // 2, figsize=(7.5, 3.9))
    for c, ax in enumerate(axes.ravel()):
        mean = images[labels == c].mean(axis=0)
        ax.imshow(mean, cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(f"{CLASS_NAMES[c]}\nmean {mean.mean():.1f}", fontsize=8)
        ax.axis("off")
    return _done(fig)


def pixel_histogram(x_train: np.ndarray, x_test: np.ndarray) -> Figure:
    """Distribution of pixel values in both splits (log scale: most pixels are background)."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    bins = np.arange(257)
    for images, label, color in ((x_train, "training", OURS), (x_test, "test", PAPER)):
        counts = np.bincount(images.ravel(), minlength=256) / images.size
        ax.stairs(counts, bins, label=label, color=color)
    ax.set_yscale("log")
    ax.set_xlabel("pixel value (0 = background)")
    ax.set_ylabel("fraction of pixels")
    ax.legend()
    return _done(fig)


def _error_bars(accuracies: list[float], n: list[int]) -> np.ndarray:
    bounds = np.array([wilson_interval(round(a * k), k) for a, k in zip(accuracies, n)])
    return np.abs(bounds.T - np.array(accuracies))


def baseline_accuracy(records: list[Record]) -> Figure:
    """Our accuracy (with 95 % interval) beside the seed's Table I and the dataset authors' benchmark."""
    res = [r.result for r in records]
    names = [r["model"] for r in res]
    ours = [r["accuracy"] for r in res]
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(10, 3.8))
    ax.bar(
        x - 0.27, ours, 0.27, color=OURS, label="ours", yerr=_error_bars(ours, [r["n_test"] for r in res]), capsize=2
    )
    ax.bar(x, [claims.TABLE_I_ACCURACY.get(n, np.nan) for n in names], 0.27, color=PAPER, label="seed paper, Table I")
    xiao = [claims.XIAO_BENCHMARK.get(n, np.nan) for n in names]
    ax.bar(x + 0.27, xiao, 0.27, color=OTHER, label="Xiao et al. 2017 benchmark")
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylim(0.4, 1.0)
    ax.set_ylabel("test accuracy (%)")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)  # off the bars
    return _done(fig)


def staged_accuracy(record: Record, claimed: dict[int, float] | None = None) -> Figure:
    """Test accuracy after each stage of the cumulative schedule, with the paper's claims."""
    n = record.n_test
    epochs = [s.epochs for s in record.stages]
    acc = [s.test_accuracy for s in record.stages]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.errorbar(
        epochs,
        acc,
        yerr=_error_bars(acc, [n] * len(acc)),
        marker="o",
        color=OURS,
        capsize=3,
        label="ours (95 % interval)",
    )
    if claimed:
        ax.plot(list(claimed), list(claimed.values()), "s", color=PAPER, label="seed paper")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted(set(epochs) | set(claimed or {})))
    ax.get_xaxis().set_major_formatter(plt.ScalarFormatter())
    ax.set_xlabel("cumulative epochs")
    ax.set_ylabel("test accuracy (%)")
    _percent_axis(ax.yaxis)
    ax.legend(loc="lower right")
    return _done(fig)


def training_curves(record: Record) -> Figure:
    """Per-epoch accuracy and loss; test-as-validation where the run measured it each epoch."""
    history = record.history
    epochs = [h["epoch"] for h in history]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for ax, metric in zip(axes, ("accuracy", "loss")):
        if "val_" + metric in history[0]:
            ax.plot(
                epochs,
                [h["val_" + metric] for h in history],
                ls="--",
                marker=".",
                color=PAPER,
                label="test set, each epoch",
            )
        # drawn last and thicker: where the curves meet, training stays visible above the test curve
        ax.plot(epochs, [h[metric] for h in history], lw=2.2, marker=".", color=OURS, label="training", zorder=3)
        stages = record.stages
        ax.plot(
            [s.epochs for s in stages],
            [s.value("test_" + metric) for s in stages],
            "o",
            mfc="none",
            color="black",
            label="test, end of stage",
        )
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy (%)" if metric == "accuracy" else metric)
        if metric == "accuracy":
            _percent_axis(ax.yaxis)
        ax.legend(fontsize=8)
    return _done(fig)


def confusion(y_true: np.ndarray, y_pred: np.ndarray) -> Figure:
    """Row-normalised confusion matrix: where the errors go."""
    from sklearn.metrics import confusion_matrix  # here, not at the top: only one figure needs scikit-learn

    matrix = confusion_matrix(y_true, y_pred, labels=range(len(CLASS_NAMES)), normalize="true")
    fig, ax = plt.subplots(figsize=(7.5, 6.2))
    sns.heatmap(
        matrix,
        annot=True,
        fmt=".2f",
        cmap="Blues",
        cbar=False,
        ax=ax,
        xticklabels=CLASS_NAMES,
        yticklabels=CLASS_NAMES,
        annot_kws={"fontsize": 8},
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return _done(fig)


def misclassified(images: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, count: int = 24, seed: int = 0) -> Figure:
    """A random sample of test images the model got wrong, with true and predicted class."""
    wrong = np.flatnonzero(y_true != y_pred)
    rng = np.random.default_rng(seed)
    picks = rng.choice(wrong, min(count, len(wrong)), replace=False) if len(wrong) else []
    cols = 6
    rows = max(1, int(np.ceil(len(picks) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.75), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, idx in zip(axes.ravel(), picks):
        ax.imshow(images[idx], cmap="gray_r")
        ax.set_title(f"{CLASS_NAMES[y_true[idx]]}\n→ {CLASS_NAMES[y_pred[idx]]}", fontsize=7)
    return _done(fig)


def paired_bars(
    labels: list[str],
    measured: list[float],
    claimed: list[float],
    ylabel: str,
    log: bool = False,
    percent: bool = False,
) -> Figure:
    """The seed's Figs. 1-3 redrawn: one quantity for two models, measured beside claimed."""
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(6, 3.6))
    bars_ours = ax.bar(x - 0.2, measured, 0.4, color=OURS, label="ours")
    bars_paper = ax.bar(x + 0.2, claimed, 0.4, color=PAPER, label="seed paper")
    fmt = "{:.2%}" if percent else "{:,.0f}"
    for bars in (bars_ours, bars_paper):
        ax.bar_label(bars, [fmt.format(v) for v in bars.datavalues], fontsize=8)
    ax.set_xticks(x, labels)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    if percent:
        ax.set_ylim(0, 1.08)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    elif not log:
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))  # no "1e6" offset
    ax.margins(y=0.12)
    # above the axes, never on the bars
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
    return _done(fig)


def nearest_distance_histogram(distances: np.ndarray, thresholds: list[float]) -> Figure:
    """How far each test image is from its nearest training image."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.hist(distances, bins=100, color=OURS)
    for t in thresholds:
        if t > 0:
            ax.axvline(t, color=PAPER, ls="--", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("RMS pixel distance to the nearest training image (pixels in [0, 1])")
    ax.set_ylabel("test images")
    return _done(fig)


def duplicate_pairs(
    x_test: np.ndarray,
    x_train: np.ndarray,
    distances: np.ndarray,
    nearest: np.ndarray,
    quantiles=(0.0, 0.002, 0.01, 0.03, 0.1, 0.5),
) -> Figure:
    """Test images (top) beside their nearest training image (bottom), from identical to typical."""
    order = np.argsort(distances)
    picks = [order[min(int(q * len(order)), len(order) - 1)] for q in quantiles]
    fig, axes = plt.subplots(2, len(picks), figsize=(1.6 * len(picks), 3.6))
    for j, idx in enumerate(picks):
        axes[0, j].imshow(x_test[idx], cmap="gray_r")
        axes[0, j].set_title(f"RMS {distances[idx]:.3f}", fontsize=8)
        axes[1, j].imshow(x_train[nearest[idx]], cmap="gray_r")
        for ax in axes[:, j]:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
    axes[0, 0].set_ylabel("test", fontsize=8)
    axes[1, 0].set_ylabel("nearest train", fontsize=8)
    return _done(fig)


def accuracy_against(
    frame,
    column: str,
    label: str,
    marks: dict[str, tuple[float, float]] | None = None,
    fit: dict | None = None,
    front: np.ndarray | None = None,
    log: bool = True,
) -> Figure:
    """Family members' test accuracy against a size or cost column; separable members hollow."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for head, color in (("dense", OURS), ("gap", PAPER)):
        for separable, fill in ((False, True), (True, False)):
            sel = (frame["head"] == head) & (frame["separable"] == separable)
            if sel.any():
                ax.scatter(
                    frame.loc[sel, column],
                    frame.loc[sel, "test accuracy"],
                    s=36,
                    color=color,
                    facecolors=color if fill else "none",
                    label=f"{head} head, {'separable' if separable else 'standard'} conv",
                )
    if front is not None and front.any():
        pts = frame.loc[front].sort_values(column)
        ax.step(pts[column], pts["test accuracy"], where="post", color="black", lw=1, alpha=0.6, label="Pareto front")
    if "flagged" in frame and frame["flagged"].any():
        flagged = frame[frame["flagged"]]
        ax.scatter(
            flagged[column],
            flagged["test accuracy"],
            marker="x",
            s=60,
            color="black",
            label="flagged (collapsed or did not learn)",
        )
    if fit is not None:
        low, high = fit.get("range") or (frame[column].min(), frame[column].max())  # where the fit has data
        grid = np.logspace(np.log10(low), np.log10(high), 200)
        ax.plot(
            grid,
            fit["a"] - fit["b"] * grid ** (-fit["c"]),
            color=OTHER,
            ls="--",
            label=f"fit, ceiling a = {fit['a']:.1%}",
        )
    for name, (x, y) in (marks or {}).items():
        ax.scatter([x], [y], marker="*", s=160, color="black", zorder=5)
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(6, -10), fontsize=8)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(label)
    ax.set_ylabel("test accuracy (%)")
    _percent_axis(ax.yaxis)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # beside the points
    return _done(fig)


SAME_MODEL = {"a", "a′", "c", "f"}  # mechanisms that read the replication runs themselves


def mechanism_fingerprints(curves, claimed: dict[int, float], network: str = "cnn_3_128") -> Figure:
    """Each mechanism's accuracy over epochs (log scale) for one network, with the paper's claims as stars.

    Two panels keep each to a few series: the mechanisms read off the
    replication runs themselves ((a), (a′), (c), (f)), and those that change the
    data or the training ((b), (d), (e)); the honest curve is in both. The
    claims' shape is a flat line near 99-100 %: a mechanism explains them only
    if it starts that high and rises as little as they do. Each curve is the
    seeds' mean where it has several seeds.
    """
    from fmnist_lib.audit.mechanisms import CurveRole

    mine = [c for c in curves if c.network == network and c.points]
    reference = [c for c in mine if c.role is CurveRole.REFERENCE]
    panels = (
        ("read off the replication runs", [c for c in mine if c.mechanisms and c.mechanisms[0].letter in SAME_MODEL]),
        (
            "other data or training",
            [
                c
                for c in mine
                if c.role is not CurveRole.REFERENCE and not (c.mechanisms and c.mechanisms[0].letter in SAME_MODEL)
            ],
        ),
    )
    fig, axes = plt.subplots(2, 1, figsize=(9, 11), sharex=True)
    low = min(_mechanism_panel(ax, title, [*reference, *shown], claimed) for ax, (title, shown) in zip(axes, panels))
    for ax in axes:
        ax.set_ylim(max(50, low - 2), 100.5)
    axes[-1].set_xscale("log")
    ticks = [1, 2, 6, 14, 30, 62] if network == "cnn_3_128" else [1, 2, 4, 7, 16, 32]
    axes[-1].set_xticks(ticks, [str(t) for t in ticks])
    axes[-1].set_xlabel("epochs (of the paper's 60,000 images)", fontsize=11)
    return _done(fig)


def _mechanism_panel(ax, title: str, series, claimed: dict[int, float]) -> float:
    """One panel of the mechanisms' figure: the honest curve in black, the others coloured; its lowest point (%)."""
    from fmnist_lib.audit.mechanisms import CurveRole

    palette = [c for i, c in enumerate(sns.color_palette("tab10")) if i != 3]  # red is the claims' colour
    low = 100.0
    for k, c in enumerate(series):
        xs = [p.epochs for p in c.points]
        ys = [100 * p.mean for p in c.points]
        low = min(low, min(ys))
        if c.role is CurveRole.REFERENCE:
            style = {"color": "black", "lw": 2.5, "ls": "-"}
        else:
            style = {"color": palette[k % len(palette)], "lw": 1.8, "ls": ":" if c.role is CurveRole.CONTROL else "-"}
        ax.plot(xs, ys, marker="" if len(xs) > 8 else "o", ms=5, label=c.label, **style)
    xs, ys = zip(*sorted(claimed.items()))
    ax.plot(
        xs, [100 * y for y in ys], ls="none", marker="*", ms=16, color=PAPER, label="the seed paper's claims", zorder=5
    )
    ax.set_title(title, fontsize=12)
    ax.set_ylabel("accuracy (%)", fontsize=11)
    ax.tick_params(labelsize=10)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=1, frameon=False)
    return low


def duplicate_pairs_at(
    x_test: np.ndarray,
    x_train: np.ndarray,
    distances: np.ndarray,
    nearest: np.ndarray,
    thresholds: list[float],
    per: int = 4,
) -> Figure:
    """At each threshold, the loosest pairs it still calls near-duplicates: test image, then its nearest training image.

    A threshold is only as good as its borderline cases; these are the ``per``
    test images whose distance lies just at or below it.
    """
    rows = [t for t in thresholds if t > 0]
    fig, axes = plt.subplots(len(rows), 2 * per, figsize=(1.25 * 2 * per, 1.5 * len(rows)), squeeze=False)
    for i, t in enumerate(rows):
        inside = np.flatnonzero(distances <= t)
        picks = inside[np.argsort(distances[inside])[-per:]][::-1]
        for j in range(per):
            for k, image in enumerate((x_test, x_train)):
                ax = axes[i, 2 * j + k]
                ax.set_xticks([])
                ax.set_yticks([])
                ax.grid(False)
                if j < len(picks):
                    idx = picks[j]
                    ax.imshow(image[idx if k == 0 else nearest[idx]], cmap="gray_r")
                    if k == 0:
                        ax.set_title(f"RMS {distances[idx]:.3f}", fontsize=9)
        axes[i, 0].set_ylabel(f"≤ {t:g}", fontsize=10)
    fig.suptitle("each pair: test image, then its nearest training image", fontsize=10)
    return _done(fig)


def pruning_curves(
    one_shot: list[Record], gradual: list[Record], dense: dict[str, float], labels: dict[str, str]
) -> Figure:
    """Test accuracy against sparsity per network: one-shot pruning (``compression`` records) and gradual
    pruning with fine-tuning (``pruning`` records), against the dense network's accuracy (dotted)."""
    fig, axes = plt.subplots(1, len(labels), figsize=(4.2 * len(labels), 3.4), sharey=True, squeeze=False)
    for ax, (model, label) in zip(axes[0], labels.items()):
        if model in dense:
            ax.axhline(dense[model], color=OTHER, ls=":", label="dense")
        sweeps = [(p["sparsity"], p["test_accuracy"]) for r in one_shot if r.config["network"]["model"] == model
                  for p in r.result["pruning"]]  # fmt: skip
        tuned = [
            (r.config["sparsity"], r.final.test_accuracy) for r in gradual if r.config["network"]["model"] == model
        ]
        for points, style, name in ((sweeps, "o--", "one-shot, no fine-tuning"), (tuned, "s-", "gradual, fine-tuned")):
            if points:
                ax.plot([100 * s for s, _ in sorted(points)], [a for _, a in sorted(points)], style, label=name)
        ax.set_title(label)
        ax.set_xlabel("weights pruned (%)")
        _percent_axis(ax.yaxis)
    axes[0][0].set_ylabel("test accuracy (%)")
    axes[0][0].legend(loc="lower left")
    return _done(fig)


def _compact(value: float, _pos=None) -> str:
    """'200k', '2M', '0.9': a log axis's tick without powers of ten."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def budget_against(
    results: list,
    macs: dict[str, int],
    reference: dict[str, float] | None,
    claim: float,
) -> Figure:
    """The budget study on the scaling chapter's axes: each variant's accuracy (the seeds' mean with its interval)
    against parameters, multiply-accumulates per image and training seconds per epoch (log scales), one panel each.

    ``reference`` holds CNN-3-128's seeds' mean (``accuracy``) and its ``parameters``, ``MACs`` and
    ``s per epoch``; the seed's claim for its light model is a dashed line on every panel.
    """
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axes_spec = (
        ("parameters", "parameters (log scale)"),
        ("MACs", "multiply-accumulates per image (log scale)"),
        ("s per epoch", "training seconds per epoch (log scale)"),
    )
    fig, axes = plt.subplots(3, 1, figsize=(7.0, 9.0))
    for ax, (column, label) in zip(axes, axes_spec):
        for r in results:
            x = {"parameters": r.parameters, "MACs": macs[r.variant], "s per epoch": r.train_seconds / r.epochs}
            low, high = r.verdict.interval or (r.verdict.value, r.verdict.value)
            ax.errorbar(
                [x[column]],
                [r.verdict.value],
                yerr=[[r.verdict.value - low], [high - r.verdict.value]],
                fmt="o",
                color=OURS,
                capsize=3,
            )
            ax.annotate(r.variant, (x[column], r.verdict.value), textcoords="offset points", xytext=(6, -3), fontsize=7)
        if reference is not None:
            ax.scatter([reference[column]], [reference["accuracy"]], marker="s", color="black", zorder=5)
            ax.annotate("CNN-3-128", (reference[column], reference["accuracy"]), xytext=(-8, -12), fontsize=7,
                        textcoords="offset points", ha="right")  # fmt: skip
        ax.axhline(claim, color=PAPER, ls="--", lw=1)
        ax.annotate(f"seed's claim, {claim:.2%}", (0.01, claim), xycoords=("axes fraction", "data"), xytext=(0, 4),
                    textcoords="offset points", fontsize=7, color=PAPER)  # fmt: skip
        ax.set_xscale("log")
        ax.margins(x=0.25)
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(label)
        ax.set_ylabel("test accuracy (%)")
        _percent_axis(ax.yaxis)
    if not results:
        axes[0].text(0.5, 0.5, "no variant recorded yet", transform=axes[0].transAxes, ha="center", color=OTHER)
    return _done(fig)
