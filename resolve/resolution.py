"""Entity resolution: which identifiers from different sources are one organisation.

1. *Official* links come first and are never undone: identifiers a source declares to be one
   organisation (a register's company number, the charity-company lookup, a grant recipient's
   charity number). They are applied by :func:`graph.assemble.assemble_graph` from ``other_ids``.
2. *Inferred* links come from comparing names, postcodes and web domains
   (:mod:`resolve.blocking`, :mod:`resolve.scoring`). A pair scoring at least ``accept`` is merged;
   one between ``review`` and ``accept`` waits in the review file for a person.
3. A person's decisions in the review file win: ``accept`` merges whatever the score, ``reject``
   keeps the two apart on every rebuild.
4. No inferred link may join two different registered organisations (two charity numbers, two
   company numbers) or two identifiers a person rejected; such a link is *held* for review. A
   record about as like two registered organisations of one register (within :data:`AMBIGUITY`)
   is merged with neither: both links wait for review.
5. Two records that only one source gives are not compared: a source is trusted not to list one
   organisation under two identifiers (the register of mergers lists three Hounslow Evangelical
   Church charities that are three bodies).
6. A record whose web address is a page on another record's site (``ageuk.org.uk/hounslow``) is
   linked to it as a branch (status ``branch``, a ``BRANCH_OF`` edge), not merged
   (:mod:`resolve.branches`).

Every link, merged or not, is reported with its score, method and evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from networkx.utils import UnionFind
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from civicgraph.core.beside import Beside, run_here
from civicgraph.core.bulk import collector_paused
from civicgraph.core.columns import present_mask
from civicgraph.core.identifiers import scheme_of, schemes_of
from civicgraph.loaders.base import LoadResult
from civicgraph.resolve.blocking import CHUNK_PAIRS, MAX_BLOCK, Blocks
from civicgraph.resolve.branches import branch_links
from civicgraph.resolve.entities import entity_records
from civicgraph.resolve.names import forget_names
from civicgraph.resolve.review import (
    REVIEW_COLUMNS,
    decisions,
    for_and_against,
    pair_key,
    read_review_file,
    updated_review,
)
from civicgraph.resolve.scoring import EntityCodes, NameTable, score_pairs

#: Scores this close to two registered organisations make a record ambiguous.
AMBIGUITY = 0.05
LINK_COLUMNS = ["left_id", "left_name", "right_id", "right_name", "score", "method", "status", "evidence"]


@dataclass(frozen=True)
class ResolutionSettings:
    """Thresholds and the review file (``[resolution]`` in a build configuration).

    Attributes
    ----------
    accept : float
        Pairs scoring at least this are merged without review.
    review : float
        Pairs scoring at least this (and below ``accept``) go to the review file.
    review_file : Path or None
        Where decisions are kept; None keeps no decisions.
    max_block : int
        Largest blocking group compared (see :mod:`resolve.blocking`).
    chunk_pairs : int
        About how many candidate pairs are made and scored at a time (memory; chunks beyond the
        first are shared with a helper process).
    enabled : bool
        False applies official links only.
    """

    accept: float = 0.9
    review: float = 0.75
    review_file: Path | None = None
    max_block: int = MAX_BLOCK
    chunk_pairs: int = CHUNK_PAIRS
    enabled: bool = True


@dataclass
class Resolution:
    """The outcome of resolution.

    Attributes
    ----------
    links : DataFrame
        Every pair considered, in :data:`LINK_COLUMNS`. ``method``: ``exact-name``,
        ``probabilistic`` or ``reviewed``; ``status``: ``merged``, ``review`` (awaiting a person),
        ``held`` (would join two registered organisations or a rejected pair), ``rejected``.
    review : DataFrame
        The review file's new content (decided rows kept, pending pairs added).
    """

    links: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LINK_COLUMNS))
    review: pd.DataFrame = field(default_factory=pd.DataFrame)

    def merged_pairs(self) -> list[tuple[str, str]]:
        """Pairs of identifiers to merge, for :func:`graph.assemble.assemble_graph`."""
        merged = self.links[self.links["status"] == "merged"]
        return list(zip(merged["left_id"], merged["right_id"]))


class OfficialClusters:
    """Identifiers a source declared to be one organisation: each one's cluster (named by a member)
    and each cluster's members. Identifiers in no declaration are clusters of their own."""

    def __init__(self, roots: dict[str, str]) -> None:
        self._roots = roots
        self._members: dict[str, set[str]] = {}
        for identifier, root in roots.items():
            self._members.setdefault(root, set()).add(identifier)

    def __getitem__(self, identifier: str) -> str:
        return self._roots.get(identifier, identifier)

    def members(self, root: str) -> set[str]:
        """The identifiers of the cluster named ``root``."""
        return set(self._members.get(root, {root}))

    def roots(self, identifiers: pd.Series) -> np.ndarray:
        """The cluster of each identifier of a column."""
        values = identifiers.astype(object).to_numpy()
        mapped = identifiers.astype(object).map(self._roots).to_numpy(dtype=object)
        return np.where(pd.isna(mapped), values, mapped)


def official_clusters(results: Iterable[LoadResult]) -> OfficialClusters:
    """Identifiers joined by the sources themselves (a node's ``other_ids``).

    Examples
    --------
    >>> from civicgraph.loaders.base import RecordSink
    >>> sink = RecordSink("demo", Path("r.csv"))
    >>> sink.node("GB-CHC-1", "Charity", sink.provenance("row 2", "", "OGL-UK-3.0"), other_ids=["GB-COH-01"])
    >>> clusters = official_clusters([sink.result()])
    >>> clusters["GB-CHC-1"] == clusters["GB-COH-01"], clusters["GB-CHC-2"]
    (True, 'GB-CHC-2')
    """
    owners, others = [], []
    for result in results:
        if "other_ids" not in result.nodes:
            continue
        lists = result.nodes["other_ids"].to_numpy(dtype=object)
        rows = np.flatnonzero(present_mask(result.nodes["other_ids"]))
        rows = rows[np.fromiter((isinstance(lists[i], list) for i in rows), bool, len(rows))]
        counts = np.array([len(lists[i]) for i in rows], dtype=np.int64)
        owners.append(np.repeat(result.nodes["id"].to_numpy(dtype=object)[rows], counts))
        others.append(np.array([other for i in rows for other in lists[i]], dtype=object))
    if not owners or not sum(map(len, owners)):
        return OfficialClusters({})
    codes, ids = pd.factorize(np.concatenate([np.concatenate(owners), np.concatenate(others)]))
    half = len(codes) // 2
    graph = coo_matrix((np.ones(half, dtype=np.int8), (codes[:half], codes[half:])), shape=(len(ids), len(ids)))
    labels = connected_components(graph, directed=False)[1]
    first = pd.Series(np.arange(len(ids))).groupby(labels).transform("min").to_numpy()
    ids = np.asarray(ids, dtype=object)
    return OfficialClusters(dict(zip(ids.tolist(), ids[first].tolist())))


class _Merger:
    """Union of official clusters under inferred links, refusing links that break a constraint."""

    def __init__(self, official: OfficialClusters, rejected: set[tuple[str, str]]) -> None:
        self._official = official
        self._inferred = UnionFind()
        self._members: dict[str, set[str]] = {}
        self._rejected = rejected

    def _root(self, identifier: str) -> str:
        root = self._inferred[self._official[identifier]]
        if root not in self._members:
            self._members[root] = self._official.members(root)
        return root

    def obstacle(self, a: str, b: str) -> str | None:
        """Why ``a`` and ``b`` may not be joined, or None."""
        ra, rb = self._root(a), self._root(b)
        if ra == rb:
            return None
        left, right = sorted(self._members[ra]), sorted(self._members[rb])  # sorted: the same evidence every build
        schemes = {scheme_of(i): i for i in reversed(left) if scheme_of(i)}
        for identifier in right:
            other = schemes.get(scheme_of(identifier)) if scheme_of(identifier) else None
            if other and other != identifier:
                return f"would join two registered organisations ({other} / {identifier})"
        for x in left:
            for y in right:
                if pair_key(x, y) in self._rejected:
                    return f"would join {x} and {y}, which a reviewer rejected"
        return None

    def organisation(self, identifier: str) -> str:
        """The identifier standing for the organisation ``identifier`` now belongs to."""
        return self._root(identifier)

    def join(self, a: str, b: str) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra == rb:
            return
        members = self._members.pop(ra) | self._members.pop(rb)
        self._inferred.union(ra, rb)
        self._members[self._inferred[ra]] = members


@collector_paused()
def resolve_entities(results: list[LoadResult], settings: ResolutionSettings = ResolutionSettings(), *,
                     places: frozenset[str] = frozenset(), beside: Beside | None = None) -> Resolution:
    """Find the identifiers that are one organisation, applying the review file's decisions.

    Parameters
    ----------
    results : list of LoadResult
        Everything the loaders returned.
    settings : ResolutionSettings
        Thresholds and review file.
    places : frozenset of str
        Words naming places (:func:`resolve.names.place_words`): names differing in a place are
        different branches.
    beside : callable, optional
        Where to score every other chunk of candidate pairs meanwhile (see
        :mod:`civicgraph.core.beside`); by default here, one chunk after another.

    Returns
    -------
    Resolution

    Examples
    --------
    >>> from civicgraph.loaders.base import RecordSink
    >>> register, directory = RecordSink("register", Path("r.csv")), RecordSink("directory", Path("d.csv"))
    >>> register.node("GB-CHC-1084694", "Charity", register.provenance("row 2", "", "OGL-UK-3.0"),
    ...               name="HOUNSLOW P.H.A.B.")
    >>> directory.node("LOCAL-HNS-hounslow-phab", "Organisation", directory.provenance("row 9", "", "CC0-1.0"),
    ...                name="Hounslow PHAB")
    >>> resolve_entities([register.result(), directory.result()]).links[["left_id", "right_id", "method", "status"]].values.tolist()
    [['GB-CHC-1084694', 'LOCAL-HNS-hounslow-phab', 'exact-name', 'merged']]
    """
    previous = read_review_file(settings.review_file)
    decided = decisions(previous)
    official = official_clusters(results)
    entities = entity_records(results) if settings.enabled else entity_records([])
    scored = _score(entities, official, places, settings, beside or run_here)
    forget_names()  # what scoring remembered of a million names is no use to the rest of the build
    links = _candidate_links(scored, entities, decided, settings)
    rejected = {pair for pair, decision in decided.items() if decision == "reject"}
    ambiguous = _ambiguous(links, decided, settings)
    merger = _Merger(official, rejected)
    statuses = []
    for row in links.itertuples(index=False):
        key = pair_key(row.left_id, row.right_id)
        if decided.get(key) == "reject":
            statuses.append(("rejected", row.evidence))
            continue
        if decided.get(key) != "accept" and row.score < settings.accept:
            statuses.append(("review", row.evidence))
            continue
        if key in ambiguous:
            statuses.append(("review", f"{row.evidence}; ambiguous: {ambiguous[key]}"))
            continue
        obstacle = merger.obstacle(row.left_id, row.right_id)
        if obstacle:
            statuses.append(("held", f"{row.evidence}; held: {obstacle}"))
            continue
        merger.join(row.left_id, row.right_id)
        statuses.append(("merged", row.evidence))
    links["status"] = [s for s, _ in statuses]
    links["evidence"] = [e for _, e in statuses]
    branches = branch_links(entities, merger.organisation, places=places)
    if len(branches):
        links = pd.concat([links, branches], ignore_index=True)
    pending = links[links["status"].isin(["review", "held"])].assign(decision="", decided_by="", note="")
    pending["evidence"] = pending["evidence"].map(for_and_against)
    review = updated_review(previous, pending[REVIEW_COLUMNS])
    return Resolution(links[LINK_COLUMNS].reset_index(drop=True), review)


def _ambiguous(links: pd.DataFrame, decided: dict[tuple[str, str], str],
               settings: ResolutionSettings) -> dict[tuple[str, str], str]:
    """Automatic links from one record to two registered organisations of one scheme, scored alike."""
    automatic = links[(links["score"] >= settings.accept) & (links["method"] != "reviewed")]
    sides = pd.DataFrame({"record": np.concatenate([automatic["left_id"], automatic["right_id"]]).astype(object),
                          "other": np.concatenate([automatic["right_id"], automatic["left_id"]]).astype(object),
                          "score": np.concatenate([automatic["score"], automatic["score"]]).astype(float)})
    sides["scheme"] = schemes_of(sides["other"]).to_numpy(dtype=object)
    sides = sides.dropna(subset=["scheme"])
    groups = sides.groupby(["record", "scheme"], sort=False)["score"]
    sides = sides[(groups.transform("size") >= 2).to_numpy()]
    best = sides.groupby(["record", "scheme"], sort=False)["score"].transform("max")
    close = sides[(sides["score"] >= best - AMBIGUITY).to_numpy()]
    close = close[(close.groupby(["record", "scheme"], sort=False)["other"].transform("size") >= 2).to_numpy()]
    rivals = close.groupby(["record", "scheme"], sort=False)["other"].agg(lambda o: sorted(set(o)))
    found: dict[tuple[str, str], str] = {}
    for record, scheme, other in close[["record", "scheme", "other"]].itertuples(index=False):
        key = pair_key(record, other)
        if key not in decided:
            found[key] = f"{record} is as like {', '.join(r for r in rivals[(record, scheme)] if r != other)}"
    return found


@dataclass
class _ChunkScorer:
    """Scores chunks of candidate pairs; made of plain data, so that a helper process may score some
    (only what scoring reads: the entities' codes, not their records, cross to the helper)."""

    blocks: Blocks
    places: frozenset[str]
    floor: float
    names: NameTable
    codes: EntityCodes
    scheme: np.ndarray  # per entity, as integers (-1 where it has none): its register's scheme,
    root: np.ndarray  # its official cluster's root,
    single: np.ndarray  # and its one source, when it has only one

    def __call__(self, chunks: np.ndarray) -> list[pd.DataFrame]:
        found = []
        for number in chunks:
            pairs = self.blocks.pairs(number)
            left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
            same_register = (self.scheme[left] == self.scheme[right]) & (self.scheme[left] >= 0)
            one_source = (self.single[left] == self.single[right]) & (self.single[left] >= 0)
            pairs = pairs[~same_register & (self.root[left] != self.root[right]) & ~one_source]
            found.append(score_pairs(pairs, None, self.places, floor=self.floor, names=self.names, codes=self.codes))
        return found


def _score(entities: pd.DataFrame, official: OfficialClusters, places: frozenset[str],
           settings: ResolutionSettings, beside: Beside) -> pd.DataFrame:
    if entities.empty:
        return pd.DataFrame(columns=["left", "right", "score", "evidence", "exact"])
    # as integers, compared over tens of millions of pairs: -1 where an entity has none
    scheme = pd.factorize(schemes_of(entities["id"]))[0]
    root = pd.factorize(official.roots(entities["id"]))[0]
    single = pd.factorize(entities["sources"].map(lambda s: s[0] if len(s) == 1 else None))[0]
    blocks = Blocks.of(entities, max_block=settings.max_block, chunk_pairs=settings.chunk_pairs)
    names, codes = NameTable.of(blocks.categories), EntityCodes.of(entities)
    score = _ChunkScorer(blocks, places, settings.review, names, codes, scheme, root, single)
    chunks = blocks.chunks
    # chunks are independent: every other one may be scored beside (a second core)
    others = beside(score, chunks[1::2]) if len(chunks) > 1 else (lambda: [])
    scored = [frame for frame in score(chunks[0::2]) + others() if len(frame)]
    if not scored:
        return pd.DataFrame(columns=["left", "right", "score", "evidence", "exact"])
    best = pd.concat(scored, ignore_index=True).sort_values(["score", "exact"], ascending=False, kind="stable")
    return best.drop_duplicates(["left", "right"]).reset_index(drop=True)


def _decided_not_found(pairs: list[tuple[str, str]], scored: pd.DataFrame, ids: np.ndarray, names: np.ndarray
                       ) -> list[dict[str, Any]]:
    """Links for the review file's pairs that matching did not find (scored below the review
    threshold, or never compared), where both identifiers are organisations of this build; only the
    scored pairs between identifiers in ``pairs`` are looked at."""
    if not pairs:
        return []
    wanted = pd.Series(ids).isin({i for pair in pairs for i in pair}).to_numpy(dtype=bool)
    known = dict(zip(ids[wanted], names[wanted]))
    left, right = scored["left"].to_numpy(dtype=np.int64), scored["right"].to_numpy(dtype=np.int64)
    rows = np.flatnonzero(wanted[left] & wanted[right])
    scored_pairs = {pair_key(ids[a], ids[b]): (s, e) for a, b, s, e in zip(
        left[rows], right[rows], scored["score"].to_numpy()[rows], scored["evidence"].to_numpy()[rows])}
    extra = []
    for a, b in pairs:
        if a in known and b in known:
            score, evidence = scored_pairs.get((a, b), (0.0, "not found by matching"))
            extra.append({"left_id": a, "left_name": known[a], "right_id": b, "right_name": known[b],
                          "score": float(score), "method": "reviewed", "evidence": evidence})
    return extra


def _candidate_links(scored: pd.DataFrame, entities: pd.DataFrame, decided: dict[tuple[str, str], str],
                     settings: ResolutionSettings) -> pd.DataFrame:
    ids, names = entities["id"].to_numpy(), entities["label"].to_numpy()
    kept = scored[scored["score"] >= settings.review]
    frame = pd.DataFrame({
        "left_id": ids[kept["left"].to_numpy(dtype=int)], "left_name": names[kept["left"].to_numpy(dtype=int)],
        "right_id": ids[kept["right"].to_numpy(dtype=int)], "right_name": names[kept["right"].to_numpy(dtype=int)],
        "score": kept["score"].to_numpy(dtype=float),
        "method": ["exact-name" if e else "probabilistic" for e in kept["exact"]],
        "evidence": kept["evidence"].to_numpy(dtype=object)})
    swap = frame["left_id"] > frame["right_id"]
    frame.loc[swap, ["left_id", "left_name", "right_id", "right_name"]] = \
        frame.loc[swap, ["right_id", "right_name", "left_id", "left_name"]].to_numpy()
    found = set(zip(frame["left_id"], frame["right_id"]))  # each pair in key order, as swapped
    extra = _decided_not_found([pair for pair in decided if pair not in found], scored, ids, names)
    frame = pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True)
    accepts = {pair for pair, decision in decided.items() if decision == "accept"}
    accepted = [pair_key(a, b) in accepts for a, b in zip(frame["left_id"], frame["right_id"])] if accepts \
        else [False] * len(frame)
    frame.loc[accepted, "method"] = "reviewed"
    frame["human"] = accepted
    frame = frame.sort_values(["human", "score", "left_id", "right_id"], ascending=[False, False, True, True],
                              kind="stable").drop(columns="human")
    return frame.reset_index(drop=True)
