"""What kind of body each organisation is, with the evidence: a table of rules a borough can extend.

The rules (``pipeline/reference/organisation_classes.csv``, documented in the README beside it)
are tried in order and the first that matches gives the class: the node's ``kind`` as a source gave
it, its identifiers (Org-ID schemes such as ``GB-EDU`` and ``GB-NHS``), its name, the descriptions
of the services it delivers, the reach the workbook gives (``scale``) and the national body it is a
member of. A class given by a source (the workshop workbook's ``classification`` column) is kept
and no rule is tried. Each organisation gets ``org_class``, ``org_class_evidence`` (which rule, on
what value), ``community_group`` (whether it can be a below-the-radar group) and, for a branch,
``parent_body``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from civicgraph.core.columns import present_mask
from civicgraph.core.errors import SourceFormatError
from civicgraph.graph.frames import GraphFrames
from civicgraph.ontology.vocabulary import vocabulary
from civicgraph.pipeline._annotate import annotate_nodes

__all__ = ["CLASS_RULES_FILE", "ClassRule", "classify_organisations", "read_class_rules"]

#: The default rules.
CLASS_RULES_FILE = Path(__file__).with_name("reference") / "organisation_classes.csv"
#: What a rule can look at.
RULE_FIELDS = ("kind", "id", "name", "name_if_unregistered", "description", "scale", "member_of", "members", "any")
RULE_COLUMNS = ("rule", "class", "community_group", "field", "pattern")
#: Optional columns: the parent body a branch rule names (when its pattern has no ``parent`` group).
OPTIONAL_COLUMNS = ("parent",)
DATASET = "organisation-classes"  # one of civicgraph.core.provenance.DERIVED_DATASETS
#: Org-ID schemes of charity registers (``name_if_unregistered`` is empty for their charities).
CHARITY_PREFIXES = ("GB-CHC-", "GB-SC-", "GB-NIC-")


@dataclass(frozen=True)
class ClassRule:
    """One row of a rules table: if ``field`` matches ``pattern`` (a case-insensitive regular
    expression), the organisation is of class ``name``."""

    rule: str
    name: str
    community_group: bool
    field: str
    pattern: re.Pattern[str]
    source: str
    parent: str = ""


def read_class_rules(*paths: str | Path) -> list[ClassRule]:
    """Read rules tables, in order (a borough's own rules first, then the defaults).

    Raises
    ------
    SourceFormatError
        Naming the file, row and field of a rule that cannot be used.

    Examples
    --------
    >>> rules = read_class_rules(CLASS_RULES_FILE)
    >>> rules[-1].name, rules[-1].community_group
    ('community group', True)
    """
    rules: list[ClassRule] = []
    for path in map(Path, paths or (CLASS_RULES_FILE,)):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in RULE_COLUMNS if c not in table.columns]
        if missing:
            raise SourceFormatError(f"{path.name} row 1 (header): missing column(s) {', '.join(missing)}; "
                                    f"expected {', '.join(RULE_COLUMNS)}")
        for number, row in enumerate(table.to_dict("records"), start=2):
            if row["field"] not in RULE_FIELDS:
                raise SourceFormatError(f"{path.name} row {number}, field field: {row['field']!r} is not supported. "
                                        f"Use one of: {', '.join(RULE_FIELDS)}")
            if row["community_group"] not in ("yes", "no"):
                raise SourceFormatError(f"{path.name} row {number}, field community_group: "
                                        f"{row['community_group']!r}; expected yes or no")
            try:
                pattern = re.compile(row["pattern"], re.IGNORECASE)
            except re.error as error:
                raise SourceFormatError(f"{path.name} row {number}, field pattern: {row['pattern']!r} is not a "
                                        f"regular expression ({error})") from None
            rules.append(ClassRule(row["rule"], row["class"], row["community_group"] == "yes", row["field"],
                                   pattern, path.name, row.get("parent", "").strip()))
    return rules


def classify_organisations(frames: GraphFrames, rules: list[ClassRule] | None = None) -> GraphFrames:
    """Give every organisation its class, the evidence, whether it is a community group and, for
    a branch, its parent body.

    Parameters
    ----------
    frames : GraphFrames
        The graph's tables; not changed.
    rules : list of ClassRule, optional
        From :func:`read_class_rules`; by default the bundled table.

    Returns
    -------
    GraphFrames
        With ``org_class``, ``org_class_evidence``, ``community_group`` and ``parent_body`` set on
        organisations; a class a source gave is kept (its evidence names that source).

    Examples
    --------
    >>> import networkx as nx
    >>> from civicgraph.graph.frames import frames_to_graph, graph_to_frames
    >>> g = nx.MultiDiGraph()
    >>> for node, name in [("a", "Bedfont Library"), ("b", "Lunch club")]:
    ...     g.add_node(node, kind="Organisation", name=name, provenance=[], field_provenance={}, conflicts=[])
    >>> out = frames_to_graph(classify_organisations(graph_to_frames(g)))
    >>> out.nodes["a"]["org_class"], out.nodes["a"]["community_group"], out.nodes["b"]["org_class"]
    ('statutory: library', False, 'community group')
    >>> out.nodes["a"]["org_class_evidence"]
    "name 'Bedfont Library' matches rule name-library (organisation_classes.csv)"
    """
    rules = rules if rules is not None else read_class_rules()
    nodes = frames.nodes
    kinds = nodes["kind"].astype(str)
    vocab = vocabulary()
    is_org = kinds.map({k: vocab.is_a(k, "Organisation") for k in kinds.unique()}).astype(bool).to_numpy()
    given = present_mask(nodes["org_class"]) if "org_class" in nodes else np.zeros(len(nodes), dtype=bool)
    rows = np.flatnonzero(is_org)
    n = len(rows)
    chosen = np.full(n, -1, dtype=np.int64)  # the rule of each organisation, -1 while none has matched
    matched_value = np.full(n, "", dtype=object)
    texts = _texts(frames, rows)
    for number, rule in enumerate(rules):  # a rule at a time over every organisation still unclassified
        open_rows = np.flatnonzero((chosen < 0) & ~given[rows])
        if not len(open_rows):
            break
        if rule.field == "any":
            chosen[open_rows] = number
            continue
        values = texts[rule.field]
        values = values[np.isin(values["pos"].to_numpy(), open_rows)]
        hits = values[_matches(rule.pattern, values["value"])]
        hits = hits.drop_duplicates("pos")  # an organisation's first value that matches
        chosen[hits["pos"].to_numpy()] = number
        matched_value[hits["pos"].to_numpy()] = hits["value"].to_numpy(dtype=object)
    if ((chosen < 0) & ~given[rows]).any():
        raise SourceFormatError("the classification rules end without a catch-all rule (field any, pattern .)")
    known = {r.name: r.community_group for r in rules}
    by_source = given[rows]
    rule_of = np.where(by_source, 0, chosen)
    name = np.array([r.name for r in rules], dtype=object)[rule_of]
    group = np.array([r.community_group for r in rules], dtype=object)[rule_of]
    evidence = np.empty(n, dtype=object)
    parent = np.full(n, None, dtype=object)
    for number, rule in enumerate(rules):  # the evidence and parent body, a rule at a time
        at = np.flatnonzero((rule_of == number) & ~by_source)
        if rule.field == "any":
            evidence[at] = f"{rule.rule}: no other rule matched ({rule.source})"
            continue
        evidence[at] = [f"{rule.field} {_snippet(v, rule.pattern)!r} matches rule {rule.rule} ({rule.source})"
                        for v in matched_value[at]]
        if rule.field == "member_of" or "parent" in rule.pattern.groupindex or rule.parent:
            parent[at] = [_parent(rule, v) for v in matched_value[at]]
    name[by_source] = None
    evidence[by_source] = "given by a source (see field provenance)"
    group[by_source] = [known.get(c) for c in nodes["org_class"].to_numpy(dtype=object)[rows[by_source]]] \
        if by_source.any() else []
    records = np.where(by_source, "class given by a source",
                       np.array([f"rule {r.rule}" for r in rules], dtype=object)[rule_of]).tolist()
    return annotate_nodes(frames, rows, {"org_class": name, "org_class_evidence": evidence, "community_group": group,
                                         "parent_body": parent}, dataset=DATASET, records=records, licence="CC0-1.0")


def _matches(pattern: re.Pattern[str], values: pd.Series) -> np.ndarray:
    """Which values the pattern matches: by Arrow's RE2 engine where the pattern is in its syntax,
    else (look-arounds, back-references) each distinct value once by Python's."""
    if not len(values):
        return np.zeros(0, dtype=bool)
    try:
        found = pc.match_substring_regex(pa.array(values.to_numpy(dtype=object), type=pa.large_string()),
                                         pattern=pattern.pattern, ignore_case=True)
        return found.to_numpy(zero_copy_only=False).astype(bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        codes, distinct = pd.factorize(values.to_numpy(dtype=object), sort=False)
        hits = np.fromiter((pattern.search(v) is not None for v in distinct), dtype=bool, count=len(distinct))
        return hits[codes]


def _parent(rule: ClassRule, value: str) -> str | None:
    """The parent body a branch rule names: its ``parent`` column, its pattern's ``parent`` group,
    or the body it is a member of."""
    if rule.parent:
        return rule.parent
    if rule.field == "member_of":
        return value
    match = rule.pattern.search(value) if value else None
    found = match.groupdict().get("parent") if match else None
    return found.strip(" .,;:[]()") or None if found else None


def _snippet(value: str, pattern: re.Pattern[str], width: int = 60) -> str:
    """The value, or the part of a long one around the match."""
    if len(value) <= width:
        return value
    match = pattern.search(value)
    start = max(0, match.start() - width // 2) if match else 0
    return ("..." if start else "") + value[start:start + width] + "..."


def _texts(frames: GraphFrames, rows: np.ndarray) -> dict[str, pd.DataFrame]:
    """Per rule field, the values of the organisations at ``rows`` as a long table: ``pos`` (the
    organisation's position in ``rows``) and ``value``, an organisation's values in order."""
    nodes, edges = frames.nodes, frames.edges
    ids = nodes["id"].astype(object).iloc[rows].reset_index(drop=True)
    pos = pd.Series(np.arange(len(rows)), index=pd.Index(ids))

    def column(name: str) -> pd.DataFrame:
        if name not in nodes:
            return _long([], [])
        values = nodes[name].iloc[rows].reset_index(drop=True)
        keep = values.map(lambda v: isinstance(v, str) and v != "").to_numpy(dtype=bool)
        return _long(np.flatnonzero(keep), values[keep])

    def listed(name: str) -> pd.DataFrame:
        if name not in nodes:
            return _long([], [])
        values = nodes[name].iloc[rows].reset_index(drop=True)
        values = values.map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else []).explode().dropna()
        return _long(values.index.to_numpy(), values.astype(str))

    def linked(relation: str, own: str, other: str, fields: tuple[str, ...]) -> pd.DataFrame:
        chosen = edges[(edges["relation"] == relation).to_numpy(dtype=bool)]
        chosen = chosen[chosen[own].isin(pos.index).to_numpy(dtype=bool)]
        texts = nodes.set_index(nodes["id"].astype(object))
        parts = []
        for field in fields:
            if field in texts:
                value = chosen[other].map(texts[field].where(present_mask(texts[field]), None)) if len(chosen) else None
                if value is not None:
                    parts.append(_long(chosen[own].map(pos).to_numpy(), value.fillna(chosen[other] if field == "name"
                                                                                    else "").astype(str)))
        frame = pd.concat(parts, ignore_index=True) if parts else _long([], [])
        return frame[frame["value"] != ""].sort_values("pos", kind="stable")

    names = column("name")
    charity = listed("other_ids")
    charity = pd.concat([_long(np.arange(len(rows)), ids.astype(str)), charity, listed("matched_ids")],
                        ignore_index=True).sort_values("pos", kind="stable")
    registered = charity.loc[charity["value"].str.startswith(CHARITY_PREFIXES).to_numpy(dtype=bool), "pos"]
    return {
        "kind": _long(np.arange(len(rows)), nodes["kind"].astype(str).iloc[rows]),
        "id": charity,
        "name": names,
        "name_if_unregistered": names[~names["pos"].isin(registered).to_numpy(dtype=bool)],
        "description": pd.concat([column("description"), linked("DELIVERS", "source", "target", ("name", "description"))],
                                 ignore_index=True).sort_values("pos", kind="stable"),
        "scale": column("scale"),
        "member_of": linked("MEMBER_OF", "source", "target", ("name",)),
        "members": linked("MEMBER_OF", "target", "source", ("name",)),
    }


def _long(positions: np.ndarray | list, values: pd.Series | list) -> pd.DataFrame:
    values = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    return pd.DataFrame({"pos": np.asarray(positions, dtype=np.int64), "value": pd.Series(values, dtype=object)})
