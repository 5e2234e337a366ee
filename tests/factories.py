"""Small records for the audit's tests: made in memory, shaped like the run store's."""

from dataclasses import replace

from fmnist_lib.store.records import Record

FULL = {"train_size": None, "test_size": None}


def record(name, stages, data=None, total=0, trainable=0, history=None, n=10_000, seed=0, **result):
    """A staged-training record: ``stages`` as dicts with at least ``epochs`` and ``test_accuracy``."""
    full = [
        {
            "stage": i + 1,
            "test_loss": 0.3,
            "test_binary_accuracy": 0.98,
            "train_seconds": 1.0,
            "cumulative_train_seconds": 1.0,
            **s,
        }
        for i, s in enumerate(stages)
    ]
    return Record.from_dict(
        {
            "name": name,
            "key": f"k{seed}",
            "profile": "full",
            "wall_seconds": 1.0,
            "config": {"data": data or FULL, "seed": seed, "model": name},
            "result": {
                "stages": full,
                "test_predictions": [0] * n,
                "total_params": total,
                "trainable_params": trainable,
                "history": history or [{"epoch": 1, "accuracy": 0.5}],
                **result,
            },
            "provenance": {"cpu": "test CPU", "accelerators": []},
        }
    )


def run(name, seed, accuracies, epochs, history=None, **kw):
    """A network run at ``seed`` with test accuracy ``accuracies[i]`` after ``epochs[i]``."""
    stages = [{"epochs": e, "test_accuracy": a, **kw} for e, a in zip(epochs, accuracies)]
    return record(name, stages, history=history, total=1_000, trainable=1_000, seed=seed)


def with_predictions(rec, predictions):
    return replace(rec, result={**rec.result, "test_predictions": list(predictions)})


def stored(cnn_runs=(), light_runs=(), baselines=(), labels=None):
    """What ``experiments.replication_records`` returns, for these runs."""
    return {
        "cnn_3_128": cnn_runs[0] if cnn_runs else None,
        "dsc_gap": light_runs[0] if light_runs else None,
        "baselines": list(baselines),
        "seeds": {"cnn_3_128": list(cnn_runs), "dsc_gap": list(light_runs)},
        "test_labels": labels,
    }
