"""One-page briefs: a brief with a full table, a chart, caveats, sources and column meanings prints
on one A4 page (headless Chromium), and shows yes / no / unknown rather than True / False / empty."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pandas as pd

from civicgraph.pipeline.briefs import CHARTS, brief_table, write_briefs
from civicgraph.pipeline.result import AnswerResult, coverage_row


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise RuntimeError("Chromium is needed to print the briefs: scripts/test.sh installs Debian's 'chromium'")


def _busy_answer() -> AnswerResult:
    """A money answer as long as Hounslow's: 20 funders, four long caveats, eight sources."""
    table = pd.DataFrame({"funder": [f"GB-CHC-{n}" for n in range(20)],
                          "funder_name": [f"The Community Foundation Trust Number {n}" for n in range(20)],
                          "grants": range(20, 0, -1), "amount_gbp": [100_000.0 - 4_000 * n for n in range(20)],
                          "other_currencies": [None] * 20, "recipients": range(20, 0, -1),
                          "gini": [0.3] * 20, "hhi": [0.2] * 20})
    sources = pd.DataFrame({"dataset": [f"360giving:funder_{n}_grants.json" for n in range(8)],
                            "licence": ["CC-BY-4.0"] * 8, "first_date": ["2010-01-01"] * 8,
                            "last_date": ["2015-12-31"] * 8, "facts": [100] * 8})
    caveat = ("Grants of 20 funders are loaded; money from funders whose grants are not loaded is not in any "
              "of these totals, and a ward's 0 GBP means no grant is placed there, not that it received none.")
    return AnswerResult("05_funding_by_funder", "5. Grants by funder, and how concentrated", table,
                        "1,240,000 GBP in 210 grants from 20 funders.",
                        coverage=pd.DataFrame([coverage_row(f"grants with field {n}", 9, 10) for n in range(5)]),
                        sources=sources, period="awards from 2010 to 2015", caveats=(caveat,) * 4,
                        columns={c: "what the column means, in plain words, long enough to wrap on a printed "
                                    "page" for c in table.columns})


def test_a_busy_brief_prints_on_one_a4_page(tmp_path: Path) -> None:
    assert "05_funding_by_funder" in CHARTS  # the brief carries a chart
    written = write_briefs({"05_funding_by_funder": _busy_answer()}, tmp_path, nx.MultiDiGraph())
    page = tmp_path / "05_funding_by_funder.html"
    assert page in written and (tmp_path / "05_funding_by_funder.png") in written
    pdf = tmp_path / "brief.pdf"
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                   capture_output=True, timeout=180, check=True)
    pages = re.findall(rb"/Type\s*/Page(?![a-z])", pdf.read_bytes())
    assert len(pages) == 1
    text = page.read_text()
    assert "size: A4" in text and "1,240,000 GBP in 210 grants from 20 funders." in text


def test_brief_tables_say_yes_no_unknown() -> None:
    table = pd.DataFrame({"id": ["a", "b", "c"], "name": ["A", "B", "C"], "registered": [True, False, None],
                          "links_in": [0, 1, 2]})
    shown = brief_table(table, columns=("name", "registered"))
    assert shown.columns.tolist() == ["name", "registered"]
    assert shown["registered"].tolist() == ["yes", "no", "unknown"]
