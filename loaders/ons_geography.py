"""ONS geography and the English Indices of Deprivation.

* :class:`LookupLoader` reads an ONS LSOA -> ward -> local authority lookup (columns ``LSOA11CD``,
  ``LSOA11NM``, ``WD17CD``, ``WD17NM``, ``LAD17CD``, ``LAD17NM``; any year's generation, read from the
  column names) and keeps the rows of one authority. Places become nodes joined by ``PART_OF``.
* :class:`PostcodeLookupLoader` reads a postcode directory (NSPL/ONSPD, the ONS postcode to
  OA/LSOA/MSOA/LAD lookup, or OS Code-Point Open), so that other sources' organisations can be
  located, inside the authority or outside it (see :class:`PlaceIndex`).
* :class:`DeprivationLoader` reads IMD 2019 scores by LSOA, in MHCLG's published layout (File 7) or
  mySociety's composite UK layout, and adds them to the LSOAs already in the graph.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from civicgraph.core.errors import SourceFormatError
from civicgraph.core.identifiers import place_ids
from civicgraph.loaders.base import LoadContext, Loader, LoadResult, RecordSink
from civicgraph.loaders.tabular import normalise_postcode, normalise_postcodes, read_csv_text, require_columns

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
    """A postcode directory: where each postcode is (local authority, LSOA, ward, grid reference).

    Reads any of the published layouts, told apart by their columns:

    * the ONS National Statistics Postcode Lookup (NSPL) and Postcode Directory (ONSPD):
      ``pcds``, ``lsoa21``/``lsoa11``, ``laua``/``oslaua``, ``doterm``, ``oseast1m``, ``osnrth1m``;
    * the ONS postcode to OA/LSOA/MSOA/LAD best-fit lookup (``PCD_OA_LSOA_MSOA_LAD``):
      ``pcds``, ``lsoa11cd``/``lsoa21cd``, ``ladcd``, ``doterm``;
    * OS Code-Point Open: header-less CSV files whose columns the product's
      ``codepo_gb_column_headers.csv`` names (``PC``, ``EA``, ``NO``, ``DC``, ``WC``); give it as
      ``headers`` or keep it beside the data file.

    Adds nothing to the graph. Its result carries lookups for the build: ``postcode_lsoa`` (the
    authority's postcodes and their LSOA, which places organisations and filters national files),
    ``lsoa_output_areas`` (how many census output areas each of the authority's LSOAs holds, when
    the file has an output-area column: ``oa21``/``oa11``/``oa21cd``/``oa11cd``; output areas are
    built to similar numbers of households, so the count shares the authority's population among
    its LSOAs, see :mod:`pipeline.population`) and
    ``postcode_area`` (every postcode of the file: its local authority, whether it is terminated,
    its grid reference and its ward code), which tells a postcode outside the authority from an
    unknown one and gives coordinates for maps. Terminated postcodes are kept: an address given
    years ago still places.
    """

    name = "ons-postcodes"
    title = "ONS postcode directory / OS Code-Point Open"
    source_url = "https://geoportal.statistics.gov.uk/"
    licence = "OGL-UK-3.0"
    layouts = (("pcds", "lsoa21", "laua"), ("pcds", "lsoa11", "laua"), ("pcd", "lsoa11", "oslaua"),
               ("pcds", "lsoa21cd", "ladcd"), ("pcds", "lsoa11cd", "ladcd"), ("PC", "DC"))
    #: Optional columns, first present wins: grid reference (British National Grid, metres) and ward.
    easting_columns = ("oseast1m", "EA")
    northing_columns = ("osnrth1m", "NO")
    ward_columns = ("ward", "osward", "WC")
    output_area_columns = ("oa21", "oa11", "oa21cd", "oa11cd")
    columns = {"postcode": ("pcds", "pcd", "PC"), "lsoa": ("lsoa21", "lsoa11", "lsoa21cd", "lsoa11cd"),
               "authority": ("laua", "oslaua", "ladcd", "DC"), "terminated": ("doterm",),
               "easting": easting_columns, "northing": northing_columns, "ward": ward_columns}
    required = ("postcode", "lsoa", "authority")

    def load(self, path: Path, context: LoadContext, *, date: str = "", headers: str | None = None,
             ward_year: int | None = None) -> LoadResult:
        """Read the postcode directory; place the authority's postcodes, index every postcode.

        Parameters
        ----------
        path : Path
            The directory file (CSV).
        context : LoadContext
            The authority.
        date : str
            The release date of the file (ISO), for provenance.
        headers : str, optional
            Code-Point Open's column headers file (``codepo_gb_column_headers.csv``); by default the
            one beside ``path``, if any.
        ward_year : int, optional
            The boundary year of the file's ward codes (Code-Point Open 2025 gives the wards of its
            release); by default the year of ``date``.

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> file = Path("data/geography/hounslow_and_neighbours_PCD_OA_LSOA_MSOA_LAD_MAY22.csv")
        >>> result = PostcodeLookupLoader().load(file, ctx, date="2022-05-01")
        >>> result.lookups["postcode_lsoa"].set_index("postcode").loc["TW3 1ES", "place"]
        'E01033083@2011'
        >>> result.lookups["postcode_area"].set_index("postcode").loc["W3 6LJ", "district"]
        'E09000009'
        >>> result.lookups["lsoa_output_areas"].set_index("place").loc["E01033083@2011", "output_areas"]
        np.int64(3)
        """
        frame, first_row = self._read(path, headers)
        layout = require_columns(frame, path, self.layouts, "postcode directory")
        postcode_col, la_col = layout[0], layout[-1]
        lsoa_col = layout[1] if len(layout) == 3 else None
        sink = RecordSink(self.name, path)
        postcodes = normalise_postcodes(frame[postcode_col])
        for number in frame.index[postcodes == ""]:
            sink.reject(number + first_row, postcode_col, frame.at[number, postcode_col], "not a postcode")
        readable = postcodes != ""
        frame, postcodes = frame[readable], postcodes[readable]
        district = frame[la_col].str.strip().str.upper()
        inside = pd.Series(True, index=frame.index) if context.national else district.eq(context.authority_gss)
        # codes repeat across millions of postcodes: categories keep a national directory small
        area = pd.DataFrame({"postcode": postcodes.to_numpy(dtype=object),
                             "district": pd.Categorical(district.to_numpy(dtype=object))})
        area["terminated"] = frame["doterm"].notna().to_numpy() if "doterm" in frame else False
        for field_name, options in (("easting", self.easting_columns), ("northing", self.northing_columns)):
            column = next((c for c in options if c in frame), None)
            area[field_name] = pd.to_numeric(frame[column], errors="coerce").to_numpy() if column else np.nan
        ward_col = next((c for c in self.ward_columns if c in frame), None)
        year = ward_year or (int(date[:4]) if date[:4].isdigit() else None)
        area["ward"] = pd.Categorical(place_ids(frame[ward_col].fillna(""), year).where(frame[ward_col].notna())
                                      if ward_col and year else pd.Series(None, index=frame.index, dtype=object))
        result = sink.result(f"{la_col} = {context.authority_gss}: {int(inside.sum())} of {len(frame)} postcodes "
                             f"placed; all {len(frame)} indexed")
        result.lookups["postcode_area"] = area
        if lsoa_col is not None:
            generation = 2021 if lsoa_col.lower().startswith("lsoa21") else 2011
            kept = inside & frame[lsoa_col].notna()
            result.lookups["postcode_lsoa"] = pd.DataFrame({
                "postcode": postcodes[kept].to_numpy(dtype=object),
                "place": place_ids(frame.loc[kept, lsoa_col], generation).to_numpy(dtype=object)})
            oa_col = next((c for c in self.output_area_columns if c in frame), None)
            if oa_col is not None:
                areas = pd.DataFrame({"place": result.lookups["postcode_lsoa"]["place"].to_numpy(),
                                      "oa": frame.loc[kept, oa_col].str.strip().to_numpy(dtype=object)}).dropna()
                counted = areas[areas["oa"] != ""].groupby("place")["oa"].nunique()
                result.lookups["lsoa_output_areas"] = pd.DataFrame({"place": counted.index.astype(object),
                                                                    "output_areas": counted.to_numpy()})
        return result

    def _read(self, path: Path, headers: str | None) -> tuple[pd.DataFrame, int]:
        """The file as text cells, and the file row of its first data line (header-less files: 1)."""
        if headers is None and not _has_header(path):
            found = sorted(path.parent.glob("*column_headers.csv"))
            if not found:
                raise SourceFormatError(f"{path.name} row 1: a postcode, not a header; for Code-Point Open give "
                                        "headers = \"codepo_gb_column_headers.csv\" (the product's headers file)")
            headers = str(found[0])
        if headers is None:
            return read_csv_text(path), 2
        header_path = path.parent / headers if not Path(headers).is_absolute() else Path(headers)
        names = [c for c in read_csv_text(header_path).columns]
        table = pa_csv.read_csv(path, read_options=pa_csv.ReadOptions(column_names=names),
                                convert_options=pa_csv.ConvertOptions(
                                    null_values=[""], strings_can_be_null=True,
                                    column_types={n: pa.string() for n in names}))
        return table.to_pandas(), 1


def _has_header(path: Path) -> bool:
    """Whether the file's first line is a header rather than a postcode's row."""
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8-sig", errors="replace").split(",")[0].strip().strip('"')
    return normalise_postcode(first) == ""


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
