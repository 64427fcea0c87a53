"""The organisations the loaders found, one row per identifier, with what matching compares.

Every source that names an organisation contributes: registers (with their previous and working
names), grant recipients, directory entries, suppliers, the workbook. Records of one identifier are
pooled, so a charity's register names and its grant-file name are all tried against a directory
entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from graph.identifiers import OFFICIAL_SCHEMES, scheme_of
from loaders.base import LoadResult, is_missing
from ontology.vocabulary import vocabulary
from resolve.names import normalise_name, web_domain

#: Kinds that are parts of a council rather than organisations a source could name differently.
NOT_MATCHED = frozenset({"Council", "Directorate", "Team"})
#: Relations from an organisation to a building whose postcode is the organisation's when it has none.
ADDRESS_RELATIONS = ("OCCUPIES", "LOCATED_IN")
ENTITY_COLUMNS = ["id", "kind", "label", "names", "postcode", "domain", "official", "sources"]


def matchable_kinds() -> frozenset[str]:
    """Kinds of node that entity resolution considers: organisations, except a council's own parts.

    Examples
    --------
    >>> "Charity" in matchable_kinds(), "Team" in matchable_kinds()
    (True, False)
    """
    return frozenset(vocabulary().kinds_under("Organisation")) - NOT_MATCHED


def _text(value: Any) -> str | None:
    return None if isinstance(value, (list, dict)) or is_missing(value) else str(value).strip()


def _premises_postcodes(result: LoadResult) -> dict[str, str]:
    """Postcode of the building each organisation of a source occupies (a directory's locations)."""
    if "postcode" not in result.nodes or result.edges.empty:
        return {}
    postcodes = result.nodes.dropna(subset=["postcode"]).set_index("id")["postcode"]
    postcodes = postcodes[~postcodes.index.duplicated()]
    links = result.edges[result.edges["relation"].isin(ADDRESS_RELATIONS)]
    links = links[links["target"].isin(postcodes.index)].drop_duplicates("source")
    return dict(zip(links["source"], links["target"].map(postcodes)))


def entity_records(results: Iterable[LoadResult]) -> pd.DataFrame:
    """One row per organisation identifier with its names, postcode, web domain and sources.

    Parameters
    ----------
    results : iterable of LoadResult
        What the loaders returned.

    Returns
    -------
    DataFrame
        ``id``; ``kind`` (the first source's); ``label`` (the first name as a source wrote it);
        ``names`` (tuple of normalised names, the main name first, then other names); ``postcode`` and ``domain`` (first seen, or None); ``official``
        (whether the id is a register's: charity, company, council...); ``sources`` (datasets).

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.base import RecordSink
    >>> sink = RecordSink("demo", Path("register.csv"))
    >>> prov = sink.provenance("row 2", "", "OGL-UK-3.0")
    >>> sink.node("GB-CHC-1", "Charity", prov, name="Age UK Hounslow", other_names=["AGE CONCERN HOUNSLOW"])
    >>> entity_records([sink.result()]).loc[0, "names"]
    ('age uk hounslow', 'age concern hounslow')
    """
    kinds = matchable_kinds()
    pooled: dict[str, dict[str, Any]] = {}
    for result in results:
        frame = result.nodes
        if frame.empty or not ({"name", "other_names"} & set(frame.columns)):
            continue
        premises = _premises_postcodes(result)
        frame = frame[frame["kind"].isin(kinds)]
        for record in frame.to_dict("records"):
            entry = pooled.setdefault(record["id"], {
                "id": record["id"], "kind": record["kind"], "label": None, "names": [], "postcode": None,
                "domain": None, "sources": []})
            other_names = record.get("other_names")
            given = [_text(record.get("name"))] + [_text(n) for n in
                                                   (other_names if isinstance(other_names, list) else [])]
            entry["label"] = entry["label"] or next((name for name in given if name), None)
            for name in given:
                normalised = normalise_name(name) if name else ""
                if normalised and normalised not in entry["names"]:
                    entry["names"].append(normalised)
            entry["postcode"] = entry["postcode"] or _text(record.get("postcode")) or premises.get(record["id"])
            entry["domain"] = entry["domain"] or web_domain(_text(record.get("website")))
            dataset = record["prov_dataset"]
            if dataset not in entry["sources"]:
                entry["sources"].append(dataset)
    rows = [dict(e, names=tuple(e["names"]), sources=tuple(e["sources"]),
                 official=scheme_of(e["id"]) in OFFICIAL_SCHEMES)
            for e in pooled.values() if e["names"]]
    return pd.DataFrame(rows, columns=ENTITY_COLUMNS)
