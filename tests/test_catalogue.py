"""The catalogue of hostile cases (``tests/CATALOGUE.md``) names tests that exist, for every kind of defect.

Run as a script, it prints the catalogue's test ids, to hand to pytest.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent / "CATALOGUE.md"
ROOT = CATALOGUE.parent.parent


def catalogue() -> dict[str, list[str]]:
    """Each numbered kind of defect (its heading) and the test ids listed under it."""
    kinds: dict[str, list[str]] = {}
    heading = None
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        if found := re.match(r"## (\d+)\. ", line):
            heading = found.group(1)
            kinds[heading] = []
        elif heading and (found := re.match(r"- (tests/\S+\.py::\w+)$", line)):
            kinds[heading].append(found.group(1))
    return kinds


def _functions(path: Path) -> set[str]:
    return {node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef)}


def test_every_kind_of_defect_of_the_issue_has_tests() -> None:
    kinds = catalogue()
    assert sorted(kinds, key=int) == [str(n) for n in range(1, 14)], sorted(kinds)
    assert all(kinds.values()), [kind for kind, tests in kinds.items() if not tests]


def test_every_test_the_catalogue_names_exists() -> None:
    missing = []
    for test_id in {t for tests in catalogue().values() for t in tests}:
        file, name = test_id.split("::")
        if not (ROOT / file).is_file() or name not in _functions(ROOT / file):
            missing.append(test_id)
    assert not missing, missing


if __name__ == "__main__":
    sys.stdout.write(" ".join(dict.fromkeys(t for tests in catalogue().values() for t in tests)) + "\n")
