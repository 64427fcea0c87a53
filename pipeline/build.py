"""Build a borough's graph: run the configured loaders, merge, locate, validate, save atomically.

``build_graph`` returns the graph in memory; ``build_to_folder`` also writes it, with its rejection
report, the entity-resolution links (``matches.csv``) and a manifest of the sources read (paths and
SHA-256), to a folder that is replaced only when everything has succeeded; only then is the review
file of entity resolution updated.

The flow is ``loaders -> resolve -> graph``: every loader runs, entity resolution decides which
identifiers are one organisation, then the frames are merged into one graph.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from civicgraph.analysis.placement import placement_by_source, placement_coverage
from civicgraph.core.atomic import check_replaceable
from civicgraph.core.beside import Beside
from civicgraph.core.bulk import collector_paused
from civicgraph.core.cells import write_csv
from civicgraph.core.errors import ConfigError, GraphValidationError, SourceFormatError
from civicgraph.core.hashing import sha256_of
from civicgraph.core.progress import StepBar
from civicgraph.graph.assemble import assemble_frames
from civicgraph.graph.frames import GraphFrames, frames_to_graph
from civicgraph.graph.shapes import VIOLATION_COLUMNS, shape_violations, without_violations
from civicgraph.graph.store import atomic_directory, write_frames
from civicgraph.loaders.base import REJECTION_COLUMNS, LoadContext, LoadResult, RecordSink
from civicgraph.loaders.limits import Limits, current_limits, limits_in_force
from civicgraph.loaders.personal_data import redact_contacts
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.loaders.registry import get_loader
from civicgraph.pipeline.authorities import authority_table
from civicgraph.pipeline.candidates import mark_register_candidates, register_extracts
from civicgraph.pipeline.classify import CLASS_RULES_FILE, classify_organisations, read_class_rules
from civicgraph.pipeline.config import BuildConfig, pseudonym_key_from_environment
from civicgraph.pipeline.helpers import (
    edge_merge_helper,
    large_blocks_mapped,
    loading_helper,
    release_freed_memory,
    scoring_helper,
)
from civicgraph.pipeline.locate import locate_by_postcode, mark_places
from civicgraph.pipeline.population import estimate_population
from civicgraph.pipeline.wards import POSTCODE_WARDS_SOURCE, use_postcode_wards
from civicgraph.resolve.branches import branch_result
from civicgraph.resolve.declared import screen_declared_ids
from civicgraph.resolve.names import place_words
from civicgraph.resolve.resolution import Resolution, resolve_entities
from civicgraph.resolve.review import write_review_file

#: Loaders whose output the others need (to place organisations); they run first.
GEOGRAPHY_LOADERS = ("ons-lookup", "ons-postcodes")


@dataclass
class BuildOutcome:
    """A built graph and what the build reports about it.

    Attributes
    ----------
    frames : GraphFrames
        The graph as tables (what is saved); ``graph`` is the networkx graph made from them.
    sources : list of dict
        One per configured source, in configuration order: ``loader``, ``path``, ``filter`` and
        the counts of nodes, edges and rejected rows it gave.
    rejections : DataFrame
        Every row not loaded, from every source, with file, row, field, value and reason.
    violations : DataFrame
        Values that broke the ontology's shapes (:data:`civicgraph.graph.shapes.VIOLATION_COLUMNS`), each also
        a rejected row; empty when the graph conforms or validation is off.
    resolution : Resolution
        Entity resolution's links and the updated review table.
    warnings : list of str
        Problems the user should see (a source that kept nothing, a column that looks wrong, places
        that do not meet); also in the graph's ``warnings`` attribute, hence ``summary.json``.
    """

    frames: GraphFrames
    sources: list[dict[str, Any]]
    rejections: pd.DataFrame
    violations: pd.DataFrame = field(default_factory=pd.DataFrame)
    resolution: Resolution = field(default_factory=Resolution)
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx graph of :attr:`frames` (made once, when first asked for)."""
        return frames_to_graph(self.frames)


def authority_result(config: BuildConfig, places: PlaceIndex) -> LoadResult:
    """The council itself, from the configuration, located in its area when the area is known.

    Examples
    --------
    >>> from civicgraph.pipeline.config import read_config
    >>> authority_result(read_config("config/hounslow.toml"), PlaceIndex()).nodes["id"].tolist()
    ['GB-LAE-HNS']
    """
    sink = RecordSink("config", config.path)
    if config.context().national:  # a country has no council node
        return sink.result()
    prov = sink.provenance("[authority]", "", "CC0-1.0")
    sink.node(config.authority_id, "Council", prov, name=config.authority_name, gss_code=config.authority_gss,
              scale="local")
    area = places.place_of_code(config.authority_gss)
    if area:
        sink.edge(config.authority_id, area, "LOCATED_IN", prov)
    return sink.result()


@collector_paused()
def run_loaders(config: BuildConfig, *, pseudonym_key: bytes | None = None, progress: bool = True
                ) -> tuple[list[LoadResult], PlaceIndex]:
    """Run every configured loader, geography first, and index the authority's places.

    Geography comes first because the others locate what they read with it. Large builds then
    share the other loaders between this process and a helper process, the files split by size.

    Returns
    -------
    results : list of LoadResult
        In configuration order.
    places : PlaceIndex
    """
    context = config.context(pseudonym_key)
    geography = [i for i, s in enumerate(config.sources) if s.loader in GEOGRAPHY_LOADERS]
    others = [i for i, s in enumerate(config.sources) if s.loader not in GEOGRAPHY_LOADERS]
    bar = StepBar(len(config.sources), "loading sources", enabled=progress)
    results = _load(config, geography, context, bar)
    if config.wards == "postcodes":
        chosen = use_postcode_wards([results[j] for j in geography], config.authority_gss,
                                    date=_postcode_date(config, wards=True))
        results.update(zip(geography, chosen))
    places = PlaceIndex.from_results([results[j] for j in geography])
    context = replace(context, places=places)
    mine, helpers, beside = _share(config, others)
    later = beside(_load_within, current_limits(), config, helpers, context) if beside else dict
    results.update(_load(config, mine, context, bar))
    if helpers:
        with bar.step(f"{len(helpers)} more in a helper process"):
            results.update(later())
        bar.advance(len(helpers) - 1)
    bar.close()
    return [results[i] for i in range(len(config.sources))], places


def _load(config: BuildConfig, indices: list[int], context: LoadContext, bar: StepBar | None
          ) -> dict[int, LoadResult]:
    """Run the loaders of the sources at ``indices``."""
    results = {}
    for i in indices:
        source = config.sources[i]
        with bar.step(f"{source.loader}: {source.path.name}") if bar is not None else nullcontext():
            try:
                results[i] = get_loader(source.loader).load(source.path, context, **source.options)
            except TypeError as error:
                raise ConfigError(f"{config.path.name}: [[source]] {source.path.name}: {error}") from None
            if not config.keep_contacts:
                results[i] = redact_contacts(results[i])
    return results


def _load_within(limits: Limits, config: BuildConfig, indices: list[int], context: LoadContext
                 ) -> dict[int, LoadResult]:
    """:func:`_load` within ``limits`` (a helper process has its own, the defaults, until told)."""
    with limits_in_force(limits):
        return _load(config, indices, context, None)


def _share(config: BuildConfig, indices: list[int]) -> tuple[list[int], list[int], Beside | None]:
    """Sources this process loads, those a helper loads and the helper: the largest file here, the
    others there while they are no larger in all, and everything here when the sources are small."""
    sizes = {i: _bytes(config.sources[i].path) for i in indices}
    beside = loading_helper(sum(sizes.values()), len(indices))
    if beside is None:
        return indices, [], None
    mine, helpers, load = [], [], [0, 0]
    for i in sorted(indices, key=lambda i: -sizes[i]):
        side = 0 if load[0] <= load[1] else 1
        (mine, helpers)[side].append(i)
        load[side] += sizes[i]
    return sorted(mine), sorted(helpers), beside


def _bytes(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


@collector_paused()
def build_graph(config: BuildConfig, *, pseudonym_key: bytes | None = None, progress: bool = True) -> BuildOutcome:
    """Build the graph a configuration describes, in memory.

    Between its stages the build hands what it has freed back to the system, and during the merge
    it has large blocks mapped on their own (:mod:`pipeline.memory`).

    Parameters
    ----------
    config : BuildConfig
        From :func:`pipeline.config.read_config`.
    pseudonym_key : bytes, optional
        Key for pseudonymising people; defaults to ``$CIVICGRAPH_PSEUDONYM_KEY``.
    progress : bool
        Show progress bars.

    Returns
    -------
    BuildOutcome

    Raises
    ------
    SourceFormatError
        A source that cannot be read at all (the message names the file, row and field), or, with
        ``strict``, any rejected row.
    GraphValidationError
        With ``validate`` and ``strict``, a value breaks the ontology's shapes (the message names
        the file, row, field and reason). Without ``strict``, each such value is left out of the
        graph and reported among the rejections, and the build goes on.

    Examples
    --------
    >>> from civicgraph.pipeline.config import read_config
    >>> outcome = build_graph(read_config("config/hounslow.toml"), progress=False)
    >>> outcome.graph.nodes["GB-LAE-HNS"]["kind"]
    'Council'
    """
    key = pseudonym_key if pseudonym_key is not None else pseudonym_key_from_environment()
    check_review_file(config)
    with limits_in_force(config.limits):
        results, places = run_loaders(config, pseudonym_key=key, progress=progress)
    check_boundaries(places)
    release_freed_memory()
    results = [authority_result(config, places), *map(screen_declared_ids, results)]
    sources = [{"loader": r.loader, "path": str(r.path), "filter": r.filter_applied, "nodes": len(r.nodes),
                "edges": len(r.edges), "rejected": rejected_rows(r.rejections)} for r in results[1:]]
    with StepBar(4 if config.validate else 3, "building", enabled=progress) as bar:
        with bar.step("resolving entities"):
            resolution = resolve_entities(results, config.resolution, places=source_place_words(results),
                                          beside=scoring_helper(results))
        warnings = source_warnings(results[1:])
        datasets = {d for r in results[1:] if "prov_dataset" in r.nodes for d in r.nodes["prov_dataset"].unique()}
        attributes = {"authority_name": config.authority_name, "authority_gss": config.authority_gss,
                      "authority_id": config.authority_id, "built": datetime.now(UTC).isoformat(timespec="seconds"),
                      "data_dates": _data_dates(results), "warnings": warnings,
                      "registers": register_extracts(results),
                      "ward_source": POSTCODE_WARDS_SOURCE if config.wards == "postcodes" else ""}
        results.append(branch_result(resolution.links))  # BRANCH_OF: a branch's page on its national body's site
        source_rejections = [r.rejections for r in results]
        edge_helper = edge_merge_helper(results, wanted=config.parallel_merge)
        release_freed_memory()  # what resolution freed, before the merge needs as much again
        with large_blocks_mapped(), bar.step("merging"):  # the merge's only: resolution's chunks would be slower
            frames, dangling = assemble_frames(handed_over(results), matches=resolution.merged_pairs(),
                                               attributes=attributes, between_halves=release_freed_memory,
                                               beside=edge_helper)
            release_freed_memory()
        with bar.step("placing and classifying"):
            lookup_date = _postcode_date(config)
            frames, _ = locate_by_postcode(frames, places, lookup_date=lookup_date)
            frames = mark_places(frames, places, config.authority_gss, lookup_date=lookup_date)
            frames = estimate_population(frames, places, config.authority_gss)
            frames = classify_organisations(frames, read_class_rules(*config.classification_rules, CLASS_RULES_FILE))
            frames = mark_register_candidates(frames, resolution.review)
            frames.attributes["placement"] = placement_coverage(frames)  # for summaries read without attributes
            warnings += placement_warnings(frames, config.min_placed_share, sources=datasets)
            frames.attributes["warnings"] = warnings
        release_freed_memory()
        rejections = pd.concat([*source_rejections, dangling], ignore_index=True)
        rejections = rejections if len(rejections) else pd.DataFrame(columns=REJECTION_COLUMNS)
        if config.strict and len(rejections):
            first = rejections.iloc[0]
            raise SourceFormatError(
                f"{Path(str(first['file'])).name} {first['row']}, field {first['field']}: {first['reason']} "
                f"({rejected_rows(rejections)} rejected rows; strict build stopped)")
        violations = pd.DataFrame(columns=VIOLATION_COLUMNS)
        if config.validate:
            with bar.step("checking shapes"):
                frames, violations, rejections = _apply_shapes(frames, rejections, strict=config.strict)
    return BuildOutcome(frames, sources, rejections, violations=violations, resolution=resolution,
                        warnings=warnings)


def handed_over[Item](items: list[Item]) -> Iterator[Item]:
    """Each of ``items``, taken out of the list as it is given: a caller hands over a list of its
    own, so that the function it calls holds the only reference to each item once it has taken it
    (the merge then frees a source's columns as it merges them).

    Examples
    --------
    >>> mine = ["register", "grants"]
    >>> list(handed_over(mine)), mine
    (['register', 'grants'], [])
    """
    while items:
        yield items.pop(0)


def _postcode_date(config: BuildConfig, *, wards: bool = False) -> str:
    """The configured date of the first postcode directory (with ``wards``, of the first that reads
    a ward column: Code-Point Open's headers file names one)."""
    directories = [s for s in config.sources if s.loader == "ons-postcodes"]
    if wards:
        directories = [s for s in directories if s.options.get("headers")] or directories
    return str(directories[0].options.get("date", "")) if directories else ""


def rejected_rows(rejections: pd.DataFrame) -> int:
    """How many rows were rejected: a row rejected for several reasons counts once.

    Examples
    --------
    >>> rejected_rows(pd.DataFrame({"file": ["g.csv", "g.csv", "g.csv"], "row": ["row 2", "row 2", "row 3"]}))
    2
    """
    return len(rejections[["file", "row"]].drop_duplicates()) if len(rejections) else 0


def _apply_shapes(frames: GraphFrames, rejections: pd.DataFrame, *, strict: bool
                  ) -> tuple[GraphFrames, pd.DataFrame, pd.DataFrame]:
    """Check the graph against the ontology's shapes (:func:`graph.shapes.shape_violations`): with
    ``strict``, the first violation stops the build; otherwise each is a rejected row (file, row,
    field, reason) and the value that broke the shape is left out."""
    violations = shape_violations(frames)
    if violations.empty:
        return frames, violations, rejections
    if strict:
        first = violations.iloc[0]
        raise GraphValidationError(
            f"{str(first['file']).split(':', 1)[-1]} {first['row']}, field {first['field']}: {first['reason']} "
            f"({first['shape']}; {len(violations)} shape violation(s); strict build stopped)")
    broken = pd.DataFrame({"file": violations["file"].map(lambda d: str(d).split(":", 1)[-1]),
                           "row": violations["row"], "field": violations["field"], "value": violations["value"],
                           "reason": violations["shape"] + ": " + violations["reason"]
                           + violations["value"].notna().map({True: " (value not loaded)", False: ""})},
                          columns=REJECTION_COLUMNS)
    return without_violations(frames, violations), violations, pd.concat([rejections, broken], ignore_index=True)


def source_warnings(results: list[LoadResult]) -> list[str]:
    """What each source's loader warned of, and every source that kept nothing at all.

    Examples
    --------
    >>> empty = RecordSink("spend", Path("payments.csv")).result("the file is GB-LAE-MAN's own: 0 rows")
    >>> source_warnings([empty])
    ["payments.csv (spend): kept 0 rows (the file is GB-LAE-MAN's own: 0 rows)"]
    """
    found = []
    for result in results:
        found += result.warnings
        if result.nodes.empty and result.edges.empty and not any(len(t) for t in result.lookups.values()):
            why = f", {len(result.rejections):,} rejected (see rejections.csv)" if len(result.rejections) else ""
            found.append(f"{result.path.name} ({result.loader}): kept 0 rows{why}"
                         + (f" ({result.filter_applied})" if result.filter_applied else ""))
    return found


def placement_warnings(frames: GraphFrames, least: float, *, sources: Collection[str] | None = None) -> list[str]:
    """A warning for each source that placed less than ``least`` (a share) of what it could place:
    the organisations, buildings, land and grants it gave with a postcode, against those that ended
    in a ward or known to be outside the authority (:func:`analysis.placement.placement_by_source`).
    ``sources`` limits the warnings to those datasets (the configured files, not the build's own
    additions such as the classification rules); by default, every dataset.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["a", "b"], "kind": ["Charity", "Charity"], "postcode": ["M1 1AA", "M1 1AB"]})
    >>> sources = pd.DataFrame({"node": [0, 1], "dataset": ["ccew:charities.csv"] * 2})
    >>> frames = GraphFrames(nodes, sources, pd.DataFrame(columns=["source", "target", "relation"]),
    ...                      pd.DataFrame(), pd.DataFrame())
    >>> placement_warnings(frames, 0.5)
    ['charities.csv (ccew): placed 0 of the 2 it could place (0%, below the 50% of [build] min_placed_share): their postcodes are not in the postcode directory, or its LSOAs not in the ward lookup']
    """
    found = []
    for row in placement_by_source(frames).itertuples(index=False):
        if row.share < least and (sources is None or row.dataset in sources):
            loader, _, name = str(row.dataset).partition(":")
            found.append(f"{Path(name).name or loader} ({loader}): placed {row.placed:,} of the {row.could_place:,} it "
                         f"could place ({row.share:.0%}, below the {least:.0%} of [build] min_placed_share): their "
                         "postcodes are not in the postcode directory, or its LSOAs not in the ward lookup")
    return found


def check_boundaries(places: PlaceIndex) -> None:
    """Refuse a postcode directory whose LSOAs are not those of the ward lookup (a directory on 2021
    LSOAs against a lookup of 2011 LSOAs would place nothing, silently).

    Raises
    ------
    ConfigError
        Naming both years and what to add.

    Examples
    --------
    >>> check_boundaries(PlaceIndex(lsoa_ward={"E01002555@2011": "W@2017"}, postcode_lsoa={"TW3 1AA": "E01002555@2021"}))
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.ConfigError: the postcode directory's LSOAs are of 2021 and the ward lookup's of 2011: ...
    """
    if not places.postcode_lsoa or not places.lsoa_ward:
        return
    directory = set(places.postcode_lsoa.values())
    if directory & places.lsoa_ward.keys():
        return
    def years(ids: Any) -> str:
        return ", ".join(sorted({i.rpartition("@")[2] for i in ids if "@" in i})) or "unknown"
    raise ConfigError(f"the postcode directory's LSOAs are of {years(directory)} and the ward lookup's of "
                      f"{years(places.lsoa_ward)}: no postcode could be placed in a ward. Give an ons-lookup "
                      "source (LSOA to ward) of the same census year as the directory's LSOAs, or the "
                      "directory's columns of the lookup's year (e.g. lsoa11 beside lsoa21 in the ONSPD)")


def source_place_words(results: list[LoadResult]) -> frozenset[str]:
    """Words naming places: every UK council's name and the names of the places the sources gave
    (entity resolution tells branches apart by them).

    Examples
    --------
    >>> "hounslow" in source_place_words([])
    True
    """
    names = list(authority_table()["name"])
    for result in results:
        if "name" in result.nodes:
            places = result.nodes[result.nodes["kind"].isin(["Ward", "LocalAuthorityArea"])]
            names += [n for n in places["name"] if isinstance(n, str)]
    return place_words(names)


def _data_dates(results: list[LoadResult]) -> dict[str, str]:
    """Latest provenance date of each source dataset (what the data is as of), from the distinct
    pairs of dataset and date (a few thousand among millions of records, taken on their codes)."""
    dates: dict[str, str] = {}
    for result in results:
        for frame in (result.nodes, result.edges):
            if frame.empty:
                continue
            distinct = frame[["prov_dataset", "prov_date"]].drop_duplicates()
            for dataset, date in zip(distinct["prov_dataset"].tolist(), distinct["prov_date"].tolist()):
                if isinstance(dataset, str) and isinstance(date, str) and date[:10]:
                    dates[dataset] = max(dates.get(dataset, ""), date[:10])
    return dict(sorted(dates.items()))


def build_to_folder(config: BuildConfig, folder: str | Path, *, pseudonym_key: bytes | None = None,
                    progress: bool = True) -> BuildOutcome:
    """Build and save to ``folder`` atomically (see :func:`write_build_folder`): a failed build
    leaves the previous one as it was. The review file named in ``[resolution]`` is rewritten after
    the folder is in place.
    """
    check_replaceable(folder)  # before the build, not after minutes of it
    outcome = build_graph(config, pseudonym_key=pseudonym_key, progress=progress)
    with atomic_directory(folder) as staging:
        write_build_folder(config, outcome, staging)
    save_review_file(config, outcome)
    return outcome


def write_build_folder(config: BuildConfig, outcome: BuildOutcome, folder: Path) -> None:
    """Write a build into an existing, empty folder: what ``civicgraph build`` writes, and ``run`` in
    its ``graph`` folder.

    The folder holds the graph tables and manifest (see :mod:`civicgraph.graph.store`),
    ``rejections.csv``, ``matches.csv`` (every pair entity resolution considered, with score,
    method, status and evidence) and the manifest's ``sources``: each file's loader, path, SHA-256
    and counts.
    """
    sources = [{**s, "sha256": sha256_of(Path(s["path"])) if Path(s["path"]).exists() else ""} for s in outcome.sources]
    write_frames(outcome.frames, folder, extra={"config": str(config.path), "sources": sources})
    write_csv(outcome.rejections, folder / "rejections.csv")
    write_csv(outcome.resolution.links, folder / "matches.csv")


def save_review_file(config: BuildConfig, outcome: BuildOutcome) -> bool:
    """After a successful build, keep the review file's decisions and add the pairs awaiting one.

    Returns
    -------
    bool
        Whether the file was written (it is left alone when nothing changed or none is configured).

    Examples
    --------
    >>> import tempfile
    >>> from civicgraph.pipeline.config import read_config
    >>> from civicgraph.resolve.resolution import ResolutionSettings
    >>> review = Path(tempfile.mkdtemp()) / "review.csv"
    >>> config = replace(read_config("config/hounslow.toml"), resolution=ResolutionSettings(review_file=review))
    >>> outcome = build_graph(config, progress=False)
    >>> save_review_file(config, outcome), save_review_file(config, outcome)
    (True, False)
    """
    if not config.resolution.review_file:
        return False
    table = outcome.resolution.review
    path = Path(config.resolution.review_file)
    # a new file records its authority; one written before that column existed is left in its layout
    # (check_review_file judges it by its local identifiers)
    if not path.exists() or REVIEW_AUTHORITY in pd.read_csv(path, nrows=0).columns:
        table = table.assign(**{REVIEW_AUTHORITY: config.authority_gss})
    return write_review_file(table, path)


#: Column of the review file naming the authority (GSS code) whose build wrote it.
REVIEW_AUTHORITY = "authority"


def check_review_file(config: BuildConfig) -> None:
    r"""Refuse a review file written for another authority (a copied configuration that still names
    the first council's file would apply its decisions and overwrite its pending pairs).

    The file's ``authority`` column says whose it is; a file written before that column existed is
    judged by its local identifiers (``LOCAL-HNS-...`` is Hounslow's).

    Raises
    ------
    ConfigError
        Naming the file, whose it is, and what to do.

    Examples
    --------
    >>> import tempfile
    >>> from civicgraph.pipeline.config import read_config
    >>> from civicgraph.resolve.resolution import ResolutionSettings
    >>> review = Path(tempfile.mkdtemp()) / "review.csv"
    >>> _ = review.write_text("left_id,right_id,decision,authority\nGB-CHC-1,LOCAL-HNS-a,,E09000018\n")
    >>> config = replace(read_config("config/hounslow.toml"), resolution=ResolutionSettings(review_file=review))
    >>> check_review_file(config)
    >>> check_review_file(replace(config, authority_gss="E08000003", authority_code="MAN"))
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.ConfigError: review.csv (the [resolution] review_file) is E09000018's, not E08000003's: ...
    """
    path = config.resolution.review_file
    if not path or not Path(path).is_file():
        return
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if REVIEW_AUTHORITY in table and len(table):
        owners = sorted(set(table[REVIEW_AUTHORITY]) - {""})
    else:
        ids = pd.concat([table.get("left_id", pd.Series(dtype=str)), table.get("right_id", pd.Series(dtype=str))])
        codes = ids.str.extract(r"^(?:LOCAL|SUPPLIER|ASSET)-([A-Z]+)-", expand=False).dropna()
        owners = sorted(f"the council coded {code}" for code in set(codes) - {config.authority_code})
    theirs = [owner for owner in owners if owner != config.authority_gss]
    if theirs:
        raise ConfigError(f"{Path(path).name} (the [resolution] review_file) is {', '.join(theirs)}'s, not "
                          f"{config.authority_gss}'s: name a review file of this council's own in "
                          f"{config.path.name} (e.g. review_file = \"{config.authority_code.lower()}_review.csv\")")

