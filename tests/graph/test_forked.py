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


def test_an_error_in_the_helper_is_raised_here() -> None:
    with pytest.raises(RuntimeError, match="ValueError: no such grant"):
        start_forked(_fail, "no such grant")()
