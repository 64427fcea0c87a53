"""RDF export and import of the ecosystem graph, and validation against the SHACL shapes.

Each node becomes a resource typed with its ontology class, with ``dct:identifier`` its graph id and
one triple per attribute. Each edge becomes a direct triple (``org eco:fundedBy funder``) and a
reified ``eco:Relationship`` carrying the edge's key, attributes and provenance. Provenance is stated
twice: as PROV-O (``prov:wasDerivedFrom`` a source record with ``dct:source``, ``dct:identifier``,
``dct:date``, ``dct:license``) for RDF tools, and as ordered JSON text so the round trip is exact.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

import networkx as nx
import pandas as pd
from rdflib import DCTERMS, PROV, RDF, XSD, BNode, Graph, Literal, URIRef

from civicgraph.core.beside import Beside, run_here
from civicgraph.graph.frames import RESERVED_EDGE_KEYS, RESERVED_NODE_KEYS
from civicgraph.graph.store import canonical_json
from civicgraph.ontology.vocabulary import ECO, SHAPES_FILE, ontology_graph, vocabulary

DEFAULT_BASE = "https://w3id.org/civic-ecosystem/id/"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RDF_FORMATS = {"turtle": ".ttl", "json-ld": ".jsonld", "xml": ".rdf", "nt": ".nt"}


def _iri(base: str, kind: str, identifier: str) -> URIRef:
    return URIRef(f"{base}{kind}/{quote(identifier, safe='-_.~')}")


def _literal(key: str, value: Any) -> Literal:
    attribute = vocabulary().attributes[key]
    if isinstance(value, (list, dict)):
        return Literal(canonical_json(value), datatype=RDF.JSON)
    if isinstance(value, bool):
        return Literal(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(value, datatype=XSD.double)
    if attribute.datatype == XSD.date and _ISO_DATE.match(str(value)):
        return Literal(str(value), datatype=XSD.date)
    return Literal(str(value))


def _value(literal: Literal) -> Any:
    if literal.datatype == RDF.JSON:
        return json.loads(str(literal))
    if literal.datatype in (XSD.date, XSD.string) or literal.datatype is None:
        return str(literal)
    if literal.datatype == XSD.double:
        return float(str(literal))
    return literal.toPython()


def _add_provenance(rdf: Graph, subject: URIRef, base: str, records: list[dict[str, str]]) -> None:
    rdf.add((subject, ECO.provenanceRecords, Literal(canonical_json(records))))
    for record in records:
        digest = hashlib.sha1(canonical_json(record).encode()).hexdigest()[:20]
        source = URIRef(f"{base}source/{digest}")
        rdf.add((subject, PROV.wasDerivedFrom, source))
        rdf.add((source, RDF.type, PROV.Entity))
        rdf.add((source, DCTERMS.source, Literal(record.get("dataset", ""), datatype=XSD.string)))
        rdf.add((source, DCTERMS.identifier, Literal(record.get("record", ""), datatype=XSD.string)))
        rdf.add((source, DCTERMS.license, Literal(record.get("licence", ""), datatype=XSD.string)))
        if record.get("date"):
            rdf.add((source, DCTERMS.date, Literal(record["date"], datatype=XSD.string)))


def graph_to_rdf(graph: nx.MultiDiGraph, *, base: str = DEFAULT_BASE, part: tuple[int, int] = (0, 1)) -> Graph:
    """The graph as RDF in the ecosystem ontology.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
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
    vocab = vocabulary()
    rdf = Graph()
    rdf.bind("eco", str(ECO))
    rdf.bind("prov", PROV)
    rdf.bind("dct", DCTERMS)
    node_iri = {node: _iri(base, data["kind"], node) for node, data in graph.nodes(data=True)}
    number, parts = part
    owned = {node for position, node in enumerate(graph) if position % parts == number}
    if number == 0:
        dataset = URIRef(f"{base}graph")
        rdf.add((dataset, RDF.type, ECO.GraphDataset))
        rdf.add((dataset, ECO.graphAttributes, Literal(canonical_json(dict(graph.graph)))))
    for node, data in graph.nodes(data=True):
        if node not in owned:
            continue
        subject = node_iri[node]
        rdf.add((subject, RDF.type, vocab.kinds[data["kind"]]))
        rdf.add((subject, DCTERMS.identifier, Literal(node)))
        for key, value in data.items():
            if key not in RESERVED_NODE_KEYS:
                rdf.add((subject, vocab.attributes[key].iri, _literal(key, value)))
        _add_provenance(rdf, subject, base, data.get("provenance", []))
        rdf.add((subject, ECO.fieldProvenance, Literal(canonical_json(data.get("field_provenance", {})))))
        rdf.add((subject, ECO.conflicts, Literal(canonical_json(data.get("conflicts", [])))))
    for source, target, key, data in graph.edges(keys=True, data=True):
        if source not in owned:
            continue
        if target not in owned:
            rdf.add((node_iri[target], RDF.type, vocab.kinds[graph.nodes[target]["kind"]]))
        predicate = vocab.relations[data["relation"]]
        rdf.add((node_iri[source], predicate, node_iri[target]))
        edge = URIRef(f"{base}edge/{quote(key, safe='-_.~')}")
        rdf.add((edge, RDF.type, ECO.Relationship))
        rdf.add((edge, ECO.edgeKey, Literal(key, datatype=XSD.string)))
        rdf.add((edge, RDF.subject, node_iri[source]))
        rdf.add((edge, RDF.predicate, predicate))
        rdf.add((edge, RDF.object, node_iri[target]))
        for attr, value in data.items():
            if attr not in RESERVED_EDGE_KEYS:
                rdf.add((edge, vocab.attributes[attr].iri, _literal(attr, value)))
        _add_provenance(rdf, edge, base, data.get("provenance", []))
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


def validate_graph(graph: nx.MultiDiGraph, *, parts: int = 1, beside: Beside | None = None) -> pd.DataFrame:
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
    later = [(beside or run_here)(_violations_in_part, graph, (number, parts)) for number in range(1, parts)]
    found = [_violations_in_part(graph, (0, parts)), *(getter() for getter in later)]
    return pd.concat(found, ignore_index=True).drop_duplicates(ignore_index=True)


def _violations_in_part(graph: nx.MultiDiGraph, part: tuple[int, int]) -> pd.DataFrame:
    """The violations of one part's own nodes, edges and sources (not of the nodes it only types)."""
    violations = validate_rdf(graph_to_rdf(graph, part=part), in_place=True)
    number, parts = part
    others = {str(_iri(DEFAULT_BASE, data["kind"], node)) for position, (node, data) in enumerate(graph.nodes(data=True))
              if position % parts != number}
    return violations[~violations["focus"].isin(others)]

