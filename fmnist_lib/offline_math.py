"""A Sphinx extension: the report's math is typeset by a local MathJax, so it reads offline.

Jupyter Book loads MathJax from a CDN; without the network chapter 4's formulas
stay raw TeX. The ``jupyter-server-mathjax`` wheel (a dependency) ships MathJax
2.7 with its fonts; this copies it into the built site's ``_static/mathjax`` and
points Sphinx at it. Listed under ``sphinx.extra_extensions`` in ``_config.yml``,
so the runner and a plain ``jupyter-book build .`` both use it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MATHJAX_DIR = "mathjax"
MATHJAX_PATH = f"{MATHJAX_DIR}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"


def mathjax_source() -> Path:
    """The MathJax 2 tree inside the installed ``jupyter_server_mathjax`` package."""
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _use_local_mathjax(app, config) -> None:
    config.mathjax_path = MATHJAX_PATH
    # MathJax 2 reads window.MathJax as its configuration: keep MyST's MathJax 3 settings out of the
    # page and give MathJax 2 the same rule (typeset only the math elements MyST marks)
    config.mathjax3_config = None
    config.myst_update_mathjax = False
    config.mathjax2_config = {
        "tex2jax": {
            "inlineMath": [["\\(", "\\)"]],
            "displayMath": [["\\[", "\\]"]],
            "processClass": "tex2jax_process|mathjax_process|math|output_area",
        }
    }


def _copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        shutil.copytree(mathjax_source(), Path(app.outdir) / "_static" / MATHJAX_DIR, dirs_exist_ok=True)


def setup(app) -> dict:
    app.connect("config-inited", _use_local_mathjax, priority=900)  # after myst-parser sets its MathJax 3 config
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
