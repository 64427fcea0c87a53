"""Local government transparency data: payments over 500 GBP, and the land and assets register.

Councils publish these under the Local Government Transparency Code, each in its own variant of the
layout. Columns are found by the names councils use (:data:`SPEND_COLUMNS`, :data:`ASSET_COLUMNS`),
after any title block above the header. Text is read as UTF-8, or Windows-1252 when it is not.

Spend: each payment becomes ``supplier -PAID_BY-> directorate`` with amount and date; the directorate
(the file's department or service column) is ``PART_OF`` the council. Suppliers have no identifiers
in these files: they get ``SUPPLIER-{council code}-{slug of name}`` until entity resolution matches
them to registered organisations. Rows whose supplier is withheld as personal data are counted and
skipped. A known corruption, the date and amount run together (``25/06/2012900``), is split at the
fixed-width date and the repair noted on the edge.

Assets: each asset becomes a ``Building`` or ``Land`` node owned by the council (``OWNS``), and its
occupier, where named, ``OCCUPIES`` it with the rent and rent terms.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from graph.errors import SourceFormatError
from graph.identifiers import local_group_id, slugify
from loaders.base import LoadContext, Loader, LoadResult, RecordSink, is_missing
from loaders.tabular import decode_bytes, normalise_postcode, parse_amount, read_csv_text

SPEND_COLUMNS = {
    "supplier": ("Supplier Name", "Supplier", "Vendor Name", "Vendor", "Payee Name", "Beneficiary"),
    "department": ("Department", "Directorate", "Service Area", "Service Division", "Service", "Department Name"),
    "amount": ("Invoice Nett Amount", "Amount", "Net Amount", "Amount (GBP)", "Value", "Total", "Net Value"),
    "date": ("Invoice Creation Date", "Payment Date", "Date", "Transaction Date", "Date Paid", "Invoice Date"),
    "purpose": ("Subj Description", "Expense Type", "Purpose", "Expenditure Category", "Description",
                "Expense Area", "Category"),
}
ASSET_COLUMNS = {
    "id": ("Unique Asset Identity", "Unique Asset ID", "Asset ID", "Asset Reference", "Property Reference", "UPRN"),
    "name": ("Asset Name", "Property Name", "Site Name", "Name"),
    "address": ("Address", "Street Name", "Street", "Address Line 1"),
    "town": ("Town", "Post Town", "Locality"),
    "postcode": ("Postcode", "Post Code", "PostCode"),
    "tenure": ("Tenure Type", "Tenure", "Holding Type"),
    "use": ("Asset Type", "Property Type", "Use", "Asset Use", "Primary Use"),
    "occupier": ("Occupier", "Occupier Name", "Tenant", "Lessee"),
    "rent": ("Rent", "Annual Rent", "Passing Rent", "Rent (GBP)"),
    "rent_terms": ("Rent Terms", "Rent Basis", "Lease Type", "Lease Terms"),
    "kind": ("Land or Building", "Asset Category", "Land/Building"),
}
PERSONAL = re.compile(r"redacted|personal data|private individual|individual|withheld"
                      r"|^\s*(mr|mrs|ms|miss|mx|dr|rev|revd)\b\.?\s+\w"  # a person by title; a sole trader:
                      r"|^(?!.*\b(?:ltd|limited|llp|plc|cic|company|group|services|trust|association)\b.*\bt(?:/a|rading as)\b)"
                      r"(?-i:(?:[A-Z]\.?\s+)+[A-Z][a-z'-]+|[A-Z][a-z'-]+\s+(?:[A-Z]\.?\s+)?[A-Z][a-z'-]+)"
                      r"\s+(t/a|trading as)\b", re.IGNORECASE)
MOJIBAKE = str.maketrans({"\u2020": " ", "\xa0": " ", "\u00c2": ""})
_RUN_TOGETHER = re.compile(r"^(\d{2}/\d{2}/\d{4})(-?[\d,]*\.?\d+)$")
COMPANY_SUFFIX = re.compile(r"\b(ltd|limited|plc|llp|l\.l\.p|lp)\.?$", re.IGNORECASE)


def clean_text(value: Any) -> str:
    """Cell text with the usual transparency-file damage undone: stray daggers and non-breaking
    spaces (mis-decoded spaces) become spaces, runs of spaces collapse.

    Examples
    --------
    >>> clean_text("GAS -\u2020 GENERAL")
    'GAS - GENERAL'
    """
    return "" if is_missing(value) else " ".join(str(value).translate(MOJIBAKE).split())


def _pick(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    lowered = {c.lower(): c for c in frame.columns}
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def _money(text: str) -> float | None:
    return parse_amount(text)


def _day(text: str) -> str | None:
    for form in ("%d/%m/%Y", "%d-%b-%Y", "%d-%b-%y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y", "%d %b %Y"):
        try:
            return datetime.strptime(text.strip(), form).date().isoformat()
        except ValueError:
            continue
    return None


def _supplier_kind(name: str) -> str:
    return "Company" if COMPANY_SUFFIX.search(name) else "Organisation"


class SpendLoader(Loader):
    """Council payments over 500 GBP (Local Government Transparency Code), any council's layout."""

    name = "spend"
    title = "Council payments to suppliers over 500 GBP"
    source_url = "https://www.gov.uk/government/publications/local-government-transparency-code-2015"
    licence = "OGL-UK-3.0"

    def load(self, path: Path, context: LoadContext, *, council: str | None = None, date: str = "",
             licence: str | None = None) -> LoadResult:
        """Read a spend file; every payment becomes a ``PAID_BY`` edge.

        Parameters
        ----------
        path : Path
            The CSV file as published (title block, odd encodings and all).
        context : LoadContext
            The authority; the file is taken to be its council's unless ``council`` says otherwise.
        council : str, optional
            Org-ID of the council that published the file.

        Examples
        --------
        >>> ctx = LoadContext("E09000022", "GB-LAE-LBH", "Lambeth")
        >>> result = SpendLoader().load(Path("tests/fixtures/spend/lambeth_payments_2012_06.csv"), ctx)
        >>> result.summary()["edges"]["PAID_BY"], result.summary()["nodes"]["Directorate"]
        (3123, 4)
        """
        council = council or context.authority_id
        code = council.rsplit("-", 1)[-1]
        header = _find_any_header(path, SPEND_COLUMNS["supplier"])
        frame = read_csv_text(path, header_row=header)
        columns = {role: _pick(frame, names) for role, names in SPEND_COLUMNS.items()}
        missing = [role for role in ("supplier", "amount", "date") if columns[role] is None]
        if missing:
            raise SourceFormatError(
                f"{path.name} row {header + 1} (header): no column for {', '.join(missing)}; "
                f"expected one of {'; '.join(' / '.join(SPEND_COLUMNS[m]) for m in missing)}")
        sink = RecordSink(self.name, path)
        licence = licence or self.licence
        directorates: set[str] = set()
        repaired = withheld = 0
        for number, row in frame.iterrows():
            line = number + header + 2
            supplier = clean_text(row[columns["supplier"]])
            department = clean_text(row[columns["department"]]) if columns["department"] else "(not stated)"
            raw_date, raw_amount = clean_text(row[columns["date"]]), clean_text(row[columns["amount"]])
            note = None
            if (match := _RUN_TOGETHER.match(raw_date)) and not _money(raw_amount or "x"):
                raw_date, raw_amount, note = match.group(1), match.group(2), "repaired: date and amount were run together"
                repaired += 1
                purpose = clean_text(row[columns["amount"]]) or (clean_text(row[columns["purpose"]]) if columns["purpose"] else "")
            else:
                purpose = clean_text(row[columns["purpose"]]) if columns["purpose"] else ""
            if not supplier:
                first_cell = clean_text(row.iloc[0]).lower()
                if first_cell in ("total", "grand total", ""):
                    continue  # a footer: the file's own total, or a blank line of separators
                sink.reject(line, columns["supplier"], "", "no supplier")
                continue
            if re.search(r"\d{2}/\d{2}/\d{4}[\d.,]*$", supplier):
                sink.reject(line, columns["supplier"], supplier,
                            "supplier and date run together, so the columns are shifted; fix the source")
                continue
            if PERSONAL.search(supplier):
                withheld += 1
                continue
            if not department:
                sink.reject(line, columns["department"], row[columns["department"]], "no department")
                continue
            amount, day = _money(raw_amount), _day(raw_date)
            if amount is None:
                sink.reject(line, columns["amount"], raw_amount, "not a number")
                continue
            if day is None:
                sink.reject(line, columns["date"], raw_date, "not a date (dd/mm/yyyy)")
                continue
            prov = sink.provenance(f"row {line}", date or day, licence)
            directorate = f"LOCAL-{code}-directorate-{slugify(department)}"
            if directorate not in directorates:
                directorates.add(directorate)
                sink.node(directorate, "Directorate", prov, name=department)
                _council_node(sink, council, context, prov)
                sink.edge(directorate, council, "PART_OF", prov)
            supplier_id = f"SUPPLIER-{code}-{slugify(supplier)}"
            sink.node(supplier_id, _supplier_kind(supplier), prov, name=supplier)
            sink.edge(supplier_id, directorate, "PAID_BY", prov, amount=amount, currency="GBP", date=day,
                      description=purpose or None, note=note)
        return sink.result(f"the file is {council}'s own: {len(frame)} rows, {repaired} repaired, "
                           f"{withheld} withheld as personal data")


def _council_node(sink: RecordSink, council: str, context: LoadContext, prov: dict[str, str]) -> None:
    """The council that published the file (named when it is the build's own authority)."""
    sink.node(council, "Council", prov, name=context.authority_name if council == context.authority_id else council)


def _find_any_header(path: Path, names: tuple[str, ...], *, search_lines: int = 50) -> int:
    """The line of the header: the first line naming any of ``names`` (after a title block)."""
    wanted = {n.lower() for n in names}
    for number, line in enumerate(decode_bytes(path).splitlines()[:search_lines]):
        if wanted & {cell.strip().strip('"').lower() for cell in line.split(",")}:
            return number
    raise SourceFormatError(f"{path.name}: no header row naming any of the columns {' / '.join(names)} "
                            f"in the first {search_lines} lines")


class AssetsLoader(Loader):
    """A council's land and assets register (Transparency Code), with occupiers and rent terms."""

    name = "assets"
    title = "Council land and assets register"
    source_url = "https://www.gov.uk/government/publications/local-government-transparency-code-2015"
    licence = "OGL-UK-3.0"

    def load(self, path: Path, context: LoadContext, *, council: str | None = None, date: str = "",
             licence: str | None = None) -> LoadResult:
        """Read the register; assets are owned by the council, occupiers occupy them.

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> result = AssetsLoader().load(Path("tests/fixtures/assets/land_and_assets.csv"), ctx)
        >>> result.summary()["edges"]
        {'OCCUPIES': 3, 'OWNS': 5}
        """
        council = council or context.authority_id
        code = council.rsplit("-", 1)[-1]
        header = _find_any_header(path, ASSET_COLUMNS["name"])
        frame = read_csv_text(path, header_row=header)
        columns = {role: _pick(frame, names) for role, names in ASSET_COLUMNS.items()}
        if columns["name"] is None or (columns["id"] is None and columns["postcode"] is None):
            raise SourceFormatError(f"{path.name} row {header + 1} (header): needs an asset name column and an id or "
                                    f"postcode column ({' / '.join(ASSET_COLUMNS['id'])})")
        sink = RecordSink(self.name, path)
        licence = licence or self.licence
        first_seen: dict[str, int] = {}
        for number, row in frame.iterrows():
            line = number + header + 2

            def cell(role: str) -> str:
                return clean_text(row[columns[role]]) if columns[role] else ""
            name = cell("name")
            if not name:
                sink.reject(line, columns["name"], "", "no asset name")
                continue
            prov = sink.provenance(f"row {line}", date, licence)
            asset_id = f"ASSET-{code}-{slugify(cell('id'))}" if cell("id") else f"ASSET-{code}-{slugify(name)}"
            if asset_id in first_seen:
                sink.reject(line, columns["id"] or columns["name"], cell("id") or name,
                            f"duplicate asset (first at row {first_seen[asset_id]})")
                continue
            first_seen[asset_id] = line
            kind = "Land" if "land" in cell("kind").lower() or cell("use").lower() in ("land", "open space") else "Building"
            rent = None
            if cell("rent"):
                rent = _money(cell("rent"))
                if rent is None or rent < 0:
                    sink.reject(line, columns["rent"], cell("rent"), "not a non-negative amount")
                    continue
            address = ", ".join(filter(None, (cell("address"), cell("town"))))
            sink.node(asset_id, kind, prov, name=name, address=address or None, tenure=cell("tenure") or None,
                      asset_use=cell("use") or None, postcode=normalise_postcode(cell("postcode")) or None, rent_gbp=rent)
            _council_node(sink, council, context, prov)
            sink.edge(council, asset_id, "OWNS", prov)
            occupier = cell("occupier")
            if occupier and occupier.lower() not in ("vacant", "none", "n/a", "council"):
                occupier_id = local_group_id(code, occupier)
                sink.node(occupier_id, "Organisation", prov, name=occupier)
                terms = cell("rent_terms").lower() or None
                sink.edge(occupier_id, asset_id, "OCCUPIES", prov, rent_terms=terms, rent_gbp=rent)
        return sink.result(f"the register is {council}'s own: {len(frame)} assets")
