"""Ask by name: find an organisation by its id, a name or another name, with suggestions when the
name is ambiguous or misspelt.

Every function that takes an organisation passes what it was given through
:func:`find_organisation`, so ``what_if_removed(g, "Lloyds Bank Foundation")`` works as well as
``what_if_removed(g, "GB-CHC-327114")``.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from civicgraph.analysis.network import organisation_nodes
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames, derived
from civicgraph.graph.tables import node_table
from civicgraph.resolve.names import normalise_name

#: Smallest similarity (0 to 100) of a name offered as a suggestion, and how far below the closest
#: name's similarity another may be to be offered too.
SUGGEST_ABOVE = 60
SUGGEST_WITHIN = 10
SUGGESTIONS = 5


class OrganisationNotFound(LookupError):
    """No organisation, or more than one, answers to a name; the message lists the closest.

    Examples
    --------
    >>> str(OrganisationNotFound("'Lloyd' is not an organisation"))
    "'Lloyd' is not an organisation"
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def find_organisation(graph: GraphLike, name_or_id: str) -> str:
    """The id of the organisation a user means by an id, a name or another name it is known by.

    Names are compared after normalising case, punctuation and legal suffixes (as entity
    resolution does); the start of a name is enough when only one organisation's name starts so
    ("Lloyds Bank Foundation" for "Lloyds Bank Foundation for England and Wales"). An id is taken
    as it is, and an id merged into another node (``other_ids``, ``matched_ids``) finds that node.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        A built ecosystem graph.
    name_or_id : str
        ``"GB-CHC-327114"``, ``"Lloyds Bank Foundation for England and Wales"`` or
        ``"lloyds bank foundation for england & wales"``.

    Returns
    -------
    str
        The node id.

    Raises
    ------
    OrganisationNotFound
        When no organisation has the name (the message suggests the closest names, with their ids),
        or several do (the message lists them, to choose one by id).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("GB-CHC-327114", kind="Funder", name="Lloyds Bank Foundation for England and Wales")
    >>> g.add_node("GB-CHC-1", kind="Charity", name="Age UK Hounslow")
    >>> find_organisation(g, "lloyds bank foundation for england & wales")
    'GB-CHC-327114'
    >>> find_organisation(g, "Lloyds Bank Foundation")
    'GB-CHC-327114'
    >>> find_organisation(g, "Age UK Hounslo")
    Traceback (most recent call last):
    ...
    civicgraph.analysis.lookup.OrganisationNotFound: 'Age UK Hounslo' is not the name or id of an organisation. Did you mean: Age UK Hounslow (GB-CHC-1)?
    """
    frames = as_frames(graph)
    if name_or_id in node_table(frames).index:
        return name_or_id
    index = _name_index(frames)
    wanted = normalise_name(name_or_id) or name_or_id.strip().lower()
    found = index.get(name_or_id.strip()) or index.get(wanted, [])
    if not found:
        found = list(dict.fromkeys(n for key, nodes in index.items() if key.startswith(wanted + " ") for n in nodes))
    labels = _labels(frames)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        listed = "; ".join(f"{labels[n]} ({n})" for n in sorted(found))
        raise OrganisationNotFound(f"{name_or_id!r} names {len(found)} organisations: {listed}. Give one by its id.")
    close = process.extract(wanted, list(index), scorer=_similarity, limit=SUGGESTIONS * 2, score_cutoff=SUGGEST_ABOVE)
    best = close[0][1] if close else 0
    suggested = list(dict.fromkeys(node for key, score, _ in close if score >= best - SUGGEST_WITHIN
                                   for node in index[key]))[:SUGGESTIONS]
    hint = (" Did you mean: " + "; ".join(f"{labels[n]} ({n})" for n in suggested) + "?") if suggested else ""
    raise OrganisationNotFound(f"{name_or_id!r} is not the name or id of an organisation.{hint}")


def _similarity(a: str, b: str, **_: object) -> float:
    """Mean of the whole-name and shared-words similarities: a misspelling scores high on the first,
    a name given in part on the second, and an unrelated name that shares one word on neither."""
    return (fuzz.QRatio(a, b) + fuzz.token_set_ratio(a, b)) / 2


def _labels(frames: GraphFrames) -> dict[str, str]:
    nodes = organisation_nodes(frames)
    return dict(zip(nodes["id"], nodes["name"]))


def _name_index(frames: GraphFrames) -> dict[str, list[str]]:
    """Normalised name (and other names) -> organisation ids; made once per frames."""
    cache = derived(frames)
    if "name_index" not in cache:
        index: dict[str, list[str]] = {}
        ids = organisation_nodes(frames)["id"]
        nodes = node_table(frames, "other_ids", "matched_ids", "other_names").loc[ids]
        for node, name, other_ids, matched_ids, other_names in zip(
                ids, nodes["name"], nodes["other_ids"], nodes["matched_ids"], nodes["other_names"]):
            for other in (*(other_ids or []), *(matched_ids or [])):
                index.setdefault(other, []).append(node)
            for text in (name, *(other_names or [])):
                if isinstance(text, str) and text.strip():
                    key = normalise_name(text) or text.strip().lower()
                    if node not in index.setdefault(key, []):
                        index[key].append(node)
        cache["name_index"] = index
    return cache["name_index"]
