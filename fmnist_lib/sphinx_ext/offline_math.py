"""A Sphinx extension: the report's math is typeset by a local MathJax, so it reads offline.

Jupyter Book loads MathJax from a CDN; without the network chapter 4's formulas
stay raw TeX. The ``sphinx-mathjax-offline`` wheel (a dependency) ships MathJax 3
with its fonts; this copies it into the built site's ``_static/mathjax`` and
points Sphinx at it. MyST's MathJax 3 settings (typeset only the math it marks)
apply unchanged. Listed under ``sphinx.extra_extensions`` in ``_config.yml``, so
the runner and a plain ``jupyter-book build .`` both use it.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

MATHJAX_DIR = "mathjax"
MATHJAX_PATH = f"{MATHJAX_DIR}/tex-chtml.js"


def mathjax_source() -> Path:
    """MathJax 3 inside the installed ``sphinx-mathjax-offline`` package (its import name has dashes)."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("sphinx-mathjax-offline is not installed: pip install -e . (make setup does it)")
    return Path(spec.origin).parent / "static" / "mathjax"


def _use_local_mathjax(app, config) -> None:
    mathjax_source()  # fail at the start of a build, not after it, when the package is missing
    config.mathjax_path = MATHJAX_PATH


def _copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        shutil.copytree(mathjax_source(), Path(app.outdir) / "_static" / MATHJAX_DIR, dirs_exist_ok=True)


def setup(app) -> dict:
    app.connect("config-inited", _use_local_mathjax, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
