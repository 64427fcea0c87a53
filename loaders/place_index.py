"""Where things are: an index of the authority's places, for loaders that locate organisations.

The build reads the geography sources first and gives every other loader a :class:`PlaceIndex`, so
that a grant's LSOA code, a GrantNav ward code or an organisation's postcode resolves to a place node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civicgraph.loaders.base import LoadResult
from civicgraph.loaders.tabular import normalise_postcode


@dataclass
class PlaceIndex:
    """Where things are: LSOA -> ward -> authority, postcode -> LSOA, and every postcode's authority.

    Built from the geography sources of a build (:meth:`from_results`) and given to the other
    loaders, so that a grant with an LSOA code or an organisation with a postcode can be placed.

    Examples
    --------
    >>> index = PlaceIndex(lsoa_ward={"E01002555@2011": "E05000346@2017"},
    ...                    postcode_lsoa={"TW14 9AA": "E01002555@2011"})
    >>> index.ward_of_postcode("tw149aa")
    'E05000346@2017'
    """

    lsoa_ward: dict[str, str] = field(default_factory=dict)
    ward_authority: dict[str, str] = field(default_factory=dict)
    postcode_lsoa: dict[str, str] = field(default_factory=dict)
    #: A postcode's own ward where a directory gives it and the build uses its wards (``[geography] wards``).
    postcode_ward: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    ward_names: dict[str, str] = field(default_factory=dict)
    #: Census output areas in each of the authority's LSOAs (from a postcode lookup with an OA column).
    lsoa_output_areas: dict[str, int] = field(default_factory=dict)
    postcode_areas: pd.DataFrame | None = None
    _postcode_table: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_results(cls, results: list[LoadResult]) -> PlaceIndex:
        """Index the places and ``PART_OF`` / ``LOCATED_IN`` links in geography load results."""
        index = cls()
        areas: list[pd.DataFrame] = []
        kinds: dict[str, str] = {}  # of every result: an edge may join nodes of two results
        for result in results:
            if len(result.nodes):
                kinds.update(zip(result.nodes["id"], result.nodes["kind"]))
        for result in results:
            for node_id in (result.nodes["id"] if len(result.nodes) else ()):
                index.codes.setdefault(node_id.split("@")[0], node_id)
            for row in result.nodes.itertuples(index=False):
                if row.kind == "Ward" and isinstance(getattr(row, "name", None), str):
                    index.ward_names.setdefault(row.name.strip().lower(), row.id)
            for edge in result.edges.itertuples(index=False):
                source_kind = kinds.get(edge.source)
                if edge.relation == "PART_OF" and source_kind == "LSOA":
                    index.lsoa_ward[edge.source] = edge.target
                elif edge.relation == "PART_OF" and source_kind == "Ward":
                    index.ward_authority[edge.source] = edge.target
            if result.lookups.get("postcode_area") is not None:
                areas.append(result.lookups["postcode_area"])
            output_areas = result.lookups.get("lsoa_output_areas")
            if output_areas is not None:
                for place, count in zip(output_areas["place"].tolist(), output_areas["output_areas"].tolist()):
                    index.lsoa_output_areas.setdefault(place, int(count))
            own = result.lookups.get("postcode_ward")
            if own is not None:
                index.postcode_ward.update(zip(own["postcode"].tolist(), own["place"].tolist()))
            postcodes = result.lookups.get("postcode_lsoa")
            if postcodes is not None:  # whole columns to Python at once: a national directory has 1.6 million
                index.postcode_lsoa.update(zip(postcodes["postcode"].tolist(), postcodes["place"].tolist()))
        if areas:  # several directories (ONS and Code-Point) complete each other, the first one's value kept
            table = pd.concat(areas, ignore_index=True)
            index.postcode_areas = table.groupby("postcode", sort=False).first() if len(areas) > 1 else \
                table.drop_duplicates("postcode").set_index("postcode")
        return index

    def place_of_code(self, code: str) -> str | None:
        """The node id of a GSS code known to the index (any generation), or None."""
        return self.codes.get(str(code).strip().upper())

    def lsoa_of_postcode(self, postcode: str) -> str | None:
        """The LSOA node of a postcode, or None if the postcode is not in the authority's lookup."""
        return self.postcode_lsoa.get(normalise_postcode(postcode))

    def _by_postcode(self) -> pd.DataFrame:
        """The postcode lookup as a table indexed by postcode (``lsoa``, ``ward``), made once."""
        if self._postcode_table is None or len(self._postcode_table) != len(self.postcode_lsoa):
            table = pd.DataFrame({"lsoa": np.array(list(self.postcode_lsoa.values()), dtype=object)},
                                 index=pd.Index(list(self.postcode_lsoa), dtype=object))
            table["ward"] = table["lsoa"].map(self.lsoa_ward)
            if self.postcode_ward:
                own = table.index.to_series().map(self.postcode_ward)
                table["ward"] = own.where(own.notna(), table["ward"])
            self._postcode_table = table
        return self._postcode_table

    def has_postcodes(self, postcodes: pd.Series) -> pd.Series:
        """Whether each postcode (normalised, as :func:`loaders.tabular.normalise_postcodes` gives) is
        in the lookup, for a whole column at once.

        Examples
        --------
        >>> PlaceIndex(postcode_lsoa={"TW3 1AA": "L@2011"}).has_postcodes(pd.Series(["TW3 1AA", "", "E1 6AN"])).tolist()
        [True, False, False]
        """
        return pd.Series(self._by_postcode().index.get_indexer(postcodes) >= 0, index=postcodes.index)

    def wards_of_postcodes(self, postcodes: pd.Series) -> pd.Series:
        """The ward node of each postcode (normalised), missing where unknown, for a whole column at once.

        Examples
        --------
        >>> index = PlaceIndex(lsoa_ward={"L@2011": "W@2017"}, postcode_lsoa={"TW3 1AA": "L@2011"})
        >>> index.wards_of_postcodes(pd.Series(["TW3 1AA", "E1 6AN"])).tolist()
        ['W@2017', nan]
        >>> index.has_postcodes(pd.Series(["TW3 1AA", "E1 6AN"])).tolist()
        [True, False]
        """
        table = self._by_postcode()
        positions = table.index.get_indexer(postcodes)
        wards = table["ward"].to_numpy(dtype=object)[np.maximum(positions, 0)] if len(table) else \
            np.full(len(positions), None, dtype=object)
        return pd.Series(np.where(positions >= 0, wards, None), index=postcodes.index, dtype="str")

    def areas_of_postcodes(self, postcodes: pd.Series) -> pd.DataFrame:
        """Where each postcode (normalised) is, as the postcode directories say, for a whole column.

        Returns
        -------
        DataFrame
            Indexed like ``postcodes``: ``district`` (GSS code of its local authority; missing when
            no directory of the build knows the postcode), ``terminated``, ``easting`` and
            ``northing`` (British National Grid, metres) and ``ward`` (the directory's ward code,
            with its boundary year).

        Examples
        --------
        >>> areas = pd.DataFrame({"district": ["E09000009"], "terminated": [False], "easting": [519000.0],
        ...                       "northing": [180000.0], "ward": ["E05013528@2025"]}, index=pd.Index(["W3 6LJ"]))
        >>> PlaceIndex(postcode_areas=areas).areas_of_postcodes(pd.Series(["W3 6LJ", "TW3 1AA"]))["district"].tolist()
        ['E09000009', nan]
        """
        columns = ["district", "terminated", "easting", "northing", "ward"]
        if self.postcode_areas is None:
            return pd.DataFrame(np.nan, index=postcodes.index, columns=columns).astype(object)
        found = self.postcode_areas.reindex(postcodes.to_numpy(dtype=object))
        found.index = postcodes.index
        return found.reindex(columns=columns)

    def ward_of_postcode(self, postcode: str) -> str | None:
        """The ward node of a postcode, or None."""
        own = self.postcode_ward.get(normalise_postcode(postcode))
        if own:
            return own
        lsoa = self.lsoa_of_postcode(postcode)
        return self.lsoa_ward.get(lsoa) if lsoa else None

    def ward_named(self, name: str) -> str | None:
        """The ward node with this name (any case), or None."""
        return self.ward_names.get(name.strip().lower())

    def ward_of(self, place: str) -> str | None:
        """The ward containing a place node (itself if it is a ward), or None."""
        if place in self.ward_authority:
            return place
        return self.lsoa_ward.get(place)
