"""Merging sources: one node per entity, provenance per field, conflicts recorded, ids united."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from civicgraph.core.beside import run_here
from civicgraph.core.errors import UnknownTermError
from civicgraph.graph.assemble import assemble_graph
from civicgraph.loaders.base import RecordSink
from civicgraph.pipeline.helper_process import start_in_helper


def _sink(name: str) -> RecordSink:
    return RecordSink(name, Path(f"{name}.csv"))


def _two_charities_one_funding() -> RecordSink:
    register = _sink("ccew")
    prov = register.provenance("row 2", "", "OGL-UK-3.0")
    register.node("GB-CHC-1", "Charity", prov, name="A")
    register.node("GB-CHC-2", "Charity", prov, name="B")
    register.edge("GB-CHC-1", "GB-CHC-2", "FUNDED_BY", prov, amount=10.0)
    return register


def test_entity_seen_in_two_sources_is_one_node_with_both_provenances() -> None:
    register, grants = _sink("ccew"), _sink("360giving")
    register.node("GB-CHC-1106260", "Charity", register.provenance("row 7", "2024-09-10", "OGL-UK-3.0"),
                  name="Feltham Community Chaplaincy Trust", latest_income=72000.0)
    grants.node("GB-CHC-1106260", "Organisation", grants.provenance("360G-LBFEW-111219", "2015-02-04", "CC-BY-4.0"),
                name="Feltham Community Chaplaincy Trust", postcode="TW13 4ND")
    graph, _ = assemble_graph([register.result(), grants.result()])
    assert graph.number_of_nodes() == 1
    node = graph.nodes["GB-CHC-1106260"]
    assert [p["dataset"] for p in node["provenance"]] == ["ccew:ccew.csv", "360giving:360giving.csv"]
    assert node["field_provenance"] == {"name": [0, 1], "latest_income": [0], "postcode": [1]}
    assert node["kind"] == "Charity"
    assert node["conflicts"] == []


def test_more_specific_kind_wins_whatever_the_order() -> None:
    grants, register = _sink("360giving"), _sink("ccew")
    grants.node("GB-CHC-1", "Organisation", grants.provenance("g", "", "x"), name="A")
    register.node("GB-CHC-1", "CharitableIncorporatedOrganisation", register.provenance("r", "", "x"), name="A")
    graph, _ = assemble_graph([grants.result(), register.result()])
    assert graph.nodes["GB-CHC-1"]["kind"] == "CharitableIncorporatedOrganisation"


def test_disagreement_is_recorded_not_overwritten() -> None:
    first, second = _sink("ccew"), _sink("directory")
    first.node("GB-CHC-1", "Charity", first.provenance("row 2", "", "OGL-UK-3.0"), name="Age UK Hounslow")
    second.node("GB-CHC-1", "Charity", second.provenance("row 9", "", "none"), name="Age Concern Hounslow")
    graph, _ = assemble_graph([first.result(), second.result()])
    node = graph.nodes["GB-CHC-1"]
    assert node["name"] == "Age UK Hounslow"
    [conflict] = node["conflicts"]
    assert conflict["field"] == "name" and conflict["other"] == "Age Concern Hounslow"
    assert conflict["other_from"]["dataset"] == "directory:directory.csv"
    assert conflict["kept_from"][0]["dataset"] == "ccew:ccew.csv"


def test_incompatible_kinds_are_a_conflict() -> None:
    first, second = _sink("a"), _sink("b")
    first.node("X", "Charity", first.provenance("1", "", "x"), name="X")
    second.node("X", "Ward", second.provenance("1", "", "x"), name="X")
    graph, _ = assemble_graph([first.result(), second.result()])
    assert graph.nodes["X"]["kind"] == "Charity"
    assert graph.nodes["X"]["conflicts"][0]["field"] == "kind"


def test_declared_other_ids_unite_on_the_register_id() -> None:
    companies, grants = _sink("companies"), _sink("grants")
    companies.node("GB-COH-04123456", "Company", companies.provenance("row 3", "", "OGL-UK-3.0"), name="Hounslow Action")
    grants.node("360G-x-org-1", "Organisation", grants.provenance("g1", "", "CC-BY-4.0"), name="Hounslow Action",
                other_ids=["GB-CHC-1090000", "GB-COH-04123456"])
    grants.node("F", "Funder", grants.provenance("g1", "", "CC-BY-4.0"), name="Funder")
    grants.edge("360G-x-org-1", "F", "FUNDED_BY", grants.provenance("g1", "", "CC-BY-4.0"), amount=10.0)
    graph, _ = assemble_graph([companies.result(), grants.result()])
    assert "GB-CHC-1090000" in graph and "GB-COH-04123456" not in graph and "360G-x-org-1" not in graph
    node = graph.nodes["GB-CHC-1090000"]
    assert set(node["other_ids"]) == {"GB-COH-04123456", "360G-x-org-1"}
    assert node["kind"] == "Company"
    assert list(graph.successors("GB-CHC-1090000")) == ["F"]


def test_edge_to_unknown_node_is_reported() -> None:
    sink = _sink("workbook")
    sink.node("A", "UnregisteredGroup", sink.provenance("row 2", "", "x"), name="A")
    sink.edge("A", "NOBODY", "MEMBER_OF", sink.provenance("relationships row 4", "", "x"))
    graph, rejections = assemble_graph([sink.result()])
    assert graph.number_of_edges() == 0
    row = rejections.iloc[0]
    assert (row["row"], row["field"], row["value"]) == ("relationships row 4", "target", "NOBODY")


def test_enrich_only_records_add_to_existing_nodes_only() -> None:
    lookup, imd = _sink("lookup"), _sink("imd")
    lookup.node("E01002555@2011", "LSOA", lookup.provenance("row 2", "", "OGL"), gss_code="E01002555", code_generation=2011)
    imd.node("E01002555@2011", "LSOA", imd.provenance("E01002555", "", "OGL"), enrich_only=True, imd_decile=6)
    imd.node("E01000001@2011", "LSOA", imd.provenance("E01000001", "", "OGL"), enrich_only=True, imd_decile=9)
    graph, _ = assemble_graph([lookup.result(), imd.result()])
    assert list(graph) == ["E01002555@2011"]
    assert graph.nodes["E01002555@2011"]["imd_decile"] == 6


def test_unknown_attribute_is_refused_at_the_edge() -> None:
    sink = _sink("x")
    with pytest.raises(UnknownTermError, match="latest_incme"):
        sink.node("A", "Charity", sink.provenance("1", "", "x"), latest_incme=3)


def test_same_edge_twice_in_one_record_is_one_edge() -> None:
    sink = _sink("a")
    prov = sink.provenance("row 1", "", "x")
    sink.node("A", "Charity", prov, name="A")
    sink.node("B", "Forum", prov, name="B")
    sink.edge("A", "B", "MEMBER_OF", prov)
    sink.edge("A", "B", "MEMBER_OF", prov)
    graph, _ = assemble_graph([sink.result()])
    assert graph.number_of_edges() == 1


def test_edges_merged_in_a_helper_give_the_same_graph_and_leave_the_sources_as_they_were() -> None:
    import networkx as nx

    import civicgraph.graph.assemble
    from civicgraph.graph.frames import frames_to_graph
    from civicgraph.pipeline.build import authority_result, run_loaders
    from civicgraph.pipeline.config import read_config

    config = read_config("config/hounslow.toml")
    results, places = run_loaders(config, progress=False)
    results = [authority_result(config, places), *results]
    before = [(r.nodes.copy(), r.edges.copy()) for r in results]
    in_process, rejected = civicgraph.graph.assemble.assemble_frames(results)
    helped, rejected_too = civicgraph.graph.assemble.assemble_frames(results, beside=start_in_helper)
    assert len(helped.edges) == len(in_process.edges) > 500
    assert nx.utils.graphs_equal(frames_to_graph(helped), frames_to_graph(in_process))
    pd.testing.assert_frame_equal(helped.edge_sources, in_process.edge_sources)  # categories kept, not text
    pd.testing.assert_frame_equal(rejected, rejected_too)
    for result, (nodes, edges) in zip(results, before, strict=True):  # the merges took nothing from them
        pd.testing.assert_frame_equal(result.nodes, nodes)
        pd.testing.assert_frame_equal(result.edges, edges)


def test_sources_handed_over_are_let_go_before_the_edges_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    import weakref

    import civicgraph.graph.assemble
    from civicgraph.pipeline.build import handed_over

    results = [_two_charities_one_funding().result()]
    originals = [weakref.ref(results[0].nodes), weakref.ref(results[0].edges)]
    alive_when_edges_merged: list[bool] = []
    merge_edges = civicgraph.graph.assemble._merge_edges

    def watched(frames: list[pd.DataFrame], *rest: object) -> tuple[pd.DataFrame, ...]:
        alive_when_edges_merged.extend(ref() is not None for ref in originals)
        return merge_edges(frames, *rest)

    monkeypatch.setattr(civicgraph.graph.assemble, "_merge_edges", watched)
    frames, _ = civicgraph.graph.assemble.assemble_frames(handed_over(results))
    assert results == [] and alive_when_edges_merged == [False, False]  # only the merge's own columns were left
    assert frames.nodes["name"].tolist() == ["A", "B"] and frames.edges["amount"].tolist() == [10.0]


def test_a_merge_keeps_its_inputs_whole() -> None:
    import civicgraph.graph.assemble

    result = _two_charities_one_funding().result()
    nodes, edges = result.nodes.copy(), result.edges.copy()
    for beside in (None, run_here, start_in_helper):
        frames, _ = civicgraph.graph.assemble.assemble_frames([result], beside=beside)
        pd.testing.assert_frame_equal(result.nodes, nodes)
        pd.testing.assert_frame_equal(result.edges, edges)
        assert frames.edges["amount"].tolist() == [10.0]


def test_edge_keys_made_in_chunks_are_the_keys_of_each_edge(monkeypatch: pytest.MonkeyPatch) -> None:
    import civicgraph.graph.assemble
    from civicgraph.graph.assemble import edge_key

    sink = _sink("grants")
    records = [sink.provenance(f"grant {n} – Ünited", "", "CC-BY-4.0") for n in range(5)]  # hashed as UTF-8
    for n in range(6):
        sink.node(f"GB-CHC-{n}", "Charity", records[0], name=f"Charity {n}")
    for n, prov in enumerate(records):
        sink.edge(f"GB-CHC-{n}", f"GB-CHC-{n + 1}", "FUNDED_BY", prov, amount=float(n))
    whole, _ = civicgraph.graph.assemble.assemble_frames([sink.result()])
    monkeypatch.setattr(civicgraph.graph.assemble, "KEYS_PER_CHUNK", 2)  # three chunks: 2, 2 and 1 edges
    chunked, _ = civicgraph.graph.assemble.assemble_frames([sink.result()])
    pd.testing.assert_frame_equal(chunked.edges, whole.edges)
    assert chunked.edges["key"].tolist() == [
        edge_key(f"GB-CHC-{n}", f"GB-CHC-{n + 1}", "FUNDED_BY", prov) for n, prov in enumerate(records)]


def test_edges_merged_beside_the_nodes_are_the_edges_merged_after_them() -> None:
    import civicgraph.graph.assemble

    register = _two_charities_one_funding()
    alone, _ = civicgraph.graph.assemble.assemble_frames([register.result()])
    here, _ = civicgraph.graph.assemble.assemble_frames([register.result()], beside=run_here)
    helped, _ = civicgraph.graph.assemble.assemble_frames([register.result()], beside=start_in_helper)
    for frames in (here, helped):
        pd.testing.assert_frame_equal(frames.edges, alone.edges, check_dtype=False)  # amount: float or object
        assert frames.edges["relation"].dtype == alone.edges["relation"].dtype == "category"
        pd.testing.assert_frame_equal(frames.edge_sources, alone.edge_sources)  # categories both ways


def test_helper_hands_edges_back_through_the_temporary_folder_and_leaves_nothing_there(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    import civicgraph.graph.assemble
    import civicgraph.pipeline.helper_process

    register = _two_charities_one_funding()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    places: list[str] = []
    spool = tempfile.TemporaryFile
    monkeypatch.setattr(civicgraph.pipeline.helper_process.tempfile, "TemporaryFile",
                        lambda: places.append(tempfile.gettempdir()) or spool())
    frames, _ = civicgraph.graph.assemble.assemble_frames([register.result()],
                                                          beside=civicgraph.pipeline.helper_process.start_in_helper)
    assert places and set(places) == {str(tmp_path)}
    assert not list(tmp_path.iterdir())  # read back; they never had a name
    assert frames.edges["amount"].tolist() == [10.0]
