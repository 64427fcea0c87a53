"""Helper-process memory benchmark: a helper returns 300 MB of Arrow text (what a loader's columns
are); prints the helper's peak resident memory and whether the value came back whole. A helper that
pickled its result whole before writing it would hold a second copy (about 300 MB more).

    python -m benchmarks.helper_memory
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

#: Run in a fresh interpreter, so that the helper's peak is the only child's.
_LARGE_RESULT = """
import json, resource
from civicgraph.pipeline.helper_process import start_in_helper
from benchmarks.helper_memory import large_text
value = start_in_helper(large_text)()
helper_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"helper_peak_mb": round(helper_peak), "whole": value.equals(large_text())}))
"""


def large_text() -> object:
    """300 MB of text in one Arrow column."""
    import pyarrow as pa

    offsets = pa.py_buffer(np.arange(300_001, dtype=np.int64) * 1000)
    return pa.LargeStringArray.from_buffers(300_000, offsets, pa.py_buffer(b"x" * 300_000_000))


def main() -> None:
    """Run the helper and print its figures."""
    shown = subprocess.run([sys.executable, "-c", _LARGE_RESULT], cwd=REPO, capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    figures = json.loads(shown.stdout.splitlines()[-1])
    print(f"300 MB result from a helper: helper peak {figures['helper_peak_mb']:,} MB "
          f"(the value alone is 300 MB; a second copy would double it); came back whole: {figures['whole']}")


if __name__ == "__main__":
    main()
