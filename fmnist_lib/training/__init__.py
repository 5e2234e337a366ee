"""Training: one staged, resumable loop on a cumulative schedule (``engine``), with two ways to take a
step: Keras' ``fit`` for one model on any backend (``keras_fit``), or K models in one JAX program
(``grouped``); the scores every trainer records (``scoring``) and optional data parallelism.
``from fmnist_lib import training`` gives the lone run's API.
"""


def __getattr__(name: str):
    """The API below, loaded on first use: reading records (every chapter) must not pay Keras' import.

    One import statement per name, as before this was lazy: store.fingerprint follows them to the definitions.
    """
    if name not in __all__:  # not the API (say, a probe for __wrapped__): no import of Keras for it
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from fmnist_lib.training.engine import CheckpointError
    from fmnist_lib.training.keras_fit import compile_for_protocol, final_model_file, save_for_inference, train_staged
    from fmnist_lib.training.scoring import binary_accuracy_onehot, predict_classes, score, scores

    return locals()[name]  # the name the imports above just bound


__all__ = [
    "CheckpointError",
    "binary_accuracy_onehot",
    "compile_for_protocol",
    "final_model_file",
    "predict_classes",
    "save_for_inference",
    "score",
    "scores",
    "train_staged",
]
