"""The main job: build a borough's graph and write every output to one folder, atomically.

Output folder layout::

    graph/              the graph (Parquet tables + manifest), reloadable with graph.store.load_graph
    rejections.csv      every row not loaded, with file, row, field and reason
    matches.csv         every pair entity resolution considered: score, method, status, evidence
    summary.json        counts by kind, relation and source; data dates
    answers/            the twelve questions: one CSV each, answers.xlsx, answers.md
    maps/               workshop maps, one offline HTML file per preset (and places.html with [maps]
                        boundaries); PNG charts for reports
    cypher/graph.lbug   the embedded Cypher database ('civicgraph serve output/cypher')
    exports/            {code}.ttl, {code}.jsonld, {code}.graphml, {code}.xlsx, csv/nodes.csv + edges.csv
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from cypher.store import write_database
from graph.export import export_graph, summary_json
from graph.store import atomic_directory, write_frames
from loaders.threesixtygiving import grants_by_authority
from pipeline.answers import AnswerInputs, answer_all, write_answers
from pipeline.build import build_graph, save_review_file
from pipeline.config import BuildConfig
from visualise import write_all_maps

EXPORTS = (("turtle", "{code}.ttl"), ("json-ld", "{code}.jsonld"), ("graphml", "{code}.graphml"),
           ("excel", "{code}.xlsx"), ("csv", "csv"))


def run_all(config: BuildConfig, out: str | Path, *, progress: bool = True) -> list[Path]:
    """Build the graph and write the graph, report and exports under ``out``.

    ``out`` is replaced only when everything is written: a failure leaves the previous outputs.

    Returns
    -------
    list of Path
        Every file and folder written, as they are after the swap.
    """
    out = Path(out)
    outcome = build_graph(config, progress=progress)
    graph = outcome.graph
    code = config.authority_code.lower()
    written: list[Path] = []
    with atomic_directory(out) as staging:
        (staging / "graph").mkdir()
        write_frames(outcome.frames, staging / "graph", extra={"config": str(config.path)})
        outcome.rejections.to_csv(staging / "rejections.csv", index=False)
        outcome.resolution.links.to_csv(staging / "matches.csv", index=False)
        (staging / "summary.json").write_text(summary_json(outcome.frames) + "\n")
        written += [Path("graph"), Path("rejections.csv"), Path("matches.csv"), Path("summary.json")]
        comparison = None
        if config.comparison_grants:
            comparison = pd.concat([grants_by_authority(p) for p in config.comparison_grants], ignore_index=True)
        answers = answer_all(graph, AnswerInputs(comparison, tuple(config.peers)))
        for path in write_answers(answers, staging / "answers", title=config.authority_name):
            written.append(path.relative_to(staging))
        for path in write_all_maps(graph, staging / "maps", boundaries=config.map_boundaries):
            written.append(path.relative_to(staging))
        written.append(write_database(graph, staging / "cypher").relative_to(staging))
        for fmt, name in tqdm(EXPORTS, desc="exports", unit="format", disable=not progress):
            for path in export_graph(graph, fmt, staging / "exports" / name.format(code=code)):
                written.append(path.relative_to(staging))
    save_review_file(config, outcome)
    return [out / p for p in written]
