"""What every loader shares: the declarative base class, the record sink and the load result.

A loader reads one source file and returns a :class:`LoadResult`: plain DataFrames of nodes, edges
and rejected rows. It never writes anything; merging into the graph happens in ``graph.assemble``.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from civicgraph.core.amounts import exact_sum
from civicgraph.core.columns import is_missing
from civicgraph.core.errors import ConfigError
from civicgraph.core.progress import ROWS
from civicgraph.core.provenance import Provenance
from civicgraph.ontology.vocabulary import vocabulary

if TYPE_CHECKING:
    from civicgraph.loaders.place_index import PlaceIndex

#: Provenance of each row of a load result, one column per part (:class:`civicgraph.core.provenance.Provenance`).
PROVENANCE_COLUMNS = ["prov_dataset", "prov_record", "prov_date", "prov_licence"]
NODE_COLUMNS = ["id", "kind", *PROVENANCE_COLUMNS]
#: GSS codes of countries: a build for one of them keeps every row (England and Wales, England, Wales,
#: the UK, Great Britain). Loaders filter to a local authority otherwise.
NATIONAL_CODES = frozenset({"K04000001", "E92000001", "W92000004", "K02000001", "K03000001"})
EDGE_COLUMNS = ["source", "target", "relation", *PROVENANCE_COLUMNS]
#: Column of records that only add to nodes (or link nodes) that other sources made.
ENRICH_ONLY = "enrich_only"
#: Column of edge records whose record is a published identifier (a 360Giving grant id): the same
#: record from several files is one edge, its files listed in its provenance.
IDENTIFIED = "identified"
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
        Columns ``id``, ``kind``, the row's provenance in :data:`PROVENANCE_COLUMNS`, ``enrich_only``
        where some rows only add to nodes other sources made, and one column per attribute (a
        missing, NaN or blank cell is no value).
    edges : DataFrame
        Columns ``source``, ``target``, ``relation``, the provenance columns, ``enrich_only`` where
        used, and one column per attribute.
    rejections : DataFrame
        Columns ``file``, ``row``, ``field``, ``value``, ``reason``: rows that were not loaded.
    filter_applied : str
        The local-authority filter, in words.
    lookups : dict of DataFrame
        Tables for the build rather than the graph (e.g. ``postcode_lsoa`` from a postcode directory).
    warnings : list of str
        Problems with the file as a whole that the user should see (each names the file and what to do).
    """

    loader: str
    path: Path
    nodes: pd.DataFrame
    edges: pd.DataFrame
    rejections: pd.DataFrame
    filter_applied: str = ""
    lookups: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts by node kind (distinct nodes, not records) and relation, exact money by currency,
        rejected rows (for ``inspect``).

        Examples
        --------
        >>> sink = RecordSink("demo", Path("demo.csv"))
        >>> sink.node("GB-CHC-1", "Charity", sink.provenance("row 2", "", "OGL-UK-3.0"), name="A")
        >>> sink.result().summary()["nodes"]
        {'Charity': 1}
        """
        money: dict[str, float] = {}
        if "amount" in self.edges and "currency" in self.edges:
            amounts = pd.to_numeric(self.edges["amount"], errors="coerce")
            given = (amounts.notna() & self.edges["currency"].notna()).to_numpy()
            grouped = exact_sum(amounts[given], by=self.edges["currency"][given].astype(object))
            money = {str(k): float(v) for k, v in grouped.items()}
        return {
            "loader": self.loader,
            "file": str(self.path),
            "filter": self.filter_applied,
            "nodes": _counts(self.nodes.drop_duplicates(["id", "kind"]), "kind"),
            "edges": _counts(self.edges, "relation"),
            "money": money,
            "rejected_rows": int(self.rejections["row"].nunique()) if len(self.rejections) else 0,
            "warnings": list(self.warnings),
        }


def _counts(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if frame.empty:
        return {}
    counts = frame[column].value_counts()  # of a categorical column: every category, used or not
    return {str(k): int(v) for k, v in sorted(counts[counts > 0].items(), key=lambda item: str(item[0]))}


@dataclass
class RecordSink:
    """Collects a loader's nodes, edges and rejections, checking terms against the ontology.

    Records come one at a time (:meth:`node`, :meth:`edge`) or a column at a time (:meth:`nodes`,
    :meth:`edges`, for national files of millions of rows); :meth:`result` keeps them in the order
    they came, which is the order the merge gives them priority in.

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
    ['id', 'kind', 'prov_dataset', 'prov_record', 'prov_date', 'prov_licence', 'name']
    """

    loader: str
    path: Path
    _nodes: list[list[dict[str, Any]] | pd.DataFrame] = field(default_factory=list)
    _edges: list[list[dict[str, Any]] | pd.DataFrame] = field(default_factory=list)
    _rejections: list[dict[str, Any]] = field(default_factory=list)
    _warnings: list[str] = field(default_factory=list)

    @property
    def dataset(self) -> str:
        """The dataset this sink's provenance names: ``{loader}:{file name}``."""
        return f"{self.loader}:{self.path.name}"

    def provenance(self, record: str, date: str, licence: str) -> dict[str, str]:
        """Provenance for a record of this file."""
        return Provenance(self.dataset, record, date, licence).as_dict()

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
        record: dict[str, Any] = {"id": node_id, "kind": kind, **_provenance_cells(provenance)}
        if enrich_only:
            record[ENRICH_ONLY] = True
        for key, value in attributes.items():
            if not is_missing(value):
                record[vocab.check_attribute(key)] = native(value)
        _append(self._nodes, record)
        ROWS.add()

    def edge(
        self,
        source: str,
        target: str,
        relation: str,
        provenance: dict[str, str],
        *,
        enrich_only: bool = False,
        identified: bool = False,
        **attributes: Any,
    ) -> None:
        """Add an edge ``source -[relation]-> target``; attributes with no value are left out.

        With ``enrich_only`` the edge is kept only if both ends are in the graph (national lookup
        tables of links are filtered this way); otherwise a missing end is reported. With
        ``identified``, the provenance record is a published identifier (see :meth:`edges`).
        """
        vocab = vocabulary()
        record: dict[str, Any] = {"source": source, "target": target, "relation": vocab.check_relation(relation),
                                  **_provenance_cells(provenance)}
        if enrich_only:
            record[ENRICH_ONLY] = True
        if identified:
            record[IDENTIFIED] = True
        for key, value in attributes.items():
            if not is_missing(value):
                record[vocab.check_attribute(key)] = native(value)
        _append(self._edges, record)
        ROWS.add()

    def nodes(self, ids: Sequence[str], kind: str | Sequence[str], *, records: Sequence[str] | str,
              dates: Sequence[str] | str, licence: str, enrich_only: bool = False, **attributes: Any) -> None:
        """Add many nodes at once, one value of each column per node.

        Parameters
        ----------
        ids : sequence of str
            Node identifiers.
        kind : str or sequence of str
            One kind for all, or one per node.
        records, dates : str or sequence of str
            Provenance: the record of the file each node comes from, and the date it is as of.
        licence : str
            The file's licence.
        enrich_only : bool
            As for :meth:`node`.
        **attributes : sequence or scalar
            One column per attribute, taken as given (pass an integer column as ``Int64``, not
            float); a missing, NaN or blank cell is no value. A scalar applies to every node.

        Examples
        --------
        >>> sink = RecordSink("demo", Path("lookup.csv"))
        >>> sink.nodes(["E05000346@2017", "E05000347@2017"], "Ward", records=["row 2", "row 3"], dates="",
        ...            licence="OGL-UK-3.0", name=["Bedfont", "Brentford"])
        >>> sink.result().nodes[["id", "kind", "prov_record", "name"]].values.tolist()
        [['E05000346@2017', 'Ward', 'row 2', 'Bedfont'], ['E05000347@2017', 'Ward', 'row 3', 'Brentford']]
        """
        vocab = vocabulary()
        for value in [kind] if isinstance(kind, str) else pd.unique(pd.Series(kind, dtype=object)):
            vocab.check_kind(value)
        self._nodes.append(self._columns({"id": ids, "kind": kind}, records, dates, licence, enrich_only, attributes))
        ROWS.add(len(ids))

    def edges(self, sources: Sequence[str], targets: Sequence[str], relation: str, *, records: Sequence[str] | str,
              dates: Sequence[str] | str, licence: str, enrich_only: bool = False, identified: bool = False,
              **attributes: Any) -> None:
        """Add many edges of one relation at once, one value of each column per edge (see :meth:`nodes`).

        With ``identified``, each record is a published identifier (a 360Giving grant id, a contract
        id): an edge with the same ends, relation and record from another file is the same edge.

        Examples
        --------
        >>> sink = RecordSink("demo", Path("lookup.csv"))
        >>> sink.edges(["E01002555@2011"], ["E05000346@2017"], "PART_OF", records=["row 2"], dates="",
        ...            licence="OGL-UK-3.0")
        >>> sink.result().edges[["source", "target", "relation"]].values.tolist()
        [['E01002555@2011', 'E05000346@2017', 'PART_OF']]
        """
        leading = {"source": sources, "target": targets, "relation": vocabulary().check_relation(relation)}
        frame = self._columns(leading, records, dates, licence, enrich_only, attributes)
        if identified:
            frame[IDENTIFIED] = True
        self._edges.append(frame)
        ROWS.add(len(frame))

    def _columns(self, leading: dict[str, Any], records: Any, dates: Any, licence: str, enrich_only: bool,
                 attributes: dict[str, Any]) -> pd.DataFrame:
        vocab = vocabulary()
        columns = {**leading, "prov_dataset": self.dataset, "prov_record": records, "prov_date": dates,
                   "prov_licence": licence}
        if enrich_only:
            columns[ENRICH_ONLY] = True
        columns.update({vocab.check_attribute(key): value for key, value in attributes.items() if value is not None})
        rows = len(next(iter(leading.values())))
        frame = pd.DataFrame({name: _column(value, rows) for name, value in columns.items()}, index=range(rows))
        if not isinstance(frame["prov_date"].dtype, pd.CategoricalDtype):  # a few dates over many records
            frame["prov_date"] = frame["prov_date"].astype("category")
        return frame

    def reject(self, row: int | str, field_name: str, value: Any, reason: str) -> None:
        """Record a row that could not be loaded, naming the row, the field and why."""
        self._rejections.append(
            {"file": self.path.name, "row": row, "field": field_name, "value": _short(value), "reason": reason}
        )

    def warn(self, message: str) -> None:
        """Record a problem with the file as a whole (shown in the build summary and on the console)."""
        self._warnings.append(message)

    def result(self, filter_applied: str = "") -> LoadResult:
        """The collected records as a :class:`LoadResult`."""
        return LoadResult(
            self.loader,
            self.path,
            _frame(self._nodes, NODE_COLUMNS),
            _frame(self._edges, EDGE_COLUMNS),
            _frame([self._rejections], REJECTION_COLUMNS),
            filter_applied,
            warnings=list(self._warnings),
        )


def _provenance_cells(provenance: dict[str, str]) -> dict[str, str]:
    return {"prov_dataset": provenance["dataset"], "prov_record": provenance["record"],
            "prov_date": provenance["date"], "prov_licence": provenance["licence"]}


def _append(chunks: list[list[dict[str, Any]] | pd.DataFrame], record: dict[str, Any]) -> None:
    """Add a record to the run of single records at the end, or start one after a bulk chunk."""
    if not chunks or not isinstance(chunks[-1], list):
        chunks.append([])
    chunks[-1].append(record)


def _column(value: Any, rows: int) -> Any:
    """A column as given, or a scalar repeated ``rows`` times (as a category: one value costs nothing)."""
    if isinstance(value, (str, bool, int, float)):
        if isinstance(value, str):
            return pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), categories=pd.Index([value]))
        return np.full(rows, value)
    return value.array if isinstance(value, (pd.Series, pd.Index)) else value  # by position, dtype kept


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


def _frame(chunks: list[list[dict[str, Any]] | pd.DataFrame], leading: list[str]) -> pd.DataFrame:
    """One frame of every chunk, in order: the leading columns first, then attributes as they came."""
    # object dtype keeps each single record's values as the loader made them: no int -> float drift
    frames = [pd.DataFrame(chunk, dtype=object) if isinstance(chunk, list) else chunk for chunk in chunks if len(chunk)]
    if not frames:
        return pd.DataFrame(columns=leading)
    frame = frames[0] if len(frames) == 1 else pd.concat(_united_categories(frames), ignore_index=True)
    rest = [c for c in frame.columns if c not in leading]
    return frame[leading + rest]


def _united_categories(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The frames with each column that is categorical in all of them given the same categories, so
    that it stays categorical end to end (pandas makes text of categories that differ): a national
    file's chunks each name their own relation, dates and dataset, over millions of rows."""
    shared = set.intersection(*(set(f.columns) for f in frames))
    names = [c for c in shared if all(isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)]
    united = {c: union_categoricals([f[c] for f in frames], ignore_order=True).categories for c in names}
    return [f.assign(**{c: f[c].cat.set_categories(categories) for c, categories in united.items()})
            for f in frames] if united else frames


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
    #: The columns the loader reads, by role (or by table), each with the names it recognises.
    columns: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: The roles (keys of :attr:`columns`) a file must have.
    required: ClassVar[tuple[str, ...]] = ()

    def found_columns(self, path: Path) -> dict[str, str | None]:
        """Which column of ``path`` each role of :attr:`columns` was found in (for ``inspect``);
        empty for loaders that do not declare their columns."""
        return {}

    def load(self, path: Path, context: LoadContext) -> LoadResult:  # pragma: no cover - interface
        """Read ``path`` and return its nodes, edges and rejections."""
        raise NotImplementedError

    def check_options(self, options: dict[str, Any]) -> None:
        """Refuse options that :meth:`load` does not take, listing those it does.

        Examples
        --------
        >>> from civicgraph.loaders.registry import get_loader
        >>> get_loader("360giving").check_options({"colour": "red"})
        Traceback (most recent call last):
        ...
        civicgraph.core.errors.ConfigError: loader '360giving' has no option 'colour'. Use one of: 'date', 'decimal', 'filter', 'licence'.
        """
        taken = sorted(name for name, parameter in inspect.signature(self.load).parameters.items()
                       if parameter.kind is inspect.Parameter.KEYWORD_ONLY)
        for name in options:
            if name not in taken:
                choices = ", ".join(repr(t) for t in taken) or "none"
                raise ConfigError(f"loader {self.name!r} has no option {name!r}. Use one of: {choices}.")
