"""Write the graph as GraphML from its tables, with a streaming XML writer.

The document is the one ``networkx.write_graphml`` writes of the graph (read back by
``networkx.read_graphml`` into the same nodes, edges and data): a ``key`` per attribute name, scope
and value type (``d0``, ``d1``, ... in the order first met: the graph's attributes, then the nodes',
then the edges'; listed last first), then the nodes, the edges and the graph's own attributes, with
networkx's indentation. Lists and dicts are written as text (:func:`flat_value`), identifiers and
text without the control characters XML cannot hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any
from xml.sax.saxutils import XMLGenerator

from civicgraph.core.cells import clean_text
from civicgraph.graph.frames import GraphLike, as_frames, edge_items, node_items
from civicgraph.graph.store import canonical_json

NS_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS_GRAPHML} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
#: GraphML's ``attr.type`` of each Python type a value may have once flat (networkx's names).
ATTRIBUTE_TYPES = {str: "string", bool: "boolean", int: "long", float: "double"}


def flat_value(value: Any) -> Any:
    """A value as one spreadsheet cell or GraphML datum: a list of plain values joined by ``; ``,
    anything else nested as canonical JSON, text without the control characters XML cannot hold.

    Examples
    --------
    >>> flat_value(["B", "C"]), flat_value([{"dataset": "ons"}]), flat_value(5.0)
    ('B; C', '[{"dataset":"ons"}]', 5.0)
    """
    if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
        return clean_text("; ".join(map(str, value)))
    if isinstance(value, (list, dict)):
        return clean_text(canonical_json(value))
    return clean_text(value)


def write_graphml(graph: GraphLike, handle: IO[bytes]) -> None:
    """Write ``graph`` as a GraphML document to a binary file.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        The graph; its tables are read (no networkx graph is made).
    handle : binary file
        Where the UTF-8 document goes.

    Examples
    --------
    >>> import io
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="k", relation="PART_OF", provenance=[])
    >>> g.nodes["a"]["kind"], g.nodes["b"]["kind"] = "LSOA", "Ward"
    >>> out = io.BytesIO(); write_graphml(g, out)
    >>> read = nx.read_graphml(io.BytesIO(out.getvalue()), force_multigraph=True)
    >>> list(read.edges(keys=True, data=True))
    [('a', 'b', 'k', {'relation': 'PART_OF', 'provenance': ''})]
    """
    frames = as_frames(graph)
    attributes = {name: flat_value(value) for name, value in frames.attributes.items()}
    graph_id = attributes.pop("id", None)
    node_ids, nodes = [], []
    for node, data in node_items(frames):
        node_ids.append(clean_text(node))
        nodes.append(_flat_data(data))
    ends, edges = [], []
    for source, target, key, data in edge_items(frames):
        ends.append((clean_text(source), clean_text(target), clean_text(str(key))))
        edges.append(_flat_data(data))
    keys: dict[tuple[str, str, str], str] = {}
    for scope, datas in (("graph", [attributes]), ("node", nodes), ("edge", edges)):
        for data in datas:
            for name, value in data.items():
                keys.setdefault((str(name), _attribute_type(value), scope), f"d{len(keys)}")

    out = XMLGenerator(handle, encoding="utf-8", short_empty_elements=True)
    out.startDocument()
    out.startElement("graphml", {"xmlns": NS_GRAPHML, "xmlns:xsi": NS_XSI, "xsi:schemaLocation": SCHEMA_LOCATION})
    out.ignorableWhitespace("\n  ")
    for (name, kind, scope), key in reversed(keys.items()):
        _element(out, 1, "key", {"id": key, "for": scope, "attr.name": name, "attr.type": kind})
    graph_element = {"edgedefault": "directed", **({} if graph_id is None else {"id": str(graph_id)})}
    children = [*(("node", {"id": node}, _data(keys, "node", data)) for node, data in zip(node_ids, nodes)),
                *(("edge", {"source": source, "target": target, "id": key}, _data(keys, "edge", data))
                  for (source, target, key), data in zip(ends, edges)),
                *(("data", {"key": key}, text) for key, text in _data(keys, "graph", attributes))]
    _element(out, 1, "graph", graph_element, iter(children), last=True)
    out.endElement("graphml")
    out.ignorableWhitespace("\n")
    out.endDocument()


def _flat_data(data: dict[str, Any]) -> dict[str, Any]:
    return {name: flat_value(value) for name, value in data.items() if value is not None}


def _attribute_type(value: Any) -> str:
    if type(value) not in ATTRIBUTE_TYPES:
        raise TypeError(f"GraphML does not support type {type(value)} as data values.")
    return ATTRIBUTE_TYPES[type(value)]


def _data(keys: dict[tuple[str, str, str], str], scope: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """The ``data`` elements of one node, edge or graph: (key, text)."""
    return [(keys[str(name), _attribute_type(value), scope], str(value)) for name, value in data.items()]


def _element(out: XMLGenerator, level: int, name: str, attributes: dict[str, str],
             children: Iterator[tuple[str, dict[str, str], Any]] | None = None, *, last: bool = False) -> None:
    """One element at ``level`` (its children each on a line, indented as networkx does), followed
    by the line break before its next sibling, or before its parent's end tag when ``last``."""
    out.startElement(name, attributes)
    if isinstance(children, str):
        out.characters(children)
    else:
        child = next(children, None) if children is not None else None
        if child is not None:
            out.ignorableWhitespace("\n" + "  " * (level + 1))
        while child is not None:
            following = next(children, None)
            child_name, child_attributes, content = child
            _element(out, level + 1, child_name, child_attributes,
                     content if isinstance(content, str) else iter(("data", {"key": k}, t) for k, t in content),
                     last=following is None)
            child = following
    out.endElement(name)
    out.ignorableWhitespace("\n" + "  " * (level - 1 if last else level))
