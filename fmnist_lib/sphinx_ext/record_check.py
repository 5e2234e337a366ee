"""A Sphinx extension: `jupyter-book build .` refuses to publish a report its records cannot support.

The root build executes the chapters itself, with their default parameters (the
committed full-profile records). Before any chapter runs, every record of that
profile is read and checked, and the records the chapters cannot do without are
required; an edited or damaged record, or a missing one, stops the build with
one line naming it and the command that fixes it, exit 2, instead of pages that
show a traceback. The runner's own build (chapters executed already) skips this.
"""

from __future__ import annotations

import sys


def _check_records(app, config) -> None:
    if getattr(config, "nb_execution_mode", "off") == "off":
        return
    from fmnist_lib import experiments, profiles
    from fmnist_lib.store.runstore import RecordError

    try:
        experiments.preflight(profiles.load_profile(profiles.REPORT_PROFILE))
    except (RecordError, experiments.MissingRecord) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


def setup(app) -> dict:
    app.connect("config-inited", _check_records, priority=950)
    return {"parallel_read_safe": True}
