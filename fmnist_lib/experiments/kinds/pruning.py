"""Compression as practised: each replication network pruned gradually while it is fine-tuned.

One-shot magnitude pruning without fine-tuning (``kinds.compression``) is the
first thing the seed's future work would try and the last thing anyone ships.
Here the recorded network is fine-tuned on its training images while its
sparsity rises along the polynomial schedule of Zhu and Gupta (2017)
(``models.pruning``), scored on the test set, and the pruned model is kept
beside the record. Like ``compression``, it never retrains the network it
starts from.

Fine-tuning trains a network, so it is a GPU job on any Keras backend; the int8
conversion needs TensorFlow's converter, which the JAX-only GPU machine lacks, so
it is a kind of its own (``kinds.pruned_int8``) that reads the kept pruned model
on a machine with TensorFlow.
"""

from __future__ import annotations

from fmnist_lib.experiments.kinds.network import NETWORKS, network_config
from fmnist_lib.experiments.registry import Experiment, Job, Role
from fmnist_lib.experiments.splits import network_inputs, test_labels
from fmnist_lib.experiments.target import Target, kept_model

LEARNING_RATE_FACTOR = 0.1  # fine-tuning steps are a tenth of the network's own, as fine-tuning usually is
PRUNING_ENDS = 0.75  # the sparsity reaches its target after three quarters of the fine-tuning steps
MASK_UPDATES = 20  # masks recomputed 20 times on the way, fixed in between


def runs(cfg: dict) -> list[tuple[int, tuple[str, float]]]:
    """(seed, (network, sparsity)) of every pruning run: the replication networks the profile names, each at every
    fine-tuning sparsity."""
    networks = cfg["scaling"]["finetune_networks"]
    return [
        (cfg["seed"], (net, s)) for net in NETWORKS if net in networks for s in cfg["scaling"]["finetune_sparsities"]
    ]


def config(cfg: dict, arg: tuple[str, float]) -> dict:
    network, sparsity = arg
    return {
        "experiment": "gradual_pruning",
        "network": network_config(cfg, network),
        "sparsity": sparsity,
        "epochs": cfg["scaling"]["finetune_epochs"],
        "learning_rate": cfg[network]["learning_rate"] * LEARNING_RATE_FACTOR,
        "batch_size": cfg[network]["batch_size"],
        "seed": cfg["seed"],
        "pruning_ends": PRUNING_ENDS,
        "mask_updates": MASK_UPDATES,
    }


def _start(cfg: dict, arg: tuple[str, float]) -> list[Job]:
    """The replication network whose record and kept model the fine-tuning starts from."""
    return [Job("network", cfg["profile_seed"], arg[0])]


def name(cfg: dict, arg: tuple[str, float]) -> str:
    """``pruned-cnn_3_128-90``: the network and the sparsity in percent."""
    return f"pruned-{arg[0]}-{round(100 * arg[1])}"


def label(seed: int, arg: tuple[str, float]) -> str:
    return f"pruned {arg[0]} to {arg[1]:.0%} while fine-tuned"


def compute_pruning(cfg: dict, arg: tuple[str, float], target: Target) -> dict:
    """Fine-tune the kept network while pruning it to the target sparsity, score it, and keep the pruned model."""
    from fmnist_lib import training
    from fmnist_lib.models import compression, pruning

    network, _ = arg
    spec = target.config
    make_it = f"python -m fmnist_lib.compute --profile {cfg['profile']} --only {network} --force"
    start = lambda: kept_model(cfg["profile"], network, spec["network"], make_it)  # noqa: E731
    start()  # a missing network fails here, before any data is loaded
    train, test = network_inputs(cfg["data"]["train_size"], cfg["data"]["test_size"], cfg["seed"])
    x_train, y_train = train()
    x_test, y_test = test()
    steps = spec["epochs"] * -(-len(y_train) // spec["batch_size"])
    end = max(1, round(spec["pruning_ends"] * steps))
    pruner = pruning.GradualPruning(spec["sparsity"], begin=0, end=end, frequency=max(1, end // spec["mask_updates"]))
    result = training.train_staged(
        start,
        (x_train, y_train),
        (x_test, y_test),
        schedule=[spec["epochs"]],  # one stage: a resumed run starts the fine-tuning again, masks and all
        batch_size=spec["batch_size"],
        learning_rate=spec["learning_rate"],
        seed=spec["seed"],
        checkpoint_dir=target.scratch,
        score_train_set=False,
        verbose=2,
        callbacks=[pruner],
    )
    import keras

    model = keras.models.load_model(training.final_model_file(target.scratch))
    training.save_for_inference(model, target.model_path)  # for the int8 conversion (kinds.pruned_int8)
    result.update(sparsity_reached=compression.sparsity_of(model), mask_schedule=pruner.history)
    return result


KINDS = (
    Experiment(
        "pruning",
        "gradual magnitude pruning with fine-tuning of the replication networks",
        Role.STUDY,
        args=runs,
        name=name,
        config=config,
        compute=compute_pruning,
        chapters=("07",),
        depends_on=_start,
        models_read=_start,
        label=label,
        test_labels=lambda cfg, arg: test_labels(cfg),
        accelerated=True,
    ),
)
