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
import pyarrow as pa
import pyarrow.compute as pc

from civicgraph.core.columns import arrow_text, present_mask
from civicgraph.core.identifiers import OFFICIAL_SCHEMES, schemes_of
from civicgraph.loaders.base import LoadResult
from civicgraph.ontology.vocabulary import vocabulary
from civicgraph.resolve.names import ALIAS_HINT, name_aliases, normalise_texts, web_domain, web_page

#: Kinds that are parts of a council rather than organisations a source could name differently.
NOT_MATCHED = frozenset({"Council", "Directorate", "Team"})
#: Relations from an organisation to a building whose postcode is the organisation's when it has none.
ADDRESS_RELATIONS = ("OCCUPIES", "LOCATED_IN")
#: The columns of a source's nodes that matching reads.
RECORD_COLUMNS = ("id", "kind", "name", "other_names", "postcode", "website", "prov_dataset")
ENTITY_COLUMNS = ["id", "kind", "label", "names", "postcode", "domain", "page", "official", "sources"]


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
    links = result.edges.loc[result.edges["relation"].isin(ADDRESS_RELATIONS).to_numpy(dtype=bool), ["source", "target"]]
    if links.empty:
        return pd.Series(dtype=object)
    # pyarrow's set lookup: pandas' isin on Arrow text is a hundred times slower
    targets = pc.is_in(arrow_text(result.nodes["id"]), value_set=pc.unique(arrow_text(links["target"])))
    nodes = result.nodes.loc[targets.to_numpy(zero_copy_only=False), ["id", "postcode"]]
    nodes = nodes[present_mask(nodes["postcode"])]
    postcodes = pd.Series(nodes["postcode"].astype(str).str.strip().to_numpy(), index=nodes["id"].astype(object))
    postcodes = postcodes[~postcodes.index.duplicated()]
    links = links[postcodes.index.get_indexer(links["target"].astype(object)) >= 0].drop_duplicates("source")
    return pd.Series(postcodes.reindex(links["target"].astype(object)).to_numpy(), index=links["source"].astype(object))


def _text(values: pd.Series) -> pa.Array:
    """Cells as stripped text in Arrow, null where blank, missing, a list or a dict."""
    if isinstance(values.dtype, pd.StringDtype | pd.CategoricalDtype):
        text = pc.utf8_trim_whitespace(arrow_text(values))
    else:
        cells = values.to_numpy(dtype=object)
        text = pa.array([str(v).strip() if m and not isinstance(v, (list, dict)) else None
                         for v, m in zip(cells, present_mask(values))], type=pa.large_string())
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)


def _records(number: int, result: LoadResult, kinds: frozenset[str]) -> tuple[pa.Table, pa.Table | None] | None:
    """One source's organisation records (order, id, kind, dataset, postcode, website) and names
    (order, id, name: the main name, then other names just after it)."""
    frame = result.nodes
    if frame.empty or not ({"name", "other_names"} & set(frame.columns)):
        return None
    matched = frame["kind"].astype(object).isin(kinds).to_numpy(dtype=bool)
    frame = frame.loc[matched, [c for c in RECORD_COLUMNS if c in frame]]  # only what is compared is copied
    if "other_names" not in frame:  # a record repeated (a funder on each of its grants) adds nothing
        frame = frame[~_repeats(frame[[c for c in ("id", "name", "postcode", "website", "prov_dataset") if c in frame]])]
    order = number * 10**12 + np.arange(len(frame), dtype=np.int64) * 10**4
    ids = _text(frame["id"])
    empty = pa.nulls(len(frame), pa.large_string())
    postcode = _text(frame["postcode"]) if "postcode" in frame else empty
    premises = _premises_postcodes(result)
    if len(premises):
        postcode = pc.coalesce(postcode, pa.array(premises.reindex(frame["id"].astype(object)).to_numpy(dtype=object),
                                                  type=pa.large_string(), from_pandas=True))
    records = pa.table({"order": order, "id": ids, "kind": _text(frame["kind"]), "dataset": _text(frame["prov_dataset"]),
                        "postcode": postcode, "website": _text(frame["website"]) if "website" in frame else empty})
    names = [pa.table({"order": order, "id": ids, "name": _text(frame["name"])})] if "name" in frame else []
    if names:
        names.append(_aliases(names[0]))
    if "other_names" in frame:
        lists = frame["other_names"].to_numpy(dtype=object)
        rows = np.flatnonzero([isinstance(v, list) for v in lists])
        counts = np.array([len(lists[i]) for i in rows], dtype=np.int64)
        within = np.concatenate([np.arange(1, n + 1) for n in counts]) if len(counts) else np.array([], dtype=np.int64)
        position = np.repeat(rows, counts)
        names.append(pa.table({"order": order[position] + within, "id": ids.take(pa.array(position)),
                               "name": _text(pd.Series([n for i in rows for n in lists[i]], dtype=object))}))
    return records, (pa.concat_tables(names) if names else None)


#: Where a name's aliases come in a record's names: after the other names a source gives.
ALIAS_ORDER = 9_000


def _aliases(names: pa.Table) -> pa.Table:
    """Other names written inside names ("The Key (formerly Keyfund)", "X t/a Y": see
    :func:`resolve.names.name_aliases`), as further names of the same records."""
    text = names["name"]
    hinted = pc.fill_null(pc.match_substring_regex(text, ALIAS_HINT), False)
    rows = np.flatnonzero(hinted.to_numpy(zero_copy_only=False))
    order, ids, found = [], [], []
    orders, identifiers = names["order"].to_numpy(), names["id"]
    for row, name in zip(rows.tolist(), text.take(pa.array(rows)).to_pylist()):
        for within, alias in enumerate(name_aliases(name)):
            order.append(orders[row] + ALIAS_ORDER + within)
            ids.append(row)
            found.append(alias)
    return pa.table({"order": pa.array(order, type=pa.int64()), "id": identifiers.take(pa.array(ids, type=pa.int64())),
                     "name": pa.array(found, type=pa.large_string())})


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
        ``names`` (tuple of normalised names, the main name first, then other names, then names
        written inside a name: "The Key (formerly Keyfund)" is also "the key" and "keyfund"); ``postcode`` and
        ``domain`` (first seen, or None); ``page`` (whether that web address is a page within its
        site, as a branch's page on its national body's site); ``official`` (whether the id is a register's: charity,
        company, council...); ``sources`` (datasets). Identifiers with no name are left out; rows are
        in the order the identifiers were first seen.

    Examples
    --------
    >>> from pathlib import Path
    >>> from civicgraph.loaders.base import RecordSink
    >>> sink = RecordSink("demo", Path("register.csv"))
    >>> prov = sink.provenance("row 2", "", "OGL-UK-3.0")
    >>> sink.node("GB-CHC-1", "Charity", prov, name="Age UK Hounslow", other_names=["AGE CONCERN HOUNSLOW"])
    >>> entity_records([sink.result()]).loc[0, "names"]
    ('age uk hounslow', 'age concern hounslow')
    """
    kinds = matchable_kinds()
    found = [part for number, result in enumerate(results) if (part := _records(number, result, kinds))]
    if not found:
        return pd.DataFrame(columns=ENTITY_COLUMNS)
    records = pa.concat_tables([r for r, _ in found])
    names = pa.concat_tables([n for _, n in found if n is not None]).sort_by("order").filter(
        pc.is_valid(pc.field("name")))
    distinct = pc.unique(names["name"])
    names = names.append_column("normalised", normalise_texts(distinct).take(
        pc.index_in(names["name"], value_set=distinct)))
    websites = pc.unique(records["website"].drop_null())
    domains = pa.array([web_domain(w) for w in websites.to_pylist()], type=pa.large_string())
    domain = domains.take(pc.index_in(records["website"], value_set=websites))
    pages = pa.array([web_page(w) for w in websites.to_pylist()], type=pa.bool_())
    page = pages.take(pc.index_in(records["website"], value_set=websites))
    # group by id, in the order ids were first seen: codes from dictionary encoding keep that order
    encoded = pc.dictionary_encode(records["id"].combine_chunks())
    ids, code = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    name_code = pc.index_in(names["id"], value_set=ids).to_numpy(zero_copy_only=False).astype(np.int64)
    usable = np.flatnonzero(pc.not_equal(names["normalised"], "").to_numpy(zero_copy_only=False))
    named = np.zeros(len(ids), dtype=bool)
    named[name_code[usable]] = True
    rows = np.flatnonzero(named)
    frame = pd.DataFrame({
        "id": ids.take(pa.array(rows)).to_pylist(),
        "kind": _first(code, records["kind"], rows), "label": _first(name_code, names["name"], rows),
        "names": _lists(name_code[usable], names["normalised"].take(pa.array(usable)), rows),
        "postcode": _first(code, records["postcode"], rows), "domain": _first(code, domain, rows),
        "page": [p is True for p in _first(code, pc.if_else(pc.is_valid(domain), page, None), rows)],
        "sources": _lists(code, records["dataset"], rows)}, dtype=object)
    frame["official"] = schemes_of(frame["id"]).isin(list(OFFICIAL_SCHEMES)).to_numpy(dtype=bool)
    return frame[ENTITY_COLUMNS]


def _first(groups: np.ndarray, values: pa.ChunkedArray | pa.Array, chosen: np.ndarray) -> list[object]:
    """The first value present (not null) of each chosen group, None where a group has none."""
    present = np.flatnonzero(values.is_valid().to_numpy(zero_copy_only=False))
    firsts = present[~pd.Series(groups[present]).duplicated().to_numpy()]
    row_of = np.full(int(groups.max(initial=-1)) + 1, -1, dtype=np.int64)
    row_of[groups[firsts]] = firsts
    rows = row_of[chosen]
    return values.take(pa.array(rows, mask=rows < 0)).to_pylist()


def _lists(groups: np.ndarray, values: pa.ChunkedArray | pa.Array, chosen: np.ndarray) -> list[tuple[object, ...]]:
    """Each chosen group's distinct values, as a tuple in the order they came."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    value_code = pc.dictionary_encode(values).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    first = ~pd.Series(groups * (int(value_code.max(initial=0)) + 1) + value_code).duplicated().to_numpy()
    rows = np.flatnonzero(first)
    rows = rows[np.argsort(groups[rows], kind="stable")]
    texts, keys = values.take(pa.array(rows)).to_pylist(), groups[rows]
    starts = np.searchsorted(keys, chosen, side="left")
    ends = np.searchsorted(keys, chosen, side="right")
    return [tuple(texts[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]


def _repeats(frame: pd.DataFrame) -> np.ndarray:
    """Rows equal to an earlier row in every column."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        codes, distinct = pd.factorize(frame[column], use_na_sentinel=False)
        combined = pd.factorize(combined * (len(distinct) + 1) + codes)[0]
    return pd.Series(combined).duplicated().to_numpy()
