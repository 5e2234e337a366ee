# %% [markdown]
# # Dataset and preprocessing
#
# This chapter mirrors section III-A of the seed paper {cite}`anjum2025extension`: the
# standard Fashion-MNIST split {cite}`xiao2017fashion` and the minimal preprocessing both
# papers use. It answers a plain question first: are we training and testing on the
# official data, unchanged?

# %% tags=["parameters"]
profile = "full"  # the committed records: `jupyter-book build .` renders them without training
overrides = {}

# %%
from myst_nb import glue

from fmnist_lib import data
from fmnist_lib import experiments
from fmnist_lib.report import plots
from fmnist_lib import profiles

config = profiles.load_profile(profile, overrides)
ds = data.load_fashion_mnist()
train_idx, test_idx = experiments.split_indices(config)

# %% [markdown]
# ## The files
#
# The four official IDX files were read from {glue:text}`source`. Each file's
# decompressed content matched its recorded SHA-256 digest before use (the loader
# refuses anything else, including MNIST digits {cite}`lecun1998mnist`, which have the same shapes). The
# training split holds {glue:text}`n_train:,` images and the test split
# {glue:text}`n_test:,`, each 28x28 grey levels in 0-255; the mean training pixel is
# {glue:text}`mean_pixel:.4f`.

# %%
glue("source", ds.source, display=False)
glue("n_train", len(ds.y_train), display=False)
glue("n_test", len(ds.y_test), display=False)
glue("mean_pixel", float(ds.x_train.mean()), display=False)
glue("fig_samples", plots.sample_grid(ds.x_train, ds.y_train, seed=config["seed"]), display=False)

# %% [markdown]
# {numref}`fig-samples` shows eight random training images of each class.
#
# ```{glue:figure} fig_samples
# :name: fig-samples
# :alt: A grid of small grey clothing images, ten rows (one per class) of eight.
#
# Eight random training images of each class.
# ```
#
# ## Balance and pixel statistics
#
# Every class has exactly {glue:text}`per_class_train:,` training and
# {glue:text}`per_class_test:,` test images ({numref}`fig-balance`), so plain accuracy
# is a fair summary and chance is 10 %. Most pixels are background
# ({numref}`fig-pixels`); the class means ({numref}`fig-means`) show why shirts,
# pullovers and coats are the hard cases: their average silhouettes nearly coincide.

# %%
import numpy as np

counts_train = np.bincount(ds.y_train)
counts_test = np.bincount(ds.y_test)
glue(
    "per_class_train", int(counts_train.min()) if counts_train.min() == counts_train.max() else "unequal", display=False
)
glue("per_class_test", int(counts_test.min()) if counts_test.min() == counts_test.max() else "unequal", display=False)
glue("fig_balance", plots.class_balance(ds.y_train, ds.y_test), display=False)
glue("fig_pixels", plots.pixel_histogram(ds.x_train, ds.x_test), display=False)
glue("fig_means", plots.class_means(ds.x_train, ds.y_train), display=False)

# %% [markdown]
# ```{glue:figure} fig_balance
# :name: fig-balance
# :alt: Two bar charts of images per class in the training and test splits; all bars are equal.
#
# Images per class in the official training and test splits.
# ```
#
# ```{glue:figure} fig_pixels
# :name: fig-pixels
# :alt: Histogram of pixel values on a log scale; most pixels are 0 (background).
#
# Distribution of pixel values (log scale) in both splits.
# ```
#
# ```{glue:figure} fig_means
# :name: fig-means
# :alt: The average image of each of the ten classes, in two rows of five.
#
# The mean training image of each class and its mean pixel value.
# ```
#
# ## Preprocessing, exactly as the papers describe it
#
# Classical models see each image as a vector of 784 raw pixel values; the CNNs see a
# (28, 28, 1) array scaled to [0, 1]. Nothing is resized, cropped, padded or augmented
# in the replication chapters.

# %%
vectors = data.as_vectors(ds.x_train[:2])
cnn_input = data.as_cnn_input(ds.x_train[:2])
glue("vector_shape", str(vectors.shape[1:]), display=False)
glue("cnn_shape", str(cnn_input.shape[1:]), display=False)
glue("cnn_range", f"[{cnn_input.min():.1f}, {cnn_input.max():.1f}]", display=False)
print("classical input per image:", vectors.shape[1:], vectors.dtype)
print("CNN input per image:", cnn_input.shape[1:], cnn_input.dtype, "range", cnn_input.min(), "to", cnn_input.max())

# %% [markdown]
# ## What this profile trains on
#
# The {glue:text}`profile_name` profile trains the networks on
# {glue:text}`cnn_train:,` training images and tests them on {glue:text}`cnn_test:,`,
# and fits the classical models on {glue:text}`clf_train:,` images. Subsets are
# class-balanced and drawn with seed {glue:text}`seed`; the full profile uses all
# {glue:text}`n_train:,` and {glue:text}`n_test:,` images, as the papers do.

# %%
clf_train_idx, _ = experiments.split_indices(config, "baselines")
glue("profile_name", profile, display=False)
glue("cnn_train", len(train_idx), display=False)
glue("cnn_test", len(test_idx), display=False)
glue("clf_train", len(clf_train_idx), display=False)
glue("seed", config["seed"], display=False)
