"""Branches of a national body found by its web site: a link to the parent, not a merge.

A local branch often has no site of its own but a page on its national body's site
(``ageuk.org.uk/hounslow``). That page is evidence the record is part of the body whose own web
address is the site itself, not that the two records are one organisation: resolution does not merge
them (see :mod:`resolve.scoring`), and :func:`branch_links` links the branch to its parent instead.
The build turns each link into a ``BRANCH_OF`` edge (:func:`branch_result`) with its evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from civicgraph.loaders.base import LoadResult, RecordSink
from civicgraph.resolve.names import KIND_WORDS, name_words

__all__ = ["BRANCH_COLUMNS", "MAX_PAGES_PER_SITE", "branch_links", "branch_result"]

BRANCH_COLUMNS = ["left_id", "left_name", "right_id", "right_name", "score", "method", "status", "evidence"]
#: A site holding more records' pages than this is a host of many bodies' pages, not one body's site.
MAX_PAGES_PER_SITE = 200


def branch_links(entities: pd.DataFrame, organisation: Callable[[str], str] = str, *,
                 places: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Links from a branch to its national body found by their web site.

    Two records on one web domain, not one organisation, are a branch and its parent when

    the parent's name names no place, its words are all in the branch's name, and

    - the branch's web address is a page within the site and the parent's the site itself
      (``ageuk.org.uk/hounslow`` / ``ageuk.org.uk``); or
    - both give the site itself and the branch's name adds a place
      ("Home-Start East Staffordshire" / "Home-Start UK" on home-start.org.uk).

    A record of a place on the body's site ("Emmaus Leeds") is a branch, not the parent of another.

    Parameters
    ----------
    entities : DataFrame
        From :func:`civicgraph.resolve.entities.entity_records` (``id``, ``label``, ``names``,
        ``domain``, ``page``).
    organisation : callable
        Each identifier's organisation after resolution (official and merged links); records of one
        organisation are not linked to each other. By default each identifier is its own.
    places : frozenset of str
        Place words (:func:`civicgraph.resolve.names.place_words`).

    Returns
    -------
    DataFrame
        In the columns of resolution's links (:data:`BRANCH_COLUMNS`): ``left_id`` the branch,
        ``right_id`` the parent, ``method`` ``web-domain``, ``status`` ``branch``, ``score`` empty and
        ``evidence`` in plain words.

    Examples
    --------
    >>> entities = pd.DataFrame({"id": ["GB-CHC-1128267", "LOCAL-HNS-age-uk-hounslow"],
    ...                          "label": ["Age UK", "Age UK Hounslow"],
    ...                          "names": [("age uk",), ("age uk hounslow",)],
    ...                          "domain": ["ageuk.org.uk", "ageuk.org.uk"], "page": [False, True]})
    >>> branch_links(entities)[["left_id", "right_id", "status"]].values.tolist()
    [['LOCAL-HNS-age-uk-hounslow', 'GB-CHC-1128267', 'branch']]
    """
    if entities.empty or "page" not in entities:
        return pd.DataFrame(columns=BRANCH_COLUMNS)
    sited = entities[entities["domain"].notna()]
    sited = sited[sited["domain"].duplicated(keep=False)]
    rows = []
    for domain, group in sited.groupby("domain", sort=True):
        pages, sites = group[group["page"].astype(bool)], group[~group["page"].astype(bool)]
        if sites.empty or len(group) > MAX_PAGES_PER_SITE:
            continue
        candidates = [(branch, parent) for branch in pages.itertuples(index=False)
                      for parent in sites.itertuples(index=False)]
        candidates += [(branch, parent) for branch in sites.itertuples(index=False)
                       for parent in sites.itertuples(index=False) if branch.id != parent.id]
        for branch, parent in candidates:
            if organisation(branch.id) == organisation(parent.id):
                continue
            reason = _branch_reason(branch, parent, places)
            if reason:
                rows.append({"left_id": branch.id, "left_name": branch.label, "right_id": parent.id,
                             "right_name": parent.label, "score": None, "method": "web-domain", "status": "branch",
                             "evidence": f"{reason} on {domain}: a branch or part of '{parent.label}', linked, "
                                         "not merged"})
    return pd.DataFrame(rows, columns=BRANCH_COLUMNS)


def _branch_reason(branch: object, parent: object, places: frozenset[str]) -> str | None:
    """Why ``branch`` is a branch of ``parent`` (two records on one web domain), or None: the parent's
    name names no place and its words are all in the branch's name."""
    branch_words, parent_words = _words(branch.names), _words(parent.names)
    if not parent_words or parent_words & places or not parent_words <= branch_words:
        return None
    shared, extra = ", ".join(sorted(parent_words)), branch_words - parent_words
    if branch.page and not parent.page:
        return f"'{branch.label}' has a page on the site of '{parent.label}' and takes its name ({shared})"
    if not branch.page and not parent.page and extra & places:
        return (f"'{branch.label}' is the name of '{parent.label}' and a place ({', '.join(sorted(extra & places))}), "
                "and both give the same site")
    return None


def _words(names: tuple[str, ...]) -> set[str]:
    """The words of a record's names that can tell bodies apart (no joining or kind words)."""
    return {word for name in names for word in name_words(name) if word not in KIND_WORDS and word != "the"}


def branch_result(links: pd.DataFrame) -> LoadResult:
    """The ``BRANCH_OF`` edges (branch -> parent) of resolution's ``branch`` links, each with its
    evidence, as one more source for the graph.

    Examples
    --------
    >>> links = pd.DataFrame({"left_id": ["LOCAL-HNS-a"], "right_id": ["GB-CHC-1"], "status": ["branch"],
    ...                       "evidence": ["a page on the parent's site"]})
    >>> branch_result(links).edges[["source", "target", "relation"]].values.tolist()
    [['LOCAL-HNS-a', 'GB-CHC-1', 'BRANCH_OF']]
    """
    sink = RecordSink("resolution", Path("matches.csv"))
    branches = links[links["status"] == "branch"]
    for number, row in enumerate(branches.itertuples(index=False)):
        sink.edge(row.left_id, row.right_id, "BRANCH_OF",
                  sink.provenance(f"branch {number + 1}", "", "inferred by entity resolution"), enrich_only=True, evidence=row.evidence)
    return sink.result()
