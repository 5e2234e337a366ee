"""The typed read model of the run store: what tables, plots, the audit and chapters read.

A record on disk is JSON (config, result, provenance); readers go through
``Record`` and ``Stage`` instead of indexing nested dicts, so a question like
"the test accuracy after 62 epochs" has one answer, written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fmnist_lib.store.equivalence import UNKNOWN, CodeStatus

ACCURACY_TOLERANCE = 1e-6  # stored accuracies are float32 on some backends


@dataclass(frozen=True)
class Stage:
    """One finished stage of a cumulative schedule: the model after ``epochs`` epochs in all."""

    stage: int
    epochs: int
    test_accuracy: float
    test_loss: float
    test_binary_accuracy: float
    train_seconds: float
    cumulative_train_seconds: float
    eval_seconds: float = 0.0
    train_set_accuracy: float | None = None

    @classmethod
    def from_dict(cls, raw: dict) -> Stage:
        known = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw}
        return cls(**known)

    def value(self, metric: str) -> float | None:
        """A stage's number by its field name (the audit compares several metrics of one stage)."""
        return getattr(self, metric)


@dataclass(frozen=True)
class Record:
    """One experiment's stored outcome: its config, its result and where it was made."""

    name: str
    key: str
    profile: str
    config: dict
    result: dict
    wall_seconds: float
    provenance: dict
    stages: tuple[Stage, ...] = field(default=(), repr=False)
    code: dict | None = None  # digests of the code that computed it (store.fingerprint); None before they existed
    code_status: CodeStatus = UNKNOWN  # set when read: whether that code has changed since (store.equivalence)

    @classmethod
    def from_dict(cls, raw: dict) -> Record:
        stages = tuple(Stage.from_dict(s) for s in raw["result"].get("stages", ()))
        return cls(
            name=raw["name"],
            key=raw["key"],
            profile=raw["profile"],
            config=raw["config"],
            result=raw["result"],
            wall_seconds=raw["wall_seconds"],
            provenance=raw["provenance"],
            stages=stages,
            code=raw.get("code"),
        )

    @property
    def file_stem(self) -> str:
        return f"{self.name}-{self.key}"

    @property
    def experiment(self) -> str:
        return self.config.get("experiment", self.name)

    # --- staged trainings -----------------------------------------------------
    @property
    def final(self) -> Stage:
        """The last stage: what a run's headline accuracy is."""
        return self.stages[-1]

    def stage(self, epochs: int) -> Stage | None:
        """The stage that ended after exactly ``epochs`` epochs, or None if the schedule has none."""
        return next((s for s in self.stages if s.epochs == epochs), None)

    def stage_or_final(self, epochs: int) -> Stage:
        """The stage at ``epochs``, else the last one (the run was shorter)."""
        return self.stage(epochs) or self.final

    @property
    def history(self) -> list[dict]:
        return self.result.get("history", [])

    @property
    def test_predictions(self) -> list[int]:
        return self.result["test_predictions"]

    @property
    def n_test(self) -> int:
        """How many test images the accuracies are fractions of."""
        if "test_predictions" in self.result:
            return len(self.result["test_predictions"])
        return self.result["n_test"]

    @property
    def total_params(self) -> int:
        return self.result["total_params"]

    @property
    def trainable_params(self) -> int:
        return self.result["trainable_params"]

    def epoch_times(self, epochs: int) -> dict | None:
        """A steady epoch's time, epoch 1's extra (compilation, mostly) and the steady time of ``epochs`` epochs.

        From the stored per-epoch times: a steady epoch is the median of epochs 2
        to ``epochs``; what epoch 1 takes beyond it is counted as compile time.
        Every epoch time the report prints comes from here.
        """
        import statistics

        times = [h["seconds"] for h in self.history[:epochs] if "seconds" in h]
        if len(times) < 3:
            return None
        epoch = float(statistics.median(times[1:]))
        return {"epoch_seconds": epoch, "compile_seconds": max(times[0] - epoch, 0.0), "steady_seconds": epoch * epochs}

    def first_epoch_reaching(self, threshold: float, metric: str = "val_accuracy") -> int | None:
        """The first epoch whose ``metric`` reaches ``threshold`` (None if never, or not measured)."""
        return next((h["epoch"] for h in self.history if h.get(metric, -1.0) >= threshold), None)

    @property
    def on_full_data(self) -> bool:
        """Trained and scored on all official images, as the papers were."""
        return self.config.get("data") == {"train_size": None, "test_size": None}

    def check(self, test_labels: list | None = None) -> None:
        """Refuse a record whose numbers do not follow from what it stores (edited, or damaged).

        A staged run's final test accuracy must be the share of its stored test
        predictions that match ``test_labels``; a classical model's accuracy
        must be its correct count over its test images.
        """
        if self.stages and test_labels is not None:
            predictions = self.test_predictions
            if len(predictions) != len(test_labels):
                raise ValueError(f"it holds {len(predictions)} test predictions for {len(test_labels)} test images")
            follows = sum(int(p == y) for p, y in zip(predictions, test_labels)) / len(test_labels)
            if abs(follows - self.final.test_accuracy) > ACCURACY_TOLERANCE:
                raise ValueError(
                    f"its final test accuracy {self.final.test_accuracy:.4%} does not follow from its "
                    f"stored predictions, which score {follows:.4%}"
                )
        if "correct" in self.result and abs(self.result["correct"] / self.result["n_test"] - self.accuracy) > 1e-12:
            raise ValueError(f"its accuracy {self.accuracy:.4%} is not its {self.result['correct']} correct answers")

    # --- single-number results (classical models) ------------------------------
    @property
    def accuracy(self) -> float:
        """The headline test accuracy: the final stage's, or a classical model's."""
        return self.final.test_accuracy if self.stages else self.result["accuracy"]
