"""The main job: build a borough's graph and write every output to one folder, atomically.

Output folder layout::

    graph/              the graph (Parquet tables + manifest), reloadable with civicgraph.graph.store.load_graph
    rejections.csv      every row not loaded, with file, row, field and reason
    matches.csv         every pair entity resolution considered: score, method, status, evidence
    summary.json        counts by kind, relation and source; data dates; warnings; outputs that failed
    answers/            the twelve questions: one CSV each with its notes, answers.xlsx, answers.md
    briefs/             a one-page brief per question: Markdown and printable HTML, with charts
    maps/               workshop maps, one offline HTML file per preset (and places.html with [briefs]
                        boundaries); PNG charts for reports
    cypher/graph.lbug   the embedded Cypher database ('civicgraph serve output/cypher')
    exports/            {code}.ttl, {code}.jsonld, {code}.graphml, {code}.xlsx, csv/nodes.csv + edges.csv
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import pandas as pd

from civicgraph.core.atomic import check_replaceable
from civicgraph.core.cells import write_csv
from civicgraph.core.errors import ConfigError
from civicgraph.core.progress import StepBar
from civicgraph.exports.formats import EXPORTS, export_graph, summary_json
from civicgraph.graph.store import atomic_directory
from civicgraph.loaders.limits import limits_in_force
from civicgraph.loaders.threesixtygiving import grants_by_authority
from civicgraph.pipeline.answers import AnswerInputs, answer_all, write_answers
from civicgraph.pipeline.build import build_graph, save_review_file, write_build_folder
from civicgraph.pipeline.config import BuildConfig

#: The export formats a run writes, in order.
RUN_EXPORTS = tuple(f for f in EXPORTS.values() if f.in_run)
#: The outputs a run may be limited to (``--only``) or spared (``--skip``); the graph, rejections,
#: matches and summary are always written.
PARTS = ("answers", "maps", "cypher", "exports")


class RunIncomplete(RuntimeError):
    """Some outputs of a run failed; the others were written. The message names each failure."""


def chosen_parts(only: str | list[str] | None = None, skip: str | list[str] | None = None) -> tuple[str, ...]:
    """The parts of :data:`PARTS` a run writes, from ``--only`` and ``--skip`` (comma-separated).

    Raises
    ------
    ConfigError
        A name that is not a part, listing the valid ones.

    Examples
    --------
    >>> chosen_parts("answers,maps"), chosen_parts(skip="exports")
    (('answers', 'maps'), ('answers', 'maps', 'cypher'))
    """
    def names(value: str | list[str] | None) -> list[str]:
        items = value.split(",") if isinstance(value, str) else list(value or [])
        found = [i.strip() for i in items if i.strip()]
        for name in found:
            if name not in PARTS:
                raise ConfigError(f"{name!r} is not an output of run. Use one of: {', '.join(PARTS)}.")
        return found
    wanted, spared = names(only) or list(PARTS), set(names(skip))
    return tuple(p for p in PARTS if p in wanted and p not in spared)


def run_all(config: BuildConfig, out: str | Path, *, progress: bool = True,
            parts: tuple[str, ...] = PARTS) -> list[Path]:
    """Build the graph and write the graph, report and exports under ``out``.

    ``out`` is replaced only when everything that could be written is: a failure to build leaves
    the previous outputs. A failing output (a map, an export) does not lose the others: the run
    writes the rest, lists what failed in ``summary.json`` under ``failed``, then raises. ``out``
    must be new, empty or a previous output (:func:`core.atomic.check_replaceable`), which is
    checked before the build starts.

    Parameters
    ----------
    parts : tuple of str
        Which of :data:`PARTS` to write (see :func:`chosen_parts`).

    Returns
    -------
    list of Path
        Every file and folder written, as they are after the swap.

    Raises
    ------
    RunIncomplete
        After writing the rest, when some part failed; the message names each.
    """
    out = Path(out)
    check_replaceable(out)  # before the build, not after minutes of it
    outcome = build_graph(config, progress=progress)
    graph = outcome.graph
    code = config.authority_code.lower()
    written: list[Path] = []
    failed: list[str] = []

    def attempt(part: str, write: Callable[[Path], list[Path]], staging: Path) -> None:
        if part not in parts:
            return
        try:
            written.extend(path.relative_to(staging) for path in write(staging))
        except Exception as error:  # noqa: BLE001 - reported below and in summary.json, never swallowed
            message = str(error).splitlines()[0].replace(str(staging), str(out)) if str(error) else ""
            failed.append(f"{part}: {type(error).__name__}: {message}")  # named where the user will look

    # each part imports its heavy library (matplotlib, igraph, pyvis, LadybugDB) only when it runs
    def answers(staging: Path) -> list[Path]:
        from civicgraph.pipeline.briefs import write_briefs

        comparison = None
        if config.comparison_grants:
            with limits_in_force(config.limits):
                comparison = pd.concat([grants_by_authority(p) for p in config.comparison_grants], ignore_index=True)
        answered = answer_all(graph, AnswerInputs(comparison, tuple(config.peers), outcome.rejections,
                                                     rates=config.rates, own_words=config.own_words))
        return [*write_answers(answered, staging / "answers", title=config.authority_name),
                *write_briefs(answered, staging / "briefs", graph, boundaries=config.boundaries)]

    def maps(staging: Path) -> list[Path]:
        from civicgraph.visualise import write_all_maps

        return write_all_maps(graph, staging / "maps", boundaries=config.boundaries)

    def cypher(staging: Path) -> list[Path]:
        from civicgraph.cypher.store import write_database
        from civicgraph.pipeline.helpers import contained_helper

        return [write_database(outcome.frames, staging / "cypher", beside=contained_helper())]

    def exports(staging: Path) -> list[Path]:
        paths = []
        for fmt in RUN_EXPORTS:
            with bar.step(f"exports: {fmt.name}"):
                paths += export_graph(outcome.frames, fmt.name, staging / "exports" / fmt.file_name.format(code=code))
        return paths

    steps = 1 + sum(len(RUN_EXPORTS) if part == "exports" else 1 for part in parts)
    with atomic_directory(out) as staging, StepBar(steps, "writing outputs", enabled=progress) as bar:
        with bar.step("graph tables"):
            (staging / "graph").mkdir()
            write_build_folder(config, outcome, staging / "graph")
            write_csv(outcome.rejections, staging / "rejections.csv")
            write_csv(outcome.resolution.links, staging / "matches.csv")
        written += [Path("graph"), Path("rejections.csv"), Path("matches.csv"), Path("summary.json")]
        with bar.step("answers and briefs") if "answers" in parts else nullcontext():
            attempt("answers", answers, staging)
        with bar.step("maps") if "maps" in parts else nullcontext():
            attempt("maps", maps, staging)
        with bar.step("Cypher database") if "cypher" in parts else nullcontext():
            attempt("cypher", cypher, staging)
        attempt("exports", exports, staging)
        bar.advance(steps - bar.done)  # the formats after one that failed
        summary = json.loads(summary_json(outcome.frames))
        (staging / "summary.json").write_text(json.dumps({**summary, "failed": failed}, indent=2) + "\n")
    save_review_file(config, outcome)
    if failed:
        raise RunIncomplete(f"{len(failed)} output(s) failed, the rest are in {out}: " + "; ".join(failed))
    return [out / p for p in written]
