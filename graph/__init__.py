"""The ecosystem graph: its tables, the merge of loaders' records, storage, RDF and SHACL shapes.

Submodules are imported by name (``from civicgraph.graph.store import save_graph``); nothing is star-imported here.
"""
