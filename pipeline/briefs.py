"""A one-page brief per question, in Markdown and printable HTML, for a reader who has never seen the tool.

Each brief gives the headline in one sentence, what the answer does not say (the question it cannot
answer, caveats), the table's top rows, one chart where a chart says it better (ward maps drawn from
LSOA boundaries dissolved to wards, bar charts), the data's sources and dates, its coverage, and
what each column means.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from numbers import Number
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from civicgraph.core.cells import is_money, markdown_table  # noqa: E402
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames  # noqa: E402
from civicgraph.graph.tables import node_table  # noqa: E402
from civicgraph.maps.choropleth import ward_choropleth  # noqa: E402
from civicgraph.pipeline.result import AnswerResult  # noqa: E402

#: Columns left out of a brief's table when the row has a name column beside them.
ID_COLUMNS = frozenset({"id", "ward", "a", "b", "funder", "source", "target", "theme", "gss_code"})
TABLE_COLUMNS = 7
TABLE_ROWS = 8
TEXT_WIDTH = 45
#: The columns a brief shows, where the first columns of the answer are not the ones that answer the
#: question (the CSV keeps them all).
BRIEF_COLUMNS: dict[str, tuple[str, ...]] = {
    "01_below_the_radar_groups": ("name", "ward", "registered", "links_in", "one_link_in", "little_known_score"),
    "02_directorate_coproduction": ("name", "vcse_link", "co-production", "partners", "coproduction_share",
                                    "only_large_national", "sector_champion"),
    "03_duplicated_infrastructure": ("a_name", "b_name", "shared_functions", "overlap_score"),
    "04_brokers": ("name", "sector", "degree", "betweenness", "constraint", "cut_point"),
    "05_funding_by_ward": ("ward_name", "amount_gbp", "population", "amount_per_head_gbp", "imd_rank_in_authority",
                           "need_reach_gap"),
    "05_compare_authorities": ("name", "grants", "amount_gbp", "population", "gbp_per_head", "rank_per_head"),
    "06_asset_use": ("name", "ward", "owner", "users", "rent_terms"),
    "07_contract_consolidation": ("contract", "successor", "providers_before", "providers_after", "consolidated"),
    "08_forum_representativeness": ("name", "members", "large_members", "council_members", "council_senior"),
    "10_co_funding": ("funder_a", "funder_b", "shared_recipients", "jaccard"),
    "12_service_gaps": ("ward_name", "theme_name", "providers", "no_located_provider", "unlocated_providers"),
}

PAGE_STYLE = """
body { font-family: Georgia, serif; max-width: 46em; margin: 1.5em auto; color: #222; line-height: 1.35; }
h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin-top: 1.1em; border-bottom: 1px solid #ccc; }
.headline { font-size: 1.15em; font-weight: bold; } .missing { background: #fff3cd; padding: .4em .6em; }
table { border-collapse: collapse; font-size: .78em; } td, th { border: 1px solid #ccc; padding: 2px 5px; }
img { max-width: 100%; } .small { font-size: .8em; color: #555; } dt { font-weight: bold; } dd { margin-left: 1.2em; }
@page { size: A4; margin: 10mm 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; line-height: 1.2; }
  h1 { font-size: 13pt; margin: 0 0 4pt; } h2 { font-size: 10.5pt; margin: 7pt 0 3pt; break-after: avoid; }
  .headline { font-size: 11pt; } p { margin: 3pt 0; } ul { margin: 2pt 0; padding-left: 13pt; }
  table { font-size: 8pt; } td, th { padding: 1px 4px; } tr, li, img, dt, dd { break-inside: avoid; }
  img { max-height: 56mm; display: block; margin: 2pt auto; } dt { break-after: avoid; }
  .small, .small li { font-size: 8pt; } dl.small { columns: 2; column-gap: 8mm; margin: 2pt 0; }
}
"""


def brief_table(table: pd.DataFrame, *, rows: int = TABLE_ROWS, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """The top rows of an answer, its identifier columns left out and long text cut, for a brief.

    Parameters
    ----------
    table : DataFrame
        The answer's table.
    rows : int
        How many rows to show.
    columns : tuple of str, optional
        The columns to show (those of them the table has); by default its first non-identifier ones.

    Examples
    --------
    >>> brief_table(pd.DataFrame({"id": ["x"], "name": ["A" * 60], "n": [1]})).columns.tolist()
    ['name', 'n']
    >>> brief_table(pd.DataFrame({"id": ["x"], "name": ["A"], "n": [1]}), columns=("n", "name")).columns.tolist()
    ['n', 'name']
    >>> brief_table(pd.DataFrame({"name": ["A", "B", "C"], "registered": [True, False, None]}))["registered"].tolist()
    ['yes', 'no', 'unknown']
    >>> from decimal import Decimal
    >>> brief_table(pd.DataFrame({"name": ["A", "B"], "amount_gbp": [Decimal("99746.3"), 375727]}))["amount_gbp"].tolist()
    ['99,746.30', '375,727.00']
    """
    named = any(c.endswith("name") or c in ("name", "contract", "programme", "funder_a") for c in table.columns)
    chosen = [c for c in columns if c in table.columns]
    columns = chosen or [c for c in table.columns if not (named and c in ID_COLUMNS)][:TABLE_COLUMNS]
    shown = table.head(rows)[columns].copy()
    for column in columns:
        values = shown[column].dropna()
        if len(values) and shown[column].dtype == object and values.map(
                lambda v: isinstance(v, Number) and not isinstance(v, bool | np.bool_)).all():
            shown[column] = pd.to_numeric(shown[column], errors="coerce")  # exact sums (Decimal) read as numbers
            values = shown[column].dropna()
        if len(values) and values.map(lambda v: isinstance(v, bool | np.bool_)).all():
            shown[column] = shown[column].map(lambda v: "unknown" if v is None or pd.isna(v) else "yes" if v else "no")
        elif shown[column].dtype == object:
            text = shown[column].astype(str)
            shown[column] = text.where(text.str.len() <= TEXT_WIDTH, text.str.slice(0, TEXT_WIDTH - 1) + "…")
        elif pd.api.types.is_float_dtype(shown[column]):
            values = shown[column]
            whole = values.dropna().eq(values.dropna().round()).all()
            money = is_money(column)
            shown[column] = values.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}" if whole
                                       else f"{v:,.2f}" if money else f"{v:.3g}")
    return shown


def _ward_ids_by_name(graph: GraphFrames) -> dict[str, str]:
    nodes = node_table(graph)
    wards = nodes[nodes["kind"] == "Ward"]
    return dict(zip(wards["name"], wards["id"]))


def _funding_map(graph: GraphFrames, result: AnswerResult, path: Path, boundaries: Path) -> Path:
    table = result.table[result.table["ward"] != "unknown"]
    unplaced = result.table.loc[result.table["ward"] == "unknown", "amount_gbp"].sum()
    note = f"{unplaced:,.0f} GBP of grants could not be placed in any ward and is not drawn."
    if table["amount_per_head_gbp"].notna().any():  # per resident, so wards of different sizes compare
        estimated = table["population_basis"].astype(str).str.startswith("estimate").any()
        return ward_choropleth(graph, table.set_index("ward")["amount_per_head_gbp"], path, boundaries=boundaries,
                               title="Grant money per resident, by ward",
                               legend="GBP per resident" + (" (population estimated)" if estimated else ""),
                               note=note)
    return ward_choropleth(graph, table.set_index("ward")["amount_gbp"], path, boundaries=boundaries,
                           title="Grant money by ward", legend="grants (GBP)", note=note)


def _gaps_map(graph: GraphFrames, result: AnswerResult, path: Path, boundaries: Path) -> Path:
    counts = result.table.groupby("ward")["no_located_provider"].sum().astype(float)
    return ward_choropleth(graph, counts, path, boundaries=boundaries, title="Themes with no located provider, by ward",
                           legend="themes with no provider located in the ward",
                           note="Providers with no known ward are not drawn; they may serve these wards.")


def _below_radar_map(graph: GraphFrames, result: AnswerResult, path: Path, boundaries: Path) -> Path:
    wards = _ward_ids_by_name(graph)
    counts = result.table["ward"].map(wards).value_counts().astype(float)
    counts = pd.Series({w: counts.get(w, 0.0) for w in wards.values()})
    unplaced = int(result.table["ward"].isna().sum())
    return ward_choropleth(graph, counts, path, boundaries=boundaries, title="Groups that look below the radar, by ward",
                           legend="groups listed", note=f"{unplaced:,} listed groups have no known ward and are not drawn.")


def _bars(labels: pd.Series, values: pd.Series, path: Path, *, title: str, xlabel: str,
          highlight: pd.Series | None = None) -> Path:
    fig, ax = plt.subplots(figsize=(8.5, 0.38 * max(len(values), 3) + 1.4), dpi=130)
    colours = ["#d62728" if h else "#1f77b4" for h in (highlight if highlight is not None else [False] * len(values))]
    ax.barh(labels.astype(str).str.slice(0, 45).iloc[::-1], values.iloc[::-1], color=colours[::-1])
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def _brokers_bars(graph: GraphFrames, result: AnswerResult, path: Path, _: object) -> Path:
    top = result.table.head(10)
    return _bars(top["name"], top["betweenness"], path, title="The ten strongest brokers",
                 xlabel="betweenness: share of shortest paths between others that pass through it")


def _funder_bars(graph: GraphFrames, result: AnswerResult, path: Path, _: object) -> Path:
    top = result.table.head(10)
    return _bars(top["funder_name"], top["amount_gbp"], path, title="Grant money by funder", xlabel="GBP")


def _peer_bars(graph: GraphFrames, result: AnswerResult, path: Path, _: object) -> Path:
    table = result.table
    return _bars(table["name"], table["gbp_per_head"], path, title="Grants per head, on the funders compared",
                 xlabel="GBP per resident", highlight=table["focus"])


#: Answer key -> (draws its chart, needs boundaries).
CHARTS: dict[str, tuple[Callable[..., Path], bool]] = {
    "05_funding_by_ward": (_funding_map, True),
    "12_service_gaps": (_gaps_map, True),
    "01_below_the_radar_groups": (_below_radar_map, True),
    "04_brokers": (_brokers_bars, False),
    "05_funding_by_funder": (_funder_bars, False),
    "05_compare_authorities": (_peer_bars, False),
}


def write_briefs(results: dict[str, AnswerResult], folder: str | Path, graph: GraphLike, *,
                 boundaries: str | Path | None = None) -> list[Path]:
    """Write ``{key}.md`` and ``{key}.html`` (with ``{key}.png`` where a chart helps) per answer,
    and ``index.html``.

    Parameters
    ----------
    results : dict
        From :func:`pipeline.answers.answer_all`.
    folder : path
        Where to write.
    graph : GraphFrames or networkx.MultiDiGraph
        The graph the answers were computed on (for ward maps).
    boundaries : path, optional
        LSOA boundaries (GeoJSON) for ward maps; without them no ward map is drawn and the brief
        says so. No chart is drawn for an answer the loaded data cannot give (its ``missing``).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> from civicgraph.pipeline.answers import answer_all
    >>> paths = write_briefs(answer_all(nx.MultiDiGraph()), Path(tempfile.mkdtemp()), nx.MultiDiGraph())
    >>> sorted(p.name for p in paths)[:2]
    ['01_below_the_radar_groups.html', '01_below_the_radar_groups.md']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    graph = as_frames(graph)
    written: list[Path] = []
    for key, result in results.items():
        chart, note = None, ""
        if key in CHARTS and len(result.table) and not result.missing:
            draw, needs_boundaries = CHARTS[key]
            if needs_boundaries and boundaries is None:
                note = "No ward map: no LSOA boundaries were given (`[briefs] boundaries` in the configuration)."
            else:
                chart = trim_margins(draw(graph, result, folder / f"{key}.png", Path(boundaries) if boundaries else None))
                written.append(chart)
        (folder / f"{key}.md").write_text(brief_markdown(result, chart, note))
        (folder / f"{key}.html").write_text(brief_html(result, chart, note))
        written += [folder / f"{key}.md", folder / f"{key}.html"]
    links = "".join(f'<li><a href="{html.escape(k)}.html">{html.escape(r.question)}</a>: {html.escape(r.headline)}</li>'
                    for k, r in results.items())
    (folder / "index.html").write_text(f"<!doctype html><meta charset='utf-8'><title>Briefs</title>"
                                       f"<style>{PAGE_STYLE}</style><h1>One-page briefs</h1><ul>{links}</ul>")
    written.append(folder / "index.html")
    return written


def trim_margins(path: Path, *, pad: int = 12) -> Path:
    """Cut the blank margins of a chart (a ward map leaves some below the borough), keeping ``pad`` pixels.

    Examples
    --------
    >>> import tempfile
    >>> from PIL import Image
    >>> file = Path(tempfile.mkdtemp()) / "c.png"
    >>> image = Image.new("RGB", (200, 200), "white"); image.paste((0, 0, 0), (50, 50, 60, 150)); image.save(file)
    >>> with Image.open(trim_margins(file, pad=5)) as trimmed:
    ...     trimmed.size
    (20, 110)
    """
    from PIL import Image, ImageChops

    with Image.open(path) as image:
        rgb = image.convert("RGB")
    box = ImageChops.difference(rgb, Image.new("RGB", rgb.size, "white")).getbbox()
    if box:
        left, top, right, bottom = box
        rgb.crop((max(left - pad, 0), max(top - pad, 0), min(right + pad, rgb.width),
                  min(bottom + pad, rgb.height))).save(path)
    return path


def _data_lines(result: AnswerResult) -> list[str]:
    lines = [f"Period covered: {result.period}." if result.period else "Period covered: not dated by the sources."]
    for row in result.sources.itertuples():
        dates = row.last_date if row.first_date == row.last_date else f"{row.first_date} to {row.last_date}"
        lines.append(f"{row.dataset} ({row.licence or 'licence not stated'}), "
                     f"{'as of ' + str(dates) if isinstance(row.last_date, str) else 'no date given'}, "
                     f"{row.facts:,} facts used.")
    return lines


def _coverage_lines(result: AnswerResult) -> list[str]:
    return [f"{row.what}: {row.known:,} of {row.total:,}"
            + (f" ({row.share:.0%})" if row.share is not None and not pd.isna(row.share) else "")
            + (f"; {row.note}" if row.note else "") for row in result.coverage.itertuples()]


def _not_said(result: AnswerResult, note: str) -> list[str]:
    lines = [f"The loaded data cannot answer this question. {result.missing}"] if result.missing else []
    return [*lines, *result.caveats, *([note] if note else [])]


def brief_markdown(result: AnswerResult, chart: Path | None = None, note: str = "") -> str:
    """The brief as Markdown.

    Examples
    --------
    >>> print(brief_markdown(AnswerResult("k", "Q?", pd.DataFrame({"n": [1]}), "One.")).splitlines()[0])
    # Q?
    """
    lines = [f"# {result.question}", "", f"**{result.headline}**", "", "## What this does not say", ""]
    lines += [f"- {line}" for line in _not_said(result, note)] or ["- Nothing beyond the coverage below."]
    lines += ["", "## The answer", ""]
    lines += [markdown_table(brief_table(result.table, columns=BRIEF_COLUMNS.get(result.key, ()))), "",
              f"{len(result.table):,} rows in all: `{result.key}.csv` in the answers folder."] if len(result.table) \
        else ["Nothing found in the data loaded."]
    if chart is not None:
        lines += ["", f"![{result.question}]({chart.name})"]
    lines += ["", "## Data and dates", "", *(f"- {line}" for line in _data_lines(result))]
    lines += ["", "## Coverage", "", *(f"- {line}" for line in _coverage_lines(result))]
    shown, others = _columns_explained(result)
    if shown:
        lines += ["", "## What the columns mean", "", *(f"- `{c}`: {t}" for c, t in shown.items())]
    if others:
        lines += ["", f"The CSV's other columns ({', '.join(f'`{c}`' for c in others)}) are explained in "
                      f"`{result.key}.notes.md`."]
    return "\n".join(lines) + "\n"


def _columns_explained(result: AnswerResult) -> tuple[dict[str, str], list[str]]:
    """The meanings of the columns the brief shows, and the names of the CSV's other explained columns."""
    shown = brief_table(result.table, rows=0, columns=BRIEF_COLUMNS.get(result.key, ())).columns
    return ({c: t for c, t in result.columns.items() if c in shown},
            [c for c in result.columns if c not in shown])


def brief_html(result: AnswerResult, chart: Path | None = None, note: str = "") -> str:
    """The brief as one printable HTML page (the chart embedded, so the file stands alone).

    Examples
    --------
    >>> "<h1>Q?</h1>" in brief_html(AnswerResult("k", "Q?", pd.DataFrame(), "None."))
    True
    """
    def items(lines: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"

    not_said = _not_said(result, note)
    parts = [f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{html.escape(result.question)}</title>",
             f"<style>{PAGE_STYLE}</style><body><h1>{html.escape(result.question)}</h1>",
             f"<p class='headline'>{html.escape(result.headline)}</p><h2>What this does not say</h2>",
             (f"<div class='missing'>{items(not_said)}</div>" if result.missing else items(not_said))
             if not_said else "<p>Nothing beyond the coverage below.</p>", "<h2>The answer</h2>"]
    if len(result.table):
        parts.append(brief_table(result.table, columns=BRIEF_COLUMNS.get(result.key, ())).to_html(
            index=False, escape=True, na_rep=""))
        parts.append(f"<p class='small'>{len(result.table):,} rows in all: {html.escape(result.key)}.csv in the "
                     "answers folder.</p>")
    else:
        parts.append("<p>Nothing found in the data loaded.</p>")
    if chart is not None:
        encoded = base64.b64encode(chart.read_bytes()).decode()
        parts.append(f"<img alt='{html.escape(result.question)}' src='data:image/png;base64,{encoded}'>")
    parts += ["<h2>Coverage</h2>", "<div class='small'>" + items(_coverage_lines(result)) + "</div>",
              "<h2>Data and dates</h2>",
              "<div class='small'>" + items(_data_lines(result)) + "</div>"]
    shown, others = _columns_explained(result)
    if shown:
        parts += ["<h2>What the columns mean</h2><dl class='small'>",
                  *(f"<dt><code>{html.escape(c)}</code></dt><dd>{html.escape(t)}</dd>" for c, t in shown.items()),
                  "</dl>"]
    if others:
        parts.append(f"<p class='small'>The CSV's other columns ({html.escape(', '.join(others))}) are explained in "
                     f"{html.escape(result.key)}.notes.md.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
