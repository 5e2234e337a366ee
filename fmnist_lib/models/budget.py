"""The seed's parameter budget for separable blocks with a GAP head, counted without Keras.

The light model's 178,968 parameters are the budget every variant of the
budget study must keep (issue: "how good can a 179k-parameter separable model
be?"). A profile names its variants as factors changed from the literal model;
counting them here, by arithmetic, lets a profile with a variant over the budget
be refused the moment it is loaded, before Keras is imported or anything trains.
``tests/test_light_budget.py`` holds the count to Keras' own for every factor.
"""

from __future__ import annotations

from typing import Any

PARAMETER_BUDGET = 178_968  # the seed's light model (its Table II; models.networks.dsc_gap)
NUM_CLASSES = 10

# each factor, its literal value (the seed's light model), and what it may take
LITERAL: dict[str, Any] = {
    "first_block": "depthwise",  # or "standard": a 3x3 convolution of the one-channel image
    "widths": [128, 256, 512],  # the three blocks' filters
    "batchnorm_momentum": 0.99,  # Keras' default; lower settles the moving statistics sooner
    "depthwise_activation": False,  # True: ReLU between the depthwise and the 1x1 convolution too
    "augmentation": "none",  # "shift_flip": random shifts of up to 10 % and horizontal flips, while training only
    # the training recipe (models.recipe): no parameters, only how the network is trained
    "label_smoothing": 0.0,  # eps: 1 - eps on the true class, eps / 10 on every class
    "distillation": 0.0,  # alpha: the weight of CNN-3-128's softened outputs (its recorded model, the teacher)
    "learning_rate_schedule": "constant",  # "cosine": the protocol's rate decays to 0 over the whole run
}
RECIPE = ("label_smoothing", "distillation", "learning_rate_schedule")  # factors of the training, not the network


def factors_error(factors: Any) -> str | None:
    """Why ``factors`` cannot describe a variant, or None: names and kinds of values only."""
    if not isinstance(factors, dict):
        return "must map factors to values, e.g. {'first_block': 'standard'}"
    unknown = sorted(set(factors) - set(LITERAL))
    if unknown:
        return f"has no factor {unknown[0]!r}; the factors are {', '.join(LITERAL)}"
    f = {**LITERAL, **factors}
    if f["first_block"] not in ("depthwise", "standard"):
        return f"first_block is 'depthwise' or 'standard', got {f['first_block']!r}"
    widths = f["widths"]
    if not isinstance(widths, list) or len(widths) != 3 or any(type(w) is not int or w < 1 for w in widths):
        return f"widths must list three positive whole numbers of filters, got {widths!r}"
    momentum = f["batchnorm_momentum"]
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 < momentum < 1:
        return f"batchnorm_momentum must lie strictly between 0 and 1, got {momentum!r}"
    if not isinstance(f["depthwise_activation"], bool):
        return f"depthwise_activation is True or False, got {f['depthwise_activation']!r}"
    if f["augmentation"] not in ("none", "shift_flip"):
        return f"augmentation is 'none' or 'shift_flip', got {f['augmentation']!r}"
    if f["learning_rate_schedule"] not in ("constant", "cosine"):
        return f"learning_rate_schedule is 'constant' or 'cosine', got {f['learning_rate_schedule']!r}"
    for name, top in (("label_smoothing", "below 1"), ("distillation", "at most 1")):
        value = f[name]
        fits = not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= value
        if not fits or value > 1 or (name == "label_smoothing" and value == 1):
            return f"{name} must be at least 0 and {top}, got {value!r}"
    return None


def network_factors(factors: dict[str, Any]) -> dict[str, Any]:
    """The factors that build the network (``variants.separable_gap``'s keywords): all but the recipe's."""
    return {k: v for k, v in factors.items() if k not in RECIPE}


def parameters(factors: dict[str, Any]) -> int:
    """All parameters (BatchNorm's moving statistics included, as the seed counts) of the variant ``factors``.

    Augmentation layers have none: they only move and mirror the training images; the recipe factors change
    the training targets only.
    """
    f = {**LITERAL, **factors}
    total, c_in = 0, 1
    for block, width in enumerate(f["widths"], start=1):
        if block == 1 and f["first_block"] == "standard":
            total += 9 * c_in * width + width + 4 * width  # 3x3 convolution, BatchNorm
        else:
            total += 9 * c_in + c_in + 4 * c_in  # depthwise 3x3, BatchNorm
            total += c_in * width + width + 4 * width  # 1x1 convolution, BatchNorm
        c_in = width
    return total + c_in * NUM_CLASSES + NUM_CLASSES  # GAP, then the softmax layer


def over_budget(factors: dict[str, Any]) -> int:
    """How many parameters ``factors`` has beyond the budget (0 when it fits)."""
    return max(0, parameters(factors) - PARAMETER_BUDGET)


def describe(factors: dict[str, Any]) -> str:
    """A variant in words, from the factors it sets: 'standard 3×3 first convolution, widths 128/256/508'."""
    changed = {k: v for k, v in {**LITERAL, **factors}.items() if LITERAL[k] != v}
    words = {
        "first_block": lambda v: f"{v} 3×3 first convolution",
        "widths": lambda v: "widths " + "/".join(map(str, v)),
        "batchnorm_momentum": lambda v: f"BatchNorm momentum {v:g}",
        "depthwise_activation": lambda v: "ReLU after each depthwise convolution" if v else "",
        "augmentation": lambda v: "random shifts and horizontal flips while training" if v == "shift_flip" else "",
        "label_smoothing": lambda v: f"label smoothing {v:g}",
        "distillation": lambda v: f"distilled from CNN-3-128 (weight {v:g})",
        "learning_rate_schedule": lambda v: f"{v} learning-rate schedule",
    }
    return ", ".join(w for k, v in changed.items() if (w := words[k](v))) or "the seed's design"
