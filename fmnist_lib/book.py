"""``python -m fmnist_lib.book``: the report's command line (``report.runner`` does the work)."""

import sys

from fmnist_lib.report.quiet import filtered_stderr
from fmnist_lib.report.runner import main

if __name__ == "__main__":
    with filtered_stderr():
        code = main()
    sys.exit(code)
