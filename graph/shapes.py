"""The ontology's SHACL shapes checked as column rules on the graph's tables.

Each property shape of ``ontology/shapes.ttl`` on an attribute (``sh:minCount``, ``sh:datatype``,
``sh:pattern``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:in``) or on a relation
(``sh:maxCount``, ``sh:class``) becomes a rule over the nodes of the shape's class and its
subclasses, checked on the values the RDF export would write (:func:`graph.rdf.graph_to_rdf`). A
violation names the node, the field and the source record (file and row) that gave the value, so a
build can report it as a rejected row. The shapes that hold by construction of the tables (one
identifier per node, provenance records, the shape of an edge's reification) are left to pyshacl:
:func:`graph.rdf.validate_graph` stays the reference check, and the tests hold the two to the same
verdict.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from rdflib import PROV, RDF, XSD, Graph, Literal, URIRef

from civicgraph.core.columns import present_mask
from civicgraph.graph.frames import GraphFrames
from civicgraph.ontology.vocabulary import ECO_IRI, SHAPES_FILE, vocabulary

__all__ = ["VIOLATION_COLUMNS", "ShapeRule", "shape_rules", "shape_violations", "without_violations"]

SH = "http://www.w3.org/ns/shacl#"
ECO_ENTITY = URIRef(ECO_IRI + "Entity")
#: One row per broken constraint: the node or edge (``table`` "nodes" or "edges", ``position`` its
#: row there, ``id`` its identifier or edge key), the ``field``, the ``value``, the ``shape``, the
#: ``reason``, and the ``file`` and ``row`` of the source record behind the value.
VIOLATION_COLUMNS = ["table", "position", "id", "kind", "field", "value", "shape", "reason", "file", "row"]


@dataclass(frozen=True)
class ShapeRule:
    """One property shape as a rule: the kinds it applies to, the field, and its constraints."""

    shape: str
    kinds: frozenset[str]
    field: str
    relation: bool = False
    min_count: int | None = None
    max_count: int | None = None
    datatype: URIRef | None = None
    pattern: str | None = None
    min_inclusive: float | None = None
    max_inclusive: float | None = None
    allowed: tuple[str, ...] | None = None
    target_class: str | None = None
    message: str | None = None
    edges: bool = field(default=False)


@cache
def shape_rules() -> tuple[ShapeRule, ...]:
    """The rules of the ontology's shapes that the tables can break.

    Examples
    --------
    >>> rule = next(r for r in shape_rules() if r.shape == "CompanyShape")
    >>> rule.field, rule.pattern, "CommunityInterestCompany" in rule.kinds
    ('company_number', '^[A-Z0-9]{8}$', False)
    """
    vocab = vocabulary()
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    key_of = {attribute.iri: key for key, attribute in vocab.attributes.items()}
    relation_of = {iri: name for name, iri in vocab.relations.items()}
    label_of = {iri: label for label, iri in vocab.kinds.items()}

    def value(node: Any, term: str) -> Any:
        found = shapes.value(node, URIRef(SH + term))
        return found.toPython() if isinstance(found, Literal) else found

    rules = []
    for shape in sorted(shapes.subjects(RDF.type, URIRef(SH + "NodeShape"))):
        target = shapes.value(shape, URIRef(SH + "targetClass"))
        name = str(shape).rsplit("#", 1)[-1]
        edges = str(target).endswith("#Relationship")
        if target in label_of:
            kinds = frozenset(vocab.kinds_under(label_of[target]))
        elif target == ECO_ENTITY:  # abstract: every kind of node is one
            kinds = frozenset(vocab.kinds)
        elif edges:
            kinds = frozenset()
        else:
            continue
        for prop in shapes.objects(shape, URIRef(SH + "property")):
            path = shapes.value(prop, URIRef(SH + "path"))
            if path == PROV.wasDerivedFrom and not edges:
                rules.append(ShapeRule(name, kinds, "provenance", min_count=1, message=value(prop, "message")))
                continue
            is_relation = path in relation_of
            if path not in key_of and not is_relation:
                continue  # identifier, provenance records, reification: hold by construction
            listed = shapes.value(prop, URIRef(SH + "in"))
            allowed = tuple(str(v) for v in shapes.items(listed)) if listed is not None else None
            target_class = shapes.value(prop, URIRef(SH + "class"))
            rules.append(ShapeRule(
                name, kinds, relation_of[path] if is_relation else key_of[path], relation=is_relation,
                min_count=value(prop, "minCount"), max_count=value(prop, "maxCount"),
                datatype=shapes.value(prop, URIRef(SH + "datatype")), pattern=value(prop, "pattern"),
                min_inclusive=value(prop, "minInclusive"), max_inclusive=value(prop, "maxInclusive"),
                allowed=allowed, target_class=label_of.get(target_class) if target_class is not None else None,
                message=value(prop, "message"), edges=edges))
    return tuple(rules)


def _datatype_ok(literal: Literal, datatype: URIRef) -> bool:
    actual = literal.datatype or XSD.string
    if actual != datatype:
        return False
    if datatype == XSD.date:
        try:
            date.fromisoformat(str(literal))
        except ValueError:
            return False
    return True


def _broken(rule: ShapeRule, literal: Literal) -> str | None:
    """What is wrong with one value under a rule, in words (None if nothing)."""
    if rule.datatype is not None and not _datatype_ok(literal, rule.datatype):
        return f"not of type {rule.datatype.split('#')[-1]}"
    if rule.pattern is not None and not re.search(rule.pattern, str(literal)):
        return f"does not match {rule.pattern}"
    bounds = [(rule.min_inclusive, lambda v, b: v >= b, "below"), (rule.max_inclusive, lambda v, b: v <= b, "above")]
    for bound, holds, word in bounds:
        if bound is not None:
            number = literal.toPython()
            if not isinstance(number, (int, float)) or isinstance(number, bool) or not holds(number, bound):
                return f"{word} {bound}"
    if rule.allowed is not None and str(literal) not in rule.allowed or (
            rule.allowed is not None and literal.datatype not in (None, XSD.string)):
        return f"not one of {', '.join(rule.allowed)}"
    return None


def _sources(frames: GraphFrames, table: str) -> pd.DataFrame:
    """Each node's (or edge's) source entries in merge order: ``position``, ``file``, ``row``, ``fields``."""
    sources = frames.node_sources if table == "nodes" else frames.edge_sources
    position = sources["node" if table == "nodes" else "edge"].to_numpy()
    fields = sources["fields"].astype(object) if "fields" in sources else pd.Series(None, index=sources.index)
    return pd.DataFrame({"position": position, "file": sources["dataset"].astype(object).to_numpy(),
                         "row": sources["record"].astype(object).to_numpy(), "fields": fields.to_numpy()})


def _source_of(sources: pd.DataFrame, positions: np.ndarray, name: str) -> tuple[list[Any], list[Any]]:
    """The file and row that gave field ``name`` of each position (else its first source)."""
    wanted = sources[sources["position"].isin(positions)]
    gave = wanted[wanted["fields"].map(lambda f: isinstance(f, str) and name in f.split()).to_numpy(dtype=bool)]
    first_giver = gave.drop_duplicates("position").set_index("position")
    first_any = wanted.drop_duplicates("position").set_index("position")
    chosen = first_giver.reindex(positions)
    fallback = first_any.reindex(positions)
    files = chosen["file"].where(chosen["file"].notna(), fallback["file"]).tolist()
    rows = chosen["row"].where(chosen["row"].notna(), fallback["row"]).tolist()
    return files, rows


def shape_violations(frames: GraphFrames) -> pd.DataFrame:
    """Every value (or missing value) of the graph's tables that breaks a shape.

    Parameters
    ----------
    frames : GraphFrames
        The built graph's tables.

    Returns
    -------
    DataFrame
        :data:`VIOLATION_COLUMNS`, one row per broken constraint.

    Examples
    --------
    >>> import networkx as nx
    >>> from civicgraph.graph.frames import graph_to_frames
    >>> g = nx.MultiDiGraph()
    >>> prov = [{"dataset": "ch:companies.csv", "record": "row 7", "date": "", "licence": "OGL-UK-3.0"}]
    >>> g.add_node("GB-COH-123456789", kind="Company", name="A Ltd", company_number="123456789", provenance=prov,
    ...            field_provenance={"name": [0], "company_number": [0]}, conflicts=[])
    >>> shape_violations(graph_to_frames(g))[["file", "row", "field", "value", "reason"]].values.tolist()
    [['ch:companies.csv', 'row 7', 'company_number', '123456789', 'does not match ^[A-Z0-9]{8}$']]
    """
    from civicgraph.graph.rdf import _literal  # the RDF export's own typing of values, so both checks see the same

    found: list[dict[str, Any]] = []
    for table in ("nodes", "edges"):
        data = frames.nodes if table == "nodes" else frames.edges
        if data.empty:
            continue
        kinds = data["kind"].astype(object) if table == "nodes" else None
        ids = data["id" if table == "nodes" else "key"].astype(object).to_numpy()
        sources = _sources(frames, table)
        for rule in shape_rules():
            if rule.edges != (table == "edges"):
                continue
            targeted = np.ones(len(data), dtype=bool) if kinds is None else kinds.isin(rule.kinds).to_numpy()
            if not targeted.any():
                continue
            bad: list[tuple[int, Any, str]] = []
            if rule.field == "provenance":
                has = np.zeros(len(data), dtype=bool)
                has[sources["position"].to_numpy()] = True
                bad = [(p, None, rule.message or "no source") for p in np.flatnonzero(targeted & ~has).tolist()]
            elif rule.relation:
                bad = _relation_breaks(frames, rule, targeted)
            else:
                column = data[rule.field] if rule.field in data else pd.Series(None, index=data.index, dtype=object)
                given = present_mask(column)
                if rule.min_count:
                    bad += [(p, None, rule.message or f"no {rule.field}")
                            for p in np.flatnonzero(targeted & ~given).tolist()]
                checked = np.flatnonzero(targeted & given & _candidates(rule, column))
                for position, value in zip(checked.tolist(), column.iloc[checked].tolist()):
                    reason = _broken(rule, _literal(rule.field, value))
                    if reason:
                        bad.append((position, value, rule.message or reason))
            if not bad:
                continue
            positions = np.array([b[0] for b in bad], dtype=np.int64)
            files, rows = _source_of(sources, positions, rule.field)
            for (position, value, reason), file, row in zip(bad, files, rows):
                found.append({"table": table, "position": position, "id": ids[position],
                              "kind": kinds.iloc[position] if kinds is not None else data["relation"].iloc[position],
                              "field": rule.field, "value": value, "shape": rule.shape, "reason": reason,
                              "file": file, "row": row})
    frame = pd.DataFrame(found, columns=VIOLATION_COLUMNS)
    return frame.sort_values(["table", "position", "field"], kind="stable", ignore_index=True)


def _candidates(rule: ShapeRule, column: pd.Series) -> np.ndarray:
    """Cells that may break a rule, found a column at a time where the column's type allows (text
    against a pattern or a date form, numbers against bounds); every other cell is a candidate. Each
    candidate is then checked value by value, so the verdict is that of :func:`_broken`."""
    everything = np.ones(len(column), dtype=bool)
    if rule.allowed is not None:
        return everything
    if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        text = column.astype(str)  # a text column: each value is written as it is
        if rule.min_inclusive is not None or rule.max_inclusive is not None:
            return everything
        maybe = np.zeros(len(column), dtype=bool)
        if rule.datatype == XSD.date:
            iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(dtype=bool)
            real = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").notna().to_numpy()
            maybe |= ~(iso & real)
        elif rule.datatype not in (None, XSD.string):
            return everything
        if rule.pattern is not None:
            with warnings.catch_warnings():  # a shape's pattern may have groups: only whether it matches counts
                warnings.filterwarnings("ignore", "This pattern is interpreted as a regular expression", UserWarning)
                found = text.str.contains(rule.pattern, regex=True)
            maybe |= ~found.fillna(False).to_numpy(dtype=bool)
        return maybe
    if column.dtype.kind == "f" and rule.pattern is None and rule.datatype in (None, XSD.double):
        values = column.to_numpy(dtype=float)
        maybe = np.zeros(len(column), dtype=bool)
        with np.errstate(invalid="ignore"):
            if rule.min_inclusive is not None:
                maybe |= ~(values >= rule.min_inclusive)
            if rule.max_inclusive is not None:
                maybe |= ~(values <= rule.max_inclusive)
        return maybe
    return everything


def _relation_breaks(frames: GraphFrames, rule: ShapeRule, targeted: np.ndarray) -> list[tuple[int, Any, str]]:
    """Nodes with more ``rule.field`` edges than the shape allows, or to a node of the wrong class."""
    edges = frames.edges[frames.edges["relation"].astype(object) == rule.field]
    position = pd.Series(np.arange(len(frames.nodes)), index=frames.nodes["id"].astype(object).to_numpy())
    kind = pd.Series(frames.nodes["kind"].astype(object).to_numpy(), index=position.index)
    sources = edges["source"].astype(object).map(position)
    bad = []
    if rule.max_count is not None:
        counts = sources.value_counts()
        bad += [(int(p), int(n), f"{n} {rule.field} links, at most {rule.max_count}")
                for p, n in counts[counts > rule.max_count].items() if targeted[int(p)]]
    if rule.target_class is not None:
        allowed = set(vocabulary().kinds_under(rule.target_class))
        wrong = ~edges["target"].astype(object).map(kind).isin(allowed).to_numpy()
        bad += [(int(p), target, f"{rule.field} a node that is not a {rule.target_class}")
                for p, target in zip(sources[wrong].tolist(), edges["target"][wrong].tolist()) if targeted[int(p)]]
    return bad


def without_violations(frames: GraphFrames, violations: pd.DataFrame) -> GraphFrames:
    """The tables without the values that break a shape (a missing value or a link stays as it is).

    Examples
    --------
    >>> import networkx as nx
    >>> from civicgraph.graph.frames import graph_to_frames
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("GB-COH-1", kind="Company", name="A Ltd", company_number="123456789", provenance=[{}],
    ...            field_provenance={}, conflicts=[])
    >>> frames = graph_to_frames(g)
    >>> without_violations(frames, shape_violations(frames)).nodes["company_number"].isna().tolist()
    [True]
    """
    removable = violations[violations["value"].notna() & violations["field"].isin(
        [c for c in [*frames.nodes.columns, *frames.edges.columns]])]
    if removable.empty:
        return frames
    nodes, edges = frames.nodes.copy(), frames.edges.copy()
    for (table, name), group in removable.groupby(["table", "field"]):
        data = nodes if table == "nodes" else edges
        if name not in data:
            continue
        dropped = np.zeros(len(data), dtype=bool)
        dropped[group["position"].to_numpy()] = True
        data[name] = data[name].mask(dropped)
    return GraphFrames(nodes, frames.node_sources, edges, frames.edge_sources, frames.conflicts,
                       dict(frames.attributes))
