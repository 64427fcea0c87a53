"""RDF export: lossless in Turtle and JSON-LD, and valid against the SHACL shapes."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from civicgraph.graph.rdf import graph_from_rdf, graph_to_rdf, validate_graph, validate_rdf
from civicgraph.graph.rdf_writer import write_rdf
from tests.conftest import edges_out_of_networkx_order


@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_rdf_round_trip_is_lossless(toy_graph: nx.MultiDiGraph, fmt: str) -> None:
    text = graph_to_rdf(toy_graph).serialize(format=fmt)
    back = graph_from_rdf(Graph().parse(data=text, format=fmt))
    assert nx.utils.graphs_equal(back, toy_graph)
    assert dict(back.nodes(data=True)) == dict(toy_graph.nodes(data=True))
    assert sorted(back.edges(keys=True, data=True)) == sorted(toy_graph.edges(keys=True, data=True))


def test_turtle_and_json_ld_variants_are_isomorphic(toy_graph: nx.MultiDiGraph) -> None:
    rdf = graph_to_rdf(toy_graph)
    turtle = Graph().parse(data=rdf.serialize(format="turtle"), format="turtle")
    json_ld = Graph().parse(data=rdf.serialize(format="json-ld"), format="json-ld")
    assert isomorphic(turtle, json_ld)


def test_toy_ecosystem_conforms_to_the_shapes(toy_graph: nx.MultiDiGraph) -> None:
    assert validate_rdf(graph_to_rdf(toy_graph)).empty


def test_shapes_catch_a_ward_without_code_and_a_named_person(toy_graph: nx.MultiDiGraph) -> None:
    del toy_graph.nodes["Ward-1"]["gss_code"]
    del toy_graph.nodes["Person-1"]["pseudonym"]
    toy_graph.nodes["Grant-1"]["amount"] = -5.0
    violations = validate_rdf(graph_to_rdf(toy_graph))
    focus = " ".join(violations["focus"])
    assert "Ward-1" in focus and "Person-1" in focus and "Grant-1" in focus
    assert violations["message"].str.contains("pseudonym").any()


def test_every_node_has_prov_o_provenance(toy_graph: nx.MultiDiGraph) -> None:
    toy_graph.nodes["Charity-1"]["provenance"] = []
    violations = validate_rdf(graph_to_rdf(toy_graph))
    assert violations["message"].str.contains("provenance").any()


@pytest.mark.parametrize("parts", [2, 3])
def test_checking_in_parts_finds_what_checking_whole_finds(toy_graph: nx.MultiDiGraph, parts: int,
                                                           request: pytest.FixtureRequest) -> None:
    assert validate_graph(toy_graph, parts=parts).empty
    del toy_graph.nodes["Ward-1"]["gss_code"]
    toy_graph.nodes["Grant-1"]["amount"] = -5.0
    toy_graph.nodes["Charity-1"]["provenance"] = []
    toy_graph.add_node("Directorate-x", kind="Directorate", name="X", provenance=[{"dataset": "t", "record": "1"}],
                       field_provenance={}, conflicts=[])
    toy_graph.add_edge("Directorate-x", "Ward-1", key="x1", relation="PART_OF", provenance=[{"dataset": "t"}])
    toy_graph.add_edge("Directorate-x", "Council-1", key="x2", relation="PART_OF", provenance=[{"dataset": "t"}])
    whole = validate_rdf(graph_to_rdf(toy_graph))
    in_parts = validate_graph(toy_graph, parts=parts)
    assert len(whole) >= 5
    key = ["focus", "path", "message", "value"]  # a property shape is a blank node, named anew each parse
    assert sorted(map(tuple, in_parts[key].values)) == sorted(map(tuple, whole[key].values))
    frames = edges_out_of_networkx_order(toy_graph)
    request.getfixturevalue("no_networkx_graph")
    from_tables = validate_graph(frames, parts=parts)
    assert sorted(map(tuple, from_tables[key].values)) == sorted(map(tuple, whole[key].values))


@pytest.mark.parametrize("fmt", ["turtle", "nt", "json-ld"])
def test_streamed_rdf_holds_the_same_triples_as_rdflib_s_graph(toy_graph: nx.MultiDiGraph, fmt: str,
                                                                tmp_path: Path) -> None:
    toy_graph.nodes["Ward-1"]["name"] = 'Line\nbreak "quoted" \\ back\rslash\ttab Café'
    written = write_rdf(toy_graph, tmp_path / f"graph.{fmt}", fmt)
    parsed = Graph().parse(written, format=fmt)
    expected = graph_to_rdf(toy_graph)
    assert set(parsed) == set(expected)
    assert nx.utils.graphs_equal(graph_from_rdf(parsed), toy_graph)


def test_streamed_json_ld_writes_numbers_as_rdflib_does(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    written = json.loads(write_rdf(toy_graph, tmp_path / "graph.jsonld", "json-ld").read_text(encoding="utf-8"))
    ours = {node["@id"]: node for node in written}
    theirs = {node["@id"]: node for node in json.loads(graph_to_rdf(toy_graph).serialize(format="json-ld"))}
    assert ours.keys() == theirs.keys()
    for subject, node in theirs.items():
        assert {key: sorted(map(json.dumps, values)) if isinstance(values, list) else values
                for key, values in ours[subject].items()} == \
               {key: sorted(map(json.dumps, values)) if isinstance(values, list) else values
                for key, values in node.items()}
