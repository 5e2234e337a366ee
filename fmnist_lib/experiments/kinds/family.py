"""The scaling chapter's model family: 1-4 blocks, first width 16-256, dense or GAP head, standard or separable
convolutions, each trained on the same short schedule and measured for size, MACs and latency.
"""

from __future__ import annotations

import math

from fmnist_lib.experiments.registry import Experiment, Role
from fmnist_lib.experiments.splits import network_inputs, test_labels
from fmnist_lib.experiments.target import Target, train_into


def member_name(depth: int, width: int, head: str, separable: bool) -> str:
    return f"{'dsc' if separable else 'cnn'}-{depth}x{width}-{head}"


def family_config(cfg: dict, member: list) -> dict:
    depth, width, head, separable = member
    return {
        "experiment": "family_member",
        "depth": depth,
        "width": width,
        "head": head,
        "separable": separable,
        "seed": cfg["seed"],
        "data": {"train_size": cfg["scaling"]["train_size"], "test_size": cfg["data"]["test_size"]},
        "schedule": [cfg["scaling"]["epochs"]],
        "batch_size": cfg["cnn_3_128"]["batch_size"],
        "learning_rate": cfg["cnn_3_128"]["learning_rate"],
        "validate_every_epoch": False,
    }


def compute_member(cfg: dict, member: list, target: Target) -> dict:
    """One family member under the shared schedule; its size, MACs and latency measured on the trained model."""
    from fmnist_lib.models import conv_net, cost

    spec = target.config
    train, test = network_inputs(spec["data"]["train_size"], spec["data"]["test_size"], cfg["seed"])
    depth, width, head, separable = member

    def measure(model):
        x = test()[0]
        return {
            "macs": cost.model_macs(model),
            "analytic_params": int(sum(sum(cost.analytic_count(layer)) for layer in model.layers)),
            "latency_batch1_s": cost.latency_per_image(model, x, 1, repeats=20),
            "latency_batch1024_s": cost.latency_per_image(model, x, 1024, repeats=3),
        }

    return train_into(
        target, lambda: conv_net(depth, width, head=head, separable=separable), train, test, extra=measure
    )


def in_spread_order(members: list[list]) -> list[list]:
    """Members ordered so that every prefix covers depth, width, head and convolution type evenly.

    Greedy farthest-point order on (depth, log2 width, head, separable), each
    scaled to [0, 1]: a run stopped early still has small, middle and large,
    dense and GAP, standard and separable members, not only the first few.
    """

    def point(m: list) -> tuple[float, ...]:
        depth, width, head, separable = m
        return (depth, math.log2(width), float(head == "gap"), float(separable))

    ordered = sorted(members, key=lambda m: (m[1], m[0], m[2], m[3]))
    if len(ordered) < 3:
        return ordered
    points = [point(m) for m in ordered]
    lows = [min(p[i] for p in points) for i in range(4)]
    spans = [max(p[i] for p in points) - lows[i] or 1.0 for i in range(4)]
    scaled = [tuple((p[i] - lows[i]) / spans[i] for i in range(4)) for p in points]
    chosen = [0]
    nearest = [math.dist(q, scaled[0]) for q in scaled]
    while len(chosen) < len(ordered):
        pick = max((i for i in range(len(ordered)) if i not in chosen), key=lambda i: (nearest[i], -i))
        chosen.append(pick)
        nearest = [min(d, math.dist(q, scaled[pick])) for d, q in zip(nearest, scaled)]
    return [ordered[i] for i in chosen]


KINDS = (
    Experiment(
        "family",
        "the model family of the scaling chapter",
        Role.SCALING,
        args=lambda cfg: [(cfg["seed"], member) for member in in_spread_order(cfg["scaling"]["members"])],
        name=lambda cfg, member: "family-" + member_name(*member),
        config=family_config,
        compute=compute_member,
        chapters=("07",),
        accelerated=True,
        label=lambda seed, member: "family " + member_name(*member),
        test_labels=test_labels,
    ),
)
