"""Reading text right: a few bad bytes in a UTF-8 file are replaced and reported, not a re-decoded file."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from civicgraph.core.errors import SourceEncodingWarning, SourceFormatError
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.registry import get_loader
from civicgraph.loaders.tabular import MAX_FIELD_BYTES, check_json_depth, decode_bytes, read_csv_text, stream_csv
from civicgraph.resolve.review import read_review_file

DATA = Path(__file__).parent.parent.parent / "data"
FIXTURES = Path(__file__).parent.parent / "fixtures"


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


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


def _random_json(rng: random.Random, level: int = 0) -> object:
    texts = ['[', ']', '{"', '\\', '\\"', '"]', 'a\\\\', 'é', '}}']
    choice = rng.random()
    if level > 6 or choice < 0.3:
        return "".join(rng.choice(texts) for _ in range(rng.randint(0, 4)))
    if choice < 0.65:
        return [_random_json(rng, level + 1) for _ in range(rng.randint(0, 3))]
    return {"".join(rng.choice(texts) for _ in range(2)): _random_json(rng, level + 1) for _ in range(rng.randint(0, 3))}


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 7, 1 << 20])
def test_json_depth_counts_brackets_outside_strings_only(block_bytes: int, tmp_path: Path) -> None:
    rng = random.Random(block_bytes)
    path = tmp_path / "a.json"
    for _ in range(60):
        value = _random_json(rng)
        path.write_text(json.dumps(value, ensure_ascii=rng.random() < 0.5), encoding="utf-8")
        depth = _depth(value)
        check_json_depth(path, limit=depth, block_bytes=block_bytes)
        if depth:
            with pytest.raises(SourceFormatError, match=f"nested deeper than the limit of {depth - 1} levels"):
                check_json_depth(path, limit=depth - 1, block_bytes=block_bytes)


@pytest.mark.parametrize(("loader", "text"), [
    ("360giving", '{"grants": ' + "[" * 5000 + "]" * 5000 + "}"),
    ("360giving", "[" * 200_000 + "]" * 200_000),
    ("open-referral", "[" * 10_000 + "]" * 10_000),
])
def test_a_json_bracket_bomb_is_refused_in_one_line(loader: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "bomb.json"
    path.write_text(text)
    with pytest.raises(SourceFormatError, match=r"bomb.json byte \d+: lists and objects nested deeper than the limit of 100 levels \(\[limits\] max_json_depth\)"):
        get_loader(loader).load(path, LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", None))


@pytest.mark.parametrize("loader", ["assets", "charity-links", "ons-lookup"])
def test_a_csv_cut_short_is_refused_naming_its_last_row(loader: str, tmp_path: Path) -> None:
    source = {"assets": FIXTURES / "assets" / "land_and_assets.csv",
              "charity-links": DATA / "ccew" / "hounslow_charity_parent_relationships.csv",
              "ons-lookup": DATA / "geography" / "hounslow_lsoa11_ward17_lookup.csv"}[loader]
    raw = source.read_bytes().rstrip(b"\r\n")
    path = tmp_path / source.name
    path.write_bytes(raw[: raw.rfind(b",")])  # the last row loses its last field and its line end
    with pytest.raises(SourceFormatError, match=rf"{source.name} row \d+: the last row has \d+ of \d+ fields"):
        get_loader(loader).load(path, LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", None))
    path.write_bytes(raw)  # whole, only without a final line end: read as before
    get_loader(loader).load(path, LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", None))


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])  # pyarrow's reader and pandas' after decoding
def test_a_field_over_the_limit_is_refused_naming_file_row_field_and_limit(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(f'name,notes\nCafé,short\nB,"{"x" * (MAX_FIELD_BYTES + 1)}"\n'.encode(encoding))
    with pytest.raises(SourceFormatError, match=rf"^big.csv row 3, field notes: {MAX_FIELD_BYTES + 1:,} bytes, "
                                                rf"over the limit of {MAX_FIELD_BYTES:,} bytes per field \(\[limits\] max_field_bytes\)$"):
        read_csv_text(path)
    path.write_bytes(f'name,notes\nCafé,short\nB,"{"x" * MAX_FIELD_BYTES}"\n'.encode(encoding))
    assert read_csv_text(path)["notes"].str.len().tolist() == [5, MAX_FIELD_BYTES]  # at the limit: read


def test_a_field_over_the_limit_is_refused_by_the_streaming_reader(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,x\n" * 10 + "2," + "y" * 40 + "\n")
    with pytest.raises(SourceFormatError, match=r"^big.csv row 12, field b: 40 bytes, over the limit of 30 bytes"):
        list(stream_csv(path, max_field_bytes=30, block_bytes=64))
    with pytest.raises(SourceFormatError, match=r"^big.csv after row \d+: a field longer than 6 bytes, over the limit of 3 "):
        list(stream_csv(path, max_field_bytes=3, block_bytes=4))  # a cell longer than a whole block (twice the limit)


@pytest.mark.parametrize("block_bytes", [16, 1 << 20])
def test_rows_over_the_limit_are_refused_naming_the_first_row_past_it(block_bytes: int, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("code,name\n" + "".join(f"E{n},N{n}\n" for n in range(20)))
    assert len(read_csv_text(path, max_rows=20)) == len(pd.concat(stream_csv(path, max_rows=20))) == 20
    with pytest.raises(SourceFormatError, match=r"^long.csv row 21: over the limit of 19 data rows \(\[limits\] max_rows\)$"):
        read_csv_text(path, max_rows=19)
    with pytest.raises(SourceFormatError, match=r"^long.csv row 12: over the limit of 10 data rows \(\[limits\] max_rows\)$"):
        list(stream_csv(path, max_rows=10, block_bytes=block_bytes))
