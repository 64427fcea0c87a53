"""Work in a forked helper: its result comes back, nothing is pickled on the way in, errors surface."""

from __future__ import annotations

import pytest

from civicgraph.pipeline.forked import can_fork, start_forked

pytestmark = pytest.mark.skipif(not can_fork(), reason="this platform cannot fork")


def _fail(message: str) -> None:
    raise ValueError(message)


def test_the_helper_sees_memory_that_cannot_be_pickled() -> None:
    offset = 10
    add = lambda value: value + offset  # noqa: E731 - a lambda cannot be pickled
    assert start_forked(lambda: add(5))() == 15


class _Unsendable(Exception):
    def __init__(self) -> None:
        super().__init__("cannot be rebuilt")
        self.handle = lambda: None  # a lambda cannot be pickled


def _fail_unsendably() -> None:
    raise _Unsendable


def test_an_error_in_the_helper_is_raised_here_as_itself() -> None:
    with pytest.raises(ValueError, match="no such grant"):
        start_forked(_fail, "no such grant")()


def test_an_error_that_cannot_be_sent_is_named() -> None:
    with pytest.raises(RuntimeError, match="_Unsendable: cannot be rebuilt"):
        start_forked(_fail_unsendably)()


#: A helper returns 300 MB of text in Arrow (what a loader's columns are); printed: the parent's
#: resident MB at the fork, the helper's peak, and whether the value came back whole.
_LARGE_RESULT = """
import json, os, resource
import pyarrow as pa
from civicgraph.pipeline.forked import start_forked
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
import numpy as np
def make():
    offsets = pa.py_buffer(np.arange(300_001, dtype=np.int64) * 1000)
    return pa.LargeStringArray.from_buffers(300_000, offsets, pa.py_buffer(b"x" * 300_000_000))
at_fork = rss()
value = start_forked(make)()
helper_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"at_fork": at_fork, "helper_peak": helper_peak, "whole": value.equals(make())}))
"""


def test_a_large_result_comes_back_without_the_helper_holding_a_second_copy() -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    shown = subprocess.run([sys.executable, "-c", _LARGE_RESULT], cwd=repo, capture_output=True, text=True,
                           check=True, env={"PYTHONPATH": str(repo), "PATH": ""})
    figures = json.loads(shown.stdout.splitlines()[-1])
    assert figures["whole"]
    # the 300 MB value, and not a pickled copy of it beside it (through the pipe: ~600 MB more)
    assert figures["helper_peak"] - figures["at_fork"] < 450, figures
