"""Writing the graph for other tools: CSV, Excel, GraphML, Parquet, RDF."""
