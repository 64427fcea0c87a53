"""The twelve questions and the centrality suite, one module per question family.

Every function reads the ecosystem graph (or its tables) and returns a table or an answer; none
changes the graph. Submodules are imported by name (``from civicgraph.analysis.gaps import
below_the_radar_groups``).
"""
