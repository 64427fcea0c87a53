"""Load test of the Cypher endpoint: concurrent clients on loopback running the query library.

    python -m benchmarks.cypher_load --graph output/graph --clients 8 --seconds 60

Prints throughput, p50 and p99 latency and errors for the clients, then the time a simple query
takes while two heavy ones run. Targets: 0 errors, p99 under 200 ms, the simple query under 100 ms.
Traffic goes only to 127.0.0.1 and every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from civicgraph.cypher.endpoint import EndpointSettings, serve
from civicgraph.cypher.store import write_database
from civicgraph.graph.store import load_graph

TOKEN = "load-test-token"
HEAVY = ("MATCH (a:LSOA), (b:LSOA), (c:LSOA), (d:LSOA) "
         "WHERE a.imd_score + b.imd_score + c.imd_score + d.imd_score > 1000 RETURN count(*)")
SIMPLE = "MATCH (c:Council) RETURN c.name"


def percentile(ordered: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted sample lies (nearest rank)."""
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def load(url: str, statements: list[str], clients: int, seconds: float) -> tuple[list[float], list[str]]:
    """Latencies (s) and errors of ``clients`` threads sending the statements in turn for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        turn = number
        while time.monotonic() < stop:
            statement = statements[turn % len(statements)]
            turn += 1
            started = time.perf_counter()
            response = session.post(url, json={"statement": statement}, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status_code != 202:
                    errors.append(f"{response.status_code}: {response.text[:120]}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def simple_beside_heavy(url: str, repeats: int = 5) -> list[float]:
    """Seconds a simple query takes while two heavy ones run, ``repeats`` times."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    times = []
    for _ in range(repeats):
        heavy = [threading.Thread(target=requests.post, args=(url,),
                                  kwargs={"json": {"statement": HEAVY}, "headers": headers, "timeout": 30})
                 for _ in range(2)]
        for thread in heavy:
            thread.start()
        time.sleep(0.3)
        started = time.perf_counter()
        requests.post(url, json={"statement": SIMPLE}, headers=headers, timeout=30).raise_for_status()
        times.append(time.perf_counter() - started)
        for thread in heavy:
            thread.join()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", default="output/graph", help="a graph folder (default output/graph)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=3, help="query processes (the endpoint's default, 3)")
    args = parser.parse_args(argv)
    database = write_database(load_graph(args.graph), Path(tempfile.mkdtemp(prefix="civicgraph-load-")) / "cypher")
    endpoint = serve(EndpointSettings(database, TOKEN, timeout_ms=5_000, workers=args.workers), port=0).start()
    url = f"{endpoint.url}/db/ecosystem/query/v2"
    try:
        # library queries naming relations this graph does not have cannot run on it: leave them out, and say so
        probe = requests.Session()
        probe.headers["Authorization"] = f"Bearer {TOKEN}"
        statements = [s for _, s in endpoint.service.examples]
        runnable = [s for s in statements if probe.post(url, json={"statement": s}, timeout=30).status_code == 202]
        print(f"{len(runnable)} of {len(statements)} library queries run on this graph; {args.workers} query processes")
        latencies, errors = load(url, runnable, args.clients, args.seconds)
        ordered = sorted(latencies)
        print(f"{len(latencies):,} queries from {args.clients} clients in {args.seconds:.0f} s: "
              f"{len(latencies) / args.seconds:,.1f} queries/s, p50 {statistics.median(ordered) * 1000:.1f} ms, "
              f"p99 {percentile(ordered, 0.99) * 1000:.1f} ms, {len(errors)} errors")
        for error in errors[:5]:
            print("  error", error)
        beside = sorted(simple_beside_heavy(url))
        print(f"simple query while two heavy ones run: median {statistics.median(beside) * 1000:.1f} ms, "
              f"worst {beside[-1] * 1000:.1f} ms of {len(beside)}")
    finally:
        endpoint.stop()


if __name__ == "__main__":
    main()
