"""Every loader meets broken input with an error a user can act on (one line), never a traceback."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from civicgraph.cli import USER_ERRORS
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.registry import available_loaders, get_loader

HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "London Borough of Hounslow", b"key")


def _make(case: str, folder: Path, suffix: str) -> Path:
    path = folder / f"source{suffix}"
    if case == "a folder":
        path.mkdir()
    elif case == "a symlink loop":
        os.symlink(path, path)
    elif case == "an empty file":
        path.write_bytes(b"")
    elif case == "random bytes":
        path.write_bytes(random.Random(0).randbytes(4096))
    elif case == "NUL bytes":
        path.write_bytes(b"\x00" * 4096)
    elif case == "one header line":
        path.write_text("a,b,c\n")
    elif case == "deep JSON":
        path.write_text("[" * 50_000 + "]" * 50_000)
    return path


CASES = ["a folder", "a symlink loop", "an empty file", "random bytes", "NUL bytes", "one header line", "deep JSON"]


@pytest.mark.parametrize("suffix", [".csv", ".json", ".xlsx", ".zip"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("loader", available_loaders())
def test_broken_input_is_a_user_error_or_a_rejection(loader: str, case: str, suffix: str, tmp_path: Path) -> None:
    path = _make(case, tmp_path, suffix)
    try:
        result = get_loader(loader).load(path, HOUNSLOW)
    except USER_ERRORS as error:
        message = str(error)
        assert message and "\n" not in message.strip(), message
        return
    assert len(result.nodes) == 0 or case == "a folder"  # nothing invented from garbage
