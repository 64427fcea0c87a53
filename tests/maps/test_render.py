"""Map pages: self-contained, laid out in Python, carry the data the room needs, and never personal data."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import networkx as nx
import pytest

from civicgraph.maps.geography import geographic_layout, read_boundaries
from civicgraph.maps.layout import force_layout
from civicgraph.maps.palette import (
    FAMILY_COLOURS,
    KIND_STYLE,
    RELATION_STYLE,
    colour_difference,
    contrast_on_white,
    kind_style,
    relation_style,
)
from civicgraph.maps.presets import PRESETS, preset_view
from civicgraph.maps.render import aggregate, map_data, render_map
from civicgraph.visualise import main as visualise_main
from civicgraph.visualise import workshop_map

from .conftest import REPO, map_json

BOUNDARIES = REPO / "data" / "geography" / "hounslow_lsoa11_bsc.geojson"
#: CIE76 difference two small legend marks need to be told apart at a glance.
DISTINGUISHABLE = 12.0


def test_every_preset_page_is_self_contained(hounslow_maps: Path) -> None:
    for preset in [*PRESETS, "places"]:
        html = (hounslow_maps / f"{preset}.html").read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=", html), preset  # nothing fetched
        assert "vis.Network" in html and "physics: { enabled: false }" in html
        assert "Legend" in html and 'id="search"' in html and 'id="filter-ward"' in html
        assert "@media print" in html


def test_layout_is_the_same_every_time_and_follows_the_seed(hounslow_graph: nx.MultiDiGraph) -> None:
    view = preset_view(hounslow_graph, "network")
    first = map_data(view.graph, context=view.context)
    again = map_data(view.graph, context=view.context)
    other = map_data(view.graph, context=view.context, seed=8)
    place = lambda data: {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}  # noqa: E731
    assert place(first) == place(again)
    assert place(first) != place(other)
    assert len(set(place(first).values())) == view.graph.number_of_nodes()  # no two nodes on one spot


def test_unlinked_nodes_are_gathered_in_labelled_blocks() -> None:
    g = nx.Graph([("a", "b")])
    g.add_nodes_from(["c1", "c2", "w1"])
    layout = force_layout(g, gather={"c1": "Charity", "c2": "Charity", "w1": "Feltham"})
    assert [c["text"] for c in layout.captions] == ["Not linked: Charity (2)", "Not linked: Feltham (1)"]
    linked_bottom = max(layout.positions[n][1] for n in "ab")
    assert all(layout.positions[n][1] > linked_bottom for n in ("c1", "c2", "w1"))
    assert abs(layout.positions["a"][0] - layout.positions["b"][0]) > 50  # linked nodes apart, readable


def test_filters_come_from_the_whole_graph() -> None:
    g = nx.MultiDiGraph()
    g.add_node("W", kind="Ward", name="Feltham North", provenance=[])
    g.add_node("T", kind="Theme", name="older people", provenance=[])
    g.add_node("S", kind="Service", name="lunch club", provenance=[])
    g.add_node("c", kind="Charity", name="C", provenance=[])
    g.add_node("f", kind="Funder", name="F", provenance=[])
    g.add_edge("c", "W", relation="LOCATED_IN", provenance=[])
    g.add_edge("c", "S", relation="DELIVERS", provenance=[])
    g.add_edge("S", "T", relation="ADDRESSES", provenance=[])
    g.add_edge("c", "f", relation="FUNDED_BY", amount=500.0, provenance=[])
    view = preset_view(g, "network")
    assert set(view.graph) == {"c", "f"}  # the map itself holds no ward, service or theme
    filters = map_data(view.graph, context=view.context)["filters"]
    assert "Feltham North" in filters["wards"] and filters["themes"] == ["older people"]
    assert filters["relations"] == [{"value": "FUNDED_BY", "label": "funds"}]


def test_money_is_drawn_from_funder_to_recipient(hounslow_maps: Path) -> None:
    data = map_json(hounslow_maps / "funding.html")
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    money = [e for e in data["edges"] if e["relation"] == "FUNDED_BY"]
    assert money and all(kinds[e["from"]] == "Funder" for e in money)
    widths = [e["width"] for e in money]
    assert max(widths) > min(widths)  # width follows money
    assert all("GBP" in e["title"] for e in money if e["width"] > 1.5)
    relations = {r["relation"]: r["label"] for r in data["legend"]["relations"]}
    assert relations["FUNDED_BY"] == "funds (money from funder to recipient)"


def test_legend_colours_stay_apart_under_colour_blindness_and_contrast_on_white() -> None:
    colours = sorted(set(FAMILY_COLOURS.values()))
    for colour in colours:
        assert contrast_on_white(colour) >= 3, colour
    for first, second in itertools.combinations(colours, 2):
        for vision in (None, "protanopia", "deuteranopia", "tritanopia"):
            difference = colour_difference(first, second, vision)
            assert difference >= DISTINGUISHABLE, (first, second, vision, round(difference, 1))
    looks = [kind_style(kind) for kind in KIND_STYLE]
    assert len(looks) == len(set(looks)), "two kinds look the same (colour and shape)"
    assert {style[0] for style in RELATION_STYLE.values()} <= set(colours)
    lines = [str(relation_style(relation)) for relation in [*RELATION_STYLE, "SOME_OTHER_RELATION"]]
    assert len(lines) == len(set(lines)), "two relations are drawn alike (colour and dashes)"


def test_charity_and_funder_are_told_apart_under_protanopia() -> None:
    # the old palette drew both the same olive for a protanope
    charity, funder = kind_style("Charity")[0], kind_style("Funder")[0]
    assert colour_difference(charity, funder, "protanopia") >= DISTINGUISHABLE


def test_legend_speaks_the_rooms_words(hounslow_maps: Path) -> None:
    data = map_json(hounslow_maps / "network.html")
    labels = {k["kind"]: k["label"] for k in data["legend"]["kinds"]}
    assert labels["BusinessImprovementDistrict"] == "Business improvement district"
    assert labels["NHSBody"] == "NHS body"
    assert not any(re.search(r"[a-z][A-Z]", label) for label in labels.values())
    assert data["legend"]["size"]  # the measure is named
    drawn = {k["colour"] for k in data["legend"]["kinds"]} | {r["colour"] for r in data["legend"]["relations"]}
    assert drawn <= set(FAMILY_COLOURS.values())  # only the checked colours reach the page


def test_sizes_vary_and_say_what_they_measure(hounslow_maps: Path) -> None:
    data = map_json(hounslow_maps / "network.html")
    sizes = {n["size"] for n in data["nodes"]}
    assert len(sizes) > 3
    assert data["legend"]["size"] in ("influence (PageRank)", "number of links")


def test_details_card_says_not_known_and_every_source(hounslow_maps: Path) -> None:
    nodes = map_json(hounslow_maps / "funding.html")["nodes"]
    chaplaincy = next(n for n in nodes if n["label"] == "Feltham Community Chaplaincy Trust")
    assert chaplaincy["card"]["kind"] == "Charity" and chaplaincy["card"]["income"] == "not known"
    records = {(s["record"], s["date"]) for s in chaplaincy["card"]["sources"]}
    assert {("360G-LBFEW-111219", "2015-02-04"), ("360G-LBFEW-79152", "2010-05-19")} <= records
    assert "income band: not known" in chaplaincy["title"] and "unknown" not in chaplaincy["title"]
    assert "source: 360giving:hounslow_360giving_grants.json, 360G-LBFEW-111219, 2015-02-04" in chaplaincy["title"]


def test_no_personal_data_in_any_page(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    g.add_node("GB-CHC-1", kind="Charity", name="Charity", postcode="TW3 1AA", address="1 High St", provenance=[])
    g.add_node("P-abc", kind="Person", pseudonym="P-abc", provenance=[])
    g.add_edge("P-abc", "GB-CHC-1", relation="TRUSTEE_OF", role="chair", provenance=[])
    page = render_map(g, tmp_path / "m.html", title="Boards", caption="test").read_text()
    assert "Person P-abc (pseudonymised)" in page
    assert "1 High St" not in page and "TW3 1AA" not in page


def test_names_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    g.add_node("x", kind="Charity", name="<!--<script>alert(1)</script>", provenance=[])
    page = render_map(g, tmp_path / "m.html", title="<b>T</b>", caption="C").read_text()
    script = page[page.index("const MAP = "):]
    assert "<!--" not in script.split("</script>")[0] and "<script>alert" not in page
    assert map_json(tmp_path / "m.html")["nodes"][0]["label"] == "<!--<script>alert(1)</script>"
    assert "<title>&lt;b&gt;T&lt;/b&gt;</title>" in page


#: Names that have broken pages elsewhere: comments and script ends inside a script element,
#: markup and character references, line separators JavaScript once refused, quotes of each kind.
#: ``-->`` comes first: after ``<!--<script>`` it would close the comment and hide that name's harm.
HOSTILE_NAMES = ["-->", "<!--<script>", "</script><script>window.pwned=1</script>", "<!--", "<script>",
                 "</SCRIPT >", "<img src=x onerror=\"window.pwned=1\">", "line\u2028separator",
                 "paragraph\u2029separator", "&lt;&amp;&#60;", "]]>", "'; window.pwned=1; '", "`${window.pwned=1}`",
                 "\\u003c/script>", "<svg onload=window.pwned=1>", "</body></html>"]


def hostile_graph() -> nx.MultiDiGraph:
    """A small graph whose organisations (and one funding link between them) carry :data:`HOSTILE_NAMES`."""
    g = nx.MultiDiGraph()
    for number, hostile in enumerate(HOSTILE_NAMES):
        g.add_node(f"o{number}", kind="Charity", name=hostile, provenance=[{"dataset": hostile, "record": hostile}])
    g.add_edge("o0", "o1", relation="FUNDED_BY", amount=10.0, provenance=[])
    return g


def test_hostile_names_stay_data_in_every_context(tmp_path: Path) -> None:
    page = render_map(hostile_graph(), tmp_path / "m.html", title=HOSTILE_NAMES[2], caption=HOSTILE_NAMES[1])
    text = page.read_text(encoding="utf-8")
    start = text.index("const MAP = ")
    data_script = text[start:text.index(";\n", start)]  # the line that holds the data
    for raw in ("<!--", "</script", "<script", "<", ">", "&", "\u2028", "\u2029"):
        assert raw not in data_script.lower(), raw
    plain = nx.MultiDiGraph()
    plain.add_node("a", kind="Charity", name="A", provenance=[])
    benign = render_map(plain, tmp_path / "plain.html", title="T", caption="C").read_text(encoding="utf-8").lower()
    for tag in ("<script", "</script", "<!--", "<img", "<svg", "</body"):  # nothing the names brought
        assert text.lower().count(tag) == benign.count(tag), tag
    assert "<title>&lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;</title>" in text
    assert "<p id=\"caption\">&lt;!--&lt;script&gt;</p>" in text
    data = map_json(page)
    assert sorted(n["label"] for n in data["nodes"]) == sorted(HOSTILE_NAMES)
    assert {s["dataset"] for n in data["nodes"] for s in n["card"]["sources"]} == set(HOSTILE_NAMES)


def test_big_graphs_open_grouped_by_kind_or_ward(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    g.add_node("W", kind="Ward", name="Hanworth", provenance=[])
    g.add_node("f", kind="Funder", name="F", provenance=[])
    for number in range(30):
        g.add_node(f"o{number}", kind="Organisation", name=f"O{number}", provenance=[])
        g.add_edge(f"o{number}", "f", relation="FUNDED_BY", amount=10.0, provenance=[])
        if number < 10:
            g.add_edge(f"o{number}", "W", relation="LOCATED_IN", provenance=[])
    data = map_json(render_map(g, tmp_path / "m.html", title="T", caption="C", max_nodes=10))
    groups = sorted(n["label"] for n in data["nodes"] if n.get("isGroup"))
    assert groups == ["Community organisation (30)", "Funder (1)", "Ward (1)"]
    assert data["aggregated"] and all(n.get("group") for n in data["nodes"] if not n.get("isGroup"))
    by_ward = map_json(render_map(g, tmp_path / "w.html", title="T", caption="C", max_nodes=10, aggregate_by="ward"))
    assert sorted(n["label"] for n in by_ward["nodes"] if n.get("isGroup")) == ["Hanworth (11)", "ward not known (21)"]
    with pytest.raises(ValueError, match="Use one of: 'kind', 'ward'"):
        aggregate(g, by="postcode")


def test_geographic_layout_places_by_grid_reference_then_lsoa_then_ward() -> None:
    areas = read_boundaries(BOUNDARIES)
    g = nx.MultiDiGraph()
    g.add_node("W", kind="Ward", name="Bedfont", provenance=[])
    g.add_node("E01002555@2011", kind="LSOA", gss_code="E01002555", imd_decile=6, provenance=[])
    g.add_edge("E01002555@2011", "W", relation="PART_OF", provenance=[])
    g.add_node("east", kind="Charity", easting=520000.0, northing=176000.0, provenance=[])
    g.add_node("west", kind="Charity", easting=505000.0, northing=174000.0, provenance=[])
    g.add_node("hall", kind="Building", easting=510000.0, northing=172000.0, provenance=[])
    g.add_node("user", kind="Organisation", provenance=[])
    g.add_edge("user", "hall", relation="OCCUPIES", provenance=[])
    g.add_node("in-lsoa", kind="Organisation", lsoa="E01002555@2011", provenance=[])
    g.add_node("in-ward", kind="Organisation", provenance=[])
    g.add_edge("in-ward", "W", relation="LOCATED_IN", provenance=[])
    g.add_node("nowhere", kind="Organisation", provenance=[])
    shown = g.subgraph(["east", "west", "user", "in-lsoa", "in-ward", "nowhere"])
    layout, background, said = geographic_layout(shown, g, areas)
    at = layout.positions
    assert at["east"][0] > at["west"][0] and at["east"][1] < at["west"][1]  # east is right, north is up
    assert at["user"][1] > at["west"][1]  # the hall is further south
    panel = background["panel"]
    assert panel["text"] == "Place not known (1)" and layout.apart == {"nowhere"}
    assert [c["text"] for c in layout.captions] == ["Community organisation (1)"]
    # the panel stands apart, east of the borough and of every placed node, and holds the unplaced node
    borough_east = max(x for area in background["areas"] for ring in area["rings"] for x, _ in ring)
    assert panel["x"] > max([borough_east] + [at[n][0] for n in ("in-lsoa", "in-ward", "east", "west", "user")])
    assert panel["x"] < at["nowhere"][0] < panel["x"] + panel["width"]
    assert panel["y"] < at["nowhere"][1] < panel["y"] + panel["height"]
    # the ward's only LSOA: both at its centre, spread apart so neither hides the other
    assert 0 < abs(complex(*at["in-ward"]) - complex(*at["in-lsoa"])) < 100
    assert said == ("Placed by postcode: 2; placed by postcode of a building it uses: 1; placed by LSOA: 1; "
                    "placed by ward: 1; place not known: 1.")
    assert background["labels"][0]["text"] == "Bedfont" and background["key"]


def test_ward_boundaries_are_dissolved_from_lsoas(hounslow_graph: nx.MultiDiGraph) -> None:
    areas = read_boundaries(BOUNDARIES)
    _, by_ward, _ = geographic_layout(nx.MultiDiGraph(), hounslow_graph, areas)
    _, by_lsoa, _ = geographic_layout(nx.MultiDiGraph(), nx.MultiDiGraph(), areas)
    assert len(by_ward["labels"]) == 20 and not by_lsoa["labels"]
    # inner LSOA edges cancel out inside each ward: far fewer lines than every LSOA outline
    assert 0 < len(by_ward["lines"]) < 0.6 * len(by_lsoa["lines"])


def test_organisations_with_no_known_place_wait_in_a_panel_grouped_by_kind(hounslow_maps: Path) -> None:
    data = map_json(hounslow_maps / "places.html")
    panel, apart = data["background"]["panel"], [n for n in data["nodes"] if n.get("apart")]
    assert panel["text"] == f"Place not known ({len(apart)})" and apart
    inside = [n for n in data["nodes"] if panel["x"] <= n["x"] <= panel["x"] + panel["width"]
              and panel["y"] <= n["y"] <= panel["y"] + panel["height"]]
    assert inside == apart  # the panel holds exactly the nodes with no known place
    borough = [p for area in data["background"]["areas"] for ring in area["rings"] for p in ring]
    assert panel["height"] <= max(y for _, y in borough) - min(y for _, y in borough)  # no taller than the borough
    kinds = {}
    for node in apart:
        kinds[node["card"]["kind"]] = kinds.get(node["card"]["kind"], 0) + 1
    assert sorted(c["text"] for c in data["captions"]) == sorted(f"{k} ({n})" for k, n in kinds.items())
    # lines to the panel are marked (the page hides them until asked), and only those
    marked = {e["id"] for e in data["edges"] if e.get("apart")}
    ids = {n["id"] for n in apart}
    assert marked == {e["id"] for e in data["edges"] if {e["from"], e["to"]} & ids} and marked


def test_boundary_file_errors_name_the_feature_and_field(tmp_path: Path) -> None:
    from civicgraph.core.errors import SourceFormatError

    bad = tmp_path / "b.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA11CD": "E01000001", "BNG_E": "x"}, "geometry": None}]}))
    with pytest.raises(SourceFormatError, match="b.geojson feature 1, field BNG_E: 'x' is not a number"):
        read_boundaries(bad)


def test_ego_map_and_errors(hounslow_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    page = workshop_map(hounslow_graph, "ego", tmp_path / "cpu.html", organisation="LOCAL-HNS-CPU")
    labels = {n["label"] for n in map_json(page)["nodes"]}
    assert {"Community Partnerships Unit", "Spacehive", "London Borough of Hounslow"} <= labels
    with pytest.raises(ValueError, match="needs an organisation"):
        preset_view(hounslow_graph, "ego")
    with pytest.raises(ValueError, match="Use one of: below-the-radar"):
        preset_view(hounslow_graph, "everything")
    with pytest.raises(ValueError, match="size_by 'fame' is not a centrality"):
        map_data(hounslow_graph, size_by="fame")
    with pytest.raises(ValueError, match="needs LSOA boundaries"):
        workshop_map(hounslow_graph, "network", tmp_path / "g.html", layout="geographic")


def test_command_line(hounslow_graph: nx.MultiDiGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from civicgraph.graph.store import save_graph

    save_graph(hounslow_graph, tmp_path / "graph")
    assert visualise_main([str(tmp_path / "graph"), "--preset", "funding", "--out", str(tmp_path / "f.html")]) == 0
    assert (tmp_path / "f.html").is_file()
    assert visualise_main([str(tmp_path / "graph"), "--preset", "network", "--max-nodes", "50", "--aggregate-by",
                           "ward", "--presenter", "--out", str(tmp_path / "w.html")]) == 0
    page = (tmp_path / "w.html").read_text()
    assert '<body class="presenter">' in page and "grouped by ward" in page
    assert visualise_main([str(tmp_path / "graph"), "--preset", "network", "--layout", "geographic",
                           "--boundaries", str(BOUNDARIES), "--out", str(tmp_path / "g.html")]) == 0
    assert map_json(tmp_path / "g.html")["background"]["lines"]
    assert visualise_main([str(tmp_path / "nothing"), "--preset", "funding", "--out", str(tmp_path / "x.html")]) == 2
    assert "no saved graph here" in capsys.readouterr().err


def test_report_charts_are_pictures(hounslow_maps: Path) -> None:
    from PIL import Image

    for name in ("funding_by_ward_vs_imd.png", "centrality_league.png"):
        image = Image.open(hounslow_maps / name)
        assert image.size[0] > 600 and len(image.getcolors(1 << 20) or []) > 10


def test_very_big_graphs_hold_the_groups_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("civicgraph.maps.render.MAX_MEMBERS", 20)
    g = nx.MultiDiGraph()
    for number in range(30):
        g.add_node(f"o{number}", kind="Organisation" if number % 3 else "Charity", name=f"O{number}", provenance=[])
    page = render_map(g, tmp_path / "m.html", title="T", caption="C", max_nodes=10)
    assert sorted(n["label"] for n in map_json(page)["nodes"]) == ["Charity (10)", "Community organisation (20)"]
    assert "too many to open the groups" in page.read_text()


def test_config_names_the_boundaries_and_the_main_job_draws_places(tmp_path: Path) -> None:
    from civicgraph.core.errors import ConfigError
    from civicgraph.pipeline.config import read_config

    assert read_config(REPO / "config" / "hounslow.toml").boundaries == BOUNDARIES.resolve()
    text = (REPO / "config" / "hounslow.toml").read_text().replace("../data/", str(REPO / "data") + "/")
    (tmp_path / "c.toml").write_text(text.replace("hounslow_lsoa11_bsc.geojson", "missing.geojson"))
    with pytest.raises(ConfigError, match=r"\[briefs\] boundaries .*missing.geojson.*: no such file"):
        read_config(tmp_path / "c.toml")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_no_node_covers_another(preset: str, hounslow_maps: Path) -> None:
    nodes = map_json(hounslow_maps / f"{preset}.html")["nodes"]
    covered = [(a["label"], b["label"]) for a, b in itertools.combinations(nodes, 2)
               if abs(complex(a["x"], a["y"]) - complex(b["x"], b["y"])) < a["size"] + b["size"]]
    assert not covered, covered[:3]


def test_a_credit_note_is_drawn_by_the_size_of_its_amount(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    g.add_node("c", kind="Council", name="Council", provenance=[])
    g.add_node("s", kind="Business", name="Supplier", provenance=[])
    g.add_edge("s", "c", relation="PAID_BY", amount=-400.0, provenance=[])
    g.add_edge("s", "c", relation="PAID_BY", amount=100.0, provenance=[])
    edges = map_json(render_map(g, tmp_path / "m.html", title="T", caption="C"))["edges"]
    assert [e["title"] for e in edges] == ["pays: -400 GBP", "pays: 100 GBP"]
    assert edges[0]["width"] > edges[1]["width"] and all(e["from"] == "c" for e in edges)


def test_layout_stays_the_same_after_an_analysis_draws_random_numbers() -> None:
    import igraph

    from civicgraph.analysis.fast import measures
    from civicgraph.maps.layout import force_layout

    g = nx.barbell_graph(6, 3)
    before = force_layout(g, seed=7).positions
    ring = igraph.Graph.Ring(12)
    measures(ring, [str(i) for i in range(12)], betweenness_sample=None, seed=5)
    assert force_layout(g, seed=7).positions == before


@pytest.mark.slow
def test_the_maps_of_one_graph_are_byte_identical_whatever_the_string_hashing(
        hounslow_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    import os
    import pickle
    import subprocess
    import sys

    saved = tmp_path / "graph.pickle"
    saved.write_bytes(pickle.dumps(hounslow_graph))
    script = ("import pickle, sys; from pathlib import Path; from civicgraph.visualise import write_all_maps; "
              "write_all_maps(pickle.loads(Path(sys.argv[1]).read_bytes()), Path(sys.argv[2]))")
    pages = {}
    for seed in ("1", "2"):
        subprocess.run([sys.executable, "-c", script, str(saved), str(tmp_path / seed)], check=True, timeout=600,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        pages[seed] = {p.name: p.read_bytes() for p in sorted((tmp_path / seed).glob("*.html"))}
    assert pages["1"] and pages["1"] == pages["2"], [n for n in pages["1"] if pages["1"][n] != pages["2"].get(n)]
