"""Brokerage roles from the tables agree with Gould and Fernandez's definition counted path by path."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import networkx as nx

from civicgraph.analysis.centrality import BROKERAGE_ROLES, brokerage_roles
from civicgraph.analysis.network import sector


def _by_definition(graph: nx.MultiDiGraph) -> dict[str, Counter[str]]:
    successors: dict[str, set[str]] = defaultdict(set)
    for source, target, data in graph.edges(data=True):
        if data["relation"] != "HAS_THEME" and source != target:
            successors[source].add(target)
    group = {n: sector(d["kind"]) for n, d in graph.nodes(data=True)}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for a in list(successors):
        for b in successors[a]:
            for c in successors.get(b, ()):
                if c == a or c in successors[a]:
                    continue
                ga, gb, gc = group[a], group[b], group[c]
                counts[b]["coordinator" if ga == gb == gc else "itinerant" if ga == gc else
                          "gatekeeper" if gb == gc else "representative" if ga == gb else "liaison"] += 1
    return counts


def test_roles_match_the_definition_on_a_random_ecosystem() -> None:
    rng = random.Random(7)
    graph = nx.MultiDiGraph()
    kinds = ["Charity", "Funder", "Directorate", "NHSBody", "Business", "UnregisteredGroup"]
    for number in range(120):
        graph.add_node(f"o{number}", kind=rng.choice(kinds), name=f"O{number}")
    graph.add_node("t", kind="Theme", name="Theme")
    for _ in range(500):
        a, b = rng.sample(range(120), 2)
        graph.add_edge(f"o{a}", f"o{b}", relation=rng.choice(["FUNDED_BY", "MEMBER_OF", "PARTNERS_WITH"]))
    graph.add_edge("o1", "o1", relation="PARTNERS_WITH")  # a loop brokers nothing
    graph.add_edge("o1", "t", relation="HAS_THEME")  # a theme is not an organisation
    expected = _by_definition(graph)
    found = brokerage_roles(graph).set_index("id")
    assert set(found.index) == {n for n, c in expected.items() if sum(c.values())}
    for node, row in found.iterrows():
        assert [row[r] for r in BROKERAGE_ROLES] == [expected[node][r] for r in BROKERAGE_ROLES], node
        assert row["total"] == sum(expected[node].values())
    assert found["total"].is_monotonic_decreasing
