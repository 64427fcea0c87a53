"""Companies House basic company data (the free monthly CSV snapshot), filtered to one authority.

Companies are kept when their registered office postcode is in the authority (this needs a postcode
directory in the build, see :class:`loaders.ons_geography.PostcodeLookupLoader`), or all of them with
``filter = "none"`` for a file already cut to the area. Community interest companies, registered
societies and companies limited by guarantee are the VCSE's usual company forms; every category is
kept, with SIC 2007 codes and previous names.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from graph.errors import ConfigError, SourceFormatError
from graph.identifiers import company_id, company_number
from loaders.base import LoadContext, Loader, LoadResult, RecordSink, is_missing
from loaders.tabular import normalise_postcode

REQUIRED = ("CompanyName", "CompanyNumber", "RegAddress.PostCode", "CompanyCategory", "CompanyStatus",
            "IncorporationDate", "SICCode.SicText_1")
KIND_BY_CATEGORY = {
    "community interest company": "CommunityInterestCompany",
    "registered society": "Mutual", "industrial and provident society": "Mutual",
    "charitable incorporated organisation": "CharitableIncorporatedOrganisation",
    "scottish charitable incorporated organisation": "CharitableIncorporatedOrganisation",
}


def iso_dates(column: pd.Series | None, rows: int) -> list[str | None]:
    """Companies House dates (``dd/mm/yyyy``) as ISO dates, a whole column at once; None where a
    date is missing or not a date (a column that is absent gives ``rows`` Nones).

    Examples
    --------
    >>> iso_dates(pd.Series(["31/01/2019", "", "not a date"]), 3)
    ['2019-01-31', None, None]
    """
    if column is None:
        return [None] * rows
    parsed = pd.to_datetime(column, format="%d/%m/%Y", errors="coerce")
    return [None if pd.isna(text) else text for text in parsed.dt.strftime("%Y-%m-%d").tolist()]


class CompaniesHouseLoader(Loader):
    """Companies House ``BasicCompanyData`` CSV."""

    name = "companies-house"
    title = "Companies House basic company data"
    source_url = "https://download.companieshouse.gov.uk/en_output.html"
    licence = "OGL-UK-3.0"
    org_id_prefix = "GB-COH"

    def load(self, path: Path, context: LoadContext, *, filter: str = "postcode",  # noqa: A002
             date: str = "", chunk_rows: int = 100_000) -> LoadResult:
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
        scanned = kept = 0
        seen: set[str] = set()
        try:
            reader = pd.read_csv(path, dtype=str, chunksize=chunk_rows, keep_default_na=False, na_values=[""],
                                 encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
            for chunk_number, chunk in enumerate(reader):
                chunk.columns = [c.strip() for c in chunk.columns]  # the published header has stray spaces
                if chunk_number == 0:
                    missing = [c for c in REQUIRED if c not in chunk.columns]
                    if missing:
                        raise SourceFormatError(f"{path.name} row 1 (header): missing column(s) {', '.join(missing)} "
                                                "of the Companies House basic company data layout")
                dated = zip(iso_dates(chunk.get("IncorporationDate"), len(chunk)),
                            iso_dates(chunk.get("DissolutionDate"), len(chunk)))
                previous = [c for c in chunk.columns if c.startswith("PreviousName") and c.endswith(".CompanyName")]
                for offset, (row, dates) in enumerate(zip(chunk.to_dict("records"), dated)):
                    scanned += 1
                    line = chunk_number * chunk_rows + offset + 2
                    postcode = normalise_postcode(row.get("RegAddress.PostCode") or "")
                    if filter == "postcode" and not (postcode and places.lsoa_of_postcode(postcode)):
                        continue
                    number = "" if is_missing(row.get("CompanyNumber")) else str(row["CompanyNumber"]).strip().upper()
                    if number and number in seen:
                        sink.reject(line, "CompanyNumber", number, "duplicate company number")
                        continue
                    seen.add(number)
                    kept += self._company(sink, line, row, postcode, date, dates=dates, previous_columns=previous)
        except UnicodeDecodeError:
            raise SourceFormatError(f"{path.name}: not UTF-8 text, as Companies House publishes it") from None
        except pd.errors.ParserError as error:
            raise SourceFormatError(f"{path.name}: not a readable CSV file ({error})") from None
        described = "none" if filter == "none" else f"registered office postcode in {context.authority_gss}"
        return sink.result(f"{described}: {kept} of {scanned} companies")

    def _company(self, sink: RecordSink, line: int, row: dict, postcode: str, date: str, *,
                 dates: tuple[str | None, str | None], previous_columns: list[str]) -> int:
        number = "" if is_missing(row.get("CompanyNumber")) else str(row["CompanyNumber"]).strip().upper()
        name = "" if is_missing(row.get("CompanyName")) else str(row["CompanyName"]).strip()
        if not number:
            sink.reject(line, "CompanyNumber", "", "no company number")
            return 0
        if not name:
            sink.reject(line, "CompanyName", "", "no company name")
            return 0
        if len(number) > 8:
            sink.reject(line, "CompanyNumber", number, "a company number has at most 8 characters")
            return 0
        category = str(row.get("CompanyCategory") or "").strip()
        sic = [str(row[c]).split(" - ")[0].strip() for c in (f"SICCode.SicText_{i}" for i in range(1, 5))
               if not is_missing(row.get(c)) and str(row[c]).split(" - ")[0].strip().isdigit()]
        previous = [str(row[c]).strip() for c in previous_columns if not is_missing(row[c])]
        prov = sink.provenance(f"row {line}", date, self.licence)
        sink.node(company_id(number), KIND_BY_CATEGORY.get(category.lower(), "Company"), prov, name=name,
                  company_number=company_number(number), legal_form=category or None,
                  status=row.get("CompanyStatus"), registration_date=dates[0], removal_date=dates[1],
                  postcode=postcode or None,
                  sic_codes=sic or None, other_names=previous or None)
        return 1
