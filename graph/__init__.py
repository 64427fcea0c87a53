"""The ecosystem graph: model, merge, persistence, RDF and analysis.

Submodules are imported by name (``from civicgraph.graph.store import save_graph``); nothing is star-imported here.
"""
