"""Cypher on the ecosystem graph: an embedded LadybugDB database built from a saved graph
(``store``), with tables generated from the ontology (``schema``), a read-only HTTP endpoint shaped
like Neo4j's Query API (``endpoint``), the read-only statement check (``statement``), the confined
query processes behind it (``workers``, ``sandbox``) and the Query API's JSON (``results``)."""
