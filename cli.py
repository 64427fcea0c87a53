"""Command line: ``civicgraph build | run | info | ask | what-if | export | inspect | loaders | template | serve | push
| fetch``.

Errors print as one line naming what to fix; ``--verbose`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.table import Table

from civicgraph.analysis.lookup import OrganisationNotFound
from civicgraph.core.errors import (
    ConfigError,
    EndpointError,
    FetchError,
    GraphStoreError,
    GraphValidationError,
    Neo4jPushError,
    OutputFolderError,
    SourceFormatError,
    StatementRefused,
    UnknownLoaderError,
    UnknownTermError,
)

#: Usage errors: the command line or the configuration is wrong (exit code 2, one line).
USAGE_ERRORS = (ConfigError, EndpointError, OutputFolderError, UnknownLoaderError, UnknownTermError,
                OrganisationNotFound)
#: Runtime failures a user can act on: a source, a download, the store, the system (exit code 1, one line).
USER_ERRORS = (FetchError, Neo4jPushError, StatementRefused, GraphStoreError, GraphValidationError, SourceFormatError,
               OSError, ValueError, RuntimeError, zipfile.BadZipFile)


def _table(title: str, counts: dict[str, int | float | str], *, key: str, value: str) -> Table:
    from civicgraph.core.amounts import money_text

    table = Table(title=title, title_justify="left")
    table.add_column(key)
    table.add_column(value, justify="right")
    for name, count in counts.items():
        shown = money_text(count) if isinstance(count, float) else f"{count:,}" if isinstance(count, int) else str(count)
        table.add_row(str(name), shown)
    return table


def command_build(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.pipeline.build import build_to_folder, rejected_rows
    from civicgraph.pipeline.config import read_config

    outcome = build_to_folder(read_config(args.config), args.out, progress=not args.quiet)
    _print_warnings(outcome.warnings)
    nodes, edges = len(outcome.frames.nodes), len(outcome.frames.edges)
    console.print(f"built {nodes:,} nodes and {edges:,} edges into {args.out}; "
                  f"{rejected_rows(outcome.rejections):,} rejected rows (see {Path(args.out) / 'rejections.csv'})")


def command_run(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.pipeline.config import read_config
    from civicgraph.pipeline.run import RunIncomplete, chosen_parts, run_all

    parts = chosen_parts(args.only, args.skip)
    summary = Path(args.out) / "summary.json"
    try:
        written = run_all(read_config(args.config), args.out, progress=not args.quiet, parts=parts)
    except RunIncomplete:  # the outputs that could be written were: their warnings, then the failure
        _print_warnings(json.loads(summary.read_text()).get("warnings", []))
        raise
    _print_warnings(json.loads(summary.read_text()).get("warnings", []))
    console.print(f"wrote {len(written)} outputs to {args.out}:")
    for path in written:
        console.print(f"  {path}")


def command_ask(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.graph.store import load_frames
    from civicgraph.pipeline.answers import ask

    print(repr(ask(load_frames(args.graph), args.question)))


def command_what_if(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.analysis.centrality import what_if_removed
    from civicgraph.analysis.lookup import find_organisation
    from civicgraph.analysis.network import name
    from civicgraph.graph.store import load_frames

    graph = load_frames(args.graph)
    removed = find_organisation(graph, args.organisation)
    table = what_if_removed(graph, removed)
    console.print(f"If [bold]{name(graph, removed)}[/bold] ({removed}) went: {len(table):,} organisations affected")
    print(table.to_string(index=False) if len(table) else "nobody loses their only link in or is cut off")


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"civicgraph: warning: {warning}", file=sys.stderr)


def command_info(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.exports.formats import graph_summary, summary_json
    from civicgraph.graph.store import load_frames

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
    placement = {kind: f"{c['in_ward']:,} of {c['with_postcode']:,} with a postcode in a ward; {c['inside']:,} inside, "
                       f"{c['outside']:,} outside the authority"
                 for kind, c in summary["placement"]["by_kind"].items() if c["with_postcode"]}
    console.print(_table(f"placement ({summary['placement']['ward_set']})", placement, key="kind", value="placed"))


def command_export(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.exports.formats import export_graph
    from civicgraph.graph.store import load_frames

    written = export_graph(load_frames(args.graph), args.format, args.out)
    console.print("wrote " + ", ".join(map(str, written)))


def _option(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` of an ``--option``."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise ConfigError(f"--option {text!r}: expected KEY=VALUE, e.g. filter=none")
    return key.strip(), value


def command_inspect(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.pipeline.inspect import inspect_source

    report = inspect_source(args.loader, Path(args.file), config=args.config, authority=args.authority,
                            options=dict(_option(o) for o in args.option))
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return
    _print_warnings(report["warnings"])
    console.print(f"[bold]{report['file']}[/bold] read by '{report['loader']}'; filter: {report['filter']}")
    if report["columns"]:
        console.print(_table("columns the loader reads, and the file's column found for each", {
            role: found or "(not found)" for role, found in report["columns"].items()}, key="reads", value="found"))
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

    from civicgraph.cypher.endpoint import EndpointSettings, new_token, serve
    from civicgraph.cypher.store import DATABASE_FILE, write_database
    from civicgraph.graph.store import load_frames, read_manifest
    from civicgraph.pipeline.helpers import contained_helper

    source = Path(args.graph)
    database = source / DATABASE_FILE
    if not database.exists():
        read_manifest(source)  # a graph folder: build its database beside it once
        database = source.parent / "cypher" / DATABASE_FILE
        if not database.exists() or database.stat().st_mtime < (source / "manifest.json").stat().st_mtime:
            database = write_database(load_frames(source), source.parent / "cypher", beside=contained_helper())
    given = args.token or os.environ.get("CIVICGRAPH_TOKEN")
    token = given or new_token()
    settings = EndpointSettings(database, token, timeout_ms=int(args.timeout * 1000), max_rows=args.max_rows,
                                workers=args.workers)
    endpoint = serve(settings, host=args.host, port=args.port, allow_unsandboxed=args.allow_unsandboxed)
    console.print(f"Cypher endpoint on {endpoint.url}/ (console) and POST {endpoint.url}/db/ecosystem/query/v2")
    if not given:
        console.print(f"token: {token}")
    endpoint.serve_forever()


def command_push(args: argparse.Namespace, console: Console) -> None:
    import os

    from civicgraph.cypher.neo4j_push import push_to_neo4j
    from civicgraph.graph.store import load_frames

    password = os.environ.get(args.password_env)
    if not password:
        raise ValueError(f"set the Neo4j password in ${args.password_env} (it is never taken on the command line)")
    sent = push_to_neo4j(load_frames(args.graph), args.uri, (args.user, password), database=args.database,
                         batch_size=args.batch_size, progress=not args.quiet)
    console.print(f"pushed {sent['nodes']:,} nodes and {sent['relationships']:,} relationships "
                  f"in {sent['batches']:,} batches to {args.uri}")


def command_fetch(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.pipeline.config import read_config
    from civicgraph.pipeline.fetch import DEFAULT_CACHE, fetch_sources

    for item in fetch_sources(read_config(args.config, require_files=False), cache=Path(args.cache or DEFAULT_CACHE),
                              progress=not args.quiet):
        console.print(f"{'cached' if item.from_cache else 'fetched'} {item.url} (sha256 {item.sha256[:12]}...)")


def command_loaders(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.loaders.registry import describe_loaders

    described = describe_loaders()
    if args.json:
        print(json.dumps(described, indent=2, default=list))
        return
    for loader in described:
        console.print(f"[bold]{loader['name']}[/bold]: {loader['title']} ({loader['licence']}, {loader['source_url']})")
        console.print(f"  {loader['reads']}", highlight=False)
        for role, names in loader["columns"].items():
            mark = " (required)" if role in loader["required"] else ""
            console.print(f"  - {role}{mark}: {' / '.join(names)}", highlight=False)


def command_template(args: argparse.Namespace, console: Console) -> None:
    from civicgraph.loaders.local_knowledge import write_template

    if Path(args.out).exists():
        raise OutputFolderError(f"{args.out}: exists; a template is written to a new file (filled-in workbooks are kept)")
    console.print(f"wrote {write_template(args.out)}")


class _Parser(argparse.ArgumentParser):
    """argparse's parser, but a usage error is one line (the usage itself is in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message> (see <prog> --help)`` and exit with code 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``civicgraph`` command.

    Examples
    --------
    >>> import contextlib, io
    >>> stderr = io.StringIO()
    >>> with contextlib.redirect_stderr(stderr), contextlib.suppress(SystemExit):
    ...     parser().parse_args(["inspect", "360giving", "grants.json", "--bogus"])
    >>> print(stderr.getvalue(), end="")
    civicgraph: error: unrecognized arguments: --bogus (see civicgraph --help)
    """
    from civicgraph.exports.formats import EXPORT_FORMATS
    from civicgraph.loaders.registry import available_loaders
    from civicgraph.pipeline.answers import ANSWERS

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="show tracebacks on errors")
    common.add_argument("--quiet", action="store_true", help="no progress bars")
    top = _Parser(prog="civicgraph", description="Knowledge graph of a local civil-society ecosystem.")
    top.add_argument("--version", action="version", version=f"civicgraph {_version()}")
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", parents=[common], help="the main job: build the graph and write every output to a folder")
    run.add_argument("config", help="build configuration (TOML), e.g. config/hounslow.toml")
    run.add_argument("--out", default="output", help="output folder, replaced atomically (default: output)")
    run.add_argument("--only", help="write only these outputs (comma-separated: answers, maps, cypher, exports); "
                                    "the graph and its report are always written")
    run.add_argument("--skip", help="do not write these outputs (comma-separated, as --only)")
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
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    export.add_argument("--out", required=True, help="file, or folder for parquet and csv")
    export.set_defaults(handler=command_export)

    inspect = commands.add_parser("inspect", parents=[common], help="report what a source file would load, without building")
    inspect.add_argument("loader", choices=available_loaders())
    inspect.add_argument("file")
    inspect.add_argument("--config", help="take the authority (and places) from this build configuration")
    inspect.add_argument("--authority", help="GSS code of the local authority (or country) to filter to; "
                                             "this or --config is required")
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
    serve_cmd.add_argument("--workers", type=int, default=3, help="query processes, one query each at a time (default 3)")
    serve_cmd.add_argument("--allow-unsandboxed", action="store_true",
                           help="listen beyond loopback even where query processes cannot be confined")
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

    ask_cmd = commands.add_parser("ask", parents=[common], help="one question's answer with its coverage and caveats")
    ask_cmd.add_argument("graph", help="a graph folder")
    ask_cmd.add_argument("question", choices=[a.key for a in ANSWERS], metavar="QUESTION",
                         help="the answer's key, e.g. 05_funding_by_ward")
    ask_cmd.set_defaults(handler=command_ask)

    what_if = commands.add_parser("what-if", parents=[common], help="who loses their only link in if one organisation goes")
    what_if.add_argument("graph", help="a graph folder")
    what_if.add_argument("organisation", help="its name or id; a misspelt name gets suggestions")
    what_if.set_defaults(handler=command_what_if)

    loaders = commands.add_parser("loaders", parents=[common], help="the loaders: what files each reads, and its columns")
    loaders.add_argument("--json", action="store_true")
    loaders.set_defaults(handler=command_loaders)

    template = commands.add_parser("template", parents=[common], help="write a blank, documented local knowledge workbook")
    template.add_argument("out", help="path of the .xlsx file to write")
    template.set_defaults(handler=command_template)
    return top


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("civicgraph")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _one_line(error: BaseException) -> str:
    """The first line of an error's message; a system error (disk full, read-only file system, a
    folder where a file was expected) as ``file: reason``."""
    if isinstance(error, OSError) and error.strerror and error.filename and not str(error).startswith(str(error.filename)):
        return f"{error.filename}: {error.strerror}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code: 0 success, 1 a runtime failure (a source that
    cannot be read, an output that failed), 2 a usage error (the command line or the configuration)."""
    args = parser().parse_args(argv)
    console = Console(stderr=False)
    try:
        args.handler(args, console)
    except (*USAGE_ERRORS, *USER_ERRORS) as error:
        if args.verbose:
            raise
        message = _one_line(error)
        print(f"civicgraph: error: {message}", file=sys.stderr)
        return 2 if isinstance(error, USAGE_ERRORS) else 1
    except Exception as error:  # an unexpected failure: one line and exit code 1; --verbose for the traceback
        if args.verbose:
            raise
        print(f"civicgraph: error: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''} "
              "(run again with --verbose for the traceback)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("civicgraph: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
