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
from graph.identifiers import place_id
from loaders.base import LoadContext, Loader, LoadResult, RecordSink, is_missing
from loaders.tabular import normalise_postcode, read_csv_text, require_columns

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
        def pick(prefix: str, suffix: str) -> str:
            found = sorted((c for c in columns if c.startswith(prefix) and c.endswith(suffix) and _GEN.match(c)),
                           key=lambda c: -_generation(c))
            if not found:
                raise SourceFormatError(
                    f"{path.name} row 1 (header): no {prefix}yy{suffix} column (e.g. {prefix}17{suffix}); "
                    f"found {', '.join(frame.columns)}")
            return columns[found[0]]
        lsoa_cd, lsoa_nm = pick("LSOA", "CD"), pick("LSOA", "NM")
        ward_cd, ward_nm = pick("WD", "CD"), pick("WD", "NM")
        lad_cd, lad_nm = pick("LAD", "CD"), pick("LAD", "NM")
        sink = RecordSink(self.name, path)
        kept = frame if context.national else frame[frame[lad_cd].str.strip() == context.authority_gss]
        generation = {c: _generation(c.upper()) for c in (lsoa_cd, ward_cd, lad_cd)}
        seen: set[str] = set()
        for number, row in kept.iterrows():
            record = f"row {number + 2}"
            prov = sink.provenance(record, date, self.licence)
            codes = {}
            for kind, cd, nm in (("LSOA", lsoa_cd, lsoa_nm), ("Ward", ward_cd, ward_nm), ("LocalAuthorityArea", lad_cd, lad_nm)):
                code = row[cd]
                if is_missing(code):
                    sink.reject(number + 2, cd, code, "no code")
                    break
                codes[kind] = node = place_id(code, generation[cd])
                if node not in seen:
                    seen.add(node)
                    sink.node(node, kind, prov, name=row[nm], gss_code=code.strip().upper(),
                              code_generation=generation[cd])
            else:
                sink.edge(codes["LSOA"], codes["Ward"], "PART_OF", prov)
                if (codes["Ward"], codes["LocalAuthorityArea"]) not in seen:
                    seen.add((codes["Ward"], codes["LocalAuthorityArea"]))
                    sink.edge(codes["Ward"], codes["LocalAuthorityArea"], "PART_OF", prov)
        return sink.result(f"{lad_cd} = {context.authority_gss}: {len(kept)} of {len(frame)} rows")


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

    def load(self, path: Path, context: LoadContext, *, date: str = "") -> LoadResult:
        """Read the postcode lookup in chunks; keep the authority's live postcodes."""
        frame = read_csv_text(path)
        postcode_col, lsoa_col, la_col = require_columns(frame, path, self.layouts, "postcode directory")
        generation = 2021 if lsoa_col.endswith("21") else 2011
        sink = RecordSink(self.name, path)
        kept = frame if context.national else frame[frame[la_col].str.strip() == context.authority_gss]
        if "doterm" in kept:
            kept = kept[kept["doterm"].isna()]  # terminated postcodes are no longer in use
        postcodes = kept[postcode_col].map(normalise_postcode)
        for number in kept.index[postcodes == ""]:
            sink.reject(number + 2, postcode_col, kept.at[number, postcode_col], "not a postcode")
        lookup = pd.DataFrame({
            "postcode": postcodes,
            "place": [place_id(code, generation) for code in kept[lsoa_col].fillna("").str.strip()],
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
        for number, row in frame.iterrows():
            code = str(row[code_col]).strip().upper()
            if not code.startswith(("E01", "W01")):
                continue  # the composite UK file also holds Scottish and Northern Irish zones
            values = {}
            for field_name, column, cast in (("imd_score", score_col, float), ("imd_rank", rank_col, float),
                                             ("imd_decile", decile_col, lambda v: int(float(v)))):
                try:
                    values[field_name] = cast(row[column])
                except (TypeError, ValueError):
                    sink.reject(number + 2, column, row[column], "not a number")
            if len(values) == 3:
                sink.node(place_id(code, 2011), "LSOA", sink.provenance(code, date, self.licence),
                          enrich_only=True, gss_code=code, code_generation=2011, **values)
        return sink.result("scores join the authority's LSOAs at merge")
