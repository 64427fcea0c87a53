#!/usr/bin/env bash
# Install everything and run the test suite (unit tests, loader tests on real extracts, doctests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python.sh
make_venv "dev,neo4j"
# the workshop-map tests open each map in a real browser: Debian's Chromium
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    (sudo apt-get update -qq && sudo apt-get install -y -qq chromium) >/dev/null
  else
    echo "the map tests need Chromium: install your system's 'chromium' package" >&2
  fi
fi
.venv/bin/python -m pytest -n 2 "$@"
