"""What the answers read from the graph's tables that :mod:`analysis.period` and
:mod:`analysis.network` give only from a networkx graph (transitional: delete once they read
:class:`~civicgraph.graph.frames.GraphFrames`).

The period functions apply :mod:`analysis.period`'s rules (:func:`~civicgraph.analysis.period.edge_outside`,
:func:`~civicgraph.analysis.period.inactive_organisations`) to the tables: the same period, the same
organisations ended, the same relations left out.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd

from civicgraph.analysis.network import names_of
from civicgraph.analysis.period import EVENT_RELATIONS, edge_outside, inactive_organisations, resolve_period
from civicgraph.graph.frames import GraphFrames, derived
from civicgraph.graph.tables import edge_table, node_table

#: What says when an organisation was active (besides the mergers that succeed it).
DATING_ATTRIBUTES = ("status", "registration_date", "removal_date")
#: What dates a relation.
EDGE_DATES = ("date", "award_date", "start_date", "end_date")


def names_by_id(frames: GraphFrames, ids: Iterable[str]) -> dict[str, str]:
    """Each node's name, or its id when it has none (:func:`~civicgraph.analysis.network.names_of`).

    Examples
    --------
    >>> from civicgraph.graph.frames import as_frames
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A"); g.add_node("b", kind="Charity")
    >>> names_by_id(as_frames(g), ["a", "b", "a"])
    {'a': 'A', 'b': 'b'}
    """
    chosen = list(dict.fromkeys(ids))
    return dict(zip(chosen, names_of(frames, pd.Series(chosen, dtype=object)).tolist()))


def period_of(frames: GraphFrames, as_of: str | None, between: tuple[str, str] | None) -> tuple[str, str]:
    """The ``(start, end)`` of an answer's period (:func:`~civicgraph.analysis.period.resolve_period`),
    by default ending on the latest of the frames' ``data_dates``.

    Examples
    --------
    >>> from civicgraph.graph.frames import as_frames
    >>> frames = as_frames(nx.MultiDiGraph(data_dates={"ons": "2017-12-01", "directory": "2021-02-10"}))
    >>> period_of(frames, None, None), period_of(frames, None, ("2010-01-01", "2015-12-31"))
    (('', '2021-02-10'), ('2010-01-01', '2015-12-31'))
    """
    if as_of is None and between is None:
        as_of = max(frames.attributes.get("data_dates", {}).values(), default="")
    return resolve_period(frames, as_of, between)  # reads no graph once as_of or between is given


def _dating_graph(frames: GraphFrames) -> nx.MultiDiGraph:
    """The organisations that have a status or dates or a successor, and the ``SUCCEEDS`` edges:
    all that :func:`~civicgraph.analysis.period.activity` reads; made once per frames."""
    cache = derived(frames)
    if "dating_graph" not in cache:
        nodes, edges = node_table(frames, *DATING_ATTRIBUTES), edge_table(frames)
        succeeds = edges[edges["relation"] == "SUCCEEDS"]
        dated = nodes[nodes[list(DATING_ATTRIBUTES)].notna().any(axis=1).to_numpy()
                      | nodes["id"].isin(succeeds["target"]).to_numpy()]
        graph = nx.MultiDiGraph()
        graph.add_nodes_from((row.pop("id"), {k: v for k, v in row.items() if v is not None})
                             for row in dated[["id", "kind", *DATING_ATTRIBUTES]].astype(object).to_dict("records"))
        graph.add_edges_from((source, target, {"relation": "SUCCEEDS", **({"date": date} if date is not None else {})})
                             for source, target, date in zip(succeeds["source"], succeeds["target"], succeeds["date"]))
        cache["dating_graph"] = graph
    return cache["dating_graph"]


def inactive_in_period(frames: GraphFrames, as_of: str, *, start: str = "") -> dict[str, str]:
    """Organisations not active on ``as_of`` (or at any time from ``start`` to it), each with the
    reason (:func:`~civicgraph.analysis.period.inactive_organisations`); none when ``as_of`` is ''.

    Examples
    --------
    >>> from civicgraph.graph.frames import as_frames
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("old", kind="Charity", status="Removed"); g.add_node("new", kind="Charity")
    >>> _ = g.add_edge("new", "old", relation="SUCCEEDS", date="2016-07-21")
    >>> inactive_in_period(as_frames(g), "2021-02-10"), inactive_in_period(as_frames(g), "2015-01-01")
    ({'old': 'Removed on 2016-07-21'}, {})
    """
    return inactive_organisations(_dating_graph(frames), as_of, start=start) if as_of else {}


def relations_in_period(frames: GraphFrames, as_of: str, *, start: str = "") -> tuple[GraphFrames, int]:
    """The frames without the relations outside the period and the observed (not event) relations
    of organisations that ended before it, as :func:`~civicgraph.analysis.period.relations_in_period`
    leaves them out; the frames themselves when nothing is left out.

    Returns
    -------
    frames : GraphFrames
        Every node; the edges kept, renumbered, with their sources.
    left_out : int
        How many relations were left out.

    Examples
    --------
    >>> from civicgraph.graph.frames import as_frames
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", award_date="2012-05-30", provenance=[{"dataset": "x"}])
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", award_date="2019-01-10", provenance=[{"dataset": "y"}])
    >>> kept, left_out = relations_in_period(as_frames(g), "2015-12-31", start="2010-01-01")
    >>> kept.edges["award_date"].tolist(), kept.edge_sources[["edge", "dataset"]].values.tolist(), left_out
    (['2012-05-30'], [[0, 'x']], 1)
    """
    edges = edge_table(frames, *EDGE_DATES)
    outside = np.zeros(len(edges), dtype=bool)
    columns = ["relation", *EDGE_DATES]
    dated = np.flatnonzero(edges[list(EDGE_DATES)].notna().any(axis=1).to_numpy())
    dates = list(zip(*(edges[column].to_numpy(dtype=object)[dated].tolist() for column in columns)))
    judged = {values: edge_outside({k: v for k, v in zip(columns, values) if v is not None}, as_of, start=start)
              for values in set(dates)}  # many relations share their dates: each set of dates judged once
    outside[dated] = [judged[values] for values in dates]
    ended = list(inactive_in_period(frames, as_of, start=start))
    if ended:
        event = edges["award_date"].notna() | edges["relation"].isin(EVENT_RELATIONS)
        outside |= ((edges["source"].isin(ended) | edges["target"].isin(ended)) & ~event).to_numpy()
    if not outside.any():
        return frames, 0
    keep = ~outside
    renumbered = np.cumsum(keep) - 1
    sources = frames.edge_sources[keep[frames.edge_sources["edge"].to_numpy()]]
    sources = sources.assign(edge=renumbered[sources["edge"].to_numpy()]).reset_index(drop=True)
    kept = GraphFrames(frames.nodes, frames.node_sources, frames.edges[keep].reset_index(drop=True), sources,
                       frames.conflicts, dict(frames.attributes))
    return kept, int(outside.sum())
