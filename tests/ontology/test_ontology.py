"""The ontology file is the one definition of the graph's vocabulary, and every class has a shape."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, Graph, Namespace

from civicgraph.core.errors import UnknownTermError
from civicgraph.loaders.local_knowledge import RELATIONS
from civicgraph.loaders.threesixtygiving import KIND_BY_SCHEME
from civicgraph.ontology.vocabulary import ECO, ECO_IRI, SHAPES_FILE, ontology_graph, vocabulary

SH = Namespace("http://www.w3.org/ns/shacl#")


def test_ontology_parses_and_declares_itself() -> None:
    graph = ontology_graph()
    assert (None, RDF.type, OWL.Ontology) in graph
    assert len(vocabulary().kinds) >= 35


def test_every_class_has_a_shape() -> None:
    shapes = Graph().parse(SHAPES_FILE)
    targeted = set(shapes.objects(None, SH.targetClass))
    classes = {c for c in ontology_graph().subjects(RDF.type, OWL.Class) if str(c).startswith(ECO_IRI)}
    assert classes - targeted == set()


def test_kinds_named_in_the_brief_are_in_the_ontology() -> None:
    kinds = vocabulary().kinds
    for kind in ("Charity", "UnregisteredGroup", "Funder", "Grant", "Contract", "Council", "Directorate",
                 "Team", "NHSBody", "Asset", "Ward", "LSOA", "Forum", "Alliance", "Service", "Theme",
                 "SupportFunction", "Workshop", "Person", "BusinessImprovementDistrict"):
        assert kind in kinds


def test_terms_reuse_published_vocabularies() -> None:
    graph = ontology_graph()
    org = Namespace("http://www.w3.org/ns/org#")
    assert (ECO.Organisation, RDF.type, OWL.Class) in graph
    assert org.Organization in set(graph.transitive_objects(ECO.Charity, Namespace("http://www.w3.org/2000/01/rdf-schema#").subClassOf))
    assert org.memberOf in set(graph.objects(ECO.memberOf, Namespace("http://www.w3.org/2000/01/rdf-schema#").subPropertyOf))


def test_misspelt_term_fails_loudly() -> None:
    with pytest.raises(AttributeError):
        ECO.Charty  # noqa: B018
    with pytest.raises(UnknownTermError, match="Use one of: .*Charity"):
        vocabulary().check_kind("Charty")
    with pytest.raises(UnknownTermError, match="FUNDED_BY"):
        vocabulary().check_relation("FUNDZ")


def test_loaders_use_only_ontology_terms() -> None:
    vocab = vocabulary()
    assert set(KIND_BY_SCHEME.values()) <= set(vocab.kinds)
    assert set(RELATIONS.values()) <= set(vocab.relations)


def test_subclass_reasoning() -> None:
    vocab = vocabulary()
    assert vocab.is_a("CharitableIncorporatedOrganisation", "Charity")
    assert vocab.is_a("Forum", "Organisation")
    assert not vocab.is_a("Grant", "Organisation")
    assert "Ward" in vocab.kinds_under("Place")
