"""The Cypher database on a full disk: one line, and no half-written store left behind.

A file size limit (``RLIMIT_FSIZE``, with ``SIGXFSZ`` ignored) makes every write past it fail as a
full disk would, without root or a small file system, so it runs in CI. LadybugDB reports such a
failure as "Transaction committed successfully, but the post-commit checkpoint failed", or aborts
the whole process when the database is closed: the store must say neither.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import pytest

from civicgraph.cypher.store import write_database

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE is Linux's here")

SCRIPT = textwrap.dedent("""
    import resource, signal, sys
    from pathlib import Path
    import networkx as nx
    from civicgraph.cypher.store import write_database
    from civicgraph.core.errors import CypherStoreError
    from civicgraph.pipeline.helper_process import start_in_helper

    graph = nx.MultiDiGraph()
    for i in range(20_000):
        graph.add_node(f"n{i}", kind="Charity", name="x" * 200 + str(i), provenance=[{"dataset": "d", "record": str(i)}])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        write_database(graph, Path(sys.argv[1]), beside=start_in_helper)
    except CypherStoreError as error:
        print(error)
        sys.exit(3)
""")


@pytest.mark.slow
@pytest.mark.parametrize("limit", [100_000, 2_000_000])  # the write-ahead log fails; the checkpoint fails
def test_a_database_that_cannot_be_written_is_one_line_and_leaves_nothing(limit: int, tmp_path: Path) -> None:
    small = nx.MultiDiGraph()
    small.add_node("a", kind="Charity", name="A", provenance=[])
    previous = write_database(small, tmp_path / "cypher").parent
    before = {p.name: p.read_bytes() for p in previous.iterdir()}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(previous), str(limit)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 3, (done.returncode, done.stderr[-2000:])
    assert done.stdout.count("\n") == 1 and "could not be written" in done.stdout, done.stdout
    assert "committed successfully" not in done.stdout + done.stderr
    assert "terminate called" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cypher"]  # no staging folder left
    assert {p.name: p.read_bytes() for p in previous.iterdir()} == before  # the earlier store kept whole
