"""What every loader shares: the declarative base class, the record sink and the load result.

A loader reads one source file and returns a :class:`LoadResult`: plain DataFrames of nodes, edges
and rejected rows. It never writes anything; merging into the graph happens in ``graph.assemble``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

from graph.provenance import Provenance
from ontology.vocabulary import vocabulary

if TYPE_CHECKING:
    from loaders.place_index import PlaceIndex

NODE_COLUMNS = ["id", "kind", "provenance"]
#: GSS codes of countries: a build for one of them keeps every row (England and Wales, England, Wales,
#: the UK, Great Britain). Loaders filter to a local authority otherwise.
NATIONAL_CODES = frozenset({"K04000001", "E92000001", "W92000004", "K02000001", "K03000001"})
EDGE_COLUMNS = ["source", "target", "relation", "provenance"]
REJECTION_COLUMNS = ["file", "row", "field", "value", "reason"]


@dataclass(frozen=True)
class LoadContext:
    """Settings a loader needs from the build, passed explicitly.

    Parameters
    ----------
    authority_gss : str
        GSS code of the local authority the graph is for (``E09000018`` for Hounslow).
    authority_id : str
        Org-ID of that council (``GB-LAE-HNS``).
    authority_name : str
        Its name, for messages.
    pseudonym_key : bytes or None
        Secret key for pseudonymising people; loaders that read personal data require it.
    places : PlaceIndex or None
        The authority's places, from the build's geography sources, for locating organisations.

    Examples
    --------
    >>> LoadContext("E09000018", "GB-LAE-HNS", "Hounslow").authority_gss
    'E09000018'
    """

    authority_gss: str
    authority_id: str
    authority_name: str
    pseudonym_key: bytes | None = None
    places: PlaceIndex | None = None

    @property
    def national(self) -> bool:
        """Whether the build covers a whole country (:data:`NATIONAL_CODES`): loaders keep every row.

        Examples
        --------
        >>> LoadContext("K04000001", "", "England and Wales").national
        True
        """
        return self.authority_gss in NATIONAL_CODES


@dataclass
class LoadResult:
    """Nodes, edges and rejected rows read from one source file.

    Attributes
    ----------
    loader : str
        Name of the loader that read the file.
    path : Path
        The file read.
    nodes : DataFrame
        Columns ``id``, ``kind``, ``provenance`` (a dict) and one column per attribute.
    edges : DataFrame
        Columns ``source``, ``target``, ``relation``, ``provenance`` and one column per attribute.
    rejections : DataFrame
        Columns ``file``, ``row``, ``field``, ``value``, ``reason``: rows that were not loaded.
    filter_applied : str
        The local-authority filter, in words.
    lookups : dict of DataFrame
        Tables for the build rather than the graph (e.g. ``postcode_lsoa`` from a postcode directory).
    """

    loader: str
    path: Path
    nodes: pd.DataFrame
    edges: pd.DataFrame
    rejections: pd.DataFrame
    filter_applied: str = ""
    lookups: dict[str, pd.DataFrame] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Counts by node kind and relation, money by currency, rejection count (for ``inspect``).

        Examples
        --------
        >>> sink = RecordSink("demo", Path("demo.csv"))
        >>> sink.node("GB-CHC-1", "Charity", sink.provenance("row 2", "", "OGL-UK-3.0"), name="A")
        >>> sink.result().summary()["nodes"]
        {'Charity': 1}
        """
        money: dict[str, float] = {}
        if "amount" in self.edges and "currency" in self.edges:
            grouped = self.edges.dropna(subset=["amount"]).groupby("currency")["amount"].sum()
            money = {str(k): float(v) for k, v in grouped.items()}
        return {
            "loader": self.loader,
            "file": str(self.path),
            "filter": self.filter_applied,
            "nodes": _counts(self.nodes, "kind"),
            "edges": _counts(self.edges, "relation"),
            "money": money,
            "rejected_rows": int(self.rejections["row"].nunique()) if len(self.rejections) else 0,
        }


def _counts(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if frame.empty:
        return {}
    return {str(k): int(v) for k, v in frame[column].value_counts().sort_index().items()}


def is_missing(value: Any) -> bool:
    """Whether a cell holds no value (None, NaN, NaT or blank text).

    Examples
    --------
    >>> is_missing(float("nan")), is_missing("  "), is_missing(0)
    (True, True, False)
    """
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


@dataclass
class RecordSink:
    """Collects a loader's nodes, edges and rejections, checking terms against the ontology.

    Parameters
    ----------
    loader : str
        Loader name, used in provenance.
    path : Path
        The file being read, used in provenance and rejections.

    Examples
    --------
    >>> sink = RecordSink("demo", Path("demo.csv"))
    >>> prov = sink.provenance("row 2", "2024-01-01", "OGL-UK-3.0")
    >>> sink.node("GB-CHC-1", "Charity", prov, name="A", latest_income=None)
    >>> sink.result().nodes.columns.tolist()
    ['id', 'kind', 'provenance', 'name']
    """

    loader: str
    path: Path
    _nodes: list[dict[str, Any]] = field(default_factory=list)
    _edges: list[dict[str, Any]] = field(default_factory=list)
    _rejections: list[dict[str, Any]] = field(default_factory=list)

    def provenance(self, record: str, date: str, licence: str) -> dict[str, str]:
        """Provenance for a record of this file."""
        return Provenance(f"{self.loader}:{self.path.name}", record, date, licence).as_dict()

    def node(
        self,
        node_id: str,
        kind: str,
        provenance: dict[str, str],
        *,
        enrich_only: bool = False,
        **attributes: Any,
    ) -> None:
        """Add a node; attributes with no value are left out.

        With ``enrich_only`` the record only adds attributes to a node another source created
        (national tables such as deprivation scores are filtered this way).
        """
        vocab = vocabulary()
        vocab.check_kind(kind)
        record: dict[str, Any] = {"id": node_id, "kind": kind, "provenance": provenance}
        if enrich_only:
            record["enrich_only"] = True
        for key, value in attributes.items():
            if not is_missing(value):
                record[vocab.check_attribute(key)] = native(value)
        self._nodes.append(record)

    def edge(
        self,
        source: str,
        target: str,
        relation: str,
        provenance: dict[str, str],
        *,
        enrich_only: bool = False,
        **attributes: Any,
    ) -> None:
        """Add an edge ``source -[relation]-> target``; attributes with no value are left out.

        With ``enrich_only`` the edge is kept only if both ends are in the graph (national lookup
        tables of links are filtered this way); otherwise a missing end is reported.
        """
        vocab = vocabulary()
        record: dict[str, Any] = {
            "source": source,
            "target": target,
            "relation": vocab.check_relation(relation),
            "provenance": provenance,
        }
        if enrich_only:
            record["enrich_only"] = True
        for key, value in attributes.items():
            if not is_missing(value):
                record[vocab.check_attribute(key)] = native(value)
        self._edges.append(record)

    def reject(self, row: int | str, field_name: str, value: Any, reason: str) -> None:
        """Record a row that could not be loaded, naming the row, the field and why."""
        self._rejections.append(
            {"file": self.path.name, "row": row, "field": field_name, "value": _short(value), "reason": reason}
        )

    def result(self, filter_applied: str = "") -> LoadResult:
        """The collected records as a :class:`LoadResult`."""
        return LoadResult(
            self.loader,
            self.path,
            _frame(self._nodes, NODE_COLUMNS),
            _frame(self._edges, EDGE_COLUMNS),
            _frame(self._rejections, REJECTION_COLUMNS),
            filter_applied,
        )


def native(value: Any) -> Any:
    """Plain Python value of a cell (numpy scalars unboxed, timestamps as ISO dates).

    Examples
    --------
    >>> import numpy as np
    >>> native(np.int64(3)), native(pd.Timestamp("2024-01-31"))
    (3, '2024-01-31')
    """
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (list, tuple)):
        return [native(v) for v in value]
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def _short(value: Any) -> str:
    text = "" if is_missing(value) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _frame(records: list[dict[str, Any]], leading: list[str]) -> pd.DataFrame:
    # object dtype keeps each value as the loader made it: no int -> float drift around gaps
    frame = pd.DataFrame(records, dtype=object) if records else pd.DataFrame(columns=leading)
    rest = [c for c in frame.columns if c not in leading]
    return frame[leading + rest]


class Loader:
    """Base of every loader: declare the source, implement :meth:`load`.

    Subclasses set the class attributes and implement ``load(path, context)``; they read, clean and
    return frames, and never write (after find-that-charity's declarative scrapers).
    """

    name: ClassVar[str]
    title: ClassVar[str]
    source_url: ClassVar[str]
    licence: ClassVar[str]
    org_id_prefix: ClassVar[str | None] = None

    def load(self, path: Path, context: LoadContext) -> LoadResult:  # pragma: no cover - interface
        """Read ``path`` and return its nodes, edges and rejections."""
        raise NotImplementedError
