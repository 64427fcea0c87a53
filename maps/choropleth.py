"""Ward maps for reports: a value per ward, drawn from LSOA boundaries dissolved to wards.

The boundaries are a GeoJSON file of LSOAs (e.g. ONS's super-generalised boundaries) whose
features carry the LSOA code (``LSOA11CD``, ``LSOA21CD`` or ``code``); each LSOA's ward is read from
the graph (``LSOA -PART_OF-> Ward``). Wards are dissolved by drawing their LSOAs without seams and
outlining only the edges that belong to one LSOA of the ward, so no geometry library is needed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no screen needed
import matplotlib.patheffects as effects  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402

from civicgraph.core.errors import SourceFormatError  # noqa: E402
from civicgraph.graph.frames import GraphLike, as_frames  # noqa: E402
from civicgraph.graph.tables import edge_table, node_table  # noqa: E402

CODE_PROPERTIES = ("LSOA11CD", "LSOA21CD", "lsoa11cd", "lsoa21cd", "code")
UNKNOWN_COLOUR = "#d9d9d9"


def ward_rings(graph: GraphLike, boundaries: str | Path) -> dict[str, list[np.ndarray]]:
    """The outer rings of each ward's LSOAs, by ward id, in the boundaries' coordinates.

    Raises
    ------
    SourceFormatError
        When a feature has no LSOA code property.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> square = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
    >>> path = Path(tempfile.mkdtemp()) / "b.geojson"
    >>> _ = path.write_text(json.dumps({"features": [{"properties": {"LSOA11CD": "E01"},
    ...                                 "geometry": {"type": "Polygon", "coordinates": square}}]}))
    >>> g = nx.MultiDiGraph(); g.add_node("L", kind="LSOA", gss_code="E01"); g.add_node("W", kind="Ward")
    >>> _ = g.add_edge("L", "W", relation="PART_OF")
    >>> [len(r) for r in ward_rings(g, path)["W"]]
    [5]
    """
    nodes, edges = node_table(graph, "gss_code"), edge_table(graph)
    kind = nodes["kind"].astype(object)
    parts = edges[(edges["relation"] == "PART_OF") & edges["source"].map(kind).eq("LSOA").to_numpy()
                  & edges["target"].map(kind).eq("Ward").to_numpy()]
    codes = parts["source"].map(nodes["gss_code"]).fillna(parts["source"].str.split("@").str[0])
    ward_of_code = dict(zip(codes, parts["target"]))
    features = json.loads(Path(boundaries).read_text()).get("features", [])
    rings: dict[str, list[np.ndarray]] = {}
    for number, feature in enumerate(features):
        properties = feature.get("properties") or {}
        code = next((properties[p] for p in CODE_PROPERTIES if p in properties), None)
        if code is None:
            raise SourceFormatError(f"{Path(boundaries).name} feature {number + 1}, field properties: no LSOA code "
                                    f"(expected one of {', '.join(CODE_PROPERTIES)})")
        ward = ward_of_code.get(code)
        if ward is None:
            continue
        geometry = feature.get("geometry") or {}
        polygons = [geometry["coordinates"]] if geometry.get("type") == "Polygon" else geometry.get("coordinates", [])
        rings.setdefault(ward, []).extend(np.asarray(polygon[0], dtype=float) for polygon in polygons)
    return rings


def _outline(rings: list[np.ndarray]) -> list[np.ndarray]:
    """Edges of the rings that no other ring shares: the dissolved outline."""
    segments: Counter = Counter()
    for ring in rings:
        points = [tuple(np.round(p, 7)) for p in ring]
        segments.update(tuple(sorted((a, b))) for a, b in zip(points, points[1:]))
    return [np.array(segment) for segment, count in segments.items() if count == 1]


def _centroid(rings: list[np.ndarray]) -> tuple[float, float]:
    """Area-weighted centroid of the rings (the shoelace formula)."""
    total, cx, cy = 0.0, 0.0, 0.0
    for ring in rings:
        x, y = ring[:, 0], ring[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area = cross.sum() / 2
        if area:
            total += area
            cx += ((x[:-1] + x[1:]) * cross).sum() / 6
            cy += ((y[:-1] + y[1:]) * cross).sum() / 6
    if not total:
        points = np.vstack(rings)
        return float(points[:, 0].mean()), float(points[:, 1].mean())
    return cx / total, cy / total


def ward_choropleth(graph: GraphLike, values: pd.Series, path: str | Path, *, boundaries: str | Path,
                    title: str, legend: str, note: str = "") -> Path:
    """A PNG map of one value per ward; wards with no value are grey and said to be not known.

    Parameters
    ----------
    values : Series
        The value of each ward, indexed by ward id (NaN: not known).
    boundaries : path
        LSOA boundaries (GeoJSON), see the module docstring.
    title, legend : str
        The map's title and what the colour measures (with its unit).
    note : str
        A line under the map (what is left out).

    Returns
    -------
    Path
        The file written.
    """
    frames = as_frames(graph)
    rings = ward_rings(frames, boundaries)
    names = node_table(frames)["name"]
    known = values.dropna()
    scale = plt.get_cmap("YlOrRd")
    low, high = (float(known.min()), float(known.max())) if len(known) else (0.0, 1.0)
    norm = matplotlib.colors.Normalize(vmin=low if high > low else low - 1, vmax=high if high > low else low + 1)
    fig, ax = plt.subplots(figsize=(8.5, 7), dpi=130)
    for ward, ward_rings_ in rings.items():
        value = values.get(ward)
        colour = UNKNOWN_COLOUR if value is None or pd.isna(value) else scale(norm(value))
        ax.add_collection(PolyCollection(ward_rings_, facecolors=colour, edgecolors=colour, linewidths=0.4))
        ax.add_collection(LineCollection(_outline(ward_rings_), colors="#404040", linewidths=0.8))
        x, y = _centroid(ward_rings_)
        ax.text(x, y, str(names.get(ward) or ward), fontsize=6.5, ha="center", va="center",
                path_effects=[effects.withStroke(linewidth=2.2, foreground="white")])
    ax.autoscale_view()
    ax.set_aspect(1 / np.cos(np.radians(float(np.mean([r[:, 1].mean() for rs in rings.values() for r in rs]))))
                  if rings else "equal")
    ax.set_axis_off()
    whole = bool(len(known)) and bool((known == known.round()).all())
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=scale), ax=ax, shrink=0.6,
                       format=matplotlib.ticker.StrMethodFormatter("{x:,.0f}" if whole else "{x:,.2f}"))
    if whole:
        bar.locator = matplotlib.ticker.MaxNLocator(integer=True)
        bar.update_ticks()
    bar.set_label(legend)
    ax.set_title(title, fontsize=11)
    footer = "Grey: not known. " if (values.isna().any() or set(rings) - set(known.index)) else ""
    if footer or note:
        fig.text(0.02, 0.02, footer + note, fontsize=7.5, wrap=True)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
