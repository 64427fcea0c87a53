"""Command line: ``civicgraph build | run | info | export | inspect | template``.

Errors print as one line naming what to fix; ``--verbose`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cypher.guard import StatementRefused
from cypher.neo4j_push import Neo4jPushError
from graph.errors import (
    ConfigError,
    FetchError,
    GraphStoreError,
    GraphValidationError,
    SourceFormatError,
    UnknownLoaderError,
    UnknownTermError,
)

#: Errors a user can act on: shown as one line, not a traceback.
USER_ERRORS = (ConfigError, FetchError, Neo4jPushError, StatementRefused, GraphStoreError, GraphValidationError, SourceFormatError, UnknownLoaderError,
               UnknownTermError, OSError, ValueError, zipfile.BadZipFile)


def _table(title: str, counts: dict[str, int | float | str], *, key: str, value: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(key)
    table.add_column(value, justify="right")
    for name, count in counts.items():
        table.add_row(str(name), f"{count:,}" if isinstance(count, (int, float)) else str(count))
    return table


def command_build(args: argparse.Namespace, console: Console) -> None:
    from pipeline.build import build_to_folder
    from pipeline.config import read_config

    outcome = build_to_folder(read_config(args.config), args.out, progress=not args.quiet)
    nodes, edges = len(outcome.frames.nodes), len(outcome.frames.edges)
    console.print(f"built {nodes:,} nodes and {edges:,} edges into {args.out}; "
                  f"{len(outcome.rejections):,} rejected rows (see {Path(args.out) / 'rejections.csv'})")


def command_run(args: argparse.Namespace, console: Console) -> None:
    from pipeline.config import read_config
    from pipeline.run import run_all

    written = run_all(read_config(args.config), args.out, progress=not args.quiet)
    console.print(f"wrote {len(written)} outputs to {args.out}:")
    for path in written:
        console.print(f"  {path}")


def command_info(args: argparse.Namespace, console: Console) -> None:
    from graph.export import graph_summary, summary_json
    from graph.store import load_frames

    frames = load_frames(args.graph, attributes=False)  # counts need no attributes and no networkx graph
    if args.json:
        print(summary_json(frames))
        return
    summary = graph_summary(frames)
    console.print(f"[bold]{summary['authority']}[/bold]: {summary['nodes']:,} nodes, {summary['edges']:,} edges, "
                  f"built {summary['built']}; {summary['nodes_with_several_sources']:,} nodes from several sources, "
                  f"{summary['conflicts']:,} recorded conflicts")
    console.print(_table("nodes by kind", summary["nodes_by_kind"], key="kind", value="nodes"))
    console.print(_table("edges by relation", summary["edges_by_relation"], key="relation", value="edges"))
    console.print(_table("provenance: nodes by source", summary["nodes_by_source"], key="source", value="nodes"))
    console.print(_table("provenance: edges by source", summary["edges_by_source"], key="source", value="edges"))
    console.print(_table("data dates (latest record per source)", summary["data_dates"], key="source", value="as of"))


def command_export(args: argparse.Namespace, console: Console) -> None:
    from graph.export import export_graph
    from graph.store import load_graph

    if args.format == "neo4j-import":
        from cypher.neo4j_push import export_neo4j_import

        written = export_neo4j_import(load_graph(args.graph), args.out)
    else:
        written = export_graph(load_graph(args.graph), args.format, args.out)
    console.print("wrote " + ", ".join(map(str, written)))


def command_inspect(args: argparse.Namespace, console: Console) -> None:
    from pipeline.inspect import inspect_source

    report = inspect_source(args.loader, Path(args.file), config=args.config, authority=args.authority,
                            options=dict(o.split("=", 1) for o in args.option))
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return
    console.print(f"[bold]{report['file']}[/bold] read by '{report['loader']}'; filter: {report['filter']}")
    console.print(_table("nodes it would add", report["nodes"], key="kind", value="nodes"))
    console.print(_table("edges it would add", report["edges"], key="relation", value="edges"))
    console.print(_table("money", report["money"], key="currency", value="total"))
    rejected = report["rejections"]
    console.print(f"{report['rejected_rows']:,} rejected rows" + (":" if rejected else ""))
    if rejected:
        table = Table()
        for column in ("row", "field", "value", "reason"):
            table.add_column(column)
        for row in rejected[:50]:
            table.add_row(*(str(row[c]) for c in ("row", "field", "value", "reason")))
        console.print(table)


def command_serve(args: argparse.Namespace, console: Console) -> None:
    import os
    import secrets

    from cypher.endpoint import EndpointSettings, serve
    from cypher.store import DATABASE_FILE, write_database
    from graph.store import load_graph, read_manifest

    source = Path(args.graph)
    database = source / DATABASE_FILE
    if not database.exists():
        read_manifest(source)  # a graph folder: build its database beside it once
        database = source.parent / "cypher" / DATABASE_FILE
        if not database.exists() or database.stat().st_mtime < (source / "manifest.json").stat().st_mtime:
            database = write_database(load_graph(source), source.parent / "cypher")
    token = args.token or os.environ.get("CIVICGRAPH_TOKEN") or secrets.token_urlsafe(24)
    server = serve(EndpointSettings(database, token, timeout_ms=int(args.timeout * 1000), max_rows=args.max_rows),
                   host=args.host, port=args.port)
    host, port = server.server_address[:2]
    console.print(f"Cypher endpoint on http://{host}:{port}/ (console) and POST http://{host}:{port}/db/ecosystem/query/v2")
    if not (args.token or os.environ.get("CIVICGRAPH_TOKEN")):
        console.print(f"token: {token}")
    try:
        server.serve_forever()
    finally:
        server.server_close()


def command_push(args: argparse.Namespace, console: Console) -> None:
    import os

    from cypher.neo4j_push import push_to_neo4j
    from graph.store import load_graph

    password = os.environ.get(args.password_env)
    if not password:
        raise ValueError(f"set the Neo4j password in ${args.password_env} (it is never taken on the command line)")
    sent = push_to_neo4j(load_graph(args.graph), args.uri, (args.user, password), database=args.database,
                         batch_size=args.batch_size, progress=not args.quiet)
    console.print(f"pushed {sent['nodes']:,} nodes and {sent['relationships']:,} relationships "
                  f"in {sent['batches']:,} batches to {args.uri}")


def command_fetch(args: argparse.Namespace, console: Console) -> None:
    from pipeline.config import read_config
    from pipeline.fetch import DEFAULT_CACHE, fetch_sources

    for item in fetch_sources(read_config(args.config, require_files=False), cache=Path(args.cache or DEFAULT_CACHE),
                              progress=not args.quiet):
        console.print(f"{'cached' if item.from_cache else 'fetched'} {item.url} (sha256 {item.sha256[:12]}...)")


def command_template(args: argparse.Namespace, console: Console) -> None:
    from graph.errors import OutputFolderError
    from loaders.local_knowledge import write_template

    if Path(args.out).exists():
        raise OutputFolderError(f"{args.out}: exists; a template is written to a new file (filled-in workbooks are kept)")
    console.print(f"wrote {write_template(args.out)}")


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``civicgraph`` command."""
    from graph.export import EXPORT_FORMATS
    from loaders.registry import available_loaders

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="show tracebacks on errors")
    common.add_argument("--quiet", action="store_true", help="no progress bars")
    top = argparse.ArgumentParser(prog="civicgraph", description="Knowledge graph of a local civil-society ecosystem.")
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", parents=[common], help="the main job: build the graph and write every output to a folder")
    run.add_argument("config", help="build configuration (TOML), e.g. config/hounslow.toml")
    run.add_argument("--out", default="output", help="output folder, replaced atomically (default: output)")
    run.set_defaults(handler=command_run)

    build = commands.add_parser("build", parents=[common], help="build the graph a configuration describes")
    build.add_argument("config", help="build configuration (TOML)")
    build.add_argument("--out", default="output/graph", help="graph folder, replaced atomically")
    build.set_defaults(handler=command_build)

    info = commands.add_parser("info", parents=[common], help="counts by kind and source, provenance summary, data dates")
    info.add_argument("graph", help="a graph folder")
    info.add_argument("--json", action="store_true")
    info.set_defaults(handler=command_info)

    export = commands.add_parser("export", parents=[common], help="export a graph")
    export.add_argument("graph", help="a graph folder")
    export.add_argument("--format", required=True, choices=[*EXPORT_FORMATS, "neo4j-import"])
    export.add_argument("--out", required=True, help="file, or folder for parquet and csv")
    export.set_defaults(handler=command_export)

    inspect = commands.add_parser("inspect", parents=[common], help="report what a source file would load, without building")
    inspect.add_argument("loader", choices=available_loaders())
    inspect.add_argument("file")
    inspect.add_argument("--config", help="take the authority (and places) from this build configuration")
    inspect.add_argument("--authority", help="GSS code of the local authority to filter to (default E09000018)")
    inspect.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                         help="a loader option, e.g. filter=none")
    inspect.add_argument("--json", action="store_true")
    inspect.set_defaults(handler=command_inspect)

    serve_cmd = commands.add_parser("serve", parents=[common], help="a read-only Cypher endpoint on a built graph")
    serve_cmd.add_argument("graph", help="a graph folder (its database is built beside it) or a cypher folder")
    serve_cmd.add_argument("--token", help="bearer token clients must send (default $CIVICGRAPH_TOKEN, or a new one)")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="listen address (default loopback only)")
    serve_cmd.add_argument("--port", type=int, default=7474)
    serve_cmd.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default 10)")
    serve_cmd.add_argument("--max-rows", type=int, default=10_000, help="most rows returned (default 10,000)")
    serve_cmd.set_defaults(handler=command_serve)

    push = commands.add_parser("push", parents=[common], help="push a built graph to Neo4j (idempotent)")
    push.add_argument("graph", help="a graph folder")
    push.add_argument("--uri", required=True, help="neo4j://host:7687 or bolt://host:7687")
    push.add_argument("--user", default="neo4j")
    push.add_argument("--password-env", default="NEO4J_PASSWORD", help="environment variable holding the password")
    push.add_argument("--database", help="Neo4j database (default: the server's default)")
    push.add_argument("--batch-size", type=int, default=5_000)
    push.set_defaults(handler=command_push)

    fetch = commands.add_parser("fetch", parents=[common], help="download the sources that have a url (cached, checksummed)")
    fetch.add_argument("config", help="build configuration (TOML)")
    fetch.add_argument("--cache", help="cache folder (default ~/.cache/civicgraph)")
    fetch.set_defaults(handler=command_fetch)

    template = commands.add_parser("template", parents=[common], help="write a blank, documented local knowledge workbook")
    template.add_argument("out", help="path of the .xlsx file to write")
    template.set_defaults(handler=command_template)
    return top


def _one_line(error: BaseException) -> str:
    """The first line of an error's message; a system error (disk full, read-only file system, a
    folder where a file was expected) as ``file: reason``."""
    if isinstance(error, OSError) and error.strerror and error.filename and not str(error).startswith(str(error.filename)):
        return f"{error.filename}: {error.strerror}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 success, 2 an error the user can act on)."""
    args = parser().parse_args(argv)
    console = Console(stderr=False)
    try:
        args.handler(args, console)
    except USER_ERRORS as error:
        if args.verbose:
            raise
        message = _one_line(error)
        print(f"civicgraph: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("civicgraph: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
