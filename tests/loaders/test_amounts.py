"""Amounts read right: a decimal comma is refused, never read as a number a thousand times smaller."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from civicgraph.core.errors import ConfigError
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.local_knowledge import WorkbookLoader
from civicgraph.loaders.registry import get_loader
from civicgraph.loaders.tabular import parse_amount, parse_amounts
from civicgraph.loaders.transparency import AssetsLoader, SpendLoader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DATA = Path(__file__).resolve().parents[2] / "data"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "London Borough of Hounslow")


@pytest.mark.parametrize(("text", "amount"), [
    ("1,000.50", 1000.5), ("£12,500", 12500.0), ("1000", 1000.0), ("(250.00)", -250.0), ("-3", -3.0),
    ("1.000,50", None), ("1,5", None), ("12,50", None), ("1,0000", None), ("nan", None), ("inf", None), ("", None),
])
def test_parse_amount_refuses_what_is_not_a_uk_amount(text: str, amount: float | None) -> None:
    assert parse_amount(text) == amount
    parsed = parse_amounts(pd.Series([text], dtype=object)).iloc[0]
    assert parsed == amount if amount is not None else pd.isna(parsed)


def test_an_asset_rent_with_a_decimal_comma_is_rejected_not_shifted(tmp_path: Path) -> None:
    text = (FIXTURES / "assets" / "land_and_assets.csv").read_text(encoding="utf-8")
    path = tmp_path / "assets.csv"
    path.write_text(text.replace('"12,500"', '"1.000,50"'), encoding="utf-8")
    result = AssetsLoader().load(path, HOUNSLOW)
    assert 1.0005 not in set(result.nodes.get("rent_gbp", pd.Series(dtype=float)))
    assert [6, "Rent", "1.000,50"] in result.rejections[["row", "field", "value"]].values.tolist()


def test_a_workbook_income_with_a_decimal_comma_is_rejected_not_shifted(tmp_path: Path) -> None:
    folder = tmp_path / "hounslow"
    folder.mkdir()
    for file in (DATA / "local_knowledge" / "hounslow").iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    with (folder / "organisations.csv").open("a", encoding="utf-8") as handle:
        handle.write('LOCAL-HNS-comma-club,Comma Club,UnregisteredGroup,,,"1.000,50",,,,,active,,test,2020-01-01\n')
    result = WorkbookLoader().load(folder, HOUNSLOW)
    assert "LOCAL-HNS-comma-club" not in set(result.nodes["id"])
    rejected = result.rejections[result.rejections["value"] == "1.000,50"]
    assert rejected["field"].tolist() == ["income_gbp"]


@pytest.mark.parametrize(("decimal", "rent"), [(",", 1000.5), (".", None)])
def test_an_asset_rent_reads_a_decimal_comma_only_when_configured(decimal: str, rent: float | None,
                                                                  tmp_path: Path) -> None:
    text = (FIXTURES / "assets" / "land_and_assets.csv").read_text(encoding="utf-8")
    path = tmp_path / "assets.csv"
    path.write_text(text.replace('"12,500"', '"1.000,50"'), encoding="utf-8")
    result = AssetsLoader().load(path, HOUNSLOW, decimal=decimal)
    rents = set(result.nodes.get("rent_gbp", pd.Series(dtype=float)).dropna())
    rejected = result.rejections[result.rejections["value"] == "1.000,50"]
    if rent is None:
        assert 1000.5 not in rents and 1.0005 not in rents
        assert rejected["reason"].str.contains('set decimal = ","', regex=False).all() and len(rejected) == 1
    else:
        assert rent in rents and rejected.empty


@pytest.mark.parametrize(("decimal", "amount"), [(",", 1000.5), (".", None)])
def test_a_spend_amount_reads_a_decimal_comma_only_when_configured(decimal: str, amount: float | None,
                                                                   tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text('Supplier Name,Directorate,Amount,Payment Date\nAge UK Hounslow,Adults,"1.000,50",01/04/2024\n',
                    encoding="utf-8")
    result = SpendLoader().load(path, HOUNSLOW, decimal=decimal)
    amounts = result.edges.loc[result.edges["relation"] == "PAID_BY", "amount"].tolist() if len(result.edges) else []
    if amount is None:
        assert amounts == [] and result.rejections["value"].tolist() == ["1.000,50"]
    else:
        assert amounts == [amount] and result.rejections.empty


def test_the_decimal_option_is_taken_from_a_source_and_checked() -> None:
    for loader in ("spend", "assets", "workbook", "360giving"):
        get_loader(loader).check_options({"decimal": ","})
    with pytest.raises(ConfigError, match=r"^loader 'spend' option decimal: ';' is not supported. Use one of: '.', ','.$"):
        SpendLoader().load(FIXTURES / "spend" / "lambeth_payments_2012_06.csv", HOUNSLOW, decimal=";")


@pytest.mark.parametrize("decimal", [",", "."])
def test_a_workbook_income_reads_a_decimal_comma_only_when_configured(decimal: str, tmp_path: Path) -> None:
    folder = tmp_path / "hounslow"
    folder.mkdir()
    (folder / "organisations.csv").write_text(
        "id,name,kind,income_gbp,source\nLOCAL-HNS-comma-club,Comma Club,UnregisteredGroup,\"1.000,50\",test\n",
        encoding="utf-8")
    result = WorkbookLoader().load(folder, HOUNSLOW, decimal=decimal)
    if decimal == ",":
        assert result.nodes.set_index("id").loc["LOCAL-HNS-comma-club", "latest_income"] == 1000.5
    else:
        assert "LOCAL-HNS-comma-club" not in set(result.nodes.get("id", []))
        assert result.rejections["value"].tolist() == ["1.000,50"]


def test_an_xlsx_workbook_refuses_a_decimal_comma_option(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^loader 'workbook' option decimal: ',' applies to a folder of CSV sheets"):
        WorkbookLoader().load(tmp_path / "book.xlsx", HOUNSLOW, decimal=",")
