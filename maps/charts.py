"""Static charts for reports (PNG): funding by ward against deprivation, the centrality league table."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no screen needed
import matplotlib.pyplot as plt  # noqa: E402

from civicgraph.analysis.centrality import centrality_table  # noqa: E402
from civicgraph.analysis.money import funding_by_ward  # noqa: E402
from civicgraph.graph.frames import GraphLike  # noqa: E402


def funding_against_deprivation_chart(graph: GraphLike, path: str | Path) -> Path:
    """Scatter of grant money (GBP) per ward against the ward's mean IMD score, wards labelled.

    Grants that no source places in a ward are counted in the title, not drawn.
    """
    table = funding_by_ward(graph)
    placed = table[table["ward"] != "unknown"]
    unknown = table.loc[table["ward"] == "unknown", "amount_gbp"].sum()
    fig, ax = plt.subplots(figsize=(9, 6), dpi=120)
    ax.scatter(placed["imd_score"], placed["amount_gbp"], s=40, color="#2ca02c")
    for row in placed.itertuples():
        ax.annotate(row.ward_name, (row.imd_score, row.amount_gbp), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("mean IMD 2019 score of the ward's LSOAs (higher = more deprived)")
    ax.set_ylabel("grants (GBP)")
    ax.set_title(f"Grant funding by ward against deprivation\n{unknown:,.0f} GBP of grants not placed in any ward")
    return _save(fig, path)


def centrality_league_chart(graph: GraphLike, path: str | Path, *, top: int = 15,
                            measure: str = "betweenness") -> Path:
    """Horizontal bar chart of the ``top`` organisations by a centrality measure."""
    table = centrality_table(graph).sort_values(measure, ascending=False).head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.4 * max(len(table), 3) + 1.5), dpi=120)
    ax.barh(table["name"].str.slice(0, 45), table[measure], color="#1f77b4")
    ax.set_xlabel(measure)
    ax.set_title(f"Top {len(table)} organisations by {measure}")
    return _save(fig, path)


def _save(fig: plt.Figure, path: str | Path) -> Path:
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
