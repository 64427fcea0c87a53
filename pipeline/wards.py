"""Which ward set a build uses: the wards of the LSOA lookup (by default; 2017 wards for Hounslow)
or the current ward codes a postcode directory gives (OS Code-Point Open's ``Admin_ward_code``,
NSPL's ``osward``), chosen by ``[geography] wards`` in the configuration.

With the postcode directory's wards, each postcode is placed in its own ward, and each LSOA is
made part of the ward holding most of its postcodes (LSOAs do not nest in current wards: the
LSOA's deprivation score then counts towards that ward). No directory gives the current wards'
names, so their nodes have codes only.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from civicgraph.core.errors import ConfigError
from civicgraph.loaders.base import LoadResult, RecordSink
from civicgraph.loaders.place_index import PlaceIndex

__all__ = ["POSTCODE_WARDS_SOURCE", "WARD_SETS", "use_postcode_wards"]

#: The values of ``[geography] wards``: the LSOA lookup's wards, or the postcode directory's.
WARD_SETS = ("lookup", "postcodes")
#: How answers name the postcode directory's wards.
POSTCODE_WARDS_SOURCE = "the postcode directory's ward codes (OS Code-Point Open); LSOAs in the ward of most of their postcodes"
LICENCE = "OGL-UK-3.0"


def use_postcode_wards(results: list[LoadResult], authority_gss: str, *, date: str = "") -> list[LoadResult]:
    """The geography results with the LSOA lookup's wards replaced by the postcode directory's.

    Parameters
    ----------
    results : list of LoadResult
        The build's geography results (an LSOA lookup and postcode directories); not changed.
    authority_gss : str
        GSS code of the authority whose wards are made.
    date : str
        ISO date of the postcode directory that gives the ward codes.

    Returns
    -------
    list of LoadResult
        The same results: the lookup's without its ward nodes and their ``PART_OF`` edges; the
        first directory with ward codes with the authority's wards (code only), ``PART_OF`` edges
        from each LSOA to the ward of most of its postcodes and from each ward to the authority,
        and a ``postcode_ward`` lookup placing each postcode in its own ward.

    Raises
    ------
    ConfigError
        When no postcode directory of the build gives ward codes for the authority's postcodes.

    Examples
    --------
    >>> from pathlib import Path
    >>> from civicgraph.loaders.base import LoadResult
    >>> empty = pd.DataFrame(columns=["id", "kind"])
    >>> lookup = LoadResult("ons-lookup", Path("lookup.csv"), pd.DataFrame(
    ...     {"id": ["L1@2011", "W@2017", "A@2009"], "kind": ["LSOA", "Ward", "LocalAuthorityArea"]}),
    ...     pd.DataFrame({"source": ["L1@2011", "W@2017"], "target": ["W@2017", "A@2009"],
    ...                   "relation": ["PART_OF", "PART_OF"]}), pd.DataFrame())
    >>> areas = pd.DataFrame({"postcode": ["TW3 1AA", "TW3 1AB", "TW3 1AD"], "district": ["A"] * 3,
    ...                       "ward": ["N1@2025", "N1@2025", "N2@2025"]})
    >>> codepoint = LoadResult("ons-postcodes", Path("codepo.csv"), empty, pd.DataFrame(), pd.DataFrame(),
    ...                        lookups={"postcode_area": areas, "postcode_lsoa": pd.DataFrame(
    ...                            {"postcode": ["TW3 1AA", "TW3 1AB", "TW3 1AD"], "place": ["L1@2011"] * 3})})
    >>> changed = use_postcode_wards([lookup, codepoint], "A")
    >>> changed[0].nodes["id"].tolist()
    ['L1@2011', 'A@2009']
    >>> changed[1].edges[["source", "target"]].values.tolist()
    [['L1@2011', 'N1@2025'], ['N1@2025', 'A@2009'], ['N2@2025', 'A@2009']]
    >>> PlaceIndex.from_results(changed).ward_of_postcode("TW3 1AD")
    'N2@2025'
    """
    places = PlaceIndex.from_results(results)
    with_wards = [i for i, r in enumerate(results) if r.lookups.get("postcode_area") is not None
                  and r.lookups["postcode_area"]["ward"].notna().any()]
    # each ward code with its own directory's district: another directory may put the postcode elsewhere
    areas = pd.concat([results[i].lookups["postcode_area"] for i in with_wards]).drop_duplicates("postcode") \
        if with_wards else pd.DataFrame(columns=["postcode", "district", "ward"])
    local = areas[(areas["district"] == authority_gss).to_numpy(dtype=bool) & areas["ward"].notna().to_numpy()]
    local = local.set_index("postcode")
    if local.empty:
        raise ConfigError(f"[geography] wards = 'postcodes': no postcode directory of the build gives ward codes for "
                          f"{authority_gss}'s postcodes (OS Code-Point Open's Admin_ward_code, NSPL's osward); "
                          f"use wards = 'lookup' or add one")
    authority = places.place_of_code(authority_gss)
    postcode_ward = pd.DataFrame({"postcode": local.index.to_numpy(dtype=object),
                                  "place": local["ward"].astype(str).to_numpy(dtype=object)})
    pairs = postcode_ward.assign(lsoa=postcode_ward["postcode"].map(places.postcode_lsoa)).dropna()
    pairs = pairs[pairs["lsoa"].isin(set(places.lsoa_ward))]
    counts = pairs.groupby(["lsoa", "place"]).size().rename("postcodes").reset_index()
    counts["of"] = counts.groupby("lsoa")["postcodes"].transform("sum")
    best = counts.sort_values(["lsoa", "postcodes", "place"], ascending=[True, False, True]).drop_duplicates("lsoa")
    wards = sorted(set(postcode_ward["place"]))
    sink = RecordSink(results[with_wards[0]].loader, results[with_wards[0]].path)
    sink.nodes(wards, "Ward", records=[f"ward code {w.split('@')[0]}" for w in wards], dates=date, licence=LICENCE,
               gss_code=[w.split("@")[0] for w in wards])
    sink.edges(best["lsoa"].tolist(), best["place"].tolist(), "PART_OF", dates=date, licence=LICENCE,
               records=[f"{n} of the LSOA's {m} postcodes are in the ward" for n, m in zip(best["postcodes"], best["of"])])
    if authority:
        sink.edges(wards, [authority] * len(wards), "PART_OF", records=[f"ward code {w.split('@')[0]}" for w in wards],
                   dates=date, licence=LICENCE)
    made = sink.result()
    changed = list(results)
    for i, result in enumerate(results):
        if result.loader == "ons-lookup":
            old = set(result.nodes.loc[(result.nodes["kind"] == "Ward").to_numpy(dtype=bool), "id"])
            edges = result.edges
            keep = ~(edges["source"].isin(old) | edges["target"].isin(old)).to_numpy(dtype=bool) if len(edges) else []
            changed[i] = replace(result, nodes=result.nodes[~result.nodes["id"].isin(old).to_numpy(dtype=bool)],
                                 edges=edges[keep] if len(edges) else edges)
    first = results[with_wards[0]]
    changed[with_wards[0]] = replace(first, nodes=pd.concat([first.nodes, made.nodes], ignore_index=True),
                                     edges=pd.concat([first.edges, made.edges], ignore_index=True),
                                     lookups={**first.lookups, "postcode_ward": postcode_ward})
    return changed
