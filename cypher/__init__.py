"""Cypher on the ecosystem graph: an embedded LadybugDB database built from a saved graph
(``store``), with tables generated from the ontology (``schema``), a read-only HTTP endpoint shaped
like Neo4j's Query API (``endpoint``) and its statement guard (``guard``)."""
