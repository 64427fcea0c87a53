"""Write the graph's RDF straight to a file, a subject at a time, without building an rdflib graph.

rdflib's serialisers first hold every triple in an indexed store and then sort them, which for a
borough's spend (hundreds of thousands of triples) takes minutes. The triples here are those of
:func:`graph.rdf.graph_to_rdf`, taken from :func:`graph.rdf.rdf_blocks` as they come: Turtle groups
each subject's statements (predicates written with the ``eco:``, ``prov:``, ``dct:``, ``rdf:``
prefixes), N-Triples writes one per line, JSON-LD writes the expanded form rdflib writes (one node
object per subject, numbers and booleans as JSON values with their datatype). Each term is written
as N-Triples writes it (IRIs by rdflib, literals on one line with quotes, backslashes and line
breaks escaped). Any rdflib parser reads the files back to the same triples (the tests check that).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import IO

import orjson
from rdflib import DCTERMS, PROV, RDF, XSD, URIRef

from civicgraph.core.progress import ROWS
from civicgraph.graph.frames import GraphLike
from civicgraph.graph.rdf import DEFAULT_BASE, TYPE, Block, Text, rdf_blocks
from civicgraph.ontology.vocabulary import ECO

#: The formats written here; others (RDF/XML) go through rdflib.
STREAMED_FORMATS = ("turtle", "nt", "json-ld")
PREFIXES = {"eco": str(ECO), "prov": str(PROV), "dct": str(DCTERMS), "rdf": str(RDF), "xsd": str(XSD)}
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def write_rdf(graph: GraphLike, path: str | Path, fmt: str, *, base: str = DEFAULT_BASE) -> Path:
    """Write the graph as Turtle, N-Triples or JSON-LD to ``path``, a subject at a time.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        A built ecosystem graph.
    path : path
        The file to write (replaced if it exists).
    fmt : str
        One of :data:`STREAMED_FORMATS`.
    base : str
        IRI prefix for nodes, edges and source records.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> import networkx as nx
    >>> from rdflib import Graph
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Ward", name="Bedfont", provenance=[], field_provenance={}, conflicts=[])
    >>> path = write_rdf(g, Path(tempfile.mkdtemp()) / "g.ttl", "turtle")
    >>> len(Graph().parse(path, format="turtle"))
    8
    """
    if fmt not in STREAMED_FORMATS:
        raise ValueError(f"format {fmt!r} is not streamed. Use one of: {', '.join(STREAMED_FORMATS)}.")
    path = Path(path)
    blocks = _counted(rdf_blocks(graph, base=base))
    if fmt == "json-ld":
        with path.open("wb") as handle:
            _write_jsonld(blocks, handle)
        return path
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        (_write_turtle if fmt == "turtle" else _write_ntriples)(blocks, handle)
    return path


def _term(obj: URIRef | Text) -> str:
    """An IRI or literal as N-Triples (and Turtle) write it, on one line."""
    if isinstance(obj, Text):
        escaped = obj.lexical.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        text = f'"{escaped}"'
        return f"{text}^^<{obj.datatype}>" if obj.datatype is not None else text
    return f"<{obj}>"


def _counted(blocks: Iterable[Block]) -> Iterator[Block]:
    """The blocks, each counted in :data:`core.progress.ROWS` as it is written."""
    for block in blocks:
        ROWS.add()
        yield block


def _write_ntriples(blocks: Iterable[Block], handle: IO[str]) -> None:
    for subject, pairs in blocks:
        s = f"<{subject}>"
        handle.write("".join(f"{s} <{p}> {_term(o)} .\n" for p, o in pairs))


@cache
def _predicate(iri: URIRef) -> str:
    """A predicate or class as a prefixed name where it can be one, else ``<iri>``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and _LOCAL_NAME.match(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri.n3()


def _write_turtle(blocks: Iterable[Block], handle: IO[str]) -> None:
    handle.write("".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES.items()) + "\n")
    for subject, pairs in blocks:
        statements = " ;\n    ".join(
            f"{_predicate(p)} {_predicate(o) if p is TYPE and isinstance(o, URIRef) else _term(o)}"
            for p, o in pairs)
        handle.write(f"<{subject}> {statements} .\n\n")


def _jsonld_value(obj: URIRef | Text) -> dict[str, object]:
    if not isinstance(obj, Text):
        return {"@id": str(obj)}
    if obj.datatype is None:
        return {"@value": obj.lexical}
    return {"@type": obj.datatype, "@value": obj.lexical if obj.native is None else obj.native}


def _write_jsonld(blocks: Iterable[Block], handle: IO[bytes]) -> None:
    handle.write(b"[")
    first = True
    for subject, pairs in blocks:
        node: dict[str, object] = {"@id": str(subject)}
        for p, o in pairs:
            if p is TYPE and isinstance(o, URIRef):
                node.setdefault("@type", []).append(str(o))  # type: ignore[union-attr]
            else:
                node.setdefault(str(p), []).append(_jsonld_value(o))  # type: ignore[union-attr]
        handle.write((b"\n" if first else b",\n") + orjson.dumps(node))
        first = False
    handle.write(b"\n]\n")

