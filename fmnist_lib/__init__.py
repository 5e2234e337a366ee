"""fmnist-repro: the tested library behind the reproduction report's chapters.

Data flows one way, and the subpackages show it:

    data -> models -> training -> experiments (registry + one module per kind) -> store
                                                                                    |
    report (runner, tables, plots, prose)  <-  chapters (read only)  <-  audit (verdicts as data)

``compute`` and ``book`` are the two command lines on top (README.md, "Layout").
"""

import os

# TensorFlow's C++ start-up chatter is noise in executed chapters.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
