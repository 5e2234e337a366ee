"""Start-up chatter of TensorFlow, absl and Jupyter kept out of the terminal.

TensorFlow's C++ code and the kernels papermill starts write their start-up
lines (oneDNN notices, absl's pre-init warning, "Kernel is running over TCP")
straight to file descriptor 2, before any Python logging setting can act.
The command lines therefore route descriptor 2, for themselves and every
process they start, through a filter that drops exactly those lines and
passes everything else on unchanged, errors included.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Iterator

NOISE = (
    "oneDNN custom operations",
    "absl::InitializeLog",
    "cpu_feature_guard",
    "To enable the following instructions",
    "Kernel is running over TCP without encryption",
    "oneDNN supports DT_INT64 only on platforms with AVX-512",
)


def is_noise(line: str) -> bool:
    return any(marker in line for marker in NOISE)


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Within the block, lines written to descriptor 2 (here or by child processes) lose the noise above."""
    sys.stderr.flush()
    original = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def forward() -> None:
        with os.fdopen(read_end, "rb") as pipe:
            for line in pipe:
                while line and not is_noise(line.decode(errors="replace")):
                    line = line[os.write(original, line) :]  # a pipe may take a long line in parts

    reader = threading.Thread(target=forward, name="stderr-filter", daemon=True)
    reader.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(original, 2)  # closes our last handle on the pipe's write end (children may still hold theirs)
        reader.join(timeout=5)
        os.close(original)


def library_chatter_off() -> None:
    """Python-level chatter that says nothing about this run: TensorFlow's retracing notices and tf.lite's notice.

    TensorFlow logs "triggered tf.function retracing" when many models predict in one
    process (the family, compression): a performance hint for its own developers. The
    tf.lite interpreter warns, at every use, that it moves to LiteRT in a later release;
    ``requirements.lock`` pins the version the records were made with, so the notice
    concerns the next upgrade (``make lock``), not a reader. Errors and other warnings pass.
    """
    import logging
    import warnings

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=r"(?s).*tf\.lite\.Interpreter is deprecated", category=UserWarning)
