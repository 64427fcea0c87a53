#!/usr/bin/env bash
# Install everything and run the main job: build the Hounslow graph from the bundled data and
# write the graph, report and exports to ./output (or the folder given as the first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python.sh
make_venv "dev,neo4j"
.venv/bin/civicgraph run config/hounslow.toml --out "${1:-output}"
