"""Analysis benchmark: every answer on a generated graph of national shape, with networkx and with
the compiled backend side by side for the centrality suite.

    python -m benchmarks.analysis --scale 1.0     # ~200k organisations, 1M grants
    python -m benchmarks.analysis --scale 0.1

Target (issue 5): each query under 10 s on 2 cores, exact betweenness apart.
"""

from __future__ import annotations

import argparse
import time

from benchmarks.generate import national_graph
from civicgraph.analysis.network import organisation_edges, ward_index
from civicgraph.graph.frames import as_frames
from civicgraph.graph.tables import edge_table, node_table
from civicgraph.pipeline.answers import ANSWERS, AnswerInputs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--skip", nargs="*", default=[], help="answer keys to leave out")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    graph = national_graph(args.scale)
    organisations = sum(1 for _, d in graph.nodes(data="kind") if d not in ("Ward", "LSOA", "Theme", "Person"))
    print(f"generated {graph.number_of_nodes():,} nodes ({organisations:,} organisations and bodies) and "
          f"{graph.number_of_edges():,} edges in {time.perf_counter() - start:.1f} s")
    print(f"{'answer':<34}{'seconds':>9}{'rows':>9}")
    start = time.perf_counter()
    frames = as_frames(graph)  # what a build hands the answers
    del graph
    print(f"{'(tables) the graph as tables':<34}{time.perf_counter() - start:>9.1f}", flush=True)
    for step in (edge_table, node_table, organisation_edges, ward_index):  # made once, shared by the answers
        start = time.perf_counter()
        step(frames)
        print(f"{'(tables) ' + step.__name__:<34}{time.perf_counter() - start:>9.1f}", flush=True)
    for answer in ANSWERS:
        if answer.key in args.skip:
            continue
        start = time.perf_counter()
        frame = answer.compute(frames, AnswerInputs())
        print(f"{answer.key:<34}{time.perf_counter() - start:>9.1f}{len(frame):>9,}", flush=True)


if __name__ == "__main__":
    main()
