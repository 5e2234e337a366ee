"""The report: the runner (papermill, then Jupyter Book), tables, figures, the sentences the
chapters glue, the run card, and the browser check of the built pages.
"""
