"""RDF export and import of the ecosystem graph, and validation against the SHACL shapes.

Each node becomes a resource typed with its ontology class, with ``dct:identifier`` its graph id and
one triple per attribute. Each edge becomes a direct triple (``org eco:fundedBy funder``) and a
reified ``eco:Relationship`` carrying the edge's key, attributes and provenance. Provenance is stated
twice: as PROV-O (``prov:wasDerivedFrom`` a source record with ``dct:source``, ``dct:identifier``,
``dct:date``, ``dct:license``) for RDF tools, and as ordered JSON text so the round trip is exact.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import quote

import networkx as nx
import pandas as pd
from rdflib import DCTERMS, PROV, RDF, XSD, BNode, Graph, Literal, URIRef

from civicgraph.core.beside import Beside, run_here
from civicgraph.graph.frames import (
    RESERVED_EDGE_KEYS,
    RESERVED_NODE_KEYS,
    GraphFrames,
    GraphLike,
    as_frames,
    edge_records,
    networkx_edge_order,
    node_records,
)
from civicgraph.graph.store import canonical_json
from civicgraph.ontology.vocabulary import ECO, SHAPES_FILE, ontology_graph, vocabulary

DEFAULT_BASE = "https://w3id.org/civic-ecosystem/id/"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RDF_FORMATS = {"turtle": ".ttl", "json-ld": ".jsonld", "xml": ".rdf", "nt": ".nt"}


def _iri(base: str, kind: str, identifier: str) -> URIRef:
    return URIRef(f"{base}{kind}/{quote(identifier, safe='-_.~')}")


class Text(NamedTuple):
    """A literal as it is written: its lexical form, its datatype's IRI (None for a plain string),
    and for numbers and booleans the value itself (JSON-LD writes it as a JSON number or boolean).
    Cheaper to make than an :class:`rdflib.Literal`, which :meth:`literal` gives.

    Examples
    --------
    >>> Text("5", str(XSD.integer), 5).literal() == Literal(5, datatype=XSD.integer)
    True
    """

    lexical: str
    datatype: str | None = None
    native: Any = None

    def literal(self) -> Literal:
        """The same literal for rdflib."""
        return Literal(self.lexical, datatype=URIRef(self.datatype) if self.datatype else None)


_JSON, _STRING, _DATE = str(RDF.JSON), str(XSD.string), str(XSD.date)


def _text(key: str, value: Any) -> Text:
    """An attribute's value as a literal (numbers and booleans in rdflib's lexical form)."""
    if isinstance(value, (list, dict)):
        return Text(canonical_json(value), _JSON)
    if isinstance(value, (bool, int, float)):
        datatype = XSD.boolean if isinstance(value, bool) else XSD.integer if isinstance(value, int) else XSD.double
        return Text(str(Literal(value, datatype=datatype)), str(datatype), value)
    if vocabulary().attributes[key].datatype == XSD.date and _ISO_DATE.match(str(value)):
        return Text(str(value), _DATE)
    return Text(str(value))


def _literal(key: str, value: Any) -> Literal:
    """An attribute's value as the rdflib literal the export writes (:mod:`graph.shapes` checks these)."""
    return _text(key, value).literal()


def _value(literal: Literal) -> Any:
    if literal.datatype == RDF.JSON:
        return json.loads(str(literal))
    if literal.datatype in (XSD.date, XSD.string) or literal.datatype is None:
        return str(literal)
    if literal.datatype == XSD.double:
        return float(str(literal))
    return literal.toPython()


#: One statement about a subject (predicate, object), and a subject with its statements.
Pair = tuple[URIRef, URIRef | Text]
Block = tuple[URIRef, list[Pair]]
# The ontology's terms the blocks use, looked up once (a namespace's attribute is a lookup each time);
# rdf:type is always this object in a block, so writers may test it with ``is``.
TYPE, _SUBJECT, _PREDICATE, _OBJECT = RDF.type, RDF.subject, RDF.predicate, RDF.object
_PROV_RECORDS, _DERIVED, _ENTITY = ECO.provenanceRecords, PROV.wasDerivedFrom, PROV.Entity
_DCT_SOURCE, _DCT_ID, _DCT_LICENSE, _DCT_DATE = DCTERMS.source, DCTERMS.identifier, DCTERMS.license, DCTERMS.date
_FIELD_PROVENANCE, _CONFLICTS, _RELATIONSHIP, _EDGE_KEY = (ECO.fieldProvenance, ECO.conflicts, ECO.Relationship,
                                                           ECO.edgeKey)


def _provenance_pairs(base: str, records: list[dict[str, str]], cited: set[str]) -> tuple[list[Pair], list[Block]]:
    """The provenance statements of a subject, and a block for each source record it cites that is
    not yet in ``cited`` (which it joins)."""
    pairs: list[Pair] = [(_PROV_RECORDS, Text(canonical_json(records)))]
    sources: list[Block] = []
    for record in records:
        digest = hashlib.sha1(canonical_json(record).encode()).hexdigest()[:20]
        source = URIRef(f"{base}source/{digest}")
        pairs.append((_DERIVED, source))
        if digest in cited:
            continue
        cited.add(digest)
        about: list[Pair] = [
            (TYPE, _ENTITY),
            (_DCT_SOURCE, Text(record.get("dataset", ""), _STRING)),
            (_DCT_ID, Text(record.get("record", ""), _STRING)),
            (_DCT_LICENSE, Text(record.get("licence", ""), _STRING)),
        ]
        if record.get("date"):
            about.append((_DCT_DATE, Text(record["date"], _STRING)))
        sources.append((source, about))
    return pairs, sources


def rdf_blocks(graph: GraphLike, *, base: str = DEFAULT_BASE, part: tuple[int, int] = (0, 1)) -> Iterator[Block]:
    """The triples of :func:`graph_to_rdf`, one subject at a time, without repeats.

    Each block is a subject and its statements: the graph's dataset, then each node (with the
    direct triples of the edges from it), the reification of each of those edges, and each source
    record the first time it is cited. A streaming writer can write a block as it comes
    (:mod:`graph.rdf_writer`); a subject appears in more than one block only for an edge key shared by
    edges between different nodes, or a node typed by another part's edge.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Ward", name="Bedfont", provenance=[], field_provenance={}, conflicts=[])
    >>> [(str(subject).rsplit("/", 1)[-1], len(pairs)) for subject, pairs in rdf_blocks(g)]
    [('graph', 2), ('a', 6)]
    """
    frames = as_frames(graph)
    vocab = vocabulary()
    kinds, relations = vocab.kinds, vocab.relations
    attribute_iri = {key: attribute.iri for key, attribute in vocab.attributes.items()}
    node_ids = frames.nodes["id"].astype(object).tolist()
    node_kinds = frames.nodes["kind"].astype(object).tolist()
    node_iri = [_iri(base, kind, node) for node, kind in zip(node_ids, node_kinds)]
    out_edges = _out_edges(frames)
    edge_datas = edge_records(frames)
    edge_keys = frames.edges["key"].astype(object).tolist()
    number, parts = part
    cited: set[str] = set()
    if number == 0:
        yield URIRef(f"{base}graph"), [(TYPE, ECO.GraphDataset),
                                       (ECO.graphAttributes, Text(canonical_json(dict(frames.attributes))))]
    for position, (node, data) in enumerate(zip(node_ids, node_records(frames))):
        if position % parts != number:
            continue
        subject = node_iri[position]
        pairs: list[Pair] = [(TYPE, kinds[data["kind"]]), (_DCT_ID, Text(node))]
        pairs += [(attribute_iri[key], _text(key, value)) for key, value in data.items()
                  if key not in RESERVED_NODE_KEYS]
        provenance, sources = _provenance_pairs(base, data["provenance"], cited)
        pairs += provenance
        pairs.append((_FIELD_PROVENANCE, Text(canonical_json(data["field_provenance"]))))
        pairs.append((_CONFLICTS, Text(canonical_json(data["conflicts"]))))
        edges: list[Block] = []
        for row, target in out_edges.get(position, ()):
            if parts > 1 and target % parts != number:  # another part's node: typed here too
                edges.append((node_iri[target], [(TYPE, kinds[node_kinds[target]])]))
            edge_data = edge_datas[row]
            predicate = relations[edge_data["relation"]]
            pairs.append((predicate, node_iri[target]))
            edge = URIRef(f"{base}edge/{quote(edge_keys[row], safe='-_.~')}")
            about: list[Pair] = [(TYPE, _RELATIONSHIP), (_EDGE_KEY, Text(edge_keys[row], _STRING)),
                                 (_SUBJECT, subject), (_PREDICATE, predicate), (_OBJECT, node_iri[target])]
            about += [(attribute_iri[attr], _text(attr, value)) for attr, value in edge_data.items()
                      if attr not in RESERVED_EDGE_KEYS]
            edge_provenance, edge_sources = _provenance_pairs(base, edge_data["provenance"], cited)
            edges.append((edge, list(dict.fromkeys(about + edge_provenance))))
            sources += edge_sources
        yield subject, list(dict.fromkeys(pairs))
        yield from edges
        yield from sources


def _out_edges(frames: GraphFrames) -> dict[int, list[tuple[int, int]]]:
    """For each node's row, its edges out (row of the edge table, row of the target node), in
    networkx's order."""
    order = networkx_edge_order(frames)
    index = pd.Index(frames.nodes["id"].astype(object))
    sources = index.get_indexer(frames.edges["source"].astype(object))[order].tolist()
    targets = index.get_indexer(frames.edges["target"].astype(object))[order].tolist()
    found: dict[int, list[tuple[int, int]]] = {}
    for row, source, target in zip(order.tolist(), sources, targets):
        found.setdefault(source, []).append((row, target))
    return found


def graph_to_rdf(graph: GraphLike, *, base: str = DEFAULT_BASE, part: tuple[int, int] = (0, 1)) -> Graph:
    """The graph as RDF in the ecosystem ontology.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        A built ecosystem graph.
    base : str
        IRI prefix for nodes, edges and source records.
    part : (int, int)
        ``(number, parts)``: only the nodes whose position modulo ``parts`` is ``number``, the
        edges from them, and the type of each node those edges lead to (so that shapes about the
        kind of a relation's end still hold), for checking a graph in parts. The graph attributes
        go in part 0. By default, everything.

    Returns
    -------
    rdflib.Graph
        Readable back with :func:`graph_from_rdf` into an equal graph.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("E05000346@2017", kind="Ward", name="Bedfont", gss_code="E05000346",
    ...            code_generation=2017, provenance=[{"dataset": "ons", "record": "row 2",
    ...            "date": "", "licence": "OGL-UK-3.0"}], field_provenance={}, conflicts=[])
    >>> nx.utils.graphs_equal(graph_from_rdf(graph_to_rdf(g)), g)
    True
    """
    rdf = Graph()
    rdf.bind("eco", str(ECO))
    rdf.bind("prov", PROV)
    rdf.bind("dct", DCTERMS)
    for subject, pairs in rdf_blocks(graph, base=base, part=part):
        for predicate, obj in pairs:
            rdf.add((subject, predicate, obj.literal() if isinstance(obj, Text) else obj))
    return rdf


def graph_from_rdf(rdf: Graph) -> nx.MultiDiGraph:
    """Read back a graph written by :func:`graph_to_rdf`.

    Parameters
    ----------
    rdf : rdflib.Graph
        RDF in the ecosystem ontology (parsed from Turtle, JSON-LD, ...).

    Returns
    -------
    networkx.MultiDiGraph

    Examples
    --------
    >>> graph_from_rdf(Graph()).number_of_nodes()
    0
    """
    vocab = vocabulary()
    kind_of = {iri: label for label, iri in vocab.kinds.items()}
    key_of = {a.iri: key for key, a in vocab.attributes.items()}
    relation_of = {iri: rel for rel, iri in vocab.relations.items()}
    attributes_text = next(rdf.objects(None, ECO.graphAttributes), None)
    graph = nx.MultiDiGraph(**(json.loads(str(attributes_text)) if attributes_text else {}))
    identifier: dict[URIRef | BNode, str] = {}
    for subject, cls in rdf.subject_objects(RDF.type):
        if cls not in kind_of:
            continue
        node = str(rdf.value(subject, DCTERMS.identifier))
        identifier[subject] = node
        data: dict[str, Any] = {"kind": kind_of[cls]}
        for predicate, obj in rdf.predicate_objects(subject):
            if predicate in key_of and isinstance(obj, Literal):
                data[key_of[predicate]] = _value(obj)
        data["provenance"] = json.loads(str(rdf.value(subject, ECO.provenanceRecords) or "[]"))
        data["field_provenance"] = json.loads(str(rdf.value(subject, ECO.fieldProvenance) or "{}"))
        data["conflicts"] = json.loads(str(rdf.value(subject, ECO.conflicts) or "[]"))
        graph.add_node(node, **data)
    for edge in rdf.subjects(RDF.type, ECO.Relationship):
        data = {"relation": relation_of[rdf.value(edge, RDF.predicate)]}
        for predicate, obj in rdf.predicate_objects(edge):
            if predicate in key_of and isinstance(obj, Literal):
                data[key_of[predicate]] = _value(obj)
        data["provenance"] = json.loads(str(rdf.value(edge, ECO.provenanceRecords) or "[]"))
        graph.add_edge(
            identifier[rdf.value(edge, RDF.subject)],
            identifier[rdf.value(edge, RDF.object)],
            key=str(rdf.value(edge, ECO.edgeKey)),
            **data,
        )
    return graph


def shapes_graph() -> Graph:
    """The SHACL shapes of the ontology.

    Examples
    --------
    >>> len(shapes_graph()) > 0
    True
    """
    return Graph().parse(SHAPES_FILE, format="turtle")


def validate_rdf(rdf: Graph, *, in_place: bool = False) -> pd.DataFrame:
    """Validate RDF against the SHACL shapes; one row per violation (empty when it conforms).

    Parameters
    ----------
    rdf : rdflib.Graph
        Data in the ecosystem ontology.
    in_place : bool
        Let the validator add the ontology's triples to ``rdf`` instead of copying it first (about a
        third faster); for RDF made only to be checked.

    Returns
    -------
    DataFrame
        Columns ``focus``, ``path``, ``shape``, ``message``, ``value``.

    Examples
    --------
    >>> validate_rdf(Graph()).empty
    True
    """
    from pyshacl import validate  # heavy: imported on use

    _, report, _ = validate(
        rdf, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none",
        abort_on_first=False, allow_warnings=True, inplace=in_place,
    )
    sh = "http://www.w3.org/ns/shacl#"
    rows = []
    for result in report.subjects(RDF.type, URIRef(sh + "ValidationResult")):
        def get(term: str) -> str:
            value = report.value(result, URIRef(sh + term))
            return "" if value is None else str(value)
        rows.append({
            "focus": get("focusNode"), "path": get("resultPath"), "shape": get("sourceShape"),
            "message": get("resultMessage"), "value": get("value"),
        })
    return pd.DataFrame(rows, columns=["focus", "path", "shape", "message", "value"])


def validate_graph(graph: GraphLike, *, parts: int = 1, beside: Beside | None = None) -> pd.DataFrame:
    """Check a graph against the SHACL shapes with pyshacl; one row per violation (empty when it
    conforms). This is the reference check: builds use the same shapes as column rules
    (:mod:`civicgraph.graph.shapes`).

    The graph is turned into RDF and checked in ``parts`` parts, all but the first given to
    ``beside`` (see :mod:`civicgraph.core.beside`) to check meanwhile: every node's triples, and
    those of the edges from it, are in one part, so each shape sees all it needs.

    Examples
    --------
    >>> validate_graph(nx.MultiDiGraph()).empty
    True
    """
    frames = dataclasses.replace(as_frames(graph))  # without what was derived: all a helper started afresh is sent
    later = [(beside or run_here)(_violations_in_part, frames, (number, parts)) for number in range(1, parts)]
    found = [_violations_in_part(frames, (0, parts)), *(getter() for getter in later)]
    return pd.concat(found, ignore_index=True).drop_duplicates(ignore_index=True)


def _violations_in_part(frames: GraphFrames, part: tuple[int, int]) -> pd.DataFrame:
    """The violations of one part's own nodes, edges and sources (not of the nodes it only types)."""
    violations = validate_rdf(graph_to_rdf(frames, part=part), in_place=True)
    number, parts = part
    others = {str(_iri(DEFAULT_BASE, kind, node)) for position, (node, kind) in
              enumerate(zip(frames.nodes["id"].astype(object).tolist(), frames.nodes["kind"].astype(object).tolist()))
              if position % parts != number}
    return violations[~violations["focus"].isin(others)]
