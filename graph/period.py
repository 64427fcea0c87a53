"""Which organisations were active when: status and dates, and the period an answer covers.

Sources give an organisation's status (registered, removed, merged, dissolved, proposed, closed)
and dates (``registration_date``, ``removal_date``; a merger's ``SUCCEEDS`` edge carries the date
it was registered). An analysis takes a period (``as_of``, an ISO date, or ``between``, two of them; by default the
latest date of the graph's data) and leaves out organisations not active then (removed or merged
before it, registered after it, or only proposed) and relations dated outside it.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from civicgraph.ontology.vocabulary import vocabulary

__all__ = ["ENDED_STATUSES", "NOT_STARTED_STATUSES", "active_graph", "activity", "default_as_of", "edge_date",
           "inactive_organisations", "period_label", "resolve_period"]

#: Statuses that say an organisation has ended (compared lower-case).
ENDED_STATUSES = frozenset({"removed", "merged", "dissolved", "closed", "ceased", "inactive", "wound up",
                            "liquidation", "converted/closed"})
#: Statuses that say it has not started.
NOT_STARTED_STATUSES = frozenset({"proposed", "planned", "in formation"})


def default_as_of(graph: nx.MultiDiGraph) -> str:
    """The latest date of the graph's data (``data_dates``), the default period of an answer; ''
    when the graph records none.

    Examples
    --------
    >>> default_as_of(nx.MultiDiGraph(data_dates={"ons": "2017-12-01", "directory": "2021-02-10"}))
    '2021-02-10'
    """
    return max(graph.graph.get("data_dates", {}).values(), default="")


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


def resolve_period(graph: nx.MultiDiGraph, as_of: str | None, between: tuple[str, str] | None) -> tuple[str, str]:
    """The ``(start, end)`` of an analysis's period from its ``as_of`` or ``between`` argument
    (``start`` is '' for a single date; ``end`` is the latest data date when neither is given).

    Examples
    --------
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


def _ended_on(graph: nx.MultiDiGraph, node: str, data: dict[str, Any]) -> str:
    """When a node ended: its removal date, else the date of the merger that succeeded it ('' if
    unknown)."""
    if data.get("removal_date"):
        return str(data["removal_date"])[:10]
    dates = [str(d.get("date"))[:10] for _, _, d in graph.in_edges(node, data=True)
             if d.get("relation") == "SUCCEEDS" and d.get("date")]
    return min(dates, default="")


def activity(graph: nx.MultiDiGraph, node: str, as_of: str, *, start: str = "") -> tuple[bool, str]:
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
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("old", kind="Charity", status="Removed"); g.add_node("new", kind="Charity")
    >>> _ = g.add_edge("new", "old", relation="SUCCEEDS", date="2016-07-21")
    >>> activity(g, "old", "2015-01-01"), activity(g, "old", "2021-02-10")
    ((True, ''), (False, 'Removed on 2016-07-21'))
    """
    data = graph.nodes[node]
    status = str(data.get("status") or "").strip()
    if not as_of:
        return True, ""
    if status.lower() in NOT_STARTED_STATUSES:
        return False, f"only {status.lower()}"
    registered = str(data.get("registration_date") or "")[:10]
    if registered and registered > as_of:
        return False, f"registered only on {registered}"
    ended = _ended_on(graph, node, data)
    if status.lower() in ENDED_STATUSES or ended:
        if ended and ended > (start or as_of):
            return True, ""
        return False, f"{status or 'ended'} on {ended}" if ended else f"{status} (date not given)"
    return True, ""


def inactive_organisations(graph: nx.MultiDiGraph, as_of: str, *, start: str = "") -> dict[str, str]:
    """Organisations not active on ``as_of`` (or at any time from ``start`` to it), each with the reason.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("bid", kind="BusinessImprovementDistrict", status="proposed"); g.add_node("w", kind="Ward")
    >>> inactive_organisations(g, "2021-01-01")
    {'bid': 'only proposed'}
    """
    vocab = vocabulary()
    is_org = {k: vocab.is_a(k, "Organisation") for k in {d["kind"] for _, d in graph.nodes(data=True)}}
    found = {}
    for node, data in graph.nodes(data=True):
        if is_org[data["kind"]] and (data.get("status") or data.get("registration_date") or data.get("removal_date")
                                     or any(d.get("relation") == "SUCCEEDS" for _, _, d in graph.in_edges(node, data=True))):
            active, reason = activity(graph, node, as_of, start=start)
            if not active:
                found[node] = reason
    return found


def edge_date(data: dict[str, Any]) -> str:
    """The date of a relation (its ``date``, ``award_date`` or ``start_date``), '' if it has none.

    Examples
    --------
    >>> edge_date({"award_date": "2012-05-30T00:00:00+00:00"}), edge_date({})
    ('2012-05-30', '')
    """
    for key in ("date", "award_date", "start_date"):
        if data.get(key):
            return str(data[key])[:10]
    return ""


def active_graph(graph: nx.MultiDiGraph, as_of: str, *, start: str = "") -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """The graph without the organisations not active in the period and the relations dated after
    it (or, with ``start``, before it): the graph itself when nothing is left out. Relations
    without a date are kept.

    Returns
    -------
    graph : networkx.MultiDiGraph
    left_out : dict
        The organisations left out, each with the reason.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("old", kind="Charity", status="Removed", removal_date="2016-07-21"); g.add_node("new", kind="Charity")
    >>> sorted(active_graph(g, "2021-02-10")[0]), sorted(active_graph(g, "2015-01-01")[0])
    (['new'], ['new', 'old'])
    """
    left_out = inactive_organisations(graph, as_of, start=start) if as_of else {}
    outside = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
               if (date := edge_date(d)) and ((as_of and date > as_of) or (start and date < start))]
    if not left_out and not outside:
        return graph, {}
    kept = graph.subgraph([n for n in graph if n not in left_out]).copy()
    kept.remove_edges_from(e for e in outside if kept.has_edge(*e))
    return kept, left_out
