"""The report: the runner (papermill, then Jupyter Book), tables, figures, the sentences the
chapters glue, the run card, and the browser check of the built pages.
"""

INTERRUPTED = (  # said by the runner, and by the command line when Ctrl-C lands before or after it
    "interrupted: the records finished so far are stored and the report was not updated; "
    "rerun the same command to continue"
)
