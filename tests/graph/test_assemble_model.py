"""The column-at-a-time merge against the merge rules applied one record at a time.

``reference_merge`` is the rules of :mod:`graph.assemble` written as plainly as possible: one record
after another into a dict of nodes. Hypothesis generates sources that exercise every rule (ids
declared the same, matches, enrich-only records, kinds refined and in conflict, values that agree,
disagree or differ only as int and float, lists, repeated provenance, dangling edges) and the two
merges must give the same graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from civicgraph.core.columns import present_mask
from civicgraph.core.identifiers import scheme_rank
from civicgraph.graph.assemble import LIST_ATTRIBUTES, assemble_graph, edge_key
from civicgraph.loaders.base import ENRICH_ONLY, IDENTIFIED, PROVENANCE_COLUMNS, LoadResult, RecordSink
from civicgraph.ontology.vocabulary import vocabulary

IDS = ["GB-CHC-1", "GB-CHC-2", "GB-COH-01", "GB-COH-02", "360G-a", "360G-b", "LOCAL-HNS-x", "E01000001@2011"]
KINDS = ["Organisation", "Charity", "CharitableIncorporatedOrganisation", "Company", "Funder", "Ward"]
VALUES = {"name": ["A", "B", " "], "latest_income": [1.0, 1, 2.5], "postcode": ["TW3 1AA", "TW4 5BB"],
          "other_names": [["A"], ["B", "A"], ["A", "A"]], "other_ids": [[i] for i in IDS] + [IDS[:2], IDS[2:5]]}
RELATIONS = ["FUNDED_BY", "MEMBER_OF", "LOCATED_IN"]


class _UnionFind:
    """Union of identifiers keeping, as each set's root, its best id: scheme first, then first seen."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.seen: dict[str, int] = {}

    def find(self, identifier: str) -> str:
        if identifier not in self.parent:
            self.parent[identifier] = identifier
            self.seen[identifier] = len(self.seen)
        while self.parent[identifier] != identifier:
            identifier = self.parent[identifier]
        return identifier

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            keep, drop = sorted((ra, rb), key=lambda i: (scheme_rank(i), self.seen[i]))
            self.parent[drop] = keep


def _rows(frame: Any) -> list[dict[str, Any]]:
    present = {c: present_mask(frame[c]) for c in frame.columns}
    return [{c: frame[c].iloc[i] for c in frame.columns if present[c][i] or c in PROVENANCE_COLUMNS}
            for i in range(len(frame))]


def _provenance(row: dict[str, Any]) -> dict[str, str]:
    return {"dataset": row.pop("prov_dataset"), "record": row.pop("prov_record"), "date": row.pop("prov_date"),
            "licence": row.pop("prov_licence")}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return float(a) == float(b)
    return a == b


def reference_merge(results: list[LoadResult], matches: list[tuple[str, str]]) -> tuple[nx.MultiDiGraph, list]:
    """The merge rules, one record at a time."""
    vocab = vocabulary()
    declared, united = _UnionFind(), _UnionFind()
    node_rows = [row for result in results for row in _rows(result.nodes)]
    for row in node_rows:
        for found in (declared, united):
            found.find(row["id"])
            for other in row.get("other_ids", []):
                found.union(row["id"], other)
    for a, b in matches:
        united.union(a, b)
    graph = nx.MultiDiGraph()
    ordered = [r for r in node_rows if not r.get(ENRICH_ONLY)] + [r for r in node_rows if r.get(ENRICH_ONLY)]
    for row in ordered:
        row = dict(row)
        node = united.find(row["id"])
        if row.pop(ENRICH_ONLY, False) and node not in graph:
            continue
        ids = [row.pop("id"), *row.pop("other_ids", [])]
        others = [i for i in dict.fromkeys(ids) if i != node]
        official = declared.find(node)
        for field, chosen in (("other_ids", [i for i in others if declared.find(i) == official]),
                              ("matched_ids", [i for i in others if declared.find(i) != official])):
            if chosen:
                row[field] = chosen
        provenance, kind = _provenance(row), row.pop("kind")
        if node not in graph:
            graph.add_node(node, kind=kind, provenance=[], field_provenance={}, conflicts=[])
        data = graph.nodes[node]
        if provenance not in data["provenance"]:
            data["provenance"].append(provenance)
        position = data["provenance"].index(provenance)
        if kind != data["kind"] and not vocab.is_a(data["kind"], kind):
            if vocab.is_a(kind, data["kind"]):
                data["kind"] = kind
            else:
                data["conflicts"].append({"field": "kind", "kept": data["kind"], "kept_from": [], "other": kind,
                                          "other_from": provenance})
        for field, value in row.items():
            sources = data["field_provenance"].setdefault(field, [])
            if field in LIST_ATTRIBUTES:
                data[field] = data.get(field, []) + [v for v in value if v not in data.get(field, [])]
            elif field not in data:
                data[field] = value
            elif not _same(data[field], value):
                data["conflicts"].append({"field": field, "kept": data[field],
                                          "kept_from": [data["provenance"][sources[0]]], "other": value,
                                          "other_from": provenance})
                continue
            if position not in sources:
                sources.append(position)
    for data in graph.nodes.values():
        data["field_provenance"] = {f: sorted(p) for f, p in data["field_provenance"].items() if p}
    rejections = []
    for result in results:
        for row in _rows(result.edges):
            source, target, provenance = united.find(row.pop("source")), united.find(row.pop("target")), _provenance(row)
            missing = [(f, v) for f, v in (("source", source), ("target", target)) if v not in graph]
            if row.pop(ENRICH_ONLY, False) and missing:
                continue
            if missing:
                rejections.append((provenance["dataset"], provenance["record"], *missing[0]))
                continue
            key = edge_key(source, target, row["relation"], provenance, identified=row.pop(IDENTIFIED, False))
            if graph.has_edge(source, target, key):
                if provenance not in graph.edges[source, target, key]["provenance"]:
                    graph.edges[source, target, key]["provenance"].append(provenance)
                continue
            graph.add_edge(source, target, key=key, **row, provenance=[provenance])
    return graph, rejections


@st.composite
def sources(draw: st.DrawFn) -> tuple[list[LoadResult], list[tuple[str, str]]]:
    """One to three sources of nodes and edges over a few identifiers, and resolution's matches."""
    results = []
    for number in range(draw(st.integers(1, 3))):
        sink = RecordSink(f"source{number}", Path(f"file{number}.csv"))
        for _ in range(draw(st.integers(0, 7))):
            provenance = sink.provenance(draw(st.sampled_from(["r1", "r2", "r3"])), draw(st.sampled_from(["", "2020"])),
                                         "OGL-UK-3.0")
            attributes = {k: draw(st.sampled_from(v)) for k, v in VALUES.items() if draw(st.booleans())}
            sink.node(draw(st.sampled_from(IDS)), draw(st.sampled_from(KINDS)), provenance,
                      enrich_only=draw(st.booleans()), **attributes)
        for _ in range(draw(st.integers(0, 4))):
            sink.edge(draw(st.sampled_from(IDS)), draw(st.sampled_from(IDS)), draw(st.sampled_from(RELATIONS)),
                      sink.provenance(draw(st.sampled_from(["r1", "r2"])), draw(st.sampled_from(["", "2020"])),
                                      "OGL-UK-3.0"),
                      enrich_only=draw(st.booleans()), identified=draw(st.booleans()),
                      amount=draw(st.sampled_from([None, 5.0])))
        results.append(sink.result())
    matches = draw(st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(IDS)), max_size=3))
    return results, matches


@given(sources())
def test_column_merge_follows_the_rules_record_by_record(generated: tuple[list[LoadResult], list]) -> None:
    results, matches = generated
    expected, expected_rejections = reference_merge(results, matches)
    graph, rejections = assemble_graph(results, matches=matches)
    assert list(graph.nodes) == list(expected.nodes)
    for node, data in expected.nodes(data=True):
        assert graph.nodes[node] == data, node
    assert sorted(graph.edges(keys=True, data=True)) == sorted(expected.edges(keys=True, data=True))
    assert sorted(map(tuple, rejections[["file", "row", "field", "value"]].values.tolist())) == sorted(
        expected_rejections)


def test_provenance_columns_never_become_attributes() -> None:
    sink = RecordSink("a", Path("a.csv"))
    sink.node("X", "Charity", sink.provenance("row 2", "2024-01-01", "OGL-UK-3.0"), name="X")
    graph, _ = assemble_graph([sink.result()])
    assert not set(PROVENANCE_COLUMNS) & set(graph.nodes["X"])
