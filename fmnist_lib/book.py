"""``python -m fmnist_lib.book``: the report's command line (``report.runner`` does the work)."""

import sys

from fmnist_lib.report import INTERRUPTED
from fmnist_lib.report.quiet import filtered_stderr, library_chatter_off

if __name__ == "__main__":
    library_chatter_off()
    try:
        with filtered_stderr():
            from fmnist_lib.report.runner import main  # seconds of imports: Ctrl-C may land here

            code = main()
    except KeyboardInterrupt:  # the runner answers Ctrl-C itself; this catches it while starting or closing
        print(INTERRUPTED, file=sys.stderr)
        code = 130
    sys.exit(code)
