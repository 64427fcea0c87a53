# Sourced by the other scripts: set PY to a Python 3.12 or newer, and make .venv with it.
find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      echo "$candidate"; return 0
    fi
  done
  # Python versions installed by pyenv but not selected as its default
  for candidate in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3; do
    if [ -x "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      echo "$candidate"; return 0
    fi
  done
  echo "no Python 3.12 or newer found; install one or set PYTHON=/path/to/python3.12" >&2
  return 1
}

make_venv() {
  # $1: the extras to install, e.g. "dev"
  local py
  py=$(find_python) || exit 1
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    rm -rf .venv
    "$py" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --editable ".[${1}]"
}
