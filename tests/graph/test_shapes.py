"""The shapes as column rules: the same verdict as pyshacl (the reference), in a fraction of the time."""

from __future__ import annotations

from urllib.parse import unquote

import networkx as nx
import pandas as pd

from civicgraph.graph.frames import graph_to_frames
from civicgraph.graph.rdf import validate_graph
from civicgraph.graph.shapes import shape_violations, without_violations
from civicgraph.ontology.vocabulary import vocabulary


def _prov(row: str) -> list[dict[str, str]]:
    return [{"dataset": "demo:file.csv", "record": row, "date": "", "licence": "OGL-UK-3.0"}]


def _node(g: nx.MultiDiGraph, node: str, kind: str, row: str, **data: object) -> None:
    g.add_node(node, kind=kind, provenance=_prov(row), field_provenance={k: [0] for k in data}, conflicts=[], **data)


def broken_graph() -> nx.MultiDiGraph:
    """A graph breaking each kind of constraint once, beside nodes that keep every shape."""
    g = nx.MultiDiGraph()
    _node(g, "GB-LAE-HNS", "Council", "row 1", name="Hounslow", gss_code="E09000018")
    _node(g, "GB-COH-123456789", "Company", "row 2", name="A Ltd", company_number="123456789")  # pattern
    _node(g, "GB-COH-01234567", "Company", "row 3", name="B Ltd", company_number="01234567")
    _node(g, "GB-CHC-1", "Charity", "row 4", charity_number="1")  # no name
    _node(g, "GB-CHC-2", "Charity", "row 5", name="C", scale="borough")  # not one of the scales
    _node(g, "360G-x-1", "Grant", "row 6", amount=-5.0, currency="GBP")  # below 0
    _node(g, "360G-x-2", "Grant", "row 7", amount=5, currency="pounds")  # an integer; not a currency code
    _node(g, "360G-x-3", "Grant", "row 8", currency="GBP", award_date="2023-02-30")  # no amount; no such day
    _node(g, "360G-x-4", "Grant", "row 9", amount=10.0, currency="GBP", award_date="2023-02-03")
    _node(g, "E05000346@2017", "Ward", "row 10", name="Bedfont", gss_code="E0500034", code_generation=2017)
    _node(g, "LOCAL-HNS-D1", "Directorate", "row 11", name="Adults")
    g.add_node("LOCAL-HNS-X", kind="Charity", name="No source", provenance=[], field_provenance={}, conflicts=[])
    for target, row in (("GB-LAE-HNS", "row 12"), ("E05000346@2017", "row 13")):  # two parents, one no organisation
        g.add_edge("LOCAL-HNS-D1", target, key=f"PART_OF:{row}", relation="PART_OF", provenance=_prov(row))
    g.add_edge("GB-COH-01234567", "LOCAL-HNS-D1", key="PAID_BY:1", relation="PAID_BY", amount=-3.0,
               currency="GBP", provenance=_prov("row 14"))
    g.add_edge("GB-CHC-2", "GB-LAE-HNS", key="FUNDED_BY:1", relation="FUNDED_BY", amount=3.0, currency="GBP",
               provenance=_prov("row 15"))
    return g


def _reference(graph: nx.MultiDiGraph) -> set[tuple[str, str]]:
    """pyshacl's violations as (node id or edge key, field)."""
    vocab = vocabulary()
    field = {str(a.iri): key for key, a in vocab.attributes.items()} | {str(i): r for r, i in vocab.relations.items()}
    field["http://www.w3.org/ns/prov#wasDerivedFrom"] = "provenance"
    keys = {str(k) for _, _, k in graph.edges(keys=True)}
    found = set()
    for row in validate_graph(graph, parts=1).itertuples():
        focus = unquote(row.focus.rsplit("/", 1)[-1])
        found.add((focus if focus in graph or focus in keys else row.focus, field.get(row.path, row.path)))
    return found


def test_column_rules_find_what_pyshacl_finds() -> None:
    graph = broken_graph()
    mine = shape_violations(graph_to_frames(graph))
    assert set(zip(mine["id"], mine["field"])) == _reference(graph)


def test_each_violation_names_file_row_field_and_reason() -> None:
    found = shape_violations(graph_to_frames(broken_graph())).set_index(["id", "field"])
    assert found.loc[("GB-COH-123456789", "company_number"), ["file", "row", "value", "reason"]].tolist() == [
        "demo:file.csv", "row 2", "123456789", "does not match ^[A-Z0-9]{8}$"]
    assert found.loc[("GB-CHC-1", "name"), "reason"] == "an organisation needs a name"
    assert found.loc[("360G-x-2", "amount"), "reason"] == "not of type double"
    assert found.loc[("360G-x-3", "award_date"), "reason"] == "not of type date"
    assert ("PAID_BY:1", "amount") not in found.index  # a credit note: a payment may be negative


def test_values_that_break_a_shape_are_taken_out_and_the_rest_kept() -> None:
    frames = graph_to_frames(broken_graph())
    kept = without_violations(frames, shape_violations(frames))
    nodes = kept.nodes.set_index("id")
    assert pd.isna(nodes.loc["GB-COH-123456789", "company_number"])
    assert nodes.loc["GB-COH-01234567", "company_number"] == "01234567"
    assert nodes.loc["GB-COH-123456789", "name"] == "A Ltd"
    assert len(kept.nodes) == len(frames.nodes) and len(kept.edges) == len(frames.edges)
    remaining = shape_violations(kept)  # only what no value can be taken out for: missing values, links
    assert set(remaining.loc[remaining["value"].notna(), "field"]) == {"PART_OF"}


def test_column_at_a_time_screening_misses_nothing_the_value_by_value_check_finds(monkeypatch) -> None:  # noqa: ANN001
    import numpy as np

    import civicgraph.graph.shapes

    g = nx.MultiDiGraph()
    numbers = ["01234567", "123456789", "SC12345", "AB123456", "0123456 ", "", "12345678"]
    dates = ["2023-02-03", "2023-02-30", "03/02/2023", "2023-2-3", "2023-12-31", "20230203"]
    amounts = [0.0, -0.01, 12.5, 1e9, -1e-9]
    for n in range(60):
        _node(g, f"GB-COH-{n}", "Company", f"row {n}", name=f"C{n}", company_number=numbers[n % len(numbers)])
        _node(g, f"360G-x-{n}", "Grant", f"row {n}", amount=amounts[n % len(amounts)], currency="GBP",
              award_date=dates[n % len(dates)])
    frames = graph_to_frames(g)
    for name in ("company_number", "award_date"):  # typed as the build's tables type them
        frames.nodes[name] = frames.nodes[name].astype("str")
    frames.nodes["amount"] = frames.nodes["amount"].astype(float)
    assert frames.nodes["company_number"].isna().sum() == 60
    screened = shape_violations(frames)
    monkeypatch.setattr(civicgraph.graph.shapes, "_candidates", lambda rule, column: np.ones(len(column), dtype=bool))
    pd.testing.assert_frame_equal(screened, shape_violations(frames))
    assert set(screened["field"]) == {"company_number", "award_date", "amount"}
