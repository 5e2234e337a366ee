"""The reproducibility notes' tables: the gaps the papers leave, and where our records were made.

Reports in the ML Reproducibility Challenge keep a short account of what a
reproducer had to decide alone. Here each value in that account is read from a
record's config, the network builder's signature or the compiled model, so the
page cannot say one thing while the runs did another.
"""

from __future__ import annotations

import inspect

import keras
import pandas as pd

from fmnist_lib.audit import claims
from fmnist_lib.data import paper_augmentation
from fmnist_lib.models import networks
from fmnist_lib.store import provenance
from fmnist_lib.store.records import Record
from fmnist_lib.training import keras_fit


def _builder_defaults(record: Record) -> dict:
    """The keywords the record's network was built with: the builder's defaults, then the record's own."""
    signature = inspect.signature(networks.conv_net)
    used = {name: p.default for name, p in signature.parameters.items() if p.default is not inspect.Parameter.empty}
    used.update(record.config.get("model_kwargs") or {})
    return used


def _protocol(learning_rate: float) -> tuple[str, str]:
    """The optimiser and loss the training code compiles with, read from a compiled one-layer model."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2)])
    keras_fit.compile_for_protocol(model, learning_rate)
    return type(model.optimizer).__name__, str(model.loss)


def unstated_table(record: Record, config: dict) -> pd.DataFrame:
    """What neither paper states about CNN-3-128's training, and what ``record`` (a network record) was made with.

    ``config`` is the profile the record belongs to; its audit section says which
    readings of the augmenter's rotation the audit runs.
    """
    built = _builder_defaults(record)
    cfg = record.config
    optimizer, loss = _protocol(cfg["learning_rate"])
    rotations = " and ".join(f"{r:g}" for r in config["audit"]["rotations"])
    rows = [
        (
            "padding of the 3x3 convolutions",
            f"'{built['padding']}'",
            f"{record.total_params:,} parameters counted; the papers say {claims.CNN_PARAMS:,}",
        ),
        ("activation", built["activation"], "the usual choice; neither paper names one"),
        (
            "dropout rates",
            f"{built['conv_dropout']} after each block, {built['dense_dropout']} after Dense(128)",
            "common reconstructions of CNN-3-128",
        ),
        ("optimiser, learning rate", f"{optimizer}, {cfg['learning_rate']:g}", "neither paper states them"),
        ("loss", loss, "class accuracy, not Keras 2's per-output accuracy"),
        ("batch size", f"{cfg['batch_size']}", "neither paper states one"),
        ("epoch schedule", ", ".join(map(str, cfg["schedule"])), "cumulative: one run, scored after each stage"),
        (
            "augmentation (Mukhamediev's Appendix A)",
            f"rotation {paper_augmentation.PAPER_ROTATION_DEGREES:g} degrees, "
            f"shift {paper_augmentation.PAPER_SHIFT:g}, zoom {paper_augmentation.PAPER_ZOOM:g}",
            f"rotation printed as 0.75; the audit runs {rotations} degrees",
        ),
        (
            "seeds",
            "one per record; seeds " + ", ".join(map(str, config["audit"]["seeds"])) + " for the two networks",
            "the papers report one run each",
        ),
        (
            "test set",
            f"the official {record.n_test:,} images, scored "
            + ("after every epoch" if cfg.get("validate_every_epoch") else "after each stage"),
            "the reported numbers are at the paper's epochs; nothing is chosen on it",
        ),
    ]
    return pd.DataFrame(rows, columns=["not stated", "what our records used", "why"])


def where_made(records: list[Record]) -> pd.DataFrame:
    """Per machine (GPU, or CPU and cores): how many records it made and their summed wall time in hours."""
    rows: dict[str, list[float]] = {}
    for rec in records:
        hardware = provenance.hardware_summary(rec.provenance)
        count, seconds = rows.get(hardware, [0, 0.0])
        rows[hardware] = [count + 1, seconds + (rec.wall_seconds or 0.0)]
    table = pd.DataFrame(
        [(hw, int(count), f"{seconds / 3600:.1f}") for hw, (count, seconds) in sorted(rows.items())],
        columns=["machine", "records", "wall time (h)"],
    )
    return table


def counts_sentence(cnn: Record, light: Record) -> str:
    """The parameter arithmetic in words: our counts beside the papers', matching or not."""

    def beside(ours: int, theirs: int) -> str:
        return (
            f"{ours:,} parameters, as the paper says"
            if ours == theirs
            else f"{ours:,} parameters where the paper says {theirs:,}"
        )

    return (
        f"CNN-3-128 as the papers describe it has {beside(cnn.total_params, claims.CNN_PARAMS)}; "
        f"the light model has {beside(light.total_params, claims.LIGHT_PARAMS)}, "
        + (
            f"of which {light.trainable_params:,} are trainable (the seed calls all of them trainable)."
            if light.trainable_params != light.total_params
            else "all of them trainable."
        )
    )


def baseline_times_sentence(records: list[Record]) -> str:
    """How long the classical models took, fit and scored, from their records' wall times."""
    timed = sorted((rec.wall_seconds or 0.0, rec.name) for rec in records)
    machines = sorted({provenance.hardware_summary(rec.provenance) for rec in records})
    sizes = sorted({rec.result["n_train"] for rec in records})
    images = f"{sizes[0]:,}" if len(sizes) == 1 else f"{sizes[0]:,} to {sizes[-1]:,}"
    return (
        f"each of the {len(records)} took between {timed[0][0]:,.1f} s and {timed[-1][0]:,.0f} s "
        f"to fit on {images} training images and score ({'; '.join(machines)})."
    )
