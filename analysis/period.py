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

__all__ = ["DATING_RULE", "grants_in_period", "with_period", "ENDED_STATUSES", "EVENT_RELATIONS", "NOT_STARTED_STATUSES", "active_graph", "activity", "default_as_of", "edge_date", "edge_outside",
           "inactive_organisations", "period_label", "relations_in_period", "relations_period_label",
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
    is_org = {k: vocab.is_a(k, "Organisation") for k in {d.get("kind") for _, d in graph.nodes(data=True)} if k}
    found = {}
    for node, data in graph.nodes(data=True):
        if is_org.get(data.get("kind"), False) and (data.get("status") or data.get("registration_date") or data.get("removal_date")
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
    began, ended = (str(data.get(key) or "")[:10] for key in ("start_date", "end_date"))
    if data.get("award_date") or (data.get("date") and data.get("relation") in EVENT_RELATIONS):
        date = edge_date(data)
        return bool((as_of and date > as_of) or (start and date < start))
    if data.get("date"):
        observed = edge_date(data)
        return bool((as_of and observed > as_of) or (ended and ended < (start or as_of)))
    return bool((as_of and began and began > as_of) or (ended and ended < (start or as_of)))


def relations_in_period(graph: nx.MultiDiGraph, as_of: str, *, start: str = "",
                        relations: frozenset[str] | None = None) -> tuple[nx.MultiDiGraph, int]:
    """The graph without the relations outside the period (see :func:`edge_outside`), and without
    the observed (not event) relations of organisations that ended before it; only those of
    ``relations`` when given. Every organisation is kept. The graph itself when nothing is left out.

    Returns
    -------
    graph : networkx.MultiDiGraph
    left_out : int
        How many relations were left out.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", award_date="2012-05-30")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", award_date="2019-01-10")
    >>> kept, left_out = relations_in_period(g, "2015-12-31", start="2010-01-01")
    >>> kept.number_of_edges(), left_out
    (1, 1)
    >>> g.add_node("old", kind="Charity", status="Removed", removal_date="2019-06-30")
    >>> _ = g.add_edge("old", "d", relation="CO_PRODUCES_WITH", date="2018-10-01")
    >>> relations_in_period(g, "2021-03-31", start="2020-04-01", relations=frozenset({"CO_PRODUCES_WITH"}))[1]
    1
    """
    ended = set(inactive_organisations(graph, as_of, start=start)) if as_of else set()
    outside = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
               if (relations is None or d.get("relation") in relations)
               and (edge_outside(d, as_of, start=start) or ((u in ended or v in ended) and not _event(d)))]
    if not outside:
        return graph, 0
    kept = graph.copy()
    kept.remove_edges_from(outside)
    return kept, len(outside)


def _event(data: dict[str, Any]) -> bool:
    return bool(data.get("award_date")) or data.get("relation") in EVENT_RELATIONS


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


def active_graph(graph: nx.MultiDiGraph, as_of: str, *, start: str = "") -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """The graph without the organisations not active in the period and the relations outside it
    (see :func:`edge_outside`): the graph itself when nothing is left out. Relations without a date
    are kept.

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
    outside = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if edge_outside(d, as_of, start=start)]
    if not left_out and not outside:
        return graph, {}
    kept = graph.subgraph([n for n in graph if n not in left_out]).copy()
    kept.remove_edges_from(e for e in outside if kept.has_edge(*e))
    return kept, left_out


def grants_in_period(graph: nx.MultiDiGraph, as_of: str | None,
                     between: tuple[str, str] | None) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """The graph without the grants (``FUNDED_BY``) dated outside a money answer's period, and the
    ``attrs`` the answer states it by (``period``, ``left out``, ``dating``; see :func:`with_period`).

    Examples
    --------
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
