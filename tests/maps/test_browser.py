"""Each map page, opened in headless Chromium with networking disabled: it draws at once, keeps every
node where it is, chains focus, searches as you type, restores a view from its link, and reads from
the back of a room."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from benchmarks.maps import generated_map_graph
from civicgraph.maps.presets import PRESETS
from civicgraph.maps.render import render_map

from .conftest import map_json

POSITIONS = "Object.fromEntries(Object.entries(civicmap.positions()).map(([k, p]) => [k, [p.x, p.y]]))"
VISIBLE = "civicmap.visibleIds().sort()"


def _neighbours(data: dict, node: str) -> set[str]:
    found = {node}
    for edge in data["edges"]:
        if node in (edge["from"], edge["to"]):
            found |= {edge["from"], edge["to"]}
    return found


@pytest.mark.parametrize("preset", [*sorted(PRESETS), "places"])
def test_preset_renders_offline_with_its_dataset(preset: str, hounslow_maps: Path, browser: Callable[..., str],
                                                 tmp_path: Path) -> None:
    page = hounslow_maps / f"{preset}.html"
    data = map_json(page)
    dom = browser(page, "--dump-dom")
    assert 'data-ready="true"' in dom
    status = re.search(r'data-visible-nodes="(\d+)" data-visible-edges="(\d+)"', dom)
    assert status, "the page's script did not run"
    assert int(status.group(1)) == len(data["nodes"]) > 0
    # lines to the panel of nodes with no known place wait for the button
    assert int(status.group(2)) == len([e for e in data["edges"] if not e.get("apart")])
    shot = tmp_path / "shot.png"
    browser(page, f"--screenshot={shot}", window="1280,800")
    image = Image.open(shot).convert("L")
    network_area = image.crop((20, 240, 960, 760))  # below the controls, left of the legend
    assert ImageStat.Stat(network_area).stddev[0] > 2, "the network area is blank"


def test_no_node_moves_unless_asked(hounslow_maps: Path, scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "network.html"
    data = map_json(page)
    hub = max(data["nodes"], key=lambda n: len(_neighbours(data, n["id"])))["id"]
    neighbour = sorted(_neighbours(data, hub) - {hub})[0]
    out = scenario(page, f"""
        out.start = {POSITIONS};
        civicmap.focusOn({hub!r}); out.focused = {POSITIONS};
        civicmap.network.emit("click", {{nodes: [{neighbour!r}], edges: []}}); out.chained = {POSITIONS};
        const kinds = document.getElementById("filter-kind");
        kinds.options[0].selected = true; kinds.dispatchEvent(new Event("change")); out.filtered = {POSITIONS};
        document.getElementById("show-all").click(); out.all = {POSITIONS};
        out.shown = civicmap.visibleIds().length;
    """)
    placed = {n["id"]: [n["x"], n["y"]] for n in data["nodes"]}
    assert out["start"] == placed
    for step in ("focused", "chained", "filtered", "all"):
        moved = [n for n in placed if out[step][n] != placed[n]]
        assert not moved, f"{len(moved)} nodes moved after {step}"
    assert out["shown"] == len(placed)


def test_nodes_move_only_on_re_arrange_and_go_back_on_original_layout(hounslow_maps: Path,
                                                                       scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "infrastructure.html"
    placed = {n["id"]: [n["x"], n["y"]] for n in map_json(page)["nodes"]}
    out = scenario(page, f"""
        const settled = new Promise(resolve => civicmap.network.once("stabilized", resolve));
        document.getElementById("relayout").click();
        await settled; out.moved = {POSITIONS};
        document.getElementById("show-all").click(); out.afterShowAll = {POSITIONS};
        document.getElementById("original").click(); out.original = {POSITIONS};
    """)
    assert sum(out["moved"][n] != placed[n] for n in placed) > len(placed) / 2
    assert out["afterShowAll"] == out["moved"]  # the new places stay put too
    assert out["original"] == placed


def test_focus_chains_to_a_neighbour_and_back(hounslow_maps: Path, scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "funding.html"
    data = map_json(page)
    funder = next(n["id"] for n in data["nodes"] if n["kind"] == "Funder" and len(_neighbours(data, n["id"])) > 3)
    recipient = sorted(_neighbours(data, funder) - {funder})[0]
    out = scenario(page, f"""
        civicmap.focusOn({recipient!r}); out.first = {VISIBLE};
        civicmap.network.emit("click", {{nodes: [{funder!r}], edges: []}}); out.second = {VISIBLE};
        out.trail = document.getElementById("trail").textContent;
        out.backEnabled = !document.getElementById("back").disabled;
        document.getElementById("back").click(); out.back = {VISIBLE}; out.focus = civicmap.state.focus;
    """)
    assert set(out["first"]) == _neighbours(data, recipient)
    assert set(out["second"]) == _neighbours(data, funder)  # the funder's other recipients too
    assert len(out["second"]) > len(out["first"])
    names = {n["id"]: n["label"] for n in data["nodes"]}
    assert out["trail"].startswith("Focus: ") and names[recipient] in out["trail"] and names[funder] in out["trail"]
    assert out["backEnabled"] and out["focus"] == recipient and set(out["back"]) == _neighbours(data, recipient)


def test_partners_of_partners_and_greyed_out_instead_of_hidden(hounslow_maps: Path,
                                                                scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "funding.html"
    data = map_json(page)
    recipient = next(n["id"] for n in data["nodes"] if n["kind"] == "Charity" and len(_neighbours(data, n["id"])) > 1)
    two_steps = set().union(*(_neighbours(data, n) for n in _neighbours(data, recipient)))
    out = scenario(page, f"""
        const depth = document.getElementById("depth"); depth.value = "2"; depth.dispatchEvent(new Event("change"));
        civicmap.focusOn({recipient!r}); out.two = {VISIBLE};
        const mode = document.getElementById("mode"); mode.value = "highlight"; mode.dispatchEvent(new Event("change"));
        out.highlighted = Number(document.getElementById("status").dataset.visibleNodes);
    """)
    assert set(out["two"]) == two_steps
    assert out["highlighted"] == len(data["nodes"])


def test_search_as_you_type(hounslow_maps: Path, scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "network.html"
    out = scenario(page, """
        const input = document.getElementById("search");
        const type = text => { input.value = text; input.dispatchEvent(new Event("input")); };
        const listed = () => Array.from(document.getElementById("matches").children).map(b => b.textContent);
        const message = () => document.getElementById("search-message").textContent;
        civicmap.focusOn(MAP.nodes[0].id); out.start = civicmap.state.focus;
        type("hounslow"); out.many = listed(); out.manyFocus = civicmap.state.focus;
        type("Hounslw Evangelicl"); out.typo = listed();
        type("qqzzxxj"); out.none = listed(); out.noneMessage = message();
        type(""); out.cleared = listed(); out.clearedFocus = civicmap.state.focus; out.clearedMessage = message();
        type("age uk hounslow");
        input.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter"}));
        out.chosen = civicmap.state.focus && civicmap.visibleIds().length; out.trail = civicmap.state.trail;
        out.chosenLabel = document.querySelector("#details h3").textContent;
    """)
    assert len(out["many"]) > 3 and out["manyFocus"] == out["start"]  # typing lists, it does not jump
    assert out["typo"] and out["typo"][0].startswith("Hounslow Evangelical Church")
    assert out["none"] == [] and "Nothing on this map matches" in out["noneMessage"]
    assert out["cleared"] == [] and out["clearedFocus"] == out["start"] and out["clearedMessage"] == ""
    assert out["chosenLabel"] == "Age UK Hounslow" and out["chosen"] >= 1
    assert out["trail"] == [out["start"]]  # search while focused moves the focus on, Back returns


def test_presenter_mode_labels_read_from_the_back(hounslow_maps: Path, browser: Callable[..., str]) -> None:
    page = hounslow_maps / "network.html"
    presenter = browser(page, "--dump-dom", fragment="#presenter=1")
    normal = browser(page, "--dump-dom")
    size = re.search(r'data-label-font="[^"]*?(\d+)px', presenter)
    assert size and int(size.group(1)) >= 18
    assert int(re.search(r'data-labels-drawn="(\d+)"', presenter).group(1)) >= 3
    assert int(re.search(r'data-label-font="[^"]*?(\d+)px', normal).group(1)) >= 14
    assert 'class="presenter"' in presenter


def test_link_restores_filters_and_focus(hounslow_maps: Path, scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "funding.html"
    data = map_json(page)
    funder = next(n for n in data["nodes"] if n["kind"] == "Funder" and len(_neighbours(data, n["id"])) > 2)
    out = scenario(page, f"""
        out.focus = civicmap.state.focus; out.depth = civicmap.state.depth; out.mode = civicmap.state.mode;
        out.kinds = Array.from(document.getElementById("filter-kind").selectedOptions).map(o => o.value);
        out.visible = {VISIBLE}; out.hash = location.hash;
        document.getElementById("show-all").click(); out.after = location.hash;
    """, fragment=f"#focus={funder['id']}&kinds=Funder&mode=highlight")
    assert out["focus"] == funder["id"] and out["mode"] == "highlight" and out["kinds"] == ["Funder"]
    funders = {n["id"] for n in data["nodes"] if n["kind"] == "Funder"}
    assert set(out["visible"]) == {funder["id"]}  # the kind filter hides the recipients; the focus stays
    assert len(funders) > 1
    assert "focus=" in out["hash"] and out["after"] == "#mode=highlight"  # a preference, not a filter


def test_exports_and_no_network_request(hounslow_maps: Path, scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "funding.html"
    data = map_json(page)
    out = scenario(page, """
        out.svg = civicmap.viewAsSvg();
        out.png = document.querySelector("#network canvas").toDataURL("image/png").slice(0, 22);
        out.requests = performance.getEntriesByType("resource").map(r => r.name);
    """)
    assert out["svg"].startswith("<svg") and out["svg"].count("<line") == len(data["edges"])
    assert out["svg"].count("<circle") + out["svg"].count("<polygon") >= len(data["nodes"])
    assert out["png"] == "data:image/png;base64,"
    assert out["requests"] == []


def test_two_thousand_nodes_are_all_drawn_and_the_page_records_its_first_draw(browser: Callable[..., str],
                                                                              tmp_path: Path) -> None:
    # how long the first draw takes is measured by benchmarks/maps.py, not asserted here
    graph = generated_map_graph(2000)
    page = render_map(graph, tmp_path / "big.html", title="2,000 organisations", caption="generated, seed 7")
    dom = browser(page, "--dump-dom")
    status = re.search(r'data-visible-nodes="(\d+)" data-visible-edges="(\d+)"', dom)
    assert status and (int(status.group(1)), int(status.group(2))) == (2000, graph.number_of_edges())
    assert int(re.search(r'data-first-draw-ms="(\d+)"', dom).group(1)) > 0


def test_big_map_opens_grouped_and_a_group_opens_on_click(scenario: Callable[..., dict], tmp_path: Path) -> None:
    graph = generated_map_graph(60)
    page = render_map(graph, tmp_path / "grouped.html", title="T", caption="C", max_nodes=20)
    data = map_json(page)
    groups = [n for n in data["nodes"] if n.get("isGroup")]
    charity = next(n["id"] for n in groups if n["kind"] == "Charity")
    members = {n["id"] for n in data["nodes"] if n.get("group") == charity}
    out = scenario(page, f"""
        out.start = {VISIBLE}; out.placed = {POSITIONS};
        out.named = Number(document.body.dataset.labelsDrawn);
        civicmap.network.emit("click", {{nodes: [{charity!r}], edges: []}});
        out.open = {VISIBLE}; out.after = {POSITIONS};
        out.lines = Number(document.getElementById("status").dataset.visibleEdges);
        const close = document.querySelector("#trail button[data-group]");
        out.closeButton = close && close.textContent;
        close.click(); out.closed = {VISIBLE}; out.trail = document.getElementById("trail").textContent;
    """)
    assert set(out["start"]) == {n["id"] for n in groups}
    assert out["named"] >= len(groups)  # every group is named, however small it is drawn
    label = next(n["label"] for n in groups if n["id"] == charity)
    assert out["closeButton"].startswith(label) and set(out["closed"]) == set(out["start"]) and not out["trail"]
    assert set(out["open"]) == ({n["id"] for n in groups} - {charity}) | members
    assert out["placed"] == out["after"]
    # members' links into the closed groups are drawn as well as those among themselves
    closed = {n["id"] for n in groups} - {charity}
    expected = [e for e in data["edges"] if {e["from"], e["to"]} <= (members | closed)]
    assert out["lines"] == len(expected) and any({e["from"], e["to"]} & members and {e["from"], e["to"]} & closed
                                                 for e in expected)


def test_geographic_map_draws_wards_and_shading_turns_off(hounslow_maps: Path, scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "places.html"
    out = scenario(page, """
        const canvas = document.querySelector("#network canvas");
        const inks = () => {  // pixels of the plain (unshaded) fill
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let plain = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] === 246 && data[i + 1] === 246 && data[i + 2] === 246) plain++;
            return plain;
        };
        out.button = !document.getElementById("shading").hidden; out.shaded = inks();
        document.getElementById("shading").click(); civicmap.network.redraw();
        await new Promise(resolve => setTimeout(resolve, 200));
        out.plain = inks(); out.hash = location.hash; out.svg = civicmap.viewAsSvg();
    """)
    assert out["button"] and out["hash"] == "#shading=0"
    assert out["plain"] > 10 * max(out["shaded"], 1000)  # the wards' plain fill replaces the shading
    background = map_json(page)["background"]
    assert len(background["labels"]) == 20  # every ward named
    # the SVG export carries the borough too: each LSOA, the ward lines, every ward's name and the panel
    assert out["svg"].split("</defs>")[1].count("<path") == len(background["areas"]) + 1  # (arrowheads in defs)
    assert all(f">{label['text']}</text>" in out["svg"] for label in background["labels"])
    assert f">{background['panel']['text']}</text>" in out["svg"]


def test_hostile_names_neither_blank_the_map_nor_run(tmp_path: Path, scenario: Callable[..., dict]) -> None:
    from .test_render import HOSTILE_NAMES, hostile_graph

    page = render_map(hostile_graph(), tmp_path / "hostile.html", title=HOSTILE_NAMES[2], caption=HOSTILE_NAMES[1])
    out = scenario(page, """
        out.pwned = window.pwned !== undefined;
        out.shown = Number(document.getElementById("status").dataset.visibleNodes);
        out.labels = MAP.nodes.map(n => n.label);
        out.drawn = Number(document.body.dataset.labelsDrawn);
        out.title = document.title;
    """)
    assert not out["pwned"]
    assert out["shown"] == len(HOSTILE_NAMES)
    assert sorted(out["labels"]) == sorted(HOSTILE_NAMES)
    assert out["drawn"] > 0
    assert out["title"] == HOSTILE_NAMES[2]


@pytest.mark.parametrize("fragment", ["", "#presenter=1"])
def test_place_not_known_panel_stands_apart_and_its_lines_wait(fragment: str, hounslow_maps: Path,
                                                               scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "places.html"
    data = map_json(page)
    apart = {n["id"] for n in data["nodes"] if n.get("apart")}
    lines = [e for e in data["edges"] if e.get("apart")]
    # an organisation with no known place that has a line on the map, and one placed with none to the panel
    lonely = next(e["from"] if e["from"] in apart else e["to"] for e in lines)
    out = scenario(page, f"""
        const edges = () => Number(document.getElementById("status").dataset.visibleEdges);
        const panel = MAP.background.panel, canvas = document.querySelector("#network canvas").getBoundingClientRect();
        const a = civicmap.network.canvasToDOM({{x: panel.x, y: panel.y}});
        const b = civicmap.network.canvasToDOM({{x: panel.x + panel.width, y: panel.y + panel.height}});
        out.panel = [a.x, a.y, b.x, b.y]; out.canvas = [canvas.width, canvas.height];
        out.legendLeft = document.getElementById("side").getBoundingClientRect().left;
        out.start = edges(); out.status = document.getElementById("status").textContent;
        civicmap.focusOn({lonely!r}); out.focused = edges(); out.focusSet = [...civicmap.state.focusSet];
        document.getElementById("show-all").click();
        document.getElementById("apart-lines").click(); out.all = edges(); out.hash = location.hash;
        out.pressed = document.getElementById("apart-lines").getAttribute("aria-pressed");
        out.legend = document.getElementById("legend").textContent;
    """, fragment=fragment)
    assert out["start"] == len(data["edges"]) - len(lines)
    assert f"{len(lines)} lines to \u201cPlace not known\u201d hidden" in out["status"]
    mine = [e for e in data["edges"] if lonely in (e["from"], e["to"])]
    assert out["focused"] == len([e for e in data["edges"] if {e["from"], e["to"]} <= set(out["focusSet"])]) >= len(mine)
    assert out["all"] == len(data["edges"]) and out["pressed"] == "true" and "lines=1" in out["hash"]
    assert f"Place not known ({len(apart)})" in out["legend"]
    # the whole panel is on the screen, left of the legend, when the map opens
    left, top, right, bottom = out["panel"]
    assert 0 <= left < right <= out["canvas"][0] <= out["legendLeft"] and 0 <= top < bottom <= out["canvas"][1]


def test_a_filter_with_one_choice_is_not_offered(hounslow_maps: Path, scenario: Callable[..., dict]) -> None:
    page = hounslow_maps / "infrastructure.html"
    filters = map_json(page)["filters"]
    out = scenario(page, """
        for (const id of ["filter-kind", "filter-ward", "filter-theme", "filter-relation"]) {
            out[id] = getComputedStyle(document.getElementById(id).closest("label")).display !== "none";
        }
    """)
    assert filters["wards"] == ["not known"] and not out["filter-ward"]  # every ward not known: nothing to filter
    assert len(filters["kinds"]) > 1 and out["filter-kind"]
    assert out["filter-theme"] == (len(filters["themes"]) > 1)
