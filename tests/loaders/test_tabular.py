"""Reading text right: a few bad bytes in a UTF-8 file are replaced and reported, not a re-decoded file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from graph.errors import SourceEncodingWarning
from loaders.base import LoadContext
from loaders.registry import get_loader
from loaders.tabular import decode_bytes, read_csv_text
from resolve.review import read_review_file

DATA = Path(__file__).parent.parent.parent / "data"


def test_one_bad_byte_in_a_utf8_file_is_replaced_and_named_by_line(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes("name\nCafé Society\nBad \x9d Club\nÜber Group\n".encode().replace(b"\xc2\x9d", b"\x9d"))
    with pytest.warns(SourceEncodingWarning, match=r"orgs.csv line 3: byte 0x9d is not UTF-8"):
        frame = read_csv_text(path)
    assert frame["name"].tolist() == ["Café Society", "Bad \ufffd Club", "Über Group"]


def test_a_windows_1252_file_is_still_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_bytes("name\nCafé Society\n£ sign\n".encode("cp1252"))
    assert decode_bytes(path).splitlines()[1:] == ["Café Society", "£ sign"]


def test_workbook_ids_and_names_survive_a_bad_byte(tmp_path: Path) -> None:
    folder = tmp_path / "hounslow"
    folder.mkdir()
    for file in (DATA / "local_knowledge" / "hounslow").iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    sheet = folder / "organisations.csv"
    clean = get_loader("workbook").load(folder, LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", None))
    sheet.write_bytes(sheet.read_bytes() + "\n,Café Ünïon \x9d Club,UnregisteredGroup,,,,,,,,active,,test,2020-01-01\n"
                      .encode().replace(b"\xc2\x9d", b"\x9d"))
    with pytest.warns(SourceEncodingWarning, match="organisations.csv line"):
        dirty = get_loader("workbook").load(folder, LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", None))
    assert set(clean.nodes["id"]) < set(dirty.nodes["id"])  # no identifier changed
    assert "Café Ünïon \ufffd Club" in set(dirty.nodes["name"])


def test_a_review_file_saved_by_excel_in_windows_1252_is_read(tmp_path: Path) -> None:
    path = tmp_path / "review.csv"
    pd.DataFrame({"left_id": ["GB-CHC-1"], "left_name": ["Café"], "right_id": ["LOCAL-HNS-x"],
                  "decision": ["Accept"]}).to_csv(path, index=False, encoding="cp1252")
    review = read_review_file(path)
    assert review[["left_name", "decision"]].values.tolist() == [["Café", "accept"]]
