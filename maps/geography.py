"""The geographic view: each node where it is, over the borough's wards, in one offline page.

A node is placed by the British National Grid reference of its own postcode (``easting`` and
``northing``, from the postcode directory), else of a building it occupies, else at the centre of
its LSOA, else at the centre of its ward; nodes at one point are spread in a small sunflower so
none hides another, and nodes with no known place wait in a framed panel beside the map, grouped by
kind, their lines hidden until asked for (so none crosses the borough to reach them). Ward boundaries
are dissolved from the LSOA boundaries (ONS GeoJSON, which carries each LSOA's grid reference
and longitude and latitude, from which a local affine transform takes the polygons to the grid),
and LSOAs are shaded by their IMD decile where the graph has it. No tile server, no network.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from civicgraph.analysis.network import name, ward_index
from civicgraph.core.errors import SourceFormatError
from civicgraph.graph.frames import GraphLike, as_networkx
from civicgraph.maps.layout import _CELL, SPACING, Layout, separate
from civicgraph.maps.palette import kind_label

__all__ = ["Area", "geographic_layout", "read_boundaries"]

#: Map units per metre of the grid: a borough about 15 km across is about 5,000 units wide.
UNITS_PER_METRE = 1 / 3
#: Light to dark by IMD decile (1 = most deprived tenth of England), pale enough for nodes on top.
IMD_FILLS = ("#cfc1de", "#d6cae3", "#ddd3e8", "#e3dbec", "#e9e3f0", "#eeeaf3", "#f2eff6", "#f5f3f8", "#f8f7fa",
             "#fbfafc")
_NO_DECILE = "#f3f3f3"
_GOLDEN = math.pi * (3 - math.sqrt(5))
#: Narrowest the panel of nodes with no known place may be, in map units: room for its captions.
_PANEL_MIN_WIDTH = 1500.0


@dataclass(frozen=True)
class Area:
    """One LSOA: GSS code, polygons as British National Grid rings (metres), centre."""

    code: str
    rings: list[np.ndarray]
    centre: tuple[float, float]


def read_boundaries(path: str | Path) -> list[Area]:
    """LSOA boundaries from an ONS GeoJSON file (properties ``LSOA11CD`` or ``LSOA21CD``, ``BNG_E``,
    ``BNG_N``, ``LONG``, ``LAT``), on the British National Grid.

    Raises
    ------
    SourceFormatError
        Naming the file, feature and field that is missing or not a number.

    Examples
    --------
    >>> areas = read_boundaries("data/geography/hounslow_lsoa11_bsc.geojson")
    >>> len(areas), areas[0].code
    (142, 'E01002555')
    """
    path = Path(path)
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise SourceFormatError(f"{path.name}: not a GeoJSON FeatureCollection ({error})") from None
    codes, centres, lonlat, polygons = [], [], [], []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code = props.get("LSOA11CD") or props.get("LSOA21CD")
        if not code:
            raise SourceFormatError(f"{path.name} feature {number}, field LSOA11CD: missing (expected an LSOA code)")
        values = []
        for field in ("BNG_E", "BNG_N", "LONG", "LAT"):
            try:
                values.append(float(props[field]))
            except (KeyError, TypeError, ValueError):
                raise SourceFormatError(f"{path.name} feature {number}, field {field}: "
                                        f"{props.get(field)!r} is not a number") from None
        geometry = feature.get("geometry") or {}
        rings = geometry.get("coordinates") or []
        rings = [r for polygon in rings for r in polygon] if geometry.get("type") == "MultiPolygon" else rings
        codes.append(code)
        centres.append(values[:2])
        lonlat.append(values[2:])
        polygons.append([np.asarray(r, dtype=float)[:, :2] for r in rings if len(r) >= 3])
    if len(codes) < 3:
        raise SourceFormatError(f"{path.name}: {len(codes)} LSOA features; at least 3 are needed to place them")
    # lon/lat -> grid by least squares on the LSOA centres: exact enough across one borough
    design = np.column_stack([np.asarray(lonlat), np.ones(len(lonlat))])
    transform, *_ = np.linalg.lstsq(design, np.asarray(centres), rcond=None)
    return [Area(code, [np.column_stack([ring, np.ones(len(ring))]) @ transform for ring in rings],
                 (centre[0], centre[1])) for code, rings, centre in zip(codes, polygons, centres, strict=True)]


def _grid_reference(data: dict[str, Any]) -> tuple[float, float] | None:
    try:
        east, north = float(data["easting"]), float(data["northing"])
    except (KeyError, TypeError, ValueError):
        return None
    return None if math.isnan(east) or math.isnan(north) else (east, north)


def _lsoa_code(context: nx.MultiDiGraph, node: str) -> str | None:
    data = context.nodes[node]
    candidates = [data.get("lsoa")] + [t for _, t, d in context.out_edges(node, data=True)
                                       if d["relation"] == "LOCATED_IN" and context.nodes[t]["kind"] == "LSOA"]
    for lsoa in candidates:
        if lsoa and lsoa in context:
            return str(context.nodes[lsoa].get("gss_code") or str(lsoa).split("@")[0])
        if lsoa:
            return str(lsoa).split("@")[0]
    return None


def _place(context: nx.MultiDiGraph, node: str, centres: dict[str, tuple[float, float]],
           ward_centres: dict[str, tuple[float, float]], wards: dict[str, str]) -> tuple[tuple[float, float] | None, str]:
    if node not in context:
        return None, "not known"
    found = _grid_reference(context.nodes[node])
    if found:
        return found, "postcode"
    for _, building, data in context.out_edges(node, data=True):
        if data["relation"] == "OCCUPIES" and (found := _grid_reference(context.nodes[building])):
            return found, "postcode of a building it uses"
    code = _lsoa_code(context, node)
    if code in centres:
        return centres[code], "LSOA"
    if wards.get(node) in ward_centres:
        return ward_centres[wards[node]], "ward"
    return None, "not known"


def _ward_lines(areas: list[Area], ward_of_area: dict[str, str]) -> list[list[float]]:
    """The edges of LSOA rings that are not shared with another LSOA of the same ward: the wards'
    boundaries (shared edges cancel out)."""
    counts: Counter[tuple[str, tuple[float, float], tuple[float, float]]] = Counter()
    for area in areas:
        ward = ward_of_area.get(area.code, area.code)
        for ring in area.rings:
            points = [tuple(np.round(p, 0)) for p in ring]
            for a, b in zip(points, points[1:] + points[:1], strict=True):
                if a != b:
                    counts[(ward, min(a, b), max(a, b))] += 1
    return [[*a, *b] for (_, a, b), count in counts.items() if count == 1]


def geographic_layout(graph: nx.MultiDiGraph, context: GraphLike, areas: list[Area]
                      ) -> tuple[Layout, dict[str, Any], str]:
    """Positions by place, the background (LSOAs shaded by IMD decile, ward boundaries and names),
    and one sentence saying how many nodes were placed by what.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        The nodes to place (a preset's view).
    context : GraphFrames or networkx.MultiDiGraph
        The whole graph: grid references, buildings, LSOAs and wards are looked up in it.
    areas : list of Area
        :func:`read_boundaries`.

    Returns
    -------
    tuple
        (:class:`civicgraph.maps.layout.Layout`, background for :func:`maps.render.render_map`, sentence)

    Examples
    --------
    >>> areas = read_boundaries("data/geography/hounslow_lsoa11_bsc.geojson")
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", easting=512000.0, northing=175000.0); g.add_node("b", kind="Charity")
    >>> layout, background, said = geographic_layout(g, g, areas)
    >>> said
    'Placed by postcode: 1; place not known: 1.'
    """
    wards = ward_index(context)
    context = as_networkx(context)
    area_of_code = {str(d.get("gss_code") or str(n).split("@")[0]): n
                    for n, d in context.nodes(data=True) if d["kind"] == "LSOA"}
    ward_of_area = {code: wards[node] for code, node in area_of_code.items() if node in wards}
    centres = {a.code: a.centre for a in areas}
    by_ward: dict[str, list[tuple[float, float]]] = {}
    for code, ward in ward_of_area.items():
        if code in centres:
            by_ward.setdefault(ward, []).append(centres[code])
    ward_centres = {w: (float(np.mean([p[0] for p in ps])), float(np.mean([p[1] for p in ps]))) for w, ps in by_ward.items()}
    east0 = min(float(r[:, 0].min()) for a in areas for r in a.rings)
    north0 = max(float(r[:, 1].max()) for a in areas for r in a.rings)

    def to_map(east: float, north: float) -> tuple[float, float]:
        return round((east - east0) * UNITS_PER_METRE, 1), round((north0 - north) * UNITS_PER_METRE, 1)

    at_point: dict[tuple[float, float], list[str]] = {}
    how: Counter[str] = Counter()
    unplaced = []
    for node in sorted(graph, key=str):
        point, method = _place(context, node, centres, ward_centres, wards)
        how[method] += 1
        if point is None:
            unplaced.append(node)
        else:
            at_point.setdefault(to_map(*point), []).append(node)
    positions: dict[str, tuple[float, float]] = {}
    for (x, y), nodes in at_point.items():
        for i, node in enumerate(nodes):
            radius = 0.55 * _CELL * math.sqrt(i)
            positions[node] = (round(x + radius * math.cos(i * _GOLDEN), 1), round(y + radius * math.sin(i * _GOLDEN), 1))
    positions = separate(positions, apart=0.6 * _CELL)
    # the panel stands beside the borough (and any node placed east of it), as tall as the borough
    right = max([to_map(float(r[:, 0].max()), north0)[0] for a in areas for r in a.rings]
                + [x for x, _ in positions.values()])
    bottom = to_map(east0, min(float(r[:, 1].min()) for a in areas for r in a.rings))[1]
    panel = _unplaced_panel(graph, unplaced, left=right + 3 * SPACING, top=0.0, height=bottom)
    positions.update(panel.positions)
    deciles = {code: context.nodes[node].get("imd_decile") for code, node in area_of_code.items()}
    background = {
        "areas": [{"rings": [[list(to_map(*p)) for p in ring] for ring in area.rings],
                   "fill": _fill(deciles.get(area.code))} for area in areas],
        "lines": [[*to_map(x1, y1), *to_map(x2, y2)] for x1, y1, x2, y2 in _ward_lines(areas, ward_of_area)],
        "labels": [{"text": name(context, w), "x": to_map(*c)[0], "y": to_map(*c)[1], "centred": True}
                   for w, c in sorted(ward_centres.items())],
        "key": {"title": "Shading: deprivation (IMD decile)",
                "items": [{"fill": IMD_FILLS[0], "label": "1: most deprived tenth of England"},
                          {"fill": IMD_FILLS[4], "label": "5"}, {"fill": IMD_FILLS[9], "label": "10: least deprived"},
                          {"fill": _NO_DECILE, "label": "decile not known"}]} if any(deciles.values()) else None,
    }
    order = ["postcode", "postcode of a building it uses", "LSOA", "ward", "not known"]
    said = "; ".join(f"{'placed by ' + m if m != 'not known' else 'place not known'}: {how[m]:,}"
                     for m in order if how[m])
    if unplaced:
        background["panel"] = panel.captions[0]
    said = (said[:1].upper() + said[1:] + ".") if said else ""
    return Layout(positions, panel.captions[1:], apart=set(unplaced)), background, said


def _unplaced_panel(graph: nx.MultiDiGraph, nodes: list[str], *, left: float, top: float, height: float) -> Layout:
    """The nodes with no known place, in a framed panel beside the map, grouped by kind: the narrowest
    panel (in columns of nodes) no taller than the map. The first caption is the panel itself (its
    box and title), the others name each kind's block."""
    if not nodes:
        return Layout({}, [{}])
    kinds: dict[str, list[str]] = {}
    for node in nodes:
        kinds.setdefault(kind_label(graph.nodes[node]["kind"]), []).append(node)
    groups = sorted(kinds.items(), key=lambda item: (-len(item[1]), item[0]))
    pad, title, head, gap = 0.6 * SPACING, 1.4 * SPACING, 0.9 * SPACING, 0.8 * _CELL

    def tall(columns: int) -> float:
        rows = sum(math.ceil(len(members) / columns) for _, members in groups)
        return title + len(groups) * (head + gap) + (rows - len(groups)) * _CELL + pad - gap

    narrowest = next((c for c in range(4, 41) if tall(c) <= height), 40)
    width = max((narrowest - 1) * _CELL + 2 * pad, _PANEL_MIN_WIDTH)
    columns = int((width - 2 * pad) // _CELL) + 1  # as many as fill the width
    positions: dict[str, tuple[float, float]] = {}
    captions: list[dict[str, object]] = [{"text": f"Place not known ({len(nodes):,})", "x": left, "y": top,
                                          "width": round(width, 1), "height": round(tall(columns), 1)}]
    y = top + title
    for kind, members in groups:
        captions.append({"text": f"{kind} ({len(members):,})", "x": round(left + pad, 1), "y": round(y, 1),
                         "width": round(width - 2 * pad, 1), "height": round(head - 0.4 * _CELL, 1),
                         "members": members})
        y += head
        for i, node in enumerate(members):
            positions[node] = (round(left + pad + (i % columns) * _CELL, 1), round(y + (i // columns) * _CELL, 1))
        y += (math.ceil(len(members) / columns) - 1) * _CELL + gap
    return Layout(positions, captions)


def _fill(decile: object) -> str:
    try:
        return IMD_FILLS[int(decile) - 1]  # type: ignore[call-overload]
    except (TypeError, ValueError, IndexError):
        return _NO_DECILE
