"""Entity resolution: one node per real organisation across registers, grants, directories and spend."""
