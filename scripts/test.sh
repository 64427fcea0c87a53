#!/usr/bin/env bash
# Install everything and run the test suite (unit tests, loader tests on real extracts, doctests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python.sh
make_venv "dev"
.venv/bin/python -m pytest -n 2 "$@"
