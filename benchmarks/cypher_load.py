"""Load test of the Cypher endpoint: concurrent clients on loopback running the query library.

    python -m benchmarks.cypher_load --graph output/graph --clients 8 --seconds 60

Prints throughput, p50 and p99 latency and errors. Target (issue 7): 0 errors, p99 under 200 ms.
The loop is bounded in time and sends traffic only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from cypher.endpoint import EndpointSettings, serve
from cypher.queries import LIBRARY, translate
from cypher.store import write_database
from graph.store import load_graph


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", default="output/graph", help="a graph folder (default output/graph)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    graph = load_graph(args.graph)
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    relations = {d["relation"] for *_, d in graph.edges(data=True)}
    statements = [translate(q.cypher, "ladybug", kinds=kinds, relations=relations) for q in LIBRARY]
    database = write_database(graph, Path(tempfile.mkdtemp(prefix="civicgraph-load-")) / "cypher")
    server = serve(EndpointSettings(database, "load-test", timeout_ms=5_000), port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/db/ecosystem/query/v2"
    # queries naming relations this graph does not have cannot run on it: leave them out, and say so
    probe = requests.Session()
    probe.headers["Authorization"] = "Bearer load-test"
    runnable = [s for s in statements if probe.post(url, json={"statement": s}, timeout=30).status_code == 200]
    print(f"{len(runnable)} of {len(statements)} library queries run on this graph")
    statements = runnable
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def client(number: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = "Bearer load-test"
        turn = number
        while time.monotonic() < stop:
            statement = statements[turn % len(statements)]
            turn += 1
            started = time.perf_counter()
            response = session.post(url, json={"statement": statement}, timeout=10)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status_code != 200:
                    errors.append(f"{response.status_code}: {response.text[:120]}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.shutdown()
    server.server_close()
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("nan")
    print(f"{len(latencies):,} queries from {args.clients} clients in {args.seconds:.0f} s: "
          f"{len(latencies) / args.seconds:,.1f} queries/s, p50 {statistics.median(ordered) * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, {len(errors)} errors")
    for error in errors[:5]:
        print("  error", error)


if __name__ == "__main__":
    main()
