"""Map pages: self-contained, carry the data the room needs, and never personal data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

from maps.presets import PRESETS, preset_view
from maps.render import aggregate, map_data, render_map
from visualise import main as visualise_main
from visualise import workshop_map


def _data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r"const MAP = (\{.*?\});\n", text, re.S).group(1).replace("<\\/", "</"))


def test_every_preset_page_is_self_contained(hounslow_maps: Path) -> None:
    for preset in PRESETS:
        html = (hounslow_maps / f"{preset}.html").read_text(encoding="utf-8")
        assert not re.search(r"<(script|link)[^>]+(src|href)=", html), preset  # nothing fetched
        assert "vis.Network" in html and "stabilizationIterationsDone" in html
        assert "Legend" in html and 'id="search"' in html and 'id="filter-ward"' in html


def test_presets_hold_what_their_question_needs(hounslow_graph: nx.MultiDiGraph, hounslow_maps: Path) -> None:
    coproduction = {n["label"] for n in _data(hounslow_maps / "coproduction.html")["nodes"]}
    assert {"Adult Social Care", "Community Partnerships Unit", "Hounslow Accountable Care Partnership"} <= coproduction
    radar = _data(hounslow_maps / "below-the-radar.html")
    kinds = {n["kind"] for n in radar["nodes"]}
    assert {"Organisation", "Council", "Funder"} <= kinds
    infrastructure = {n["label"] for n in _data(hounslow_maps / "infrastructure.html")["nodes"]}
    assert {"Volunteering Hounslow", "volunteering", "Hounslow Voluntary Sector Support Service"} <= infrastructure
    funding = _data(hounslow_maps / "funding.html")
    widths = [e["width"] for e in funding["edges"]]
    assert max(widths) > min(widths)  # width follows money
    assert all("GBP" in e["title"] for e in funding["edges"] if e["width"] > 1)


def test_hover_cards_say_kind_ward_band_sources_and_date(hounslow_maps: Path) -> None:
    nodes = _data(hounslow_maps / "funding.html")["nodes"]
    chaplaincy = next(n for n in nodes if n["label"] == "Feltham Community Chaplaincy Trust")
    for line in ("kind: Charity", "ward:", "income band:", "sources: 360giving", "data as of: 2015"):
        assert line in chaplaincy["card"]


def test_no_personal_data_in_any_page(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    g.add_node("GB-CHC-1", kind="Charity", name="Charity", postcode="TW3 1AA", address="1 High St", provenance=[])
    g.add_node("P-abc", kind="Person", pseudonym="P-abc", provenance=[])
    g.add_edge("P-abc", "GB-CHC-1", relation="TRUSTEE_OF", role="chair", provenance=[])
    page = render_map(g, tmp_path / "m.html", title="Boards", caption="test").read_text()
    assert "Person P-abc (pseudonymised)" in page
    assert "1 High St" not in page and "TW3 1AA" not in page


def test_big_graphs_are_aggregated_not_drawn_whole(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    for number in range(30):
        g.add_node(f"o{number}", kind="Organisation", name=f"O{number}", provenance=[])
        g.add_edge(f"o{number}", "f", relation="FUNDED_BY", amount=10.0, provenance=[])
    g.add_node("f", kind="Funder", name="F", provenance=[])
    page = render_map(g, tmp_path / "m.html", title="T", caption="C", max_nodes=10)
    data = _data(page)
    assert sorted(n["label"] for n in data["nodes"]) == ["Funder (1)", "Organisation (30)"]
    assert "Aggregated by kind" in page.read_text()
    with pytest.raises(ValueError, match="Use one of: 'kind', 'ward'"):
        aggregate(g, by="postcode")


def test_ego_map_and_errors(hounslow_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    page = workshop_map(hounslow_graph, "ego", tmp_path / "cpu.html", organisation="LOCAL-HNS-CPU")
    labels = {n["label"] for n in _data(page)["nodes"]}
    assert {"Community Partnerships Unit", "Spacehive", "London Borough of Hounslow"} <= labels
    with pytest.raises(ValueError, match="needs an organisation"):
        preset_view(hounslow_graph, "ego")
    with pytest.raises(ValueError, match="Use one of: below-the-radar"):
        preset_view(hounslow_graph, "everything")
    with pytest.raises(ValueError, match="size_by 'fame' is not a centrality"):
        map_data(hounslow_graph, size_by="fame")


def test_command_line(hounslow_graph: nx.MultiDiGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from graph.store import save_graph

    save_graph(hounslow_graph, tmp_path / "graph")
    assert visualise_main([str(tmp_path / "graph"), "--preset", "funding", "--out", str(tmp_path / "f.html")]) == 0
    assert (tmp_path / "f.html").is_file()
    assert visualise_main([str(tmp_path / "nothing"), "--preset", "funding", "--out", str(tmp_path / "x.html")]) == 2
    assert "no saved graph here" in capsys.readouterr().err


def test_report_charts_are_pictures(hounslow_maps: Path) -> None:
    from PIL import Image

    for name in ("funding_by_ward_vs_imd.png", "centrality_league.png"):
        image = Image.open(hounslow_maps / name)
        assert image.size[0] > 600 and len(image.getcolors(1 << 20) or []) > 10
