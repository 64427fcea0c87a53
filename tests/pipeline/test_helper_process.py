"""Work in a helper process: its result comes back whole, errors come back as themselves, a helper
that dies is one line, and no process with threads is forked."""

from __future__ import annotations

import os
import tempfile
import threading
import time
import warnings

import numpy as np
import pandas as pd
import pytest

from civicgraph.core.errors import SourceFormatError
from civicgraph.pipeline.helper_process import can_start_helpers, start_in_helper

pytestmark = pytest.mark.skipif(not can_start_helpers(), reason="this platform cannot start helper processes")


def _fail(message: str) -> None:
    raise SourceFormatError(message)


class _Unsendable(Exception):
    def __init__(self) -> None:
        super().__init__("cannot be rebuilt")
        self.handle = lambda: None  # a lambda cannot be pickled


def _fail_unsendably() -> None:
    raise _Unsendable


def _write_and_add(log: tempfile.SpooledTemporaryFile, a: int, b: int) -> int:
    log.write(b"written by the helper")
    log.flush()
    return a + b


def test_arrays_and_tables_come_back_equal_and_writable() -> None:
    frame = pd.DataFrame({"amount": np.arange(100_000, dtype=np.float64),
                          "id": pd.array([f"GB-CHC-{n}" for n in range(100_000)], dtype="large_string[pyarrow]"),
                          "kind": pd.Categorical(["Charity", "Funder"] * 50_000),
                          "names": [["a", str(n)] for n in range(100_000)]})
    back = start_in_helper(pd.DataFrame.copy, frame)()
    pd.testing.assert_frame_equal(back, frame)
    back.loc[0, "amount"] = -1.0  # mapped copy on write: ours to change
    assert back.loc[0, "amount"] == -1.0 and frame.loc[0, "amount"] == 0.0


def test_an_error_in_the_helper_is_raised_here_as_itself() -> None:
    with pytest.raises(SourceFormatError, match="grants.csv row 5, field amount"):
        start_in_helper(_fail, "grants.csv row 5, field amount: 'n/a' is not a number")()


def test_an_error_that_cannot_be_sent_is_named() -> None:
    with pytest.raises(RuntimeError, match="_Unsendable: cannot be rebuilt"):
        start_in_helper(_fail_unsendably)()


def test_a_helper_that_aborts_is_one_line_here() -> None:
    with pytest.raises(RuntimeError) as raised:
        start_in_helper(os.abort)()
    assert str(raised.value) == "the helper process stopped (exit code -6)"


def test_work_that_cannot_be_pickled_is_refused_at_once() -> None:
    offset = 10
    with pytest.raises((AttributeError, TypeError)):
        start_in_helper(lambda value: value + offset, 5)


def test_an_open_file_among_the_arguments_is_the_same_file_in_the_helper() -> None:
    with tempfile.TemporaryFile() as log:
        assert start_in_helper(_write_and_add, log, 2, 3)() == 5
        log.seek(0)
        assert log.read() == b"written by the helper"


def test_a_helper_started_beside_threads_gives_no_fork_warning() -> None:
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)
    busy.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Python 3.12 warns when a process with threads forks
            assert start_in_helper(sum, [1, 2, 3])() == 6
    finally:
        stop.set()
        busy.join()


def test_a_getter_let_go_of_ends_its_helper() -> None:
    import gc

    later = start_in_helper(time.sleep, 60)
    helper = next(cell.cell_contents for cell in later.__closure__ if hasattr(cell.cell_contents, "poll"))
    del later
    gc.collect()
    assert helper.poll() is not None  # ended, not left running for a minute
