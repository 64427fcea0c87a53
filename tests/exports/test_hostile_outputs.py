"""A catalogue of hostile names through every writer: no live formula, valid XML, no HTML in Markdown."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import networkx as nx
import openpyxl
import pandas as pd
import pytest
import rdflib

from civicgraph.core.cells import FORMULA_STARTS
from civicgraph.core.errors import OutputFolderError
from civicgraph.exports.formats import EXPORT_FORMATS, export_graph
from civicgraph.pipeline.answers import write_answers
from civicgraph.pipeline.result import AnswerResult

#: Names a public register or directory could hold, each meant to act on whoever opens the output.
HOSTILE_NAMES = [
    '=HYPERLINK("http://x","click")', "=1+1", "+SUM(1;2)", "-2+3 Group", "@cmd Trust", "\tTab Club",
    "\r=Carriage Return", "Nul\x00 Club", "Vertical\x0b Tab Society", "Form\x0c Feed", "\x1b[31mEscape",
    "<!--<script>alert(1)</script>", "</script><b>bold</b>", "]]> & <!ENTITY x>", "a | b | c",
    "line\nbreak", "Café Society", "تعاون الجالية", "\ufffe non-character", '"quoted" \'name\'',
]
XML_FORMATS = ("graphml", "xml")


def _hostile_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(authority_name="<b>Borough</b>")
    prov = [{"dataset": "workbook:=cmd", "record": "row\x00 2", "date": "2020-01-01", "licence": "OGL-UK-3.0"}]
    graph.add_node("GB-LAE-HNS", kind="Council", name="Council", provenance=prov, field_provenance={}, conflicts=[])
    for i, name in enumerate(HOSTILE_NAMES):
        node = f"LOCAL-HNS-{i}"
        graph.add_node(node, kind="UnregisteredGroup", name=name, other_names=[name, "=A1"], description=name,
                       provenance=prov, field_provenance={}, conflicts=[])
        graph.add_edge(node, "GB-LAE-HNS", key=f"e{i}", relation="MEMBER_OF", role=name, provenance=prov)
    return graph


def _texts_of_csv(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _cells_of_workbook(path: Path) -> list[openpyxl.cell.Cell]:
    return [cell for sheet in openpyxl.load_workbook(path) for row in sheet.iter_rows() for cell in row]


# Parquet keeps text as it is (typed, for civicgraph); neo4j-import's files are for neo4j-admin
@pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f not in ("parquet", "neo4j-import")])
def test_every_export_of_hostile_names_is_valid_and_runs_nothing(fmt: str, tmp_path: Path) -> None:
    [*written] = export_graph(_hostile_graph(), fmt, tmp_path / ("export.xlsx" if fmt == "excel" else fmt))
    for path in written:
        if fmt == "csv":
            texts = _texts_of_csv(path)
            assert not [t for t in texts if t.startswith(FORMULA_STARTS)]
            assert any(t == "'=HYPERLINK(\"http://x\",\"click\")" for t in texts)
            assert "\x00" not in path.read_text(encoding="utf-8")
        elif fmt == "excel":
            cells = _cells_of_workbook(path)
            assert not [c for c in cells if c.data_type == "f"]
            assert not [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]
        elif fmt in XML_FORMATS:
            ElementTree.parse(path)  # raises on any character XML 1.0 cannot hold
        else:
            parsed = rdflib.Graph().parse(path, format=fmt)
            names = {str(o) for o in parsed.objects() if isinstance(o, rdflib.Literal)}
            assert "Nul Club" in names and "<!--<script>alert(1)</script>" in names
        if fmt == "json-ld":
            json.loads(path.read_text(encoding="utf-8"))


def test_excel_export_that_fails_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", fail)
    with pytest.raises(OSError, match="No space"):
        export_graph(_hostile_graph(), "excel", tmp_path / "hns.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_answers_of_hostile_names_run_nothing_in_csv_excel_or_markdown(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": HOSTILE_NAMES, "amount_gbp": [-5.0] * len(HOSTILE_NAMES)})
    answers = {key: AnswerResult(key, "Which?", frame, "<b>headline</b>", caveats=("<script>x</script>",))
               for key in _answer_keys()}
    written = write_answers(answers, tmp_path, title="<b>Borough</b>", rows_shown=len(frame))
    for path in written:
        if path.suffix == ".csv":
            assert not [t for t in _texts_of_csv(path) if t.startswith(FORMULA_STARTS) and t != "-5.0"]
        elif path.suffix == ".xlsx":
            cells = _cells_of_workbook(path)
            assert not [c for c in cells if c.data_type == "f"]
            assert [c.value for c in cells if c.value == -5.0]  # numbers stay numbers
        else:
            text = path.read_text(encoding="utf-8")
            assert "<" not in text and "\x00" not in text
            if path.name == "answers.md":  # the table's names, shown escaped
                assert "&lt;!--&lt;script&gt;" in text


def _answer_keys() -> list[str]:
    from civicgraph.pipeline.answers import ANSWERS

    return [answer.key for answer in ANSWERS]


def test_answers_differing_only_in_the_last_bits_of_a_measure_are_byte_identical(tmp_path: Path) -> None:
    first = pd.DataFrame({"id": ["a", "b"], "eigenvector": [0.017901442864649255, 0.007314522579992798]})
    second = first.assign(eigenvector=[0.017901442864649262, 0.007314522579992821])
    keys = _answer_keys()
    one = write_answers({k: AnswerResult(k, "Which?", first, "Two.") for k in keys}, tmp_path / "one", title="T")
    two = write_answers({k: AnswerResult(k, "Which?", second, "Two.") for k in keys}, tmp_path / "two", title="T")
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_an_export_never_overwrites_a_file_of_another_kind(tmp_path: Path) -> None:
    thesis = tmp_path / "thesis.docx"
    thesis.write_text("three years")
    for fmt in ("turtle", "excel", "graphml", "json-ld"):
        with pytest.raises(OutputFolderError, match=r"thesis.docx: exists and is not a"):
            export_graph(_hostile_graph(), fmt, thesis)
    assert thesis.read_text() == "three years"
    export_graph(_hostile_graph(), "turtle", tmp_path / "hns.ttl")
    export_graph(_hostile_graph(), "turtle", tmp_path / "hns.ttl")  # its own kind is replaced


def test_template_never_overwrites_a_filled_in_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from civicgraph.cli import main

    filled = tmp_path / "local_knowledge.xlsx"
    filled.write_bytes(b"a filled-in workbook")
    assert main(["template", str(filled)]) == 2
    assert "exists" in capsys.readouterr().err
    assert filled.read_bytes() == b"a filled-in workbook"


def test_the_json_ld_export_is_byte_identical_whatever_the_string_hashing(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    script = """if True:
        import sys
        from pathlib import Path
        import networkx as nx
        from civicgraph.exports.formats import export_graph
        prov = [{"dataset": "workbook", "record": "row 2", "date": "2020-01-01", "licence": "OGL-UK-3.0"}]
        graph = nx.MultiDiGraph()
        graph.add_node("GB-LAE-HNS", kind="Council", name="Council", provenance=prov, field_provenance={}, conflicts=[])
        for i in range(60):
            graph.add_node(f"LOCAL-HNS-{i}", kind="UnregisteredGroup", name=f"Group {i}", other_names=[f"G{i}", f"H{i}"],
                           provenance=prov, field_provenance={}, conflicts=[])
            graph.add_edge(f"LOCAL-HNS-{i}", "GB-LAE-HNS", key=f"e{i}", relation="MEMBER_OF", provenance=prov)
        export_graph(graph, "json-ld", Path(sys.argv[1]))
    """
    written = []
    for seed in ("1", "2"):
        path = tmp_path / f"{seed}.jsonld"
        subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=300,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        written.append(path.read_bytes())
    assert written[0] == written[1]
    assert len(rdflib.Graph().parse(data=written[0], format="json-ld")) > 60 * 4
