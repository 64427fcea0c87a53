"""Residents of each LSOA and ward, where no source gives them: the authority's population shared by
census output areas.

No LSOA or ward population file is bundled. The local authority register
(:func:`pipeline.authorities.authority_table`, mySociety, column ``pop-2020``: the ONS mid-2020
estimate) gives the authority's population, and a postcode lookup with an output-area column (ONS
``PCD_OA_LSOA_MSOA_LAD``, NSPL) gives how many census output areas each LSOA holds. Output areas are
built to similar sizes (ONS aims at about 125 households each), so an LSOA's share of the
authority's output areas is a fair share of its residents; a ward's is the sum of its LSOAs'. It is
an estimate and says so: each place's ``population_basis`` gives the method and numbers, its
provenance the sources. A population a source gives is never replaced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civicgraph.core.columns import present_mask
from civicgraph.graph.frames import GraphFrames
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.pipeline._annotate import annotate_nodes
from civicgraph.pipeline.authorities import authority_table

#: Provenance of the estimate: the dataset name the answers list among their sources.
ESTIMATE_DATASET = "population-estimate"
ESTIMATE_LICENCE = "CC-BY-4.0"
#: The register's population column is the ONS mid-year estimate of this date.
ESTIMATE_DATE = "2020-06-30"


def share_by_output_areas(output_areas: pd.Series, population: float) -> pd.Series:
    """Each area's share of ``population`` by its number of output areas, in whole residents.

    Parameters
    ----------
    output_areas : Series of int
        Output areas in each LSOA (index: the LSOA).
    population : float
        The residents of all of them together.

    Returns
    -------
    Series of int
        Residents of each LSOA; they add up to ``population`` (largest remainders round up).

    Examples
    --------
    >>> share_by_output_areas(pd.Series({"a": 1, "b": 2}), 1000).tolist()
    [333, 667]
    """
    exact = output_areas.astype(float) / float(output_areas.sum()) * population
    whole = np.floor(exact).astype(int)
    short = int(round(population)) - int(whole.sum())
    if short > 0:  # largest remainders first, so the LSOAs add up to the authority
        whole.iloc[np.argsort(-(exact - whole).to_numpy(), kind="stable")[:short]] += 1
    return whole


def estimate_population(frames: GraphFrames, places: PlaceIndex, authority_gss: str) -> GraphFrames:
    """Set ``population`` and ``population_basis`` on the authority's LSOAs and wards where no
    source gives them, from the authority's 2020 population shared by output areas.

    Parameters
    ----------
    frames : GraphFrames
        The graph's tables; not changed.
    places : PlaceIndex
        With ``lsoa_output_areas`` (a postcode lookup with an output-area column) and ``lsoa_ward``.
    authority_gss : str
        GSS code of the authority, looked up in the local authority register.

    Returns
    -------
    GraphFrames
        With the estimates set, each with a provenance entry of :data:`ESTIMATE_DATASET`. Unchanged
        when the register has no population for the authority or no output areas are known. A ward
        gets an estimate only when every one of its LSOAs has an output-area count.

    Examples
    --------
    >>> import networkx as nx
    >>> from civicgraph.graph.frames import frames_to_graph, graph_to_frames
    >>> g = nx.MultiDiGraph()
    >>> for node, kind in (("L1", "LSOA"), ("L2", "LSOA"), ("W", "Ward")):
    ...     g.add_node(node, kind=kind, provenance=[], field_provenance={}, conflicts=[])
    >>> places = PlaceIndex(lsoa_ward={"L1": "W", "L2": "W"}, lsoa_output_areas={"L1": 1, "L2": 3})
    >>> g = frames_to_graph(estimate_population(graph_to_frames(g), places, "E09000018"))
    >>> g.nodes["L1"]["population"], g.nodes["W"]["population"]
    (67942, 271767)
    >>> g.nodes["L1"]["population_basis"]
    "estimate: Hounslow's 2020 population (271,767) x 1 of its 4 output areas"
    """
    nodes = frames.nodes
    counts = pd.Series(places.lsoa_output_areas, dtype="int64")
    table = authority_table().set_index("gss_code")
    if counts.empty or nodes.empty or authority_gss not in table.index:
        return frames
    total, authority = table.at[authority_gss, "population"], table.at[authority_gss, "name"]
    if pd.isna(total):
        return frames
    residents = share_by_output_areas(counts, float(total))
    whole = f"{authority}'s 2020 population ({int(total):,})"
    wards = pd.Series(places.lsoa_ward, dtype=object)
    by_ward = pd.DataFrame({"ward": wards, "known": wards.index.isin(counts.index)}, index=wards.index)
    by_ward["residents"] = residents.reindex(by_ward.index)
    by_ward["output_areas"] = counts.reindex(by_ward.index)
    ward_totals = by_ward.groupby("ward").agg(known=("known", "all"), residents=("residents", "sum"),
                                              output_areas=("output_areas", "sum"), lsoas=("known", "size"))
    ward_totals = ward_totals[ward_totals["known"]]
    estimates = {lsoa: (int(residents[lsoa]), f"estimate: {whole} x {int(counts[lsoa])} of its {int(counts.sum()):,} "
                                              "output areas") for lsoa in counts.index}
    estimates |= {ward: (int(row.residents), f"estimate: {whole} x {int(row.output_areas)} of its "
                                             f"{int(counts.sum()):,} output areas ({int(row.lsoas)} LSOAs)")
                  for ward, row in ward_totals.iterrows()}
    given = present_mask(nodes["population"]) if "population" in nodes else pd.Series(False, index=nodes.index)
    ids = nodes["id"].astype(object)
    rows = np.flatnonzero((ids.isin(list(estimates)) & ~given).to_numpy(dtype=bool))
    if not len(rows):
        return frames
    chosen = [estimates[i] for i in ids.iloc[rows]]
    return annotate_nodes(frames, rows, {"population": [p for p, _ in chosen], "population_basis": [b for _, b in chosen]},
                          dataset=ESTIMATE_DATASET, licence=ESTIMATE_LICENCE, date=ESTIMATE_DATE,
                          records=[f"{authority} pop-2020 (local authority register) shared by output areas "
                                   "(postcode lookup)"] * len(rows))
