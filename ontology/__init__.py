"""The ecosystem ontology (``ecosystem.ttl``), its SHACL shapes and the vocabulary read from them."""
