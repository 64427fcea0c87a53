"""LadybugDB node and relationship tables generated from the ontology and the graph's contents.

Every node kind becomes a node table (``Charity``, ``Ward``, ...) with ``id`` as primary key, the
attributes its nodes carry (typed from the ontology's ranges), ``sources`` (dataset names) and
``provenance`` (JSON). Every relation becomes a relationship table over the pairs of kinds it joins
in the data, with the edge ``key``, its attributes and ``provenance``.

Money: ``amount`` is a DOUBLE (LadybugDB 0.22 cannot ``sum()`` a DECIMAL column) and ``currency``
stands beside it; ``amount_hundredths`` (INT64, :data:`core.amounts.HUNDREDTHS`) is the same amount
as a whole number of hundredths of its currency, which sums exactly:
``sum(r.amount_hundredths) / 100.0`` is a total to the penny where ``sum(r.amount)`` may print
``18303977.009999998``. It is missing where ``amount`` is, or where an amount has a finer fraction
than a hundredth.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from rdflib import XSD

from civicgraph.core.amounts import HUNDREDTHS
from civicgraph.graph.assemble import LIST_ATTRIBUTES
from civicgraph.graph.frames import GraphLike, as_frames
from civicgraph.ontology.vocabulary import vocabulary

#: Attributes held as JSON text (nested lists).
JSON_ATTRIBUTES = frozenset({"income_history"})
#: Columns made from another attribute as the database is written: column -> its type.
DERIVED_COLUMNS = {HUNDREDTHS: "INT64"}


def column_type(key: str) -> str:
    """The LadybugDB type of an attribute, from its range in the ontology.

    Examples
    --------
    >>> column_type("latest_income"), column_type("code_generation"), column_type("other_names")
    ('DOUBLE', 'INT64', 'STRING[]')
    >>> column_type("amount"), column_type("amount_hundredths")
    ('DOUBLE', 'INT64')
    """
    if key in DERIVED_COLUMNS:
        return DERIVED_COLUMNS[key]
    if key in LIST_ATTRIBUTES:
        return "STRING[]"
    if key in JSON_ATTRIBUTES:
        return "STRING"
    datatype = vocabulary().attributes[key].datatype
    return {XSD.double: "DOUBLE", XSD.integer: "INT64", XSD.boolean: "BOOLEAN"}.get(datatype, "STRING")


@dataclass(frozen=True)
class Schema:
    """Tables to create: node kind -> attribute keys, relation -> (from kind, to kind) pairs and keys."""

    nodes: dict[str, list[str]]
    relations: dict[str, tuple[list[tuple[str, str]], list[str]]]

    def statements(self) -> list[str]:
        """The ``CREATE NODE TABLE`` and ``CREATE REL TABLE`` statements.

        Examples
        --------
        >>> Schema({"Ward": ["name"]}, {}).statements()
        ['CREATE NODE TABLE Ward(id STRING PRIMARY KEY, name STRING, sources STRING[], provenance STRING)']
        """
        created = []
        for kind, keys in self.nodes.items():
            columns = ", ".join(f"{key} {column_type(key)}" for key in keys)
            created.append(f"CREATE NODE TABLE {kind}(id STRING PRIMARY KEY, {columns + ', ' if columns else ''}"
                           "sources STRING[], provenance STRING)")
        for relation, (pairs, keys) in self.relations.items():
            ends = ", ".join(f"FROM {a} TO {b}" for a, b in pairs)
            columns = "".join(f", {key} {column_type(key)}" for key in keys)
            created.append(f"CREATE REL TABLE {relation}({ends}, key STRING{columns}, provenance STRING)")
        return created


def schema_of(graph: GraphLike) -> Schema:
    """The tables for a graph: one per node kind of the ontology, one per relation present.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A"); g.add_node("f", kind="Funder", name="F")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=5.0)
    >>> schema_of(g).relations["FUNDED_BY"][0]
    [('Charity', 'Funder')]
    >>> "latest_income" in schema_of(g).nodes["Ward"], "amount_hundredths" in schema_of(g).relations["FUNDED_BY"][1]
    (True, True)
    """
    frames = as_frames(graph)
    kind_of = pd.Series(frames.nodes["kind"].astype(object).to_numpy(), index=frames.nodes["id"].astype(object))
    ends = pd.DataFrame({"relation": frames.edges["relation"].astype(object).to_numpy(),
                         "source": kind_of.reindex(frames.edges["source"].astype(object)).to_numpy(),
                         "target": kind_of.reindex(frames.edges["target"].astype(object)).to_numpy()})
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for relation, source, target in ends.drop_duplicates().itertuples(index=False):
        pairs[relation].add((source, target))
    # every kind gets a table and every table every attribute of the ontology, empty or not, so
    # that any query naming a kind or a property binds (and finds nothing) whatever was loaded
    keys = sorted([*vocabulary().attributes, *DERIVED_COLUMNS])
    nodes = {kind: keys for kind in sorted(vocabulary().kinds)}
    relations = {rel: (sorted(pairs[rel]), keys) for rel in sorted(pairs)}
    return Schema(nodes, relations)
