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


def branch_links(entities: pd.DataFrame, organisation: Callable[[str], str] = str) -> pd.DataFrame:
    """Links from a record whose web address is a page within a site to the record whose web address
    is that site itself, when their names share a word.

    Parameters
    ----------
    entities : DataFrame
        From :func:`civicgraph.resolve.entities.entity_records` (``id``, ``label``, ``names``,
        ``domain``, ``page``).
    organisation : callable
        Each identifier's organisation after resolution (official and merged links); records of one
        organisation are not linked to each other. By default each identifier is its own.

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
    paged = set(sited.loc[sited["page"].astype(bool), "domain"])
    sited = sited[sited["domain"].isin(paged)]
    rows = []
    for domain, group in sited.groupby("domain", sort=True):
        pages, sites = group[group["page"].astype(bool)], group[~group["page"].astype(bool)]
        if pages.empty or sites.empty or len(pages) > MAX_PAGES_PER_SITE:
            continue
        for branch in pages.itertuples(index=False):
            branch_words = _words(branch.names)
            for parent in sites.itertuples(index=False):
                if organisation(branch.id) == organisation(parent.id):
                    continue
                shared = branch_words & _words(parent.names)
                if not shared:
                    continue
                rows.append({"left_id": branch.id, "left_name": branch.label, "right_id": parent.id,
                             "right_name": parent.label, "score": None, "method": "web-domain", "status": "branch",
                             "evidence": f"'{branch.label}' has a page on the site of '{parent.label}' ({domain}) and "
                                         f"their names share {', '.join(sorted(shared))}: a branch or part of it, "
                                         "linked, not merged"})
    return pd.DataFrame(rows, columns=BRANCH_COLUMNS)


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
