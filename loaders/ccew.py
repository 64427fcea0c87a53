"""Charity Commission for England and Wales: the register extract, filtered to one authority.

Reads the extract's tables (``publicextract.{table}.json`` or ``.txt``, the two published forms)
from a folder, streaming each one, so the full national extract (hundreds of MB) is never held twice:

1. ``charity_area_of_operation``: charities whose area of operation is the authority (its name is
   found from the GSS code with the register's area-of-operation lookup);
2. ``charity``: those charities, and any whose contact postcode is in the authority's postcode lookup;
3. ``charity_classification``, ``charity_other_names``, ``charity_trustee``,
   ``charity_annual_return_history``: rows of the charities kept.

Columns are those of the Charity Commission's data definitions (``ccew-fields.csv``). Contact
address lines, phone numbers and e-mail addresses are never read; trustees are stored only as
keyed pseudonyms (:mod:`loaders.pseudonyms`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from graph.errors import SourceFormatError
from graph.identifiers import charity_id, company_id, company_number, slugify
from loaders.base import LoadContext, Loader, LoadResult, RecordSink, is_missing
from loaders.income_bands import income_band
from loaders.pseudonyms import pseudonym
from loaders.tabular import normalise_postcode, stream_json_items

REFERENCE = Path(__file__).parent / "reference"
TABLES = {
    "charity": ("organisation_number", "registered_charity_number", "linked_charity_number", "charity_name",
                "charity_type", "charity_registration_status", "date_of_registration", "date_of_removal",
                "latest_income", "latest_expenditure", "charity_contact_postcode", "charity_contact_web",
                "charity_company_registration_number", "charity_is_cio"),
    "charity_area_of_operation": ("organisation_number", "registered_charity_number", "linked_charity_number",
                                  "geographic_area_type", "geographic_area_description"),
    "charity_classification": ("organisation_number", "registered_charity_number", "linked_charity_number",
                               "classification_code", "classification_type", "classification_description"),
    "charity_other_names": ("organisation_number", "registered_charity_number", "linked_charity_number",
                            "charity_name_type", "charity_name"),
    "charity_trustee": ("organisation_number", "registered_charity_number", "linked_charity_number", "trustee_id",
                        "trustee_name", "trustee_is_chair", "individual_or_organisation", "trustee_date_of_appointment"),
    "charity_annual_return_history": ("organisation_number", "registered_charity_number", "fin_period_end_date",
                                      "total_gross_income", "total_gross_expenditure"),
}
NATIONWIDE = ("throughout england and wales", "throughout england", "throughout wales", "throughout london")


@cache
def area_of_operation_names(gss_code: str) -> frozenset[str]:
    """The register's area-of-operation descriptions of a local authority, lower case.

    Examples
    --------
    >>> sorted(area_of_operation_names("E09000018"))
    ['hounslow']
    """
    table = pd.read_csv(REFERENCE / "cc-aoo-gss-iso-new.csv", dtype=str, encoding="utf-8-sig").fillna("")
    rows = table[(table["GSS"] == gss_code) & (table["geographic_area_type"] == "Local Authority")]
    return frozenset(rows["geographic_area_description"].str.strip().str.lower())


def table_file(folder: Path, table: str) -> Path | None:
    """The file of one extract table in ``folder`` (``publicextract.charity.json`` or ``.txt``)."""
    for suffix in (".json", ".txt"):
        for name in (f"publicextract.{table}{suffix}", f"{table}{suffix}"):
            if (folder / name).is_file():
                return folder / name
    return None


def stream_table(path: Path, table: str, *, chunk_rows: int = 50_000) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(row label, record)`` from one extract table, JSON or tab-separated, without loading it whole.

    The header (or the first JSON record) is checked against the published columns first.

    Examples
    --------
    >>> rows = stream_table(Path("tests/fixtures/ccew/publicextract.charity.txt"), "charity")
    >>> label, record = next(rows)
    >>> label, record["registered_charity_number"]
    ('publicextract.charity.txt row 2', '1106260')
    """
    required = TABLES[table]
    if path.stat().st_size == 0:
        raise SourceFormatError(f"{path.name}: the file is empty")
    if path.suffix == ".json":
        for count, record in stream_json_items(path, what="records"):
            if count == 0:
                _check_columns(path, "item 0", record.keys(), required)
            yield f"{path.name} item {count}", record
        return
    try:
        reader = pd.read_csv(path, sep="\t", dtype=str, quoting=csv.QUOTE_NONE, keep_default_na=False,
                             na_values=[""], chunksize=chunk_rows, encoding="utf-8-sig", on_bad_lines="error")
        for chunk_number, chunk in enumerate(reader):
            if chunk_number == 0:
                _check_columns(path, "row 1 (header)", chunk.columns, required)
            for offset, record in enumerate(chunk.to_dict("records")):
                yield f"{path.name} row {chunk_number * chunk_rows + offset + 2}", record
    except UnicodeDecodeError:
        raise SourceFormatError(f"{path.name}: not UTF-8 text; the register extract is published in UTF-8") from None
    except pd.errors.ParserError as error:
        raise SourceFormatError(f"{path.name}: not a tab-separated extract table ({error})") from None


def _check_columns(path: Path, where: str, found: Any, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in set(found)]
    if missing:
        raise SourceFormatError(f"{path.name} {where}: missing column(s) {', '.join(missing)} "
                                f"(see the Charity Commission data definitions)")


def _number(value: Any) -> float | None:
    if is_missing(value):
        return None
    number = float(str(value).replace(",", "")) if not isinstance(value, (int, float)) else float(value)
    if math.isnan(number):
        return None
    return number


def _date(value: Any) -> str | None:
    text = "" if is_missing(value) else str(value).strip()
    return text[:10] if len(text) >= 10 and text[4] == "-" else None


def _true(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "t", "yes")


def _key(record: dict[str, Any]) -> tuple[str, int]:
    linked = record.get("linked_charity_number")
    return str(record["registered_charity_number"]).strip().removesuffix(".0"), int(_number(linked) or 0)


def _node_id(key: tuple[str, int]) -> str:
    number, linked = key
    return charity_id(number) if linked == 0 else f"{charity_id(number)}-{linked}"


class CharityCommissionLoader(Loader):
    """The Charity Commission (England and Wales) register extract, filtered to one authority."""

    name = "ccew"
    title = "Charity Commission register of charities (England and Wales), public extract"
    source_url = "https://register-of-charities.charitycommission.gov.uk/register/full-register-download"
    licence = "OGL-UK-3.0"
    org_id_prefix = "GB-CHC"

    def load(self, path: Path, context: LoadContext, *, date: str = "", trustees: bool = True) -> LoadResult:
        """Read the extract tables in the folder ``path``.

        Parameters
        ----------
        path : Path
            Folder with ``publicextract.charity.json`` (or ``.txt``) and any of the other tables.
        context : LoadContext
            The authority, its postcodes (for charities registered there) and the pseudonym key.
        date : str
            Date of the extract; defaults to each record's ``date_of_extract``.
        trustees : bool
            Read the trustee table (needs the pseudonym key).

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", pseudonym_key=b"example")
        >>> result = CharityCommissionLoader().load(Path("tests/fixtures/ccew"), ctx)
        >>> result.filter_applied
        'area of operation hounslow, or contact postcode in E09000018: 5 of 7 register rows'
        >>> sorted(result.nodes.query("kind == 'Charity'")["id"].unique())
        ['GB-CHC-1061681', 'GB-CHC-1061681-1', 'GB-CHC-1106260', 'GB-CHC-1128267', 'GB-CHC-296742']
        """
        if not path.is_dir():
            raise SourceFormatError(f"{path.name}: give the folder holding the register extract tables")
        charity_file = table_file(path, "charity")
        sink = RecordSink(self.name, path)
        if charity_file is None:
            if not any(table_file(path, t) for t in TABLES):
                raise SourceFormatError(f"{path.name}: no register extract tables (publicextract.*.json or .txt) here")
            # without the charity table, the other tables can only add to charities other sources found
            self._details(path, sink, None, context, date, trustees)
            return sink.result("no charity table: details added to charities already in the graph")
        area_names = area_of_operation_names(context.authority_gss)
        operating_here, scale = self._areas(path, area_names)
        kept: dict[tuple[str, int], int] = {}
        scanned = 0
        for label, record in stream_table(charity_file, "charity"):
            scanned += 1
            try:
                organisation, key = int(_number(record.get("organisation_number")) or -1), _key(record)
            except ValueError:
                sink.reject(label, "organisation_number", record.get("organisation_number"), "not a number")
                continue
            postcode = normalise_postcode(record.get("charity_contact_postcode") or "")
            registered_here = bool(postcode and context.places is not None and context.places.lsoa_of_postcode(postcode))
            if not (context.national or organisation in operating_here or registered_here):
                continue
            if key in kept:
                sink.reject(label, "registered_charity_number", f"{key[0]}/{key[1]}", "duplicate charity in the table")
                continue
            if self._charity(sink, label, record, key, scale, date):
                kept[key] = organisation
        self._details(path, sink, set(kept), context, date, trustees)
        self._serves_authority(sink, kept, operating_here, context, date)
        described = " or ".join(sorted(area_names)) or context.authority_gss
        return sink.result(f"area of operation {described}, or contact postcode in {context.authority_gss}: "
                           f"{len(kept)} of {scanned} register rows")

    # -- area of operation -------------------------------------------------------------------
    def _areas(self, folder: Path, area_names: frozenset[str]) -> tuple[dict[int, str], dict[int, str]]:
        """Organisations operating in the authority (-> the row saying so) and each one's scale."""
        file = table_file(folder, "charity_area_of_operation")
        if file is None:
            return {}, {}
        here: dict[int, str] = {}
        authorities: dict[int, set[str]] = {}
        wide: set[int] = set()
        for label, record in stream_table(file, "charity_area_of_operation"):
            organisation = int(_number(record["organisation_number"]) or -1)
            kind = str(record.get("geographic_area_type") or "").strip().lower()
            description = str(record.get("geographic_area_description") or "").strip().lower()
            if kind == "local authority":
                authorities.setdefault(organisation, set()).add(description)
                if description in area_names:
                    here.setdefault(organisation, label)
            elif kind in ("country", "region") or description in NATIONWIDE:
                wide.add(organisation)
        scale = {}
        for organisation in here:
            scale[organisation] = "national" if organisation in wide else (
                "regional" if len(authorities.get(organisation, ())) > 3 else "local")
        return here, scale

    # -- the charity table ---------------------------------------------------------------------
    def _charity(self, sink: RecordSink, label: str, record: dict[str, Any], key: tuple[str, int],
                 scale: dict[int, str], date: str) -> bool:
        as_of = date or _date(record.get("date_of_extract")) or ""
        prov = sink.provenance(label, as_of, self.licence)
        money = {}
        for field in ("latest_income", "latest_expenditure"):
            try:
                value = _number(record.get(field))
            except ValueError:
                sink.reject(label, field, record.get(field), "not a number")
                return False
            if value is not None and value < 0:
                sink.reject(label, field, value, "negative amount")
                return False
            money[field] = value
        company = str(record.get("charity_company_registration_number") or "").strip()
        company = company if company and company not in ("0", "nan") else ""
        node_id = _node_id(key)
        removed = _date(record.get("date_of_removal"))
        sink.node(
            node_id, "CharitableIncorporatedOrganisation" if _true(record.get("charity_is_cio")) else "Charity", prov,
            name=str(record["charity_name"]).strip(), charity_number=key[0], legal_form=record.get("charity_type"),
            status=record.get("charity_registration_status"), registration_date=_date(record.get("date_of_registration")),
            removal_date=removed, latest_income=money["latest_income"], latest_expenditure=money["latest_expenditure"],
            income_band=income_band(money["latest_income"]),
            postcode=normalise_postcode(record.get("charity_contact_postcode") or "") or None,
            website=record.get("charity_contact_web"), company_number=company_number(company) if company else None,
            other_ids=[company_id(company)] if company else None,
            scale=scale.get(int(_number(record["organisation_number"]) or -1)),
        )
        if key[1] != 0:
            sink.edge(node_id, _node_id((key[0], 0)), "PART_OF", prov, note="linked charity")
        return True

    # -- the other tables ----------------------------------------------------------------------
    def _details(self, folder: Path, sink: RecordSink, kept: set[tuple[str, int]] | None, context: LoadContext,
                 date: str, trustees: bool) -> None:
        """Other names, classifications, returns and trustees of the charities kept (all, if ``kept``
        is None: then they only enrich charities already in the graph)."""
        enrich = kept is None

        def wanted(key: tuple[str, int]) -> bool:
            return enrich or key in kept
        file = table_file(folder, "charity_other_names")
        if file:
            names: dict[tuple[str, int], list[str]] = {}
            provs: dict[tuple[str, int], dict[str, str]] = {}
            for label, record in stream_table(file, "charity_other_names"):
                key = _key(record)
                if wanted(key) and not is_missing(record.get("charity_name")):
                    names.setdefault(key, []).append(str(record["charity_name"]).strip())
                    provs.setdefault(key, sink.provenance(label, date or _date(record.get("date_of_extract")) or "",
                                                          self.licence))
            for key, other in names.items():
                sink.node(_node_id(key), "Charity", provs[key], enrich_only=enrich, other_names=other)
        file = table_file(folder, "charity_classification")
        if file:
            for label, record in stream_table(file, "charity_classification"):
                key = _key(record)
                if not wanted(key) or is_missing(record.get("classification_description")):
                    continue
                prov = sink.provenance(label, date or _date(record.get("date_of_extract")) or "", self.licence)
                category = str(record.get("classification_type", "")).strip().lower()
                description = str(record["classification_description"]).strip()
                theme = f"THEME-ccew-{slugify(category)}-{slugify(description)}"
                sink.node(theme, "Theme", prov, name=description.lower(), category=f"charity {category}",
                          code=str(record.get("classification_code", "")).removesuffix(".0"))
                sink.edge(_node_id(key), theme, "ADDRESSES", prov, enrich_only=enrich)
        file = table_file(folder, "charity_annual_return_history")
        if file:
            history: dict[tuple[str, int], list[list[Any]]] = {}
            first: dict[tuple[str, int], dict[str, str]] = {}
            for label, record in stream_table(file, "charity_annual_return_history"):
                key = (str(record["registered_charity_number"]).strip().removesuffix(".0"), 0)
                if not wanted(key):
                    continue
                try:
                    income, spend = _number(record.get("total_gross_income")), _number(record.get("total_gross_expenditure"))
                except ValueError:
                    sink.reject(label, "total_gross_income", record.get("total_gross_income"), "not a number")
                    continue
                history.setdefault(key, []).append([_date(record.get("fin_period_end_date")), income, spend])
                first.setdefault(key, sink.provenance(label, date or _date(record.get("date_of_extract")) or "",
                                                      self.licence))
            for key, rows in history.items():
                sink.node(_node_id(key), "Charity", first[key], enrich_only=enrich,
                          income_history=sorted(rows, key=lambda r: r[0] or ""))
        file = table_file(folder, "charity_trustee")
        if file and trustees:
            for label, record in stream_table(file, "charity_trustee"):
                key = _key(record)
                if not wanted(key) or is_missing(record.get("trustee_name")):
                    continue
                prov = sink.provenance(label, date or _date(record.get("date_of_extract")) or "", self.licence)
                person = pseudonym(str(record["trustee_name"]), context.pseudonym_key)
                sink.node(person, "Person", prov, pseudonym=person,
                          category="organisation" if str(record.get("individual_or_organisation")).upper() == "O"
                          else "individual")
                sink.edge(person, _node_id(key), "TRUSTEE_OF", prov, enrich_only=enrich,
                          role="chair" if _true(record.get("trustee_is_chair")) else "trustee",
                          start_date=_date(record.get("trustee_date_of_appointment")))

    def _serves_authority(self, sink: RecordSink, kept: dict[tuple[str, int], int], operating_here: dict[int, str],
                          context: LoadContext, date: str) -> None:
        area = context.places.place_of_code(context.authority_gss) if context.places else None
        if area is None:
            return
        for key, organisation in sorted(kept.items()):
            if organisation in operating_here:
                sink.edge(_node_id(key), area, "SERVES_AREA", sink.provenance(operating_here[organisation], date, self.licence))
