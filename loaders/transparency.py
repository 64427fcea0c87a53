"""Local government transparency data: payments over 500 GBP, and the land and assets register.

Councils publish these under the Local Government Transparency Code, each in its own variant of the
layout. Columns are found by the names councils use (:data:`SPEND_COLUMNS`, :data:`ASSET_COLUMNS`),
after any title block above the header. Text is read as UTF-8, or Windows-1252 when it is not.

Headers match ignoring case, spaces and punctuation (``BeneficiaryName`` is ``Beneficiary Name``).

Spend: each payment becomes ``supplier -PAID_BY-> directorate`` with amount and date; the directorate
(the file's department column, never the cost centre unless a ``directorate_map`` says which
directorate each cost centre is in) is ``PART_OF`` the council. Refunds and credit notes are
payments with negative amounts, kept so that a supplier's payments net out. A supplier with a charity
or company number column is that registered organisation; others get ``SUPPLIER-{council
code}-{slug of name}`` until entity resolution matches them to registered organisations, typed by
their name (:func:`supplier_kind`). Rows whose supplier is withheld as personal data are counted and
skipped. A known corruption, the date and amount run together (``25/06/2012900``), is split at the
fixed-width date and the repair noted on the edge.

Assets: each asset becomes a ``Building`` or ``Land`` node owned by the council (``OWNS``), keyed on
the council's asset identity (a UPRN may cover several assets), and its occupier, where named,
``OCCUPIES`` it with the rent and rent terms; both relations are dated as of the register's date.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from civicgraph.core.columns import is_missing
from civicgraph.core.errors import SourceFormatError
from civicgraph.core.identifiers import charity_id, company_id, local_group_id, slugify
from civicgraph.loaders.base import LoadContext, Loader, LoadResult, RecordSink
from civicgraph.loaders.tabular import check_decimal, decode_bytes, normalise_postcode, parse_amount, read_csv_text

#: Spend columns by role, in order of preference. The Transparency Code (2015, part 2 paragraph 24) asks
#: for the date, the department, the beneficiary, the purpose, the amount, irrecoverable VAT and the
#: merchant category; the names are those of the LGA's spend schema (``BeneficiaryName``,
#: ``ServiceCategoryLabel``, ``ExpenseType``) and of councils' own files. Headers match ignoring case,
#: spaces and punctuation (:func:`header_key`).
SPEND_COLUMNS = {
    "supplier": ("Supplier Name", "Supplier", "Beneficiary Name", "Beneficiary", "Vendor Name", "Vendor",
                 "Payee Name", "Payee", "Creditor Name", "Creditor", "Merchant Name"),
    "department": ("Directorate", "Department", "Department Name", "Service Category Label",
                   "Service Area Categorisation", "Service Division", "Service Area", "Service", "Portfolio"),
    "cost_centre": ("Cost Centre", "Cost Centre Name", "Cost Centre Description", "Responsible Unit",
                    "Expenditure Area", "Expense Area"),
    "amount": ("Invoice Nett Amount", "Amount", "Net Amount", "Amount (GBP)", "Amount Excluding VAT", "Value",
               "Total", "Net Value", "Amount Paid", "Payment Amount"),
    "date": ("Invoice Creation Date", "Payment Date", "Date", "Transaction Date", "Date Paid", "Invoice Date",
             "Effective Date", "Paid Date"),
    "purpose": ("Subj Description", "Expense Type", "Expenses Type", "Purpose", "Purpose of Expenditure",
                "Expenditure Category", "Description", "Narrative", "Merchant Category", "Category",
                "Procurement Category"),
    "charity_number": ("Charity Number", "Registered Charity Number", "Beneficiary Charity Number",
                       "Supplier Charity Number", "Charity Registration Number"),
    "company_number": ("Company Number", "Companies House Number", "Registered Company Number",
                       "Beneficiary Company Number", "Supplier Company Number", "Company Registration Number"),
}
#: Land and assets columns by role. The Transparency Code (2015, part 2 paragraph 36) asks for the
#: Unique Property Reference Number, the unique asset identity, the name of the building or land, the
#: street number, post town, postcode, a map reference, and whether the council holds the freehold or
#: a lease (with its characteristics); the LGA's land and assets schema names them ``UPRN``,
#: ``AssetCode``, ``PropertyName``, ``StreetNumber``, ``Street``, ``PostTown``, ``PostCode``,
#: ``HoldingType`` and ``HoldingTypeCharacteristic``. Occupier and rent columns are those councils add.
ASSET_COLUMNS = {
    "id": ("Unique Asset Identity", "Unique Asset ID", "Unique Asset Identifier", "Asset Code", "Asset ID",
           "Asset Reference", "Asset Number", "Property Reference", "Property Code", "Asset Ref"),
    "uprn": ("UPRN", "Unique Property Reference Number", "Property UPRN"),
    "name": ("Asset Name", "Property Name", "Name of the Building/Land", "Building/Land Name", "Site Name",
             "Asset Description", "Name"),
    "number": ("Street Number", "Street No", "Number", "No", "Building Number"),
    "address": ("Address", "Street Name", "Street", "Address Line 1", "Full Address"),
    "town": ("Post Town", "Town", "Locality"),
    "postcode": ("Postcode", "Post Code"),
    "tenure": ("Tenure Type", "Tenure", "Holding Type", "Freehold/Leasehold", "Holding"),
    "use": ("Asset Type", "Property Type", "Use", "Asset Use", "Primary Use", "Current Use", "Property Use"),
    "occupier": ("Occupier", "Occupier Name", "Tenant", "Tenant Name", "Lessee", "Occupied By"),
    "rent": ("Rent", "Annual Rent", "Passing Rent", "Rent (GBP)", "Rent Per Annum"),
    "rent_terms": ("Rent Terms", "Rent Basis", "Lease Type", "Lease Terms", "Holding Type Characteristic",
                   "Holding Type Characteristics", "Tenure Category"),
    "kind": ("Land or Building", "Asset Category", "Land/Building", "Land/Building/Both"),
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


def header_key(name: Any) -> str:
    """A column name as headers are matched: lower case, without spaces or punctuation.

    Examples
    --------
    >>> header_key("BeneficiaryName") == header_key("Beneficiary Name") == header_key("beneficiary_name")
    True
    """
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _pick(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    keyed = {}
    for column in frame.columns:
        keyed.setdefault(header_key(column), column)
    return next((keyed[header_key(n)] for n in names if header_key(n) in keyed), None)


def columns_found(frame_columns: Any, layout: dict[str, tuple[str, ...]]) -> dict[str, str | None]:
    """Which column of a file each role of ``layout`` was found in (None where none was).

    Examples
    --------
    >>> columns_found(["BeneficiaryName", "Amount", "PaymentDate"], SPEND_COLUMNS)["supplier"]
    'BeneficiaryName'
    """
    return {role: _pick(pd.DataFrame(columns=list(frame_columns)), names) for role, names in layout.items()}


def _money(text: str, decimal: str) -> float | None:
    return parse_amount(text, decimal=decimal)


def _not_an_amount(text: str, decimal: str) -> str:
    """Why a cell is not an amount: a hint when it reads with the other decimal mark."""
    if decimal == "." and parse_amount(text, decimal=",") is not None:
        return 'not a number with a decimal point; if the file writes decimal commas, set decimal = "," on its [[source]]'
    return "not a number"


@cache
def _day(text: str) -> str | None:
    for form in ("%d/%m/%Y", "%d-%b-%Y", "%d-%b-%y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y", "%d %b %Y"):
        try:
            return datetime.strptime(text.strip(), form).date().isoformat()
        except ValueError:
            continue
    return None


#: Supplier names of public bodies, by kind (a council paying another council or the NHS).
PUBLIC_BODY_NAMES = (
    ("NHSBody", re.compile(r"\bnhs\b|\bccg\b|clinical commissioning group|\bintegrated care board\b|"
                           r"\bhealth (?:care )?(?:nhs )?(?:foundation )?trust\b", re.IGNORECASE)),
    ("Council", re.compile(r"\b(?:borough|county|district|city|parish|town) council\b|^london borough of\b|"
                           r"\bcouncil of the\b|\bmetropolitan borough\b|\bcombined authority\b", re.IGNORECASE)),
)
#: Supplier names of businesses that carry no company suffix (sole traders, firms, shops).
BUSINESS_WORDS = re.compile(r"\bt/a\b|\btrading as\b|&\s*sons?\b|&\s*co\b|\bsolicitors\b|\bhotel\b|"
                            r"\bguest ?house|\bmotors\b|\bgarage\b|\bconsult(?:ancy|ing|ants)\b", re.IGNORECASE)


def supplier_kind(name: str) -> str:
    """The node kind a supplier's name tells: ``Company`` (a company suffix or a trading name),
    ``NHSBody`` or ``Council`` (a public body), else ``Organisation`` (of unknown form: entity
    resolution may match it to a register that knows).

    Examples
    --------
    >>> supplier_kind("229 Mitcham Lane Ltd"), supplier_kind("Ealing Council of the London Borough")
    ('Company', 'Council')
    >>> supplier_kind("Hounslow and Richmond Community Healthcare NHS Trust"), supplier_kind("Lunch Club")
    ('NHSBody', 'Organisation')
    """
    if COMPANY_SUFFIX.search(name) or BUSINESS_WORDS.search(name):
        return "Company"
    return next((kind for kind, pattern in PUBLIC_BODY_NAMES if pattern.search(name)), "Organisation")


def _supplier_node(sink: RecordSink, code: str, supplier: str, charity: str, company: str,
                   prov: dict[str, str]) -> str:
    """The supplier's node: the register's identifier where the file gives a charity or company
    number (so the register's own record is merged with it), a ``SUPPLIER-`` id otherwise."""
    if charity.isdigit():
        node = charity_id(charity)
        sink.node(node, "Charity", prov, name=supplier)
    elif company and re.fullmatch(r"[A-Z]{0,2}\d{1,8}", company.upper()):
        node = company_id(company)
        sink.node(node, "Company", prov, name=supplier)
    else:
        node = f"SUPPLIER-{code}-{slugify(supplier)}"
        sink.node(node, supplier_kind(supplier), prov, name=supplier)
    return node


def read_directorate_map(path: Path) -> dict[str, str]:
    r"""A cost-centre-to-directorate mapping: a CSV file with columns ``cost_centre`` and ``directorate``
    (headers matched ignoring case, spaces and punctuation).

    Raises
    ------
    SourceFormatError
        Naming the file and the missing column, or the row without a directorate.

    Examples
    --------
    >>> import tempfile
    >>> mapping = Path(tempfile.mkdtemp()) / "map.csv"
    >>> _ = mapping.write_text("Cost Centre,Directorate\nLibraries West,Communities\n")
    >>> read_directorate_map(mapping)
    {'libraries west': 'Communities'}
    """
    frame = read_csv_text(path)
    columns = {header_key(c): c for c in frame.columns}
    missing = [c for c in ("costcentre", "directorate") if c not in columns]
    if missing:
        raise SourceFormatError(f"{path.name} row 1 (header): no column "
                                f"{'cost_centre' if missing[0] == 'costcentre' else 'directorate'}; "
                                "a directorate map has columns cost_centre, directorate")
    mapping = {}
    for number, row in frame.iterrows():
        centre, directorate = clean_text(row[columns["costcentre"]]), clean_text(row[columns["directorate"]])
        if centre and not directorate:
            raise SourceFormatError(f"{path.name} row {number + 2}, field directorate: empty for cost centre {centre!r}")
        if centre:
            mapping[centre.lower()] = directorate
    return mapping


class SpendLoader(Loader):
    """Council payments over 500 GBP (Local Government Transparency Code), any council's layout.

    Reads: the supplier (or beneficiary), amount and date columns (required), and where present the
    department or directorate, the cost centre, the purpose, and the supplier's charity or company
    number (:data:`SPEND_COLUMNS` gives every name recognised).
    """

    name = "spend"
    title = "Council payments to suppliers over 500 GBP"
    source_url = "https://www.gov.uk/government/publications/local-government-transparency-code-2015"
    licence = "OGL-UK-3.0"
    columns = SPEND_COLUMNS
    required = ("supplier", "amount", "date")

    def found_columns(self, path: Path) -> dict[str, str | None]:
        """The column of the file found for each role of :data:`SPEND_COLUMNS`.

        Examples
        --------
        >>> SpendLoader().found_columns(Path("tests/fixtures/spend/lgtc_spend_schema.csv"))["supplier"]
        'BeneficiaryName'
        """
        return _file_columns(path, SPEND_COLUMNS, "supplier")
    #: More directorates than this from one file means the column holds cost centres or teams.
    most_directorates = 40

    def load(self, path: Path, context: LoadContext, *, council: str | None = None, date: str = "",
             licence: str | None = None, directorate_column: str | None = None,
             directorate_map: str | Path | None = None, decimal: str = ".") -> LoadResult:
        """Read a spend file; every payment becomes a ``PAID_BY`` edge.

        Refunds and credit notes are payments with a negative amount: kept, so that a supplier's
        payments sum to what it was paid net.

        Parameters
        ----------
        path : Path
            The CSV file as published (title block, odd encodings and all).
        context : LoadContext
            The authority; the file is taken to be its council's unless ``council`` says otherwise.
        council : str, optional
            Org-ID of the council that published the file.
        directorate_column : str, optional
            The column naming the directorate each payment is from (default: the first of the
            file's department or service columns, :data:`SPEND_COLUMNS`).
        directorate_map : str or Path, optional
            A CSV file mapping each cost centre to its directorate (:func:`read_directorate_map`),
            for files whose only organisational column is the cost centre. Cost centres it does not
            list are rejected, naming the row.
        decimal : {".", ","}
            The decimal mark of the file's amounts: ``","`` reads ``1.000,50`` as 1000.5 GBP. With
            the default ``"."`` such a cell is rejected, never read as 1.0005.

        Examples
        --------
        >>> ctx = LoadContext("E09000022", "GB-LAE-LBH", "Lambeth")
        >>> result = SpendLoader().load(Path("tests/fixtures/spend/lambeth_payments_2012_06.csv"), ctx)
        >>> result.summary()["edges"]["PAID_BY"], result.summary()["nodes"]["Directorate"]
        (3123, 4)
        """
        check_decimal(decimal, loader=self.name)
        council = council or context.authority_id
        code = council.rsplit("-", 1)[-1] if council else "NAT"
        header = _find_any_header(path, SPEND_COLUMNS["supplier"])
        frame = read_csv_text(path, header_row=header)
        columns = columns_found(frame.columns, SPEND_COLUMNS)
        if directorate_column:
            columns["department"] = _pick(frame, (directorate_column,))
            if columns["department"] is None:
                raise SourceFormatError(f"{path.name} row {header + 1} (header): no column {directorate_column!r} "
                                        f"(directorate_column); the columns are {', '.join(map(str, frame.columns))}")
        mapping = read_directorate_map(Path(directorate_map)) if directorate_map else None
        if mapping is not None and columns["cost_centre"] is None:
            raise SourceFormatError(f"{path.name} row {header + 1} (header): a directorate_map needs a cost centre "
                                    f"column; expected one of {' / '.join(SPEND_COLUMNS['cost_centre'])}")
        missing = [role for role in self.required if columns[role] is None]
        if missing:
            raise SourceFormatError(
                f"{path.name} row {header + 1} (header): no column for {', '.join(missing)}; "
                f"expected one of {'; '.join(' / '.join(SPEND_COLUMNS[m]) for m in missing)}")
        sink = RecordSink(self.name, path)
        licence = licence or self.licence
        directorates: set[str] = set()
        repaired = withheld = credits = 0

        # each column's cells as Python text once: a row at a time through pandas is many times slower
        cells = {role: [clean_text(v) for v in frame[column].tolist()] for role, column in columns.items() if column}
        first_cells = [clean_text(v).lower() for v in frame.iloc[:, 0].tolist()]

        def cell(role: str, position: int) -> str:
            return cells[role][position] if role in cells else ""
        for position, number in enumerate(frame.index):
            line = number + header + 2
            supplier = cell("supplier", position)
            if mapping is not None:
                centre = cell("cost_centre", position)
                department = mapping.get(centre.lower(), "")
                if supplier and not department:
                    sink.reject(line, columns["cost_centre"], centre, "cost centre not in the directorate_map")
                    continue
            else:
                department = cell("department", position) if columns["department"] else "(not stated)"
            raw_date, raw_amount = cell("date", position), cell("amount", position)
            note = None
            if (match := _RUN_TOGETHER.match(raw_date)) and not _money(raw_amount or "x", decimal):
                raw_date, raw_amount, note = match.group(1), match.group(2), "repaired: date and amount were run together"
                repaired += 1
                purpose = cell("amount", position) or cell("purpose", position)
            else:
                purpose = cell("purpose", position)
            if not supplier:
                if first_cells[position] in ("total", "grand total", ""):
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
                sink.reject(line, columns["department"], department, "no department")
                continue
            amount, day = _money(raw_amount, decimal), _day(raw_date)
            if amount is None:
                sink.reject(line, columns["amount"], raw_amount, _not_an_amount(raw_amount, decimal))
                continue
            if day is None:
                sink.reject(line, columns["date"], raw_date, "not a date (dd/mm/yyyy)")
                continue
            if amount < 0:
                credits += 1
                note = "; ".join(filter(None, (note, "refund or credit note (negative payment)")))
            prov = sink.provenance(f"row {line}", date or day, licence)
            directorate = f"LOCAL-{code}-directorate-{slugify(department)}"
            if directorate not in directorates:
                directorates.add(directorate)
                sink.node(directorate, "Directorate", prov, name=department)
                if council:
                    _council_node(sink, council, context, prov)
                    sink.edge(directorate, council, "PART_OF", prov)
            supplier_id = _supplier_node(sink, code, supplier, cell("charity_number", position),
                                         cell("company_number", position), prov)
            sink.edge(supplier_id, directorate, "PAID_BY", prov, amount=amount, currency="GBP", date=day,
                      description=purpose or None, note=note)
        if len(directorates) > self.most_directorates and mapping is None:
            sink.warn(f"{path.name}: {len(directorates)} directorates from column {columns['department']!r}, which "
                      "looks like cost centres or teams; set directorate_column to the department column, or give "
                      "a directorate_map (cost_centre,directorate)")
        return sink.result(f"the file is {council or 'national'}'s own: {len(frame)} rows, {repaired} repaired, "
                           f"{credits} refunds or credit notes, {withheld} withheld as personal data")


def _council_node(sink: RecordSink, council: str, context: LoadContext, prov: dict[str, str]) -> None:
    """The council that published the file (named when it is the build's own authority)."""
    sink.node(council, "Council", prov, name=context.authority_name if council == context.authority_id else council)


def _file_columns(path: Path, layout: dict[str, tuple[str, ...]], anchor: str) -> dict[str, str | None]:
    header = _find_any_header(path, layout[anchor])
    names = next(csv.reader([decode_bytes(path).splitlines()[header]]))
    return columns_found([name.strip() for name in names], layout)


def _find_any_header(path: Path, names: tuple[str, ...], *, search_lines: int = 50) -> int:
    """The line of the header: the first line naming any of ``names`` (after a title block)."""
    wanted = {header_key(n) for n in names}
    for number, line in enumerate(decode_bytes(path).splitlines()[:search_lines]):
        if wanted & {header_key(cell) for cell in line.split(",")}:
            return number
    raise SourceFormatError(f"{path.name}: no header row naming any of the columns {' / '.join(names)} "
                            f"in the first {search_lines} lines")


class AssetsLoader(Loader):
    """A council's land and assets register (Transparency Code), with occupiers and rent terms.

    Reads: the asset's name and its unique asset identity, UPRN or postcode (required), and where
    present the street number, street, post town, tenure, use, occupier, rent and rent terms
    (:data:`ASSET_COLUMNS` gives every name recognised). Assets are told apart by the council's own
    asset identity: one UPRN may cover several assets (the parts of a site).
    """

    name = "assets"
    title = "Council land and assets register"
    source_url = "https://www.gov.uk/government/publications/local-government-transparency-code-2015"
    licence = "OGL-UK-3.0"
    columns = ASSET_COLUMNS
    required = ("name",)

    def found_columns(self, path: Path) -> dict[str, str | None]:
        """The column of the file found for each role of :data:`ASSET_COLUMNS`.

        Examples
        --------
        >>> AssetsLoader().found_columns(Path("tests/fixtures/assets/lgtc_land_assets_schema.csv"))["id"]
        'AssetCode'
        """
        return _file_columns(path, ASSET_COLUMNS, "name")

    def load(self, path: Path, context: LoadContext, *, council: str | None = None, date: str = "",
             licence: str | None = None, decimal: str = ".") -> LoadResult:
        """Read the register; assets are owned by the council, occupiers occupy them.

        ``decimal`` is the decimal mark of the rents (``","`` reads ``1.000,50`` as 1000.5 GBP; with
        the default ``"."`` such a cell is rejected).

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> result = AssetsLoader().load(Path("tests/fixtures/assets/land_and_assets.csv"), ctx)
        >>> result.summary()["edges"]
        {'OCCUPIES': 3, 'OWNS': 5}
        """
        check_decimal(decimal, loader=self.name)
        council = council or context.authority_id
        code = council.rsplit("-", 1)[-1] if council else "NAT"
        header = _find_any_header(path, ASSET_COLUMNS["name"])
        frame = read_csv_text(path, header_row=header)
        columns = columns_found(frame.columns, ASSET_COLUMNS)
        if columns["name"] is None or (columns["id"] is None and columns["uprn"] is None and columns["postcode"] is None):
            raise SourceFormatError(f"{path.name} row {header + 1} (header): needs an asset name column "
                                    f"({' / '.join(ASSET_COLUMNS['name'])}) and an asset identity, UPRN or postcode "
                                    f"column ({' / '.join(ASSET_COLUMNS['id'] + ASSET_COLUMNS['uprn'])})")
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
            # the council's own asset identity; else the UPRN and the name together (a UPRN may cover a site)
            key = cell("id") or "-".join(filter(None, (cell("uprn"), name)))
            asset_id = f"ASSET-{code}-{slugify(key)}"
            if asset_id in first_seen:
                sink.reject(line, columns["id"] or columns["name"], cell("id") or name,
                            f"duplicate asset (first at row {first_seen[asset_id]})")
                continue
            first_seen[asset_id] = line
            kind = "Land" if "land" in cell("kind").lower() or cell("use").lower() in ("land", "open space") else "Building"
            rent = None
            if cell("rent"):
                rent = _money(cell("rent"), decimal)
                if rent is None or rent < 0:
                    reason = "not a non-negative amount" if rent is not None else _not_an_amount(cell("rent"), decimal)
                    sink.reject(line, columns["rent"], cell("rent"), reason)
                    continue
            street = " ".join(filter(None, (cell("number"), cell("address"))))
            address = ", ".join(filter(None, (street, cell("town"))))
            sink.node(asset_id, kind, prov, name=name, address=address or None, tenure=cell("tenure") or None,
                      asset_use=cell("use") or None, postcode=normalise_postcode(cell("postcode")) or None, rent_gbp=rent)
            if council:
                _council_node(sink, council, context, prov)
                sink.edge(council, asset_id, "OWNS", prov, date=date[:10] or None)
            occupier = cell("occupier")
            if occupier and occupier.lower() not in ("vacant", "none", "n/a", "council"):
                occupier_id = local_group_id(code, occupier)
                sink.node(occupier_id, "Organisation", prov, name=occupier)
                terms = cell("rent_terms").lower() or None
                sink.edge(occupier_id, asset_id, "OCCUPIES", prov, rent_terms=terms, rent_gbp=rent,
                          date=date[:10] or None)
        return sink.result(f"the register is {council}'s own: {len(frame)} assets")
