"""ONS geography and the English Indices of Deprivation.

* :class:`LookupLoader` reads an ONS LSOA -> ward -> local authority lookup (columns ``LSOA11CD``,
  ``LSOA11NM``, ``WD17CD``, ``WD17NM``, ``LAD17CD``, ``LAD17NM``; any year's generation, read from the
  column names) and keeps the rows of one authority. Places become nodes joined by ``PART_OF``.
* :class:`PostcodeLookupLoader` reads a postcode directory in the NSPL/ONSPD layout (``pcds``,
  ``lsoa11``/``lsoa21``, ``laua``) and keeps the authority's postcodes, so that other sources'
  organisations can be located (see :class:`PlaceIndex`).
* :class:`DeprivationLoader` reads IMD 2019 scores by LSOA, in MHCLG's published layout (File 7) or
  mySociety's composite UK layout, and adds them to the LSOAs already in the graph.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from graph.errors import SourceFormatError
from graph.identifiers import place_ids
from loaders.base import LoadContext, Loader, LoadResult, RecordSink
from loaders.tabular import normalise_postcodes, read_csv_text, require_columns

_GEN = re.compile(r"^(LSOA|WD|LAD)(\d{2})(CD|NM)$", re.IGNORECASE)


def _generation(column: str) -> int:
    match = _GEN.match(column)
    return 2000 + int(match.group(2)) if match else 0


class LookupLoader(Loader):
    """ONS LSOA to ward to local authority lookup, filtered to one authority."""

    name = "ons-lookup"
    title = "ONS LSOA to electoral ward to local authority lookup"
    source_url = "https://geoportal.statistics.gov.uk/"
    licence = "OGL-UK-3.0"
    columns = {"lsoa": ("LSOAyyCD",), "lsoa_name": ("LSOAyyNM",), "ward": ("WDyyCD",), "ward_name": ("WDyyNM",),
               "authority": ("LADyyCD",), "authority_name": ("LADyyNM",)}
    required = ("lsoa", "ward", "authority")

    def load(self, path: Path, context: LoadContext, *, date: str = "") -> LoadResult:
        """Read the lookup; keep the rows of ``context.authority_gss``.

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> result = LookupLoader().load(Path("data/geography/hounslow_lsoa11_ward17_lookup.csv"), ctx)
        >>> result.summary()["nodes"]
        {'LSOA': 142, 'LocalAuthorityArea': 1, 'Ward': 20}
        """
        frame = read_csv_text(path)
        columns = {c.upper(): c for c in frame.columns}
        def pick(prefix: str, suffix: str) -> str | None:
            found = sorted((c for c in columns if c.startswith(prefix) and c.endswith(suffix) and _GEN.match(c)),
                           key=lambda c: -_generation(c))
            if not found and suffix == "CD":
                raise SourceFormatError(
                    f"{path.name} row 1 (header): no {prefix}yy{suffix} column (e.g. {prefix}17{suffix}); "
                    f"found {', '.join(frame.columns)}")
            return columns[found[0]] if found else None  # names are optional: a place without one is unnamed
        levels = (("LSOA", pick("LSOA", "CD"), pick("LSOA", "NM")), ("Ward", pick("WD", "CD"), pick("WD", "NM")),
                  ("LocalAuthorityArea", pick("LAD", "CD"), pick("LAD", "NM")))
        sink = RecordSink(self.name, path)
        kept = frame if context.national else frame[frame[levels[2][1]].str.strip() == context.authority_gss]
        records = pd.Series([f"row {n + 2}" for n in kept.index], index=kept.index, dtype="str")
        complete = pd.Series(True, index=kept.index)
        nodes: dict[str, pd.Series] = {}
        for kind, code_column, name_column in levels:
            codes = kept[code_column].str.strip().str.upper()
            missing = complete & codes.fillna("").eq("")
            for number in kept.index[missing]:  # the row stops at its first level without a code
                sink.reject(number + 2, code_column, kept.at[number, code_column], "no code")
            complete &= ~missing
            generation = _generation(code_column.upper())
            nodes[kind] = place_ids(codes, generation)
            first = complete & ~nodes[kind].where(complete).duplicated()
            sink.nodes(nodes[kind][first], kind, records=records[first], dates=date, licence=self.licence,
                       name=kept.loc[first, name_column] if name_column else None, gss_code=codes[first],
                       code_generation=pd.array([generation] * int(first.sum()), dtype="Int64"))
        lsoa, ward, authority = (nodes[kind][complete] for kind, _, _ in levels)
        sink.edges(lsoa, ward, "PART_OF", records=records[complete], dates=date, licence=self.licence)
        first_pair = ~pd.DataFrame({"ward": ward, "authority": authority}).duplicated()
        sink.edges(ward[first_pair], authority[first_pair], "PART_OF", records=records[complete][first_pair],
                   dates=date, licence=self.licence)
        return sink.result(f"{levels[2][1]} = {context.authority_gss}: {len(kept)} of {len(frame)} rows")


class PostcodeLookupLoader(Loader):
    """ONS postcode directory (NSPL or ONSPD layout), filtered to one authority.

    Adds nothing to the graph: its result carries a ``postcode_lsoa`` lookup that the build uses to
    locate other sources' organisations by postcode.
    """

    name = "ons-postcodes"
    title = "ONS National Statistics Postcode Lookup"
    source_url = "https://geoportal.statistics.gov.uk/"
    licence = "OGL-UK-3.0"
    layouts = (("pcds", "lsoa21", "laua"), ("pcds", "lsoa11", "laua"), ("pcd", "lsoa11", "oslaua"))
    columns = {"postcode": ("pcds", "pcd"), "lsoa": ("lsoa21", "lsoa11"), "authority": ("laua", "oslaua"),
               "terminated": ("doterm",)}
    required = ("postcode", "lsoa", "authority")

    def load(self, path: Path, context: LoadContext, *, date: str = "") -> LoadResult:
        """Read the postcode lookup in chunks; keep the authority's live postcodes."""
        frame = read_csv_text(path)
        postcode_col, lsoa_col, la_col = require_columns(frame, path, self.layouts, "postcode directory")
        generation = 2021 if lsoa_col.endswith("21") else 2011
        sink = RecordSink(self.name, path)
        kept = frame if context.national else frame[frame[la_col].str.strip() == context.authority_gss]
        if "doterm" in kept:
            kept = kept[kept["doterm"].isna()]  # terminated postcodes are no longer in use
        postcodes = normalise_postcodes(kept[postcode_col])
        for number in kept.index[postcodes == ""]:
            sink.reject(number + 2, postcode_col, kept.at[number, postcode_col], "not a postcode")
        lookup = pd.DataFrame({
            "postcode": postcodes,
            "place": place_ids(kept[lsoa_col].fillna(""), generation),
        })
        result = sink.result(f"{la_col} = {context.authority_gss}: {len(kept)} of {len(frame)} postcodes")
        result.lookups["postcode_lsoa"] = lookup[lookup["postcode"] != ""].reset_index(drop=True)
        return result


class DeprivationLoader(Loader):
    """English Indices of Deprivation 2019 by LSOA, added to the LSOAs already in the graph."""

    name = "imd"
    title = "English Indices of Deprivation 2019 (IMD) by LSOA"
    source_url = "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019"
    licence = "OGL-UK-3.0"
    layouts = (
        ("LSOA code (2011)", "Index of Multiple Deprivation (IMD) Score",
         "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
         "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"),
        ("lsoa11cd", "imd2019_score", "UK_IMD_E_rank", "imd2019_decile"),
        ("lsoa", "UK_IMD_E_score", "UK_IMD_E_rank", "UK_IMD_E_pop_decile"),
    )
    columns = dict(zip(("lsoa", "score", "rank", "decile"), zip(*layouts)))
    required = ("lsoa", "score", "rank", "decile")

    def load(self, path: Path, context: LoadContext, *, date: str = "2019-09-26") -> LoadResult:
        """Read IMD scores; rows outside the graph's LSOAs are ignored when merged.

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> nodes = DeprivationLoader().load(Path("data/geography/hounslow_UK_IMD_E_lsoa11.csv"), ctx).nodes
        >>> int(nodes.loc[nodes["id"] == "E01002555@2011", "imd_decile"].iloc[0])
        6
        """
        frame = read_csv_text(path)
        code_col, score_col, rank_col, decile_col = require_columns(frame, path, self.layouts, "deprivation table")
        sink = RecordSink(self.name, path)
        codes = frame[code_col].astype("str").str.strip().str.upper()
        frame = frame[codes.str.startswith(("E01", "W01")).fillna(False)]  # the UK file also holds Scottish and NI zones
        codes = codes[frame.index]
        values = {}
        readable = pd.Series(True, index=frame.index)
        for field_name, column in (("imd_score", score_col), ("imd_rank", rank_col), ("imd_decile", decile_col)):
            numbers = pd.to_numeric(frame[column], errors="coerce")
            for number in frame.index[numbers.isna()]:
                sink.reject(number + 2, column, frame.at[number, column], "not a number")
            readable &= numbers.notna()
            values[field_name] = numbers
        frame, codes = frame[readable], codes[readable]
        sink.nodes(place_ids(codes, 2011), "LSOA", records=codes, dates=date, licence=self.licence, enrich_only=True,
                   gss_code=codes, code_generation=pd.array([2011] * len(codes), dtype="Int64"),
                   imd_score=values["imd_score"][readable].astype(float), imd_rank=values["imd_rank"][readable].astype(float),
                   imd_decile=values["imd_decile"][readable].astype(float).astype(int).astype("Int64"))
        return sink.result("scores join the authority's LSOAs at merge")
