"""The organisations the loaders found, one row per identifier, with what matching compares.

Every source that names an organisation contributes: registers (with their previous and working
names), grant recipients, directory entries, suppliers, the workbook. Records of one identifier are
pooled, so a charity's register names and its grant-file name are all tried against a directory
entry.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from graph.assemble import present_mask
from graph.identifiers import OFFICIAL_SCHEMES, schemes_of
from loaders.base import LoadResult
from ontology.vocabulary import vocabulary
from resolve.names import normalise_names, web_domain

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


def _premises_postcodes(result: LoadResult) -> pd.Series:
    """Postcode of the building each organisation of a source occupies (a directory's locations), by id."""
    if "postcode" not in result.nodes or result.edges.empty:
        return pd.Series(dtype=object)
    nodes = result.nodes[present_mask(result.nodes["postcode"])]
    postcodes = pd.Series(nodes["postcode"].astype(str).str.strip().to_numpy(), index=nodes["id"].astype(object))
    postcodes = postcodes[~postcodes.index.duplicated()]
    links = result.edges[result.edges["relation"].astype(object).isin(ADDRESS_RELATIONS).to_numpy(dtype=bool)]
    links = links[postcodes.index.get_indexer(links["target"].astype(object)) >= 0].drop_duplicates("source")
    return pd.Series(postcodes.reindex(links["target"].astype(object)).to_numpy(), index=links["source"].astype(object))


def _texts(values: pd.Series) -> pd.Series:
    """Cells as stripped text, missing where blank, missing, a list or a dict."""
    if isinstance(values.dtype, pd.StringDtype):
        text = values.str.strip()
        return text.where(text.ne("")).astype(object)
    cells = values.to_numpy(dtype=object)
    text = [str(v).strip() if m and not isinstance(v, (list, dict)) else None for v, m in zip(cells, present_mask(values))]
    return pd.Series(text, index=values.index, dtype=object)


def _first_in_order(keys: np.ndarray, values: pd.Series) -> pd.Series:
    """The first present value per key, keys taken in the order given."""
    frame = pd.DataFrame({"key": keys, "value": values.to_numpy(dtype=object)})
    return frame.dropna(subset=["value"]).drop_duplicates("key").set_index("key")["value"]


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
        ``names`` (tuple of normalised names, the main name first, then other names); ``postcode`` and
        ``domain`` (first seen, or None); ``official`` (whether the id is a register's: charity,
        company, council...); ``sources`` (datasets). Identifiers with no name are left out; rows are
        in the order the identifiers were first seen.

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
    records, names = [], []
    for number, result in enumerate(results):
        frame = result.nodes
        if frame.empty or not ({"name", "other_names"} & set(frame.columns)):
            continue
        frame = frame[frame["kind"].astype(object).isin(kinds).to_numpy(dtype=bool)]
        if "other_names" not in frame:  # a record repeated (a funder on each of its grants) adds nothing
            same = [c for c in ("id", "name", "postcode", "website", "prov_dataset") if c in frame]
            frame = frame[~_repeats(frame[same])]
        order = number * 10**12 + np.arange(len(frame), dtype=np.int64) * 10**4
        ids = frame["id"].astype(object).to_numpy()
        postcode = _texts(frame["postcode"]) if "postcode" in frame else pd.Series(None, index=frame.index, dtype=object)
        premises = _premises_postcodes(result)
        postcode = postcode.fillna(pd.Series(premises.reindex(ids).to_numpy(), index=frame.index))
        website = _texts(frame["website"]) if "website" in frame else pd.Series(None, index=frame.index, dtype=object)
        records.append(pd.DataFrame({"order": order, "id": ids, "kind": frame["kind"].astype(object).to_numpy(),
                                     "dataset": frame["prov_dataset"].astype(object).to_numpy(),
                                     "postcode": postcode.to_numpy(dtype=object), "website": website.to_numpy(dtype=object)}))
        if "name" in frame:
            names.append(pd.DataFrame({"order": order, "id": ids, "name": _texts(frame["name"]).to_numpy(dtype=object)}))
        if "other_names" in frame:
            other = frame["other_names"].map(lambda v: v if isinstance(v, list) else None, na_action="ignore").dropna()
            exploded = other.explode()
            within = exploded.groupby(level=0).cumcount().to_numpy() + 1
            position = frame.index.get_indexer(exploded.index)
            names.append(pd.DataFrame({"order": order[position] + within, "id": ids[position],
                                       "name": _texts(exploded).to_numpy(dtype=object)}))
    if not records:
        return pd.DataFrame(columns=ENTITY_COLUMNS)
    records = pd.concat(records, ignore_index=True)
    named = pd.concat(names, ignore_index=True).sort_values("order", kind="stable").dropna(subset=["name"])
    codes, distinct = pd.factorize(named["name"].to_numpy(dtype=object))
    named["normalised"] = normalise_names(pd.Series(distinct, dtype=object)).to_numpy(dtype=object)[codes]
    entities = records.drop_duplicates("id")[["id", "kind"]].set_index("id")
    entities = entities[entities.index.isin(named.loc[named["normalised"] != "", "id"])]
    entities["label"] = _first_in_order(named["id"].to_numpy(), named["name"])
    variants = named[named["normalised"] != ""].drop_duplicates(["id", "normalised"])
    entities["names"] = _grouped_tuples(variants["id"].to_numpy(), variants["normalised"].to_numpy())
    entities["postcode"] = _first_in_order(records["id"].to_numpy(), records["postcode"])
    domains = records["website"].dropna()
    domains = pd.Series([web_domain(w) for w in domains], index=domains.index, dtype=object)
    entities["domain"] = _first_in_order(records.loc[domains.index, "id"].to_numpy(), domains)
    datasets = records.drop_duplicates(["id", "dataset"])
    entities["sources"] = _grouped_tuples(datasets["id"].to_numpy(), datasets["dataset"].to_numpy())
    entities = entities.reset_index()
    entities["official"] = schemes_of(entities["id"]).isin(list(OFFICIAL_SCHEMES)).to_numpy(dtype=bool)
    entities = entities.astype({"postcode": object, "domain": object}).where(entities.notna(), None)
    return entities[ENTITY_COLUMNS]


def _grouped_tuples(keys: np.ndarray, values: np.ndarray) -> pd.Series:
    """The values of each key as a tuple, in the order given (keys need not be together)."""
    codes, distinct = pd.factorize(keys)
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], values[order].tolist()
    starts = np.r_[0, np.flatnonzero(codes[1:] != codes[:-1]) + 1] if len(codes) else np.array([], dtype=np.int64)
    ends = np.r_[starts[1:], len(codes)]
    return pd.Series([tuple(values[a:b]) for a, b in zip(starts.tolist(), ends.tolist())],
                     index=np.asarray(distinct, dtype=object)[codes[starts]], dtype=object)


def _repeats(frame: pd.DataFrame) -> np.ndarray:
    """Rows equal to an earlier row in every column."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        codes, distinct = pd.factorize(frame[column], use_na_sentinel=False)
        combined = pd.factorize(combined * (len(distinct) + 1) + codes)[0]
    return pd.Series(combined).duplicated().to_numpy()
