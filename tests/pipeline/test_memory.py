"""Freed memory goes back to the system (each case runs in a fresh interpreter, whose heap it owns)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the settings are glibc's allocator's")

#: Resident MB of the interpreter the script runs in.
_RSS = "import os\ndef rss():\n    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20\n"

#: 250 MB of 64 kB arrays (from the heap), a small block after them that keeps the heap from
#: shrinking, the arrays freed, then (if asked) release_freed_memory.
_HEAP_SCRIPT = _RSS + """
import json, sys
import numpy as np
from civicgraph.pipeline.memory import release_freed_memory
start = rss()
blocks = [np.ones(8_000) for _ in range(4_000)]
pin = bytearray(100_000)
held = rss()
del blocks
freed = rss()
if sys.argv[1] == "release":
    release_freed_memory()
print(json.dumps({"start": start, "held": held, "freed": freed, "after": rss()}))
"""

#: A 24 MB block freed (glibc then raises its threshold to 24 MB), then twice: 320 MB of 8 MB
#: arrays, a small block after them, the arrays freed; the first time within large_blocks_mapped if
#: asked.
_LARGE_SCRIPT = _RSS + """
import contextlib, json, sys
import numpy as np
from civicgraph.pipeline.memory import large_blocks_mapped
raise_threshold = np.ones(3_000_000)
del raise_threshold
def held_and_after():
    blocks = [np.ones(1_000_000) for _ in range(40)]
    pin = bytearray(100_000)
    held = rss()
    del blocks
    return held, rss(), pin
with large_blocks_mapped() if sys.argv[1] == "mapped" else contextlib.nullcontext(True) as taken:
    assert taken
    held, after, pin = held_and_after()
held_later, after_later, _ = held_and_after()
print(json.dumps({"held": held, "after": after, "held_later": held_later, "after_later": after_later}))
"""


def _run(script: str, mode: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", script, mode], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_memory_freed_inside_the_heap_goes_back_only_when_released() -> None:
    kept, released = _run(_HEAP_SCRIPT, "keep"), _run(_HEAP_SCRIPT, "release")
    for figures in (kept, released):
        assert figures["held"] - figures["start"] > 200
        assert figures["freed"] > figures["held"] - 50  # free() alone keeps it
    assert kept["after"] > kept["held"] - 50
    assert released["after"] < released["held"] - 200


def test_large_blocks_mapped_go_back_as_soon_as_they_are_freed_within_the_block_only() -> None:
    default, mapped = _run(_LARGE_SCRIPT, "default"), _run(_LARGE_SCRIPT, "mapped")
    assert default["after"] > default["held"] - 50  # glibc served them from its heap and keeps them
    assert mapped["after"] < mapped["held"] - 250
    assert mapped["after_later"] > mapped["held_later"] - 50  # after the block, as glibc would
