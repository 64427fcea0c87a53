"""E-mail addresses and phone numbers in free text are withheld at load unless the user keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.loaders.personal_data import redact_text
from civicgraph.pipeline.build import build_graph
from civicgraph.pipeline.config import read_config

CONTACT = "Ring Jo Bloggs on 07700 900123 or e-mail jo.bloggs@example.org.uk"


@pytest.mark.parametrize(("text", "expected"), [
    ("call 020 8583 2000", "call [phone withheld]"),
    ("call +44 (0)20 8583 2000.", "call [phone withheld]."),
    ("call +44 7700 900 123", "call [phone withheld]"),
    ("call 0044 7700-900-123", "call [phone withheld]"),
    ("mail a.b+c@mail.example.com now", "mail [email withheld] now"),
    ("charity 1048347, company 01234567, founded 1909, 2019-2020", None),
    ("ConnectingKids@Home and @handle", None),
])
def test_contacts_are_withheld_and_other_numbers_kept(text: str, expected: str | None) -> None:
    assert redact_text(text) == (expected or text)


def _add_contacts(config: Path) -> None:
    services = config.parent.parent / "data" / "directory" / "hounslow_connect_services.csv"
    text = services.read_text(encoding="utf-8")
    services.write_text(text.replace("Founded in 1909,", f"Founded in 1909. {CONTACT}.", 1), encoding="utf-8")
    organisations = config.parent.parent / "data" / "local_knowledge" / "hounslow" / "organisations.csv"
    text = organisations.read_text(encoding="utf-8")
    organisations.write_text(text.replace("named as part of the civil society infrastructure", CONTACT, 1),
                             encoding="utf-8")


def _texts(graph: object) -> str:
    return " ".join(str(v) for _, data in graph.nodes(data=True) for v in data.values())


@pytest.mark.slow
def test_contacts_in_directory_and_workbook_text_are_withheld_by_default(hounslow_config: Path) -> None:
    _add_contacts(hounslow_config)
    texts = _texts(build_graph(read_config(hounslow_config), progress=False).graph)
    assert "07700" not in texts and "jo.bloggs@" not in texts
    assert texts.count("Ring Jo Bloggs on [phone withheld] or e-mail [email withheld]") == 2


@pytest.mark.slow
def test_keep_contacts_keeps_them(hounslow_config: Path) -> None:
    _add_contacts(hounslow_config)
    hounslow_config.write_text(hounslow_config.read_text().replace("[build]", "[build]\nkeep_contacts = true"))
    texts = _texts(build_graph(read_config(hounslow_config), progress=False).graph)
    assert texts.count(CONTACT) == 2


@pytest.mark.parametrize("supplier", ["Mr John Q Citizen", "MRS. A SMITH", "Dr Jane Doe", "J Smith t/a Smith Plumbing",
                                      "Jo Bloggs trading as Bloggs Catering"])
def test_a_spend_supplier_that_is_a_person_is_withheld(supplier: str, tmp_path: Path) -> None:
    from civicgraph.loaders.base import LoadContext
    from civicgraph.loaders.transparency import SpendLoader

    spend = Path(__file__).resolve().parents[1] / "fixtures" / "spend" / "lambeth_payments_2012_06.csv"
    text = spend.read_text(encoding="utf-8").replace("170 Community Project", supplier)
    (tmp_path / "spend.csv").write_text(text, encoding="utf-8")
    result = SpendLoader().load(tmp_path / "spend.csv", LoadContext("E09000022", "GB-LAE-LBH", "Lambeth"))
    assert "withheld as personal data" in result.filter_applied
    assert supplier not in set(result.nodes["name"].dropna())
