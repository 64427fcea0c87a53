"""Charity Commission for England and Wales: the register extract, filtered to one authority.

Reads the extract's tables (``publicextract.{table}.json`` or ``.txt``, the two published forms)
from a folder, streaming each one, so the full national extract (hundreds of MB) is never held twice:

1. ``charity_area_of_operation``: charities whose area of operation is the authority (its name is
   found from the GSS code with the register's area-of-operation lookup);
2. ``charity``: those charities, and any whose contact postcode is in the authority's postcode lookup;
3. ``charity_classification``, ``charity_other_names``, ``charity_trustee``,
   ``charity_annual_return_history``: rows of the charities kept.

Or reads one file, the ``charity`` table alone, as JSON, tab-separated (``.txt``/``.tsv``) or CSV:
a register list as councils and data labs publish one. Only ``registered_charity_number`` is
required; any other column of :data:`TABLES` ``["charity"]`` is read where present (headers in
words, ``Charity Contact Postcode``, match the published names) and unknown where not.

Columns are those of the Charity Commission's data definitions (``ccew-fields.csv``). Contact
address lines, phone numbers and e-mail addresses are never read; trustees are stored only as
keyed pseudonyms (:mod:`loaders.pseudonyms`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from civicgraph.core.columns import TEXT
from civicgraph.core.errors import SourceFormatError
from civicgraph.core.identifiers import company_numbers, slugify
from civicgraph.loaders.base import LoadContext, Loader, LoadResult, RecordSink
from civicgraph.loaders.income_bands import income_bands
from civicgraph.loaders.pseudonyms import pseudonym
from civicgraph.loaders.tabular import (
    header,
    in_set,
    normalise_postcodes,
    parse_amounts,
    parse_date,
    stream_csv,
    stream_json_items,
)

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


#: Columns the ``charity`` table must have; the others of :data:`TABLES` are read where present (a
#: register list a council or data lab publishes has a few: number, name, type, postcode, income).
CHARITY_REQUIRED = ("registered_charity_number",)


def table_file(folder: Path, table: str) -> Path | None:
    """The file of one extract table in ``folder`` (``publicextract.charity.json``, ``.txt``, ``.tsv``
    or ``.csv``)."""
    for suffix in (".json", ".txt", ".tsv", ".csv"):
        for name in (f"publicextract.{table}{suffix}", f"{table}{suffix}"):
            if (folder / name).is_file():
                return folder / name
    return None


def read_table(path: Path, table: str, *, chunk_rows: int = 100_000) -> Iterator[tuple[pd.Series, pd.DataFrame]]:
    """Yield one extract table, JSON or tab-separated, in chunks: each chunk's row labels and its
    cells as text, without loading the table whole.

    The header (or the first JSON record) is checked against the published columns first.

    Examples
    --------
    >>> labels, rows = next(read_table(Path("tests/fixtures/ccew/publicextract.charity.txt"), "charity"))
    >>> labels.iloc[0], rows["registered_charity_number"].iloc[0]
    ('publicextract.charity.txt row 2', '1106260')
    """
    required = CHARITY_REQUIRED if table == "charity" else TABLES[table]
    if path.stat().st_size == 0:
        raise SourceFormatError(f"{path.name}: the file is empty")
    if path.suffix == ".json":
        for labels, rows in _json_chunks(path, required, chunk_rows):
            yield labels, _published_columns(rows, table)
        return
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    names = header(path, delimiter=delimiter)
    _check_columns(path, "row 1 (header)", {_column_name(n) for n in names}, required)
    # the extract's own tab-separated files have no quoting; a CSV from a spreadsheet has
    for frame in stream_csv(path, delimiter=delimiter, quoted=delimiter == ","):
        yield (pd.Series(f"{path.name} row " + (frame.index + 2).astype(str), index=frame.index),
               _published_columns(frame, table))


def _column_name(name: str) -> str:
    """A header as the data definitions name it (``Registered Charity Number`` is
    ``registered_charity_number``)."""
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def _published_columns(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    """The rows with the published column names, and every published column the file lacks as
    missing values (what a register list does not give is unknown, not an error)."""
    rows = rows.rename(columns=_column_name)
    absent = [c for c in TABLES[table] if c not in rows.columns]
    if absent:
        rows = rows.assign(**{c: pd.Series(np.nan, index=rows.index, dtype=TEXT) for c in absent})
    return rows


def columns_present(path: Path, table: str = "charity") -> dict[str, bool]:
    """Which of a table's published columns a file has (for ``inspect``).

    Examples
    --------
    >>> columns_present(Path("tests/fixtures/ccew/publicextract.charity.txt"))["charity_name"]
    True
    """
    if path.suffix == ".json":
        found: set[str] = set()
        for _, record in stream_json_items(path, what="records"):
            found = {_column_name(k) for k in record}
            break
    else:
        found = {_column_name(n) for n in header(path, delimiter="," if path.suffix.lower() == ".csv" else "\t")}
    return {column: column in found for column in TABLES[table]}


def _json_chunks(path: Path, required: tuple[str, ...], chunk_rows: int) -> Iterator[tuple[pd.Series, pd.DataFrame]]:
    records: list[dict[str, Any]] = []
    done = 0
    for count, record in stream_json_items(path, what="records"):
        if count == 0:
            _check_columns(path, "item 0", record.keys(), required)
        records.append(record)
        if len(records) == chunk_rows:
            yield _json_frame(path, records, done)
            done, records = done + len(records), []
    if records:
        yield _json_frame(path, records, done)


def _json_frame(path: Path, records: list[dict[str, Any]], first: int) -> tuple[pd.Series, pd.DataFrame]:
    frame = pd.DataFrame(records, index=pd.RangeIndex(first, first + len(records)))
    frame = frame.apply(lambda column: column.map(_json_text, na_action="ignore").astype(TEXT))
    return pd.Series(f"{path.name} item " + frame.index.astype(str), index=frame.index), frame


def _json_text(value: Any) -> str:
    """A JSON value as the tab-separated form writes it (numbers and true/false as text)."""
    return str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))


def _check_columns(path: Path, where: str, found: Any, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in set(found)]
    if missing:
        raise SourceFormatError(f"{path.name} {where}: missing column(s) {', '.join(missing)} "
                                f"(see the Charity Commission data definitions)")


def _numbers(values: pd.Series | None, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Numbers of a text column (commas allowed), NaN where blank; and where a cell is not a number."""
    if values is None:
        return pd.Series(np.nan, index=index), pd.Series(False, index=index)
    numbers = parse_amounts(values)
    return numbers, values.notna() & values.str.strip().ne("") & numbers.isna()


def _dates(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """ISO dates (``YYYY-MM-DD``) from the extract's date-times, or from a date in another UK layout
    (``12/03/2019``, :func:`loaders.tabular.parse_date`); missing where blank or not a real date
    (``2019-02-30``: see :func:`_bad_dates`).

    Examples
    --------
    >>> _dates(pd.Series(["2019-02-01T00:00:00", "12/03/2019", "2019-02-30", None]), pd.RangeIndex(4)).tolist()
    ['2019-02-01', '2019-03-12', nan, nan]
    """
    if values is None:
        return pd.Series(np.nan, index=index, dtype=TEXT)
    text = values.astype(TEXT).str.strip()
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    dates = pd.Series(iso.dt.strftime("%Y-%m-%d"), index=text.index, dtype=TEXT)
    other = dates.isna() & text.notna() & text.ne("")
    if other.any():  # few: each distinct text parsed once
        parsed = {value: parse_date(value) for value in dict.fromkeys(text[other])}
        dates[other] = text[other].map(parsed)
    return dates


def _bad_dates(values: pd.Series | None, dates: pd.Series) -> pd.Series:
    """Where a cell holds something that :func:`_dates` could not read as a real date."""
    if values is None:
        return pd.Series(False, index=dates.index)
    return values.notna() & values.astype(TEXT).str.strip().ne("") & dates.isna()


def _true(values: pd.Series | None, index: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series(False, index=index)
    return values.fillna("").str.strip().str.lower().isin(["true", "1", "t", "yes"])


def _keys(rows: pd.DataFrame, linked: bool = True) -> tuple[pd.Series, pd.Series]:
    """Each row's charity number and linked-charity number (0 for the main charity)."""
    number = rows["registered_charity_number"].astype(TEXT).str.strip().str.removesuffix(".0")
    if not linked or "linked_charity_number" not in rows:
        return number, pd.Series(0, index=rows.index, dtype="int64")
    sub, _ = _numbers(rows["linked_charity_number"], rows.index)
    return number, sub.fillna(0).astype("int64")


def _node_ids(number: pd.Series, linked: pd.Series) -> pd.Series:
    """Node ids: ``GB-CHC-{number}``, and ``GB-CHC-{number}-{linked}`` for a linked charity."""
    main = "GB-CHC-" + number
    return main.where(linked.eq(0), main + "-" + linked.astype(str))


def _value(cell: Any) -> Any:
    """A cell as a plain Python value, None when missing."""
    return None if pd.isna(cell) else cell.item() if hasattr(cell, "item") else cell


def _pseudonyms(names: pd.Series, key: bytes | None) -> list[str]:
    """Each trustee's pseudonym (:func:`loaders.pseudonyms.pseudonym`), each distinct name hashed once."""
    made: dict[str, str] = {}
    for name in dict.fromkeys(names.astype(str)):
        made[name] = pseudonym(name, key)
    return [made[name] for name in names.astype(str)]


def _text(rows: pd.DataFrame, column: str) -> pd.Series:
    return rows[column].str.strip() if column in rows else pd.Series(np.nan, index=rows.index, dtype=TEXT)


class CharityCommissionLoader(Loader):
    """The Charity Commission (England and Wales) register extract, filtered to one authority."""

    name = "ccew"
    title = "Charity Commission register of charities (England and Wales), public extract"
    source_url = "https://register-of-charities.charitycommission.gov.uk/register/full-register-download"
    licence = "OGL-UK-3.0"
    org_id_prefix = "GB-CHC"
    columns = TABLES
    required = ("charity",)

    def found_columns(self, path: Path) -> dict[str, str | None]:
        """For one file of the ``charity`` table, each published column it has (None where absent);
        for a folder, each table's file.

        Examples
        --------
        >>> found = CharityCommissionLoader().found_columns(Path("tests/fixtures/ccew/register_list.csv"))
        >>> found["charity_contact_postcode"], found["date_of_registration"]
        ('charity_contact_postcode', None)
        """
        if path.is_dir():
            return {table: (str(file.name) if (file := table_file(path, table)) else None) for table in TABLES}
        return {column: column if present else None for column, present in columns_present(path).items()}

    def load(self, path: Path, context: LoadContext, *, date: str = "", trustees: bool = True) -> LoadResult:
        """Read the extract tables in the folder ``path``.

        Parameters
        ----------
        path : Path
            Folder with ``publicextract.charity.json`` (or ``.txt``, ``.tsv``, ``.csv``) and any of the
            other tables; or one file of the ``charity`` table (any subset of its columns with
            ``registered_charity_number``), kept where its contact postcode is in the authority.
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
        sink = RecordSink(self.name, path)
        if path.is_file():  # one file: the charity table alone (a register list)
            charity_file, path = path, path.parent
            folder_tables = False
        else:
            charity_file, folder_tables = table_file(path, "charity"), True
        if charity_file is None:
            if not any(table_file(path, t) for t in TABLES):
                raise SourceFormatError(f"{path.name}: no register extract tables (publicextract.*.json or .txt) here")
            # without the charity table, the other tables can only add to charities other sources found
            self._details(path, sink, None, context, date, trustees)
            return sink.result("no charity table: details added to charities already in the graph")
        area_names = area_of_operation_names(context.authority_gss)
        operating_here, scale = self._areas(path, area_names) if folder_tables else (pd.Series(dtype=TEXT),) * 2
        kept: list[pd.DataFrame] = []
        kept_ids: set[str] = set()
        scanned = 0
        for labels, rows in read_table(charity_file, "charity"):
            scanned += len(rows)
            chosen = self._charities(sink, labels, rows, context, operating_here, scale, kept_ids, date)
            kept.append(chosen)
            kept_ids.update(chosen["id"])
        found = pd.concat(kept, ignore_index=True)
        if folder_tables:
            self._details(path, sink, set(found["id"]), context, date, trustees)
        self._serves_authority(sink, found, operating_here, context, date)
        described = " or ".join(sorted(area_names)) or context.authority_gss
        return sink.result(f"area of operation {described}, or contact postcode in {context.authority_gss}: "
                           f"{len(found)} of {scanned} register rows")

    # -- area of operation -------------------------------------------------------------------
    def _areas(self, folder: Path, area_names: frozenset[str]) -> tuple[pd.Series, pd.Series]:
        """Organisations operating in the authority (-> the row saying so) and each one's scale."""
        file = table_file(folder, "charity_area_of_operation")
        if file is None:
            return pd.Series(dtype=TEXT), pd.Series(dtype=TEXT)
        parts = []
        for labels, rows in read_table(file, "charity_area_of_operation"):
            organisation, _ = _numbers(rows["organisation_number"], rows.index)
            parts.append(pd.DataFrame({"organisation": organisation.fillna(-1).astype("int64"), "label": labels,
                                       "kind": rows["geographic_area_type"].fillna("").str.strip().str.lower(),
                                       "area": rows["geographic_area_description"].fillna("").str.strip().str.lower()}))
        areas = pd.concat(parts, ignore_index=True)
        local = areas[areas["kind"] == "local authority"]
        here = local[local["area"].isin(area_names)].drop_duplicates("organisation").set_index("organisation")["label"]
        authorities = local.groupby("organisation")["area"].nunique()
        wide = set(areas.loc[areas["kind"].isin(["country", "region"]) | areas["area"].isin(NATIONWIDE), "organisation"])
        counts = authorities.reindex(here.index).fillna(0)
        scale = pd.Series(np.where(here.index.isin(list(wide)), "national", np.where(counts > 3, "regional", "local")),
                          index=here.index, dtype=TEXT)
        return here, scale

    # -- the charity table ---------------------------------------------------------------------
    def _charities(self, sink: RecordSink, labels: pd.Series, rows: pd.DataFrame, context: LoadContext,
                   operating_here: pd.Series, scale: pd.Series, kept_ids: set[str], date: str) -> pd.DataFrame:
        """The charities of one chunk that are in the authority; returns their ids, keys and organisation numbers."""
        organisation, bad = _numbers(rows["organisation_number"], rows.index)
        sub, bad_sub = _numbers(rows.get("linked_charity_number"), rows.index)
        unreadable = bad | bad_sub
        for label, value in zip(labels[unreadable], rows.loc[unreadable, "organisation_number"]):
            sink.reject(label, "organisation_number", value, "not a number")
        rows, labels, organisation = rows[~unreadable], labels[~unreadable], organisation[~unreadable].fillna(-1)
        postcode = normalise_postcodes(rows["charity_contact_postcode"])
        wanted = organisation.isin(operating_here.index)
        if context.national:
            wanted[:] = True
        elif context.places is not None:
            wanted |= context.places.has_postcodes(postcode)
        rows, labels, organisation, postcode = rows[wanted], labels[wanted], organisation[wanted], postcode[wanted]
        number, linked = _keys(rows)
        ids = _node_ids(number, linked)
        valid = pd.Series(True, index=rows.index)
        failed: dict[str, pd.Series] = {}
        money = {}
        for field in ("latest_income", "latest_expenditure"):
            money[field], not_number = _numbers(rows[field], rows.index)
            negative = money[field].lt(0)
            failed[field] = valid & (not_number | negative)
            failed[field + " negative"] = valid & ~not_number & negative
            valid &= ~(not_number | negative)
        earlier = valid.astype(int).groupby(ids).cumsum() - valid.astype(int)
        duplicate = in_set(ids, kept_ids) | earlier.gt(0).to_numpy()
        for label, key in zip(labels[duplicate], number[duplicate] + "/" + linked[duplicate].astype(str)):
            sink.reject(label, "registered_charity_number", key, "duplicate charity in the table")
        for field in ("latest_income", "latest_expenditure"):
            negative = failed[field + " negative"] & ~duplicate
            for label, value, is_negative in zip(labels[failed[field] & ~duplicate], rows.loc[failed[field] & ~duplicate, field],
                                                 negative[failed[field] & ~duplicate]):
                sink.reject(label, field, float(value.replace(",", "")) if is_negative else value,
                            "negative amount" if is_negative else "not a number")
        keep = valid & ~duplicate
        rows, labels, ids, number, linked = rows[keep], labels[keep], ids[keep], number[keep], linked[keep]
        organisation, postcode = organisation[keep].astype("int64"), postcode[keep]
        company = _text(rows, "charity_company_registration_number")
        company = company.where(company.notna() & ~company.isin(["", "0", "nan"]))
        has_company = company.notna()
        companies = company_numbers(company[has_company])
        income = money["latest_income"][keep]
        dates = date or _dates(rows.get("date_of_extract"), rows.index).fillna("")
        registered, removed = _dates(rows["date_of_registration"], rows.index), _dates(rows["date_of_removal"], rows.index)
        for field, read in (("date_of_registration", registered), ("date_of_removal", removed)):
            bad = _bad_dates(rows[field], read)
            for label, value in zip(labels[bad], rows.loc[bad, field]):
                sink.reject(label, field, value, "not a real date (YYYY-MM-DD or DD/MM/YYYY); left out, the charity kept")
        sink.nodes(ids, pd.Series(np.where(_true(rows.get("charity_is_cio"), rows.index),
                                           "CharitableIncorporatedOrganisation", "Charity")),
                   records=labels, dates=dates, licence=self.licence,
                   name=_text(rows, "charity_name"), charity_number=number, legal_form=rows["charity_type"],
                   status=rows["charity_registration_status"], registration_date=registered,
                   removal_date=removed, latest_income=income,
                   latest_expenditure=money["latest_expenditure"][keep], income_band=income_bands(income),
                   postcode=postcode.where(postcode != ""), website=rows["charity_contact_web"],
                   company_number=companies.reindex(rows.index),
                   other_ids=pd.Series([[f"GB-COH-{c}"] for c in companies], index=companies.index,
                                       dtype=object).reindex(rows.index),
                   scale=organisation.map(scale).astype(TEXT))
        sub = linked.ne(0)
        sink.edges(ids[sub], "GB-CHC-" + number[sub], "PART_OF", records=labels[sub],
                   dates=dates[sub] if isinstance(dates, pd.Series) else dates, licence=self.licence,
                   note="linked charity")
        return pd.DataFrame({"id": ids, "number": number, "linked": linked, "organisation": organisation}).reset_index(drop=True)

    # -- the other tables ----------------------------------------------------------------------
    def _details(self, folder: Path, sink: RecordSink, kept: set[str] | None, context: LoadContext,
                 date: str, trustees: bool) -> None:
        """Other names, classifications, returns and trustees of the charities kept (all, if ``kept``
        is None: then they only enrich charities already in the graph)."""
        enrich = kept is None

        def chosen(table: str, *, linked: bool = True) -> Iterator[tuple[pd.Series, pd.DataFrame, pd.Series, pd.Series]]:
            file = table_file(folder, table)
            if file is None:
                return
            for labels, rows in read_table(file, table):
                ids = _node_ids(*_keys(rows, linked))
                wanted = ids.notna().to_numpy() if enrich else in_set(ids, kept)
                dates = date or _dates(rows.get("date_of_extract"), rows.index).fillna("")
                yield labels[wanted], rows[wanted], ids[wanted], dates[wanted] if isinstance(dates, pd.Series) else dates

        names = [pd.DataFrame({"label": labels, "id": ids, "date": dates, "name": _text(rows, "charity_name")})
                 for labels, rows, ids, dates in chosen("charity_other_names")]
        if names:
            frame = pd.concat(names)
            frame = frame[frame["name"].notna() & frame["name"].ne("")]
            grouped = frame.groupby("id", sort=False)
            first = grouped.first()
            sink.nodes(first.index, "Charity", records=first["label"], dates=first["date"], licence=self.licence,
                       enrich_only=enrich, other_names=grouped["name"].agg(list).reindex(first.index))
        for labels, rows, ids, dates in chosen("charity_classification"):
            description = _text(rows, "classification_description")
            given = description.notna() & description.ne("")
            category = rows["classification_type"].fillna("").str.strip().str.lower()[given]
            description, labels, ids = description[given], labels[given], ids[given]
            dates = dates[given] if isinstance(dates, pd.Series) else dates
            themes = pd.Series([f"THEME-ccew-{slugify(c)}-{slugify(d)}" for c, d in zip(category, description)],
                               index=description.index, dtype=TEXT)
            sink.nodes(themes, "Theme", records=labels, dates=dates, licence=self.licence, name=description.str.lower(),
                       category="charity " + category,
                       code=rows.loc[given, "classification_code"].fillna("").str.removesuffix(".0"))
            sink.edges(ids, themes, "ADDRESSES", records=labels, dates=dates, licence=self.licence, enrich_only=enrich)
        returns = []
        for labels, rows, ids, dates in chosen("charity_annual_return_history", linked=False):
            income, bad_income = _numbers(rows["total_gross_income"], rows.index)
            spend, bad_spend = _numbers(rows["total_gross_expenditure"], rows.index)
            bad = bad_income | bad_spend
            for label, value in zip(labels[bad], rows.loc[bad, "total_gross_income"]):
                sink.reject(label, "total_gross_income", value, "not a number")
            returns.append(pd.DataFrame({"label": labels, "id": ids, "date": dates,
                                         "end": _dates(rows["fin_period_end_date"], rows.index),
                                         "income": income, "spend": spend})[~bad])
        if returns:
            frame = pd.concat(returns)
            first = frame.groupby("id", sort=False).first()
            frame = frame.assign(order=frame["end"].fillna("")).sort_values(["id", "order"], kind="stable")
            history = {node: [[_value(e), _value(i), _value(s)] for e, i, s in
                              zip(group["end"], group["income"], group["spend"])] for node, group in frame.groupby("id")}
            sink.nodes(first.index, "Charity", records=first["label"], dates=first["date"], licence=self.licence,
                       enrich_only=enrich, income_history=pd.Series(history, dtype=object).reindex(first.index))
        if not trustees or table_file(folder, "charity_trustee") is None:
            return
        for labels, rows, ids, dates in chosen("charity_trustee"):
            named = _text(rows, "trustee_name")
            given = named.notna() & named.ne("")
            rows, labels, ids, named = rows[given], labels[given], ids[given], named[given]
            dates = dates[given] if isinstance(dates, pd.Series) else dates
            people = pd.Series(_pseudonyms(rows["trustee_name"], context.pseudonym_key), index=rows.index, dtype=TEXT)
            sink.nodes(people, "Person", records=labels, dates=dates, licence=self.licence, pseudonym=people,
                       category=pd.Series(np.where(rows["individual_or_organisation"].fillna("").str.upper().eq("O"),
                                                   "organisation", "individual"), index=rows.index, dtype=TEXT))
            sink.edges(people, ids, "TRUSTEE_OF", records=labels, dates=dates, licence=self.licence, enrich_only=enrich,
                       role=pd.Series(np.where(_true(rows["trustee_is_chair"], rows.index), "chair", "trustee"),
                                      index=rows.index, dtype=TEXT),
                       start_date=_dates(rows["trustee_date_of_appointment"], rows.index))

    def _serves_authority(self, sink: RecordSink, kept: pd.DataFrame, operating_here: pd.Series,
                          context: LoadContext, date: str) -> None:
        area = context.places.place_of_code(context.authority_gss) if context.places else None
        if area is None:
            return
        serving = kept[kept["organisation"].isin(operating_here.index)].sort_values(["number", "linked"])
        sink.edges(serving["id"], pd.Series(area, index=serving.index), "SERVES_AREA",
                   records=serving["organisation"].map(operating_here), dates=date, licence=self.licence)
