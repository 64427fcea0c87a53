"""Provenance of a fact: which dataset, which record, as of which date, under which licence.

Provenance is stored as plain dicts (JSON-ready) on nodes and edges; :class:`Provenance` builds them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Provenance:
    """Where one fact came from.

    Parameters
    ----------
    dataset : str
        Name of the source dataset (the loader's name and file, e.g. ``360giving:grants.json``).
    record : str
        Identifier of the record within the dataset (a grant id, a row number ``row 12``).
    date : str
        ISO date the data is as of (the extract or publication date), ``""`` if unknown.
    licence : str
        Licence of the source, e.g. ``OGL-UK-3.0`` or ``CC-BY-4.0``.

    Examples
    --------
    >>> Provenance("ons-geography:lookup.csv", "row 2", "2019-12-01", "OGL-UK-3.0").as_dict()["record"]
    'row 2'
    """

    dataset: str
    record: str
    date: str
    licence: str

    def as_dict(self) -> dict[str, str]:
        """The provenance as a plain dict, the form stored in the graph."""
        return asdict(self)


PROVENANCE_FIELDS = ("dataset", "record", "date", "licence")

#: Datasets of facts the build derives from others (a postcode's place, a class by rule, a pending
#: review pair): they say how a fact was worked out, not that another source saw the organisation.
DERIVED_DATASETS = frozenset({"postcode-lookup", "organisation-classes", "review-file"})
