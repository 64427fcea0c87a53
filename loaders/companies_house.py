"""Companies House basic company data (the free monthly CSV snapshot), filtered to one authority.

Companies are kept when their registered office postcode is in the authority (this needs a postcode
directory in the build, see :class:`civicgraph.loaders.ons_geography.PostcodeLookupLoader`), or all of them with
``filter = "none"`` for a file already cut to the area. Community interest companies, registered
societies and companies limited by guarantee are the VCSE's usual company forms; every category is
kept, with SIC 2007 codes and previous names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from civicgraph.core.columns import TEXT
from civicgraph.core.errors import ConfigError, SourceFormatError
from civicgraph.core.identifiers import company_ids, company_numbers
from civicgraph.loaders.base import LoadContext, Loader, LoadResult, RecordSink
from civicgraph.loaders.tabular import header, in_set, normalise_postcodes, stream_csv

REQUIRED = ("CompanyName", "CompanyNumber", "RegAddress.PostCode", "CompanyCategory", "CompanyStatus",
            "IncorporationDate", "SICCode.SicText_1")
KIND_BY_CATEGORY = {
    "community interest company": "CommunityInterestCompany",
    "registered society": "Mutual", "industrial and provident society": "Mutual",
    "charitable incorporated organisation": "CharitableIncorporatedOrganisation",
    "scottish charitable incorporated organisation": "CharitableIncorporatedOrganisation",
}


def iso_dates(column: pd.Series | None, rows: int) -> pd.Series:
    """Companies House dates (``dd/mm/yyyy``) as ISO dates, a whole column at once; missing where a
    date is missing or not a date (a column that is absent gives ``rows`` missing dates).

    Examples
    --------
    >>> iso_dates(pd.Series(["31/01/2019", "", "not a date"]), 3).tolist()
    ['2019-01-31', nan, nan]
    """
    if column is None:
        return pd.Series([np.nan] * rows, dtype=TEXT)
    parsed = pd.to_datetime(column, format="%d/%m/%Y", errors="coerce")
    return parsed.dt.strftime("%Y-%m-%d").astype(TEXT)


class CompaniesHouseLoader(Loader):
    """Companies House ``BasicCompanyData`` CSV."""

    name = "companies-house"
    title = "Companies House basic company data"
    source_url = "https://download.companieshouse.gov.uk/en_output.html"
    licence = "OGL-UK-3.0"
    columns = {column: (column,) for column in REQUIRED}
    required = REQUIRED
    org_id_prefix = "GB-COH"

    def load(self, path: Path, context: LoadContext, *, filter: str = "postcode",  # noqa: A002
             date: str = "") -> LoadResult:
        """Stream the CSV in chunks; keep the authority's companies.

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> result = CompaniesHouseLoader().load(Path("tests/fixtures/companies_house/BasicCompanyData-sample.csv"),
        ...                                      ctx, filter="none")
        >>> result.summary()["nodes"]
        {'CommunityInterestCompany': 2, 'Company': 2, 'Mutual': 1}
        """
        if filter not in ("postcode", "none"):
            raise SourceFormatError(f"{path.name}: filter {filter!r} is not supported. Use one of: 'postcode', 'none'.")
        places = context.places
        if context.national:
            filter = "none"  # noqa: A001 - a national build keeps every company
        if filter == "postcode" and (places is None or not places.postcode_lsoa):
            raise ConfigError(f"{path.name}: Companies House data is filtered by registered-office postcode; add an "
                              "'ons-postcodes' source to the build, or set filter = \"none\" for a file already cut "
                              "to the area")
        sink = RecordSink(self.name, path)
        missing = [c for c in REQUIRED if c not in header(path)]
        if missing:
            raise SourceFormatError(f"{path.name} row 1 (header): missing column(s) {', '.join(missing)} "
                                    "of the Companies House basic company data layout")
        scanned = kept = 0
        seen: set[str] = set()
        for rows in stream_csv(path):
            scanned += len(rows)
            postcode = normalise_postcodes(rows["RegAddress.PostCode"])
            if filter == "postcode":
                rows, postcode = rows[places.has_postcodes(postcode)], postcode[places.has_postcodes(postcode)]
            kept += self._companies(sink, rows, postcode, seen, date)
        described = "none" if filter == "none" else f"registered office postcode in {context.authority_gss}"
        return sink.result(f"{described}: {kept} of {scanned} companies")

    def _companies(self, sink: RecordSink, rows: pd.DataFrame, postcode: pd.Series, seen: set[str], date: str) -> int:
        """Check and add one chunk's companies; returns how many were added."""
        lines = rows.index + 2
        number = rows["CompanyNumber"].str.strip().str.upper().fillna("")
        duplicate = number.ne("") & (in_set(number, seen) | number.duplicated())
        seen.update(number[number.ne("")])
        name = rows["CompanyName"].str.strip().fillna("")
        problems = ((duplicate, "CompanyNumber", number, "duplicate company number"),
                    (number.eq(""), "CompanyNumber", number, "no company number"),
                    (name.eq(""), "CompanyName", name, "no company name"),
                    (number.str.len().gt(8), "CompanyNumber", number, "a company number has at most 8 characters"))
        refused = pd.Series(False, index=rows.index)
        for found, field, values, reason in problems:
            found = found & ~refused
            for line, value in zip(lines[found.to_numpy()], values[found]):
                sink.reject(int(line), field, value, reason)
            refused |= found
        rows, postcode, number, name = rows[~refused], postcode[~refused], number[~refused], name[~refused]
        category = rows["CompanyCategory"].str.strip().fillna("")
        sic = pd.concat([rows[c].str.replace(r"(?s) - .*", "", regex=True).str.strip()
                         for c in (f"SICCode.SicText_{i}" for i in range(1, 5)) if c in rows], axis=1)
        previous = [c for c in rows.columns if c.startswith("PreviousName") and c.endswith(".CompanyName")]
        sink.nodes(company_ids(number), category.str.lower().map(KIND_BY_CATEGORY).fillna("Company"),
                   records="row " + (rows.index + 2).astype(str), dates=date, licence=self.licence, name=name,
                   company_number=company_numbers(number), legal_form=category.where(category.ne("")),
                   status=rows["CompanyStatus"], registration_date=iso_dates(rows.get("IncorporationDate"), len(rows)),
                   removal_date=iso_dates(rows.get("DissolutionDate"), len(rows)),
                   postcode=postcode.where(postcode.ne("")), sic_codes=_lists(sic, lambda v: v.isdigit()),
                   other_names=_lists(rows[previous].apply(lambda c: c.str.strip()), bool))
        return len(rows)


def _lists(columns: pd.DataFrame, keep: Callable[[str], bool]) -> pd.Series:
    """Each row's cells that are present and pass ``keep``, as a list (None when there are none)."""
    values = columns.to_numpy(dtype=object)
    lists = [[v for v in row if isinstance(v, str) and keep(v)] or None for row in values]
    return pd.Series(lists, index=columns.index, dtype=object)
