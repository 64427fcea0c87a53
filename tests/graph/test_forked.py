"""Work in a forked helper: its result comes back, nothing is pickled on the way in, errors surface."""

from __future__ import annotations

import pytest

from graph.forked import can_fork, start_forked

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
