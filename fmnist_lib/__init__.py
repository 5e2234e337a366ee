"""fmnist-repro: a tested library behind the reproduction report's chapters.

data -> models / training / baselines -> results (run store) -> tables, plots
-> chapters; ``book`` drives the chapters with papermill and Jupyter Book.
"""

import os

# TensorFlow's C++ start-up chatter is noise in executed chapters.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
