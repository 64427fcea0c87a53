"""The graph's vocabulary, read from ``ecosystem.ttl``: node kinds, relation types and attributes.

Nothing here is typed by hand: node labels, relationship types and attribute keys are the
``eco:pgLabel``, ``eco:pgType`` and ``eco:pgKey`` annotations of the ontology, and :data:`ECO` is a
closed namespace of its terms, so a misspelt term fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import ClosedNamespace

from civicgraph.core.errors import UnknownTermError

ONTOLOGY_FILE = Path(__file__).with_name("ecosystem.ttl")
SHAPES_FILE = Path(__file__).with_name("shapes.ttl")
ECO_IRI = "https://w3id.org/civic-ecosystem/ontology#"
_ECO_OPEN = Namespace(ECO_IRI)


@dataclass(frozen=True)
class Attribute:
    """A datatype property: its key on nodes and edges, its IRI and its XSD range (or None)."""

    key: str
    iri: URIRef
    datatype: URIRef | None


@dataclass(frozen=True)
class Vocabulary:
    """Node kinds, relation types and attribute keys of the ontology.

    Attributes
    ----------
    kinds : dict
        Property-graph label -> class IRI, for every class a node may have.
    ancestors : dict
        Label -> the labels of the class and all its superclasses in the ontology.
    relations : dict
        Relationship type (``FUNDED_BY``) -> object property IRI.
    attributes : dict
        Attribute key (``latest_income``) -> :class:`Attribute`.
    """

    kinds: dict[str, URIRef]
    ancestors: dict[str, frozenset[str]]
    relations: dict[str, URIRef]
    attributes: dict[str, Attribute]

    def check_kind(self, label: str) -> str:
        """Return ``label`` if it is a node kind, else raise :class:`UnknownTermError`.

        Examples
        --------
        >>> vocabulary().check_kind("Charity")
        'Charity'
        """
        if label not in self.kinds:
            raise UnknownTermError(_unknown("node kind", label, self.kinds))
        return label

    def check_relation(self, rel_type: str) -> str:
        """Return ``rel_type`` if it is a relation type, else raise :class:`UnknownTermError`.

        Examples
        --------
        >>> vocabulary().check_relation("FUNDED_BY")
        'FUNDED_BY'
        """
        if rel_type not in self.relations:
            raise UnknownTermError(_unknown("relation", rel_type, self.relations))
        return rel_type

    def check_attribute(self, key: str) -> str:
        """Return ``key`` if it is an attribute key, else raise :class:`UnknownTermError`.

        Examples
        --------
        >>> vocabulary().check_attribute("latest_income")
        'latest_income'
        """
        if key not in self.attributes:
            raise UnknownTermError(_unknown("attribute", key, self.attributes))
        return key

    def is_a(self, label: str, ancestor: str) -> bool:
        """Whether node kind ``label`` is ``ancestor`` or a subclass of it.

        Examples
        --------
        >>> vocabulary().is_a("CharitableIncorporatedOrganisation", "Organisation")
        True
        >>> vocabulary().is_a("Ward", "Organisation")
        False
        """
        return ancestor in self.ancestors.get(self.check_kind(label), frozenset())

    def kinds_under(self, ancestor: str) -> list[str]:
        """Every node kind that is ``ancestor`` or below it, sorted.

        Examples
        --------
        >>> vocabulary().kinds_under("Place")
        ['LSOA', 'LocalAuthorityArea', 'Place', 'Ward']
        """
        self.check_kind(ancestor)
        return sorted(k for k, anc in self.ancestors.items() if ancestor in anc)


def _unknown(what: str, value: str, choices: dict) -> str:
    return f"{what} {value!r} is not in the ontology. Use one of: {', '.join(sorted(choices))}."


def ontology_graph() -> Graph:
    """Parse ``ecosystem.ttl`` into a fresh rdflib graph.

    Examples
    --------
    >>> len(ontology_graph()) > 100
    True
    """
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def _string(g: Graph, subject: URIRef, annotation: URIRef) -> str | None:
    value = g.value(subject, annotation)
    return str(value) if isinstance(value, Literal) else None


def _in_eco(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(ECO_IRI)


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary of the ontology file, read once per process.

    Returns
    -------
    Vocabulary
        Immutable; safe to share.

    Examples
    --------
    >>> "FUNDED_BY" in vocabulary().relations
    True
    """
    g = ontology_graph()
    kinds: dict[str, URIRef] = {}
    for cls in g.subjects(RDF.type, OWL.Class):
        label = _string(g, cls, _ECO_OPEN.pgLabel)
        if _in_eco(cls) and label and not g.value(cls, _ECO_OPEN.abstract):
            kinds[label] = cls
    label_of = {iri: label for label, iri in kinds.items()}
    ancestors = {
        label: frozenset(
            label_of[c] for c in g.transitive_objects(iri, RDFS.subClassOf) if c in label_of
        )
        for label, iri in kinds.items()
    }
    relations = {
        str(rel_type): prop
        for prop in g.subjects(RDF.type, OWL.ObjectProperty)
        if _in_eco(prop) and (rel_type := _string(g, prop, _ECO_OPEN.pgType))
    }
    attributes = {}
    for prop in g.subjects(RDF.type, OWL.DatatypeProperty):
        key = _string(g, prop, _ECO_OPEN.pgKey)
        if _in_eco(prop) and key:
            rng = g.value(prop, RDFS.range)
            attributes[key] = Attribute(key, prop, rng if isinstance(rng, URIRef) else None)
    return Vocabulary(kinds, ancestors, relations, attributes)


def _eco_terms() -> list[str]:
    g = ontology_graph()
    return sorted({str(s)[len(ECO_IRI):] for s in g.subjects() if _in_eco(s)})


#: Closed namespace of every term the ontology defines: ``ECO.Charity`` works, ``ECO.Charty`` raises.
ECO = ClosedNamespace(ECO_IRI, _eco_terms())
