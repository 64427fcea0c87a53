"""The bottom layer: errors, identifiers, provenance, money amounts, text made safe for files,
atomic output folders, column helpers and hashing. It imports nothing else of civicgraph's."""
