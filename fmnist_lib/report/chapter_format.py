"""How a jupytext chapter becomes a notebook, the same way for the runner and for `jupyter-book build .`.

Readers come for the numbers and the prose: every code cell is folded
("hide-input", a toggle shows it) and the downloadable notebook keeps it. The
kernelspec is what papermill and Jupyter Book's executor need to run it.
"""

from __future__ import annotations

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
FOLDED = "hide-input"
_SHOWN_AS_IS = {"hide-input", "remove-input", "remove-cell"}


def fold_code(notebook) -> None:
    """Tag every code cell that does not say otherwise ``hide-input``; the parameters cells are removed from view.

    The parameters a build used are in the run card's table; the cell that set
    them is in the downloadable notebook.
    """
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "remove-cell" not in tags:
            tags.append("remove-cell")  # the run card lists every parameter; the downloaded notebook keeps the cell
        elif cell.cell_type == "code" and not _SHOWN_AS_IS & set(tags):
            tags.append(FOLDED)


def as_notebook(notebook):
    """A chapter read by jupytext, made runnable (kernelspec) and folded as the report shows it."""
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    fold_code(notebook)
    return notebook


def reads(text: str, fmt: str = "py:percent"):
    """A chapter's source as a notebook: Jupyter Book's reader for ``.py`` (``nb_custom_formats``)."""
    import jupytext

    return as_notebook(jupytext.reads(text, fmt=fmt))
