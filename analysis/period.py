"""Which organisations were active when: status and dates, and the period an answer covers.

Sources give an organisation's status (registered, removed, merged, dissolved, proposed, closed)
and dates (``registration_date``, ``removal_date``; a merger's ``SUCCEEDS`` edge carries the date
it was registered). An analysis takes a period (``as_of``, an ISO date, or ``between``, two of them; by default the
latest date of the graph's data) and leaves out organisations not active then (removed or merged
before it, registered after it, or only proposed) and relations dated outside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames, derived, select
from civicgraph.graph.tables import edge_table, node_table
from civicgraph.ontology.vocabulary import vocabulary

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["DATING_RULE", "grants_in_period", "with_period", "ENDED_STATUSES", "EVENT_RELATIONS", "NOT_STARTED_STATUSES", "active_graph", "activity", "default_as_of", "edge_date", "edge_outside",
           "edges_outside", "inactive_organisations", "period_label", "relations_in_period", "relations_period_label",
           "resolve_period"]

#: Statuses that say an organisation has ended (compared lower-case).
ENDED_STATUSES = frozenset({"removed", "merged", "dissolved", "closed", "ceased", "inactive", "wound up",
                            "liquidation", "converted/closed"})
#: Relations whose ``date`` is the day something happened (a grant, a payment): in a period only if that
#: day is. Every other dated relation was observed (stated by a source) on its date and holds from then on.
EVENT_RELATIONS = frozenset({"FUNDED_BY", "PAID_BY", "AWARDED_TO"})
#: How answers date relations, in words (stated by every answer that filters by period).
DATING_RULE = ("a grant or payment counts in the period of its date; any other relation counts from the day a source "
               "observed it (the workshop of 2018, the directory of 2021) until an end the source gives or an "
               "organisation it links ends: nothing later contradicts it")
#: Statuses that say it has not started.
NOT_STARTED_STATUSES = frozenset({"proposed", "planned", "in formation"})
#: The edge columns the dating rule reads.
DATED_COLUMNS = ("relation", "date", "award_date", "start_date", "end_date")


def default_as_of(graph: GraphLike) -> str:
    """The latest date of the graph's data (``data_dates``), the default period of an answer; ''
    when the graph records none.

    Examples
    --------
    >>> import networkx as nx
    >>> default_as_of(nx.MultiDiGraph(data_dates={"ons": "2017-12-01", "directory": "2021-02-10"}))
    '2021-02-10'
    """
    return max(_attributes(graph).get("data_dates", {}).values(), default="")


def _attributes(graph: GraphLike) -> dict[str, Any]:
    """The graph-level attributes (read without making tables of a networkx graph)."""
    return graph.attributes if isinstance(graph, GraphFrames) else graph.graph


def period_label(as_of: str, start: str = "") -> str:
    """How an answer states its period.

    Examples
    --------
    >>> period_label("2021-02-10")
    'as of 2021-02-10 (organisations ended by then, or only proposed, are left out)'
    >>> period_label("2015-12-31", "2010-01-01")
    'between 2010-01-01 and 2015-12-31 (organisations ended before it, or only proposed, and relations dated outside it are left out)'
    """
    if start:
        return (f"between {start} and {as_of} (organisations ended before it, or only proposed, and relations "
                "dated outside it are left out)")
    if not as_of:
        return "no date: every organisation counted whatever its status"
    return f"as of {as_of} (organisations ended by then, or only proposed, are left out)"


def resolve_period(graph: GraphLike, as_of: str | None, between: tuple[str, str] | None) -> tuple[str, str]:
    """The ``(start, end)`` of an analysis's period from its ``as_of`` or ``between`` argument
    (``start`` is '' for a single date; ``end`` is the latest data date when neither is given).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(data_dates={"a": "2021-02-10"})
    >>> resolve_period(g, None, None), resolve_period(g, "2015-01-01", None), resolve_period(g, None, ("2010", "2015"))
    (('', '2021-02-10'), ('', '2015-01-01'), ('2010', '2015'))
    """
    if between is not None and as_of is not None:
        raise ValueError("give as_of or between, not both")
    if between is not None:
        start, end = (str(d) for d in between)
        if start > end:
            raise ValueError(f"between ({start!r}, {end!r}): the start is after the end")
        return start, end
    return "", default_as_of(graph) if as_of is None else as_of


def _given(column: pd.Series) -> np.ndarray:
    """Whether each value is given (not missing, not '')."""
    values = column.astype(object)
    return (values.notna() & (values != "")).to_numpy(dtype=bool)


def _days(column: pd.Series) -> np.ndarray:
    """The day (``YYYY-MM-DD``) of each given value, '' where none is."""
    return np.where(_given(column), column.astype(object).astype(str).str.slice(0, 10), "").astype(object)


def _lifecycle(frames: GraphFrames) -> pd.DataFrame:
    """Whether each node is an ``organisation``, its ``status`` (as given, stripped), the day it was
    ``registered`` and the day it ``ended``: its removal date, else the date of the earliest merger
    that succeeded it ('' where unknown); indexed by id, in node order, made once per frames."""
    cache = derived(frames)
    if "lifecycle" not in cache:
        nodes = node_table(frames, "status", "registration_date", "removal_date")
        kinds = nodes["kind"].astype(object)
        vocab = vocabulary()
        is_org = kinds.map({k: vocab.is_a(k, "Organisation") for k in kinds.dropna().unique()}).eq(True).to_numpy()
        edges = edge_table(frames)
        mergers = edges[(edges["relation"] == "SUCCEEDS").to_numpy(dtype=bool) & _given(edges["date"])]
        merged = pd.Series(_days(mergers["date"]), index=mergers["target"].to_numpy(), dtype=object)
        merged = merged.groupby(level=0).min().astype(object).reindex(nodes.index)
        removed = _days(nodes["removal_date"])
        ended = np.where(removed != "", removed, merged.where(merged.notna(), "").to_numpy(dtype=object))
        status = np.where(_given(nodes["status"]), nodes["status"].astype(object).astype(str).str.strip(), "")
        cache["lifecycle"] = pd.DataFrame({"organisation": is_org, "status": status.astype(object),
                                           "registered": _days(nodes["registration_date"]), "ended": ended},
                                          index=nodes.index)
    return cache["lifecycle"]


def _activity(status: str, registered: str, ended: str, as_of: str, start: str) -> tuple[bool, str]:
    """Whether an organisation with this status, registration day and end day was active (see
    :func:`activity`), and why not."""
    if not as_of:
        return True, ""
    if status.lower() in NOT_STARTED_STATUSES:
        return False, f"only {status.lower()}"
    if registered and registered > as_of:
        return False, f"registered only on {registered}"
    if status.lower() in ENDED_STATUSES or ended:
        if ended and ended > (start or as_of):
            return True, ""
        return False, f"{status or 'ended'} on {ended}" if ended else f"{status} (date not given)"
    return True, ""


def activity(graph: GraphLike, node: str, as_of: str, *, start: str = "") -> tuple[bool, str]:
    """Whether a node was active on ``as_of`` (or at some time from ``start`` to ``as_of``) and why not.

    An organisation whose status says it ended is inactive from its end date (from any date when
    no source gives one); one only proposed is inactive; one registered after ``as_of`` is not yet
    active. Without a status or dates it is active: nothing says otherwise.

    Returns
    -------
    active : bool
    reason : str
        '' when active, else the reason in words (with the date where known).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("old", kind="Charity", status="Removed"); g.add_node("new", kind="Charity")
    >>> _ = g.add_edge("new", "old", relation="SUCCEEDS", date="2016-07-21")
    >>> activity(g, "old", "2015-01-01"), activity(g, "old", "2021-02-10")
    ((True, ''), (False, 'Removed on 2016-07-21'))
    """
    if isinstance(graph, GraphFrames):
        life = _lifecycle(graph).loc[node]
        return _activity(life["status"], life["registered"], life["ended"], as_of, start)
    return _activity(*_node_lifecycle(graph, node), as_of, start)


def _node_lifecycle(graph: nx.MultiDiGraph, node: str) -> tuple[str, str, str]:
    """One node's status, registration day and end day (as :func:`_lifecycle` gives them) read from
    a networkx graph where it is: tables of the whole graph for one node would cost far more."""
    data = graph.nodes[node]
    ended = str(data.get("removal_date") or "")[:10]
    if not ended:
        ended = min((str(d["date"])[:10] for _, _, d in graph.in_edges(node, data=True)
                     if d.get("relation") == "SUCCEEDS" and d.get("date")), default="")
    return str(data.get("status") or "").strip(), str(data.get("registration_date") or "")[:10], ended


def inactive_organisations(graph: GraphLike, as_of: str, *, start: str = "") -> dict[str, str]:
    """Organisations not active on ``as_of`` (or at any time from ``start`` to it), each with the reason.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("bid", kind="BusinessImprovementDistrict", status="proposed"); g.add_node("w", kind="Ward")
    >>> inactive_organisations(g, "2021-01-01")
    {'bid': 'only proposed'}
    """
    life = _lifecycle(as_frames(graph))
    # without a status or a date an organisation is active: only those with one are asked
    said = life[life["organisation"].to_numpy() & ((life["status"] != "") | (life["registered"] != "")
                                                   | (life["ended"] != "")).to_numpy()]
    found = {}
    for node, status, registered, ended in zip(said.index, said["status"], said["registered"], said["ended"]):
        active, reason = _activity(status, registered, ended, as_of, start)
        if not active:
            found[node] = reason
    return found


def _edge_days(edges: pd.DataFrame) -> np.ndarray:
    """The day of each relation (its ``date``, ``award_date`` or ``start_date``), '' if it has none."""
    day = np.full(len(edges), "", dtype=object)
    for key in ("start_date", "award_date", "date"):  # the first given wins: set last
        given = _days(edges[key])
        day = np.where(given != "", given, day)
    return day


def edge_date(data: dict[str, Any]) -> str:
    """The date of a relation (its ``date``, ``award_date`` or ``start_date``), '' if it has none.

    Examples
    --------
    >>> edge_date({"award_date": "2012-05-30T00:00:00+00:00"}), edge_date({})
    ('2012-05-30', '')
    """
    return str(_edge_days(_one_relation(data))[0])


def _one_relation(data: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({key: pd.Series([data.get(key)], dtype=object) for key in DATED_COLUMNS})


def edges_outside(edges: pd.DataFrame, as_of: str, *, start: str = "") -> np.ndarray:
    """For each relation (a row of a table with the columns of :data:`DATED_COLUMNS`, as
    :func:`graph.tables.edge_table` gives them), whether it falls outside the period ending ``as_of``
    (starting ``start``, '' for a single date), by :data:`DATING_RULE`; see :func:`edge_outside`.

    Examples
    --------
    >>> table = pd.DataFrame({"relation": ["FUNDED_BY", "MEMBER_OF"], "date": [None, None],
    ...                       "award_date": ["2012-05-30", None], "start_date": [None, "2012-01-01"],
    ...                       "end_date": [None, "2016-07-21"]})
    >>> edges_outside(table, "2021-02-10", start="2020-01-01").tolist()
    [True, True]
    >>> edges_outside(table, "2015-12-31").tolist()
    [False, False]
    """
    day, began, ended = _edge_days(edges), _days(edges["start_date"]), _days(edges["end_date"])
    dated = _given(edges["date"])
    event = _given(edges["award_date"]) | (dated & edges["relation"].astype(object).isin(EVENT_RELATIONS).to_numpy())
    after = (day > as_of) if as_of else np.zeros(len(edges), dtype=bool)
    cut = start or as_of
    ended_before = (ended != "") & (ended < cut)
    event_outside = after | ((day < start) if start else False)
    observed_outside = after | ended_before
    spanned_outside = (((began != "") & (began > as_of)) if as_of else False) | ended_before
    return np.where(event, event_outside, np.where(dated, observed_outside, spanned_outside)).astype(bool)


def edge_outside(data: dict[str, Any], as_of: str, *, start: str = "") -> bool:
    """Whether a relation falls outside the period ending ``as_of`` (starting ``start``, '' for a
    single date), by :data:`DATING_RULE`.

    An event (``award_date``, or the ``date`` of a relation in :data:`EVENT_RELATIONS`: a grant, a
    payment) is outside when its day is after ``as_of`` or before ``start``. Any other relation with
    a ``date`` was observed on that day and holds from then until its ``end_date`` if a source gives
    one: it is outside when observed only after ``as_of``, or ended before the period. A relation
    with a ``start_date`` and/or ``end_date`` held over that span. A relation with no date is never
    outside. (Relations of organisations that ended are left out by :func:`relations_in_period`.)

    Examples
    --------
    >>> member = {"start_date": "2012-01-01", "end_date": "2016-07-21"}
    >>> edge_outside(member, "2015-01-01"), edge_outside(member, "2021-02-10"), edge_outside(member, "2011-12-31")
    (False, True, True)
    >>> edge_outside(member, "2021-02-10", start="2016-01-01"), edge_outside({"date": "2021-02-10"}, "2015-12-31")
    (False, True)

    A workshop link stated in 2018 still holds in 2020-21; a grant of 2012 does not count then:

    >>> stated = {"relation": "CO_PRODUCES_WITH", "date": "2018-10-01"}
    >>> edge_outside(stated, "2021-03-31", start="2020-04-01"), edge_outside(stated, "2017-12-31")
    (False, True)
    >>> edge_outside({"relation": "FUNDED_BY", "award_date": "2012-05-30"}, "2021-03-31", start="2020-04-01")
    True
    """
    return bool(edges_outside(_one_relation(data), as_of, start=start)[0])


def _dated_edges(frames: GraphFrames) -> pd.DataFrame:
    return edge_table(frames, *DATED_COLUMNS)


def _restricted(graph: GraphLike, frames: GraphFrames, nodes: np.ndarray, edges: np.ndarray) -> GraphLike:
    """``graph`` with only the node and edge rows kept of its tables, in the form it was given."""
    if isinstance(graph, GraphFrames):
        return select(frames, nodes, edges)
    kept = graph.subgraph(frames.nodes["id"][nodes].tolist()).copy()
    left_out = frames.edges.loc[~edges, ["source", "target", "key"]]
    kept.remove_edges_from(e for e in left_out.itertuples(index=False, name=None) if kept.has_edge(*e))
    return kept


def relations_in_period(graph: GraphLike, as_of: str, *, start: str = "",
                        relations: frozenset[str] | None = None) -> tuple[GraphLike, int]:
    """The graph without the relations outside the period (see :func:`edge_outside`), and without
    the observed (not event) relations of organisations that ended before it; only those of
    ``relations`` when given. Every organisation is kept. The graph itself when nothing is left out.

    Returns
    -------
    graph : GraphFrames or networkx.MultiDiGraph
        In the form given.
    left_out : int
        How many relations were left out.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", award_date="2012-05-30")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", award_date="2019-01-10")
    >>> kept, left_out = relations_in_period(g, "2015-12-31", start="2010-01-01")
    >>> kept.number_of_edges(), left_out
    (1, 1)
    >>> kept, _ = relations_in_period(as_frames(g), "2015-12-31", start="2010-01-01")
    >>> kept.edges["award_date"].tolist()
    ['2012-05-30']
    >>> g.add_node("old", kind="Charity", status="Removed", removal_date="2019-06-30")
    >>> _ = g.add_edge("old", "d", relation="CO_PRODUCES_WITH", date="2018-10-01")
    >>> relations_in_period(g, "2021-03-31", start="2020-04-01", relations=frozenset({"CO_PRODUCES_WITH"}))[1]
    1
    """
    frames = as_frames(graph)
    edges = _dated_edges(frames)
    outside = edges_outside(edges, as_of, start=start)
    if as_of:
        ended = list(inactive_organisations(frames, as_of, start=start))
        event = _given(edges["award_date"]) | edges["relation"].astype(object).isin(EVENT_RELATIONS).to_numpy()
        outside |= (edges["source"].isin(ended) | edges["target"].isin(ended)).to_numpy() & ~event
    if relations is not None:
        outside &= edges["relation"].astype(object).isin(relations).to_numpy()
    if not outside.any():
        return graph, 0
    return _restricted(graph, frames, np.ones(len(frames.nodes), dtype=bool), ~outside), int(outside.sum())


def relations_period_label(as_of: str, start: str = "") -> str:
    """How an answer that filters relations only (not organisations) states its period.

    Examples
    --------
    >>> relations_period_label("2021-02-10"), relations_period_label("2015-12-31", "2010-01-01")
    ('as of 2021-02-10 (relations dated after it, or ended before it, are left out)', 'between 2010-01-01 and 2015-12-31 (relations dated outside it are left out)')
    """
    if start:
        return f"between {start} and {as_of} (relations dated outside it are left out)"
    if not as_of:
        return "no date: every relation counted"
    return f"as of {as_of} (relations dated after it, or ended before it, are left out)"


def active_graph(graph: GraphLike, as_of: str, *, start: str = "") -> tuple[GraphLike, dict[str, str]]:
    """The graph without the organisations not active in the period and the relations outside it
    (see :func:`edge_outside`): the graph itself when nothing is left out. Relations without a date
    are kept.

    Returns
    -------
    graph : GraphFrames or networkx.MultiDiGraph
        In the form given.
    left_out : dict
        The organisations left out, each with the reason.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("old", kind="Charity", status="Removed", removal_date="2016-07-21"); g.add_node("new", kind="Charity")
    >>> sorted(active_graph(g, "2021-02-10")[0]), sorted(active_graph(g, "2015-01-01")[0])
    (['new'], ['new', 'old'])
    >>> active_graph(as_frames(g), "2021-02-10")[0].nodes["id"].tolist()
    ['new']
    """
    frames = as_frames(graph)
    left_out = inactive_organisations(frames, as_of, start=start) if as_of else {}
    outside = edges_outside(_dated_edges(frames), as_of, start=start)
    if not left_out and not outside.any():
        return graph, {}
    nodes = ~frames.nodes["id"].isin(list(left_out)).to_numpy(dtype=bool)
    return _restricted(graph, frames, nodes, ~outside), left_out


def grants_in_period(graph: GraphLike, as_of: str | None,
                     between: tuple[str, str] | None) -> tuple[GraphLike, dict[str, str]]:
    """The graph (in the form given) without the grants (``FUNDED_BY``) dated outside a money
    answer's period, and the ``attrs`` the answer states it by (``period``, ``left out``,
    ``dating``; see :func:`with_period`).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(data_dates={"grants": "2015-11-02"})
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", award_date="2012-05-30")
    >>> kept, attrs = grants_in_period(g, "2011-12-31", None)
    >>> kept.number_of_edges(), attrs["left out"]
    (0, '1 grants dated outside the period')
    """
    start, end = resolve_period(graph, as_of, between)
    kept, outside = relations_in_period(graph, end, start=start, relations=frozenset({"FUNDED_BY"}))
    return kept, {"period": relations_period_label(end, start), "left out": f"{outside} grants dated outside the period",
                  "dating": DATING_RULE}


def with_period(frame: Any, attrs: dict[str, str]) -> Any:
    """The answer's table with the attrs of :func:`grants_in_period` set.

    Examples
    --------
    >>> import pandas as pd
    >>> with_period(pd.DataFrame(), {"period": "as of 2015-11-02"}).attrs
    {'period': 'as of 2015-11-02'}
    """
    frame.attrs.update(attrs)
    return frame
