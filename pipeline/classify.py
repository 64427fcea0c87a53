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

from graph.errors import SourceFormatError
from graph.frames import GraphFrames, present
from ontology.vocabulary import vocabulary
from pipeline._annotate import annotate_nodes

__all__ = ["CLASS_RULES_FILE", "ClassRule", "classify_organisations", "read_class_rules"]

#: The default rules.
CLASS_RULES_FILE = Path(__file__).with_name("reference") / "organisation_classes.csv"
#: What a rule can look at.
RULE_FIELDS = ("kind", "id", "name", "name_if_unregistered", "description", "scale", "member_of", "members", "any")
RULE_COLUMNS = ("rule", "class", "community_group", "field", "pattern")
DATASET = "organisation-classes"  # one of graph.provenance.DERIVED_DATASETS
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
                                   pattern, path.name))
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
    >>> from graph.frames import frames_to_graph, graph_to_frames
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
    given = present(nodes["org_class"]) if "org_class" in nodes else np.zeros(len(nodes), dtype=bool)
    rows = np.flatnonzero(is_org)
    texts = _texts(frames, rows)
    values: dict[str, list] = {"org_class": [], "org_class_evidence": [], "community_group": [], "parent_body": []}
    records = []
    for position, row in enumerate(rows):
        if given[row]:
            chosen = nodes["org_class"].iat[row]
            known = {r.name: r.community_group for r in rules}
            values["org_class"].append(None)
            values["org_class_evidence"].append("given by a source (see field provenance)")
            values["community_group"].append(known.get(chosen))
            values["parent_body"].append(None)
            records.append("class given by a source")
            continue
        rule, value, parent = _first_match(rules, {f: texts[f][position] for f in texts})
        values["org_class"].append(rule.name)
        values["org_class_evidence"].append(
            f"{rule.field} {_snippet(value, rule.pattern)!r} matches rule {rule.rule} ({rule.source})"
            if rule.field != "any" else f"{rule.rule}: no other rule matched ({rule.source})")
        values["community_group"].append(rule.community_group)
        values["parent_body"].append(parent)
        records.append(f"rule {rule.rule}")
    return annotate_nodes(frames, rows, values, dataset=DATASET, records=records, licence="CC0-1.0")


def _first_match(rules: list[ClassRule], texts: dict[str, list[str]]) -> tuple[ClassRule, str, str | None]:
    for rule in rules:
        for value in texts.get(rule.field, [""]) if rule.field != "any" else ["any"]:
            match = rule.pattern.search(value) if value else None
            if match:
                parent = match.groupdict().get("parent") or (value if rule.field == "member_of" else None)
                return rule, value, parent
    raise SourceFormatError("the classification rules end without a catch-all rule (field any, pattern .)")


def _snippet(value: str, pattern: re.Pattern[str], width: int = 60) -> str:
    """The value, or the part of a long one around the match."""
    if len(value) <= width:
        return value
    match = pattern.search(value)
    start = max(0, match.start() - width // 2) if match else 0
    return ("..." if start else "") + value[start:start + width] + "..."


def _texts(frames: GraphFrames, rows: np.ndarray) -> dict[str, list[list[str]]]:
    """Per organisation at ``rows``, the values each rule field can look at."""
    nodes, edges = frames.nodes, frames.edges
    ids = nodes["id"].astype(str).to_numpy()

    def column(name: str) -> list[str]:
        if name not in nodes:
            return ["" for _ in rows]
        return ["" if not isinstance(v, str) else v for v in nodes[name].iloc[rows].tolist()]

    def listed(name: str) -> list[list[str]]:
        if name not in nodes:
            return [[] for _ in rows]
        return [list(v) if isinstance(v, (list, tuple, np.ndarray)) else [] for v in nodes[name].iloc[rows].tolist()]

    name_of = dict(zip(ids, nodes["name"].astype(object).where(present(nodes["name"]), "").astype(str))) \
        if "name" in nodes else {}
    description_of = dict(zip(ids, nodes["description"].astype(object).where(present(nodes["description"]), "")
                              .astype(str))) if "description" in nodes else {}
    services: dict[str, list[str]] = {}
    parents: dict[str, list[str]] = {}
    members: dict[str, list[str]] = {}
    for source, target, relation in zip(edges["source"].astype(str), edges["target"].astype(str),
                                        edges["relation"].astype(str)):
        if relation == "DELIVERS":
            services.setdefault(source, []).extend(filter(None, (name_of.get(target, ""), description_of.get(target, ""))))
        elif relation == "MEMBER_OF":
            parents.setdefault(source, []).append(name_of.get(target, "") or target)
            members.setdefault(target, []).append(name_of.get(source, "") or source)
    own = column("description")
    other = [[*o, *m] for o, m in zip(listed("other_ids"), listed("matched_ids"))]
    return {
        "kind": [[k] for k in nodes["kind"].astype(str).iloc[rows]],
        "id": [[ids[r], *o] for r, o in zip(rows, other)],
        "name": [[n] for n in column("name")],
        "name_if_unregistered": [[] if any(i.startswith(CHARITY_PREFIXES) for i in [ids[r], *o]) else [n]
                                 for r, o, n in zip(rows, other, column("name"))],
        "description": [[d, *services.get(ids[r], [])] for r, d in zip(rows, own)],
        "scale": [[s] for s in column("scale")],
        "member_of": [parents.get(ids[r], []) for r in rows],
        "members": [members.get(ids[r], []) for r in rows],
    }
