"""Progress that never goes quiet: a count of rows done, and a bar over named steps redrawn every second.

Long work (a loader reading a file, an export writing a graph) adds what it has done to
:data:`ROWS`; a :class:`StepBar` shows the step under way with that count and the time it has
taken, redrawn by a helper thread every second even while a step is busy, so a run's console never
looks stuck. Counting is cheap (one addition a row or a block of rows) and done whether or not a bar
is shown.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from time import monotonic

from tqdm.auto import tqdm

__all__ = ["ROWS", "RowCount", "StepBar"]


class RowCount:
    """How many rows (records, triples' subjects, ...) this process has done, as a running total.

    Examples
    --------
    >>> count = RowCount()
    >>> count.add(3); count.add(2); count.value
    5
    """

    def __init__(self) -> None:
        self.value = 0

    def add(self, rows: int = 1) -> None:
        """Count ``rows`` more done."""
        self.value += rows


#: The process's count of rows done; a :class:`StepBar` shows how many since its step began.
ROWS = RowCount()


class StepBar:
    """A bar over named steps, redrawn every ``every`` seconds with the rows done in the step.

    Parameters
    ----------
    total : int
        How many steps.
    description : str
        Shown before the bar.
    enabled : bool
        False draws nothing (``--quiet``).
    every : float
        Seconds between redraws while a step runs.

    Examples
    --------
    >>> with StepBar(2, "run", enabled=False) as bar:
    ...     with bar.step("answers"):
    ...         ROWS.add(10)
    ...     with bar.step("maps"):
    ...         pass
    >>> bar.done
    2
    """

    def __init__(self, total: int, description: str, *, enabled: bool = True, every: float = 1.0) -> None:
        self.bar = tqdm(total=total, desc=description, unit="step", disable=not enabled, mininterval=0)
        self.enabled, self.every, self.done = enabled, every, 0
        self._name, self._rows, self._started = "", 0, monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._redraw, daemon=True) if enabled else None
        if self._thread is not None:
            self._thread.start()

    def __enter__(self) -> StepBar:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _show(self) -> None:
        rows = ROWS.value - self._rows
        detail = f", {rows:,} rows" if rows else ""
        self.bar.set_postfix_str(f"{self._name} ({monotonic() - self._started:.0f} s{detail})", refresh=True)

    def _redraw(self) -> None:
        while not self._stop.wait(self.every):
            if self._name:
                self._show()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Show ``name`` while the block runs, then count the step done."""
        self._name, self._rows, self._started = name, ROWS.value, monotonic()
        if self.enabled:
            self._show()
        try:
            yield
        finally:
            self._name = ""
            self.done += 1
            self.bar.update()

    def advance(self, steps: int) -> None:
        """Count ``steps`` done elsewhere (in a helper process)."""
        if steps > 0:
            self.done += steps
            self.bar.update(steps)

    def close(self) -> None:
        """Stop redrawing and close the bar."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.bar.close()
