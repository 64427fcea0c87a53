"""One council's own files at real size, end to end: ``python -m benchmarks.council [--payments N]``.

Writes a seeded council in the published layouts: a spend file in the Transparency Code layout
(suppliers heavy-tailed, refunds and credit notes among the payments, departments and cost
centres), a land and assets register, a flat 360Giving file of grants to the borough's charities,
a register list of those charities (the ``charity`` table's columns a council publishes), and the
ONS ward lookup and postcode directory that place them. Then times ``civicgraph run`` on them end
to end, exports included, and prints the seconds of each stage (figures in ``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import random
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from civicgraph.cli import main as civicgraph

DEPARTMENTS = ("Adults", "Children's Services", "Place", "Resources", "Public Health", "Housing", "Neighbourhoods")
SUFFIXES = ("Ltd", "Limited", "PLC", "LLP", "", "", "Trust", "CIC", "Association", "Group")


def write_council(folder: Path, payments: int, *, seed: int = 24) -> Path:
    """Write a council's files and ``council.toml`` (Manchester's GSS code) into ``folder``.

    ``spend.csv`` (``payments`` rows), ``assets.csv``, ``grants.csv`` (360Giving), ``charities.csv``
    (a register list), ``lookup.csv`` (LSOA 2021 to ward to authority) and ``postcodes.csv`` (ONSPD
    columns), in proportion to the payments.

    Examples
    --------
    >>> config = write_council(Path(tempfile.mkdtemp()), 50)
    >>> len((config.parent / "spend.csv").read_text().splitlines()) - 1
    50
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    postcodes = _write_geography(folder, max(2, payments // 100), rng)
    suppliers = [f"Supplier {n} {rng.choice(SUFFIXES)}".strip() for n in range(max(2, payments // 12))]
    centres = [f"Cost Centre {n}" for n in range(max(2, payments // 30))]
    with (folder / "spend.csv").open("w", encoding="utf-8") as spend:
        spend.write("OrganisationName,Directorate,CostCentre,ExpenseType,PaymentDate,TransactionNumber,Amount,"
                    "BeneficiaryName\n")
        for number in range(payments):
            amount = round(rng.lognormvariate(7.5, 1.2) + 500, 2) * (-1 if rng.random() < 0.05 else 1)
            supplier = suppliers[min(int(rng.paretovariate(1.2)) - 1, len(suppliers) - 1)]
            spend.write(f"Example Council,{rng.choice(DEPARTMENTS)},{rng.choice(centres)},Services,"
                        f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2024,T{number},{amount},\"{supplier}\"\n")
    with (folder / "assets.csv").open("w", encoding="utf-8") as assets:
        assets.write("UPRN,AssetCode,PropertyName,Street,PostTown,PostCode,HoldingType\n")
        for number in range(max(2, payments // 50)):
            assets.write(f"1000{number // 3},A{number},Property {number},High Street,Exampleton,"
                         f"{postcodes[number * 7 % len(postcodes)]},Freehold\n")
    _write_charities(folder, max(2, payments // 25), postcodes, rng)
    config = folder / "council.toml"
    config.write_text('[authority]\ngss_code = "E08000003"\n\n'
                      + "".join(f'[[source]]\nloader = "{loader}"\npath = "{name}"\n{extra}\n' for loader, name, extra in (
                          ("ons-lookup", "lookup.csv", ""), ("ons-postcodes", "postcodes.csv", ""),
                          ("ccew", "charities.csv", ""), ("360giving", "grants.csv", 'filter = "none"\n'),
                          ("spend", "spend.csv", ""), ("assets", "assets.csv", ""))))
    return config


def _write_geography(folder: Path, lsoas: int, rng: random.Random) -> list[str]:
    """An LSOA (2021) to ward lookup for the council and an ONSPD extract, 10 postcodes an LSOA."""
    postcodes = []
    with (folder / "lookup.csv").open("w", newline="", encoding="utf-8") as lookup, \
            (folder / "postcodes.csv").open("w", newline="", encoding="utf-8") as directory:
        rows, places = csv.writer(lookup), csv.writer(directory)
        rows.writerow(["LSOA21CD", "WD24CD", "LAD24CD"])
        places.writerow(["pcds", "lsoa21", "laua", "doterm"])
        for number in range(lsoas):
            lsoa = f"E0{1_100_000 + number}"
            rows.writerow([lsoa, f"E05{11_000 + number // 8:06d}", "E08000003"])
            for house in range(10):
                postcode = f"M{number % 40 + 1} {house}{chr(65 + number // 40 % 26)}{chr(65 + rng.randrange(26))}"
                places.writerow([postcode, lsoa, "E08000003", ""])
                postcodes.append(postcode)
    return postcodes


def _write_charities(folder: Path, charities: int, postcodes: list[str], rng: random.Random) -> None:
    """A register list of the borough's charities and a flat 360Giving file of grants to them."""
    funders = [(f"GB-CHC-{900_000 + n}", f"Funder {n} Trust") for n in range(20)]
    with (folder / "charities.csv").open("w", newline="", encoding="utf-8") as register, \
            (folder / "grants.csv").open("w", newline="", encoding="utf-8") as grants:
        listed, granted = csv.writer(register), csv.writer(grants)
        listed.writerow(["registered_charity_number", "charity_name", "charity_type", "charity_contact_postcode",
                         "latest_income"])
        granted.writerow(["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
                          "Recipient Org:Identifier", "Recipient Org:Name", "Recipient Org:Charity Number",
                          "Recipient Org:Postal Code", "Funding Org:Identifier", "Funding Org:Name"])
        for number in range(charities):
            name, postcode = f"Supplier {number} {rng.choice(('Trust', 'Association', 'Community Group'))}", \
                rng.choice(postcodes)
            listed.writerow([1_100_000 + number, name, "Charitable company", postcode,
                             round(rng.lognormvariate(11, 1.5))])
            for grant in range(rng.choice((0, 0, 1, 2))):
                funder = rng.choice(funders)
                granted.writerow([f"360G-bench-{number}-{grant}", f"Grant {grant}", "Generated", "GBP",
                                  round(rng.lognormvariate(8.5, 1.2), 2), f"2024-0{rng.randint(1, 9)}-15",
                                  f"GB-CHC-{1_100_000 + number}", name, 1_100_000 + number, postcode, *funder])


#: The stages timed, as (module, function, label): each is wrapped for the run and its seconds summed.
STAGES = (("civicgraph.pipeline.build", "run_loaders", "loaders"),
          ("civicgraph.pipeline.build", "resolve_entities", "resolution"),
          ("civicgraph.pipeline.build", "assemble_frames", "merge"),
          ("civicgraph.pipeline.build", "_apply_shapes", "shape check"),
          ("civicgraph.pipeline.run", "build_graph", "build (all of the above and more)"),
          ("civicgraph.pipeline.run", "write_build_folder", "graph tables"),
          ("civicgraph.pipeline.run", "answer_all", "answers"),
          ("civicgraph.pipeline.run", "write_answers", "answer files"),
          ("civicgraph.pipeline.briefs", "write_briefs", "briefs"),  # run imports these three when it uses them
          ("civicgraph.visualise", "write_all_maps", "maps"),
          ("civicgraph.cypher.store", "write_database", "Cypher database"))


@contextlib.contextmanager
def timed_stages() -> Iterator[dict[str, float]]:
    """Seconds spent in each of :data:`STAGES` and in each export format while the block runs: wall
    clock, and processor time of this process and of the helpers it waited for (on a machine shared
    with other work, the processor time is what the stage costs)."""
    import importlib

    seconds: dict[str, tuple[float, float]] = {}

    def processor() -> float:
        mine, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return mine.ru_utime + mine.ru_stime + helpers.ru_utime + helpers.ru_stime

    def wrap(function: Callable[..., Any], label: Callable[..., str]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started, used = time.perf_counter(), processor()
            try:
                return function(*args, **kwargs)
            finally:
                name = label(*args, **kwargs)
                wall, cpu = seconds.get(name, (0.0, 0.0))
                seconds[name] = (wall + time.perf_counter() - started, cpu + processor() - used)
        return timed

    wrapped = [(importlib.import_module(module), name, (lambda text: lambda *a, **k: text)(text))
               for module, name, text in STAGES]
    wrapped.append((importlib.import_module("civicgraph.pipeline.run"), "export_graph",
                    lambda graph, fmt, *a, **k: f"export {fmt}"))
    originals = [(module, name, getattr(module, name)) for module, name, _ in wrapped]
    for module, name, label in wrapped:
        setattr(module, name, wrap(getattr(module, name), label))
    try:
        yield seconds
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


def main(argv: list[str] | None = None) -> int:
    """Time the main job on a generated council; print seconds by stage and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=25_000)
    parser.add_argument("--skip", default="", help="outputs to skip, as civicgraph run --skip")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        config = write_council(Path(work), args.payments)
        started, used = time.perf_counter(), time.process_time()
        command = ["run", str(config), "--out", str(Path(work) / "out"), "--quiet"]
        with timed_stages() as stages:
            code = civicgraph(command + (["--skip", args.skip] if args.skip else []))
        seconds, processor = time.perf_counter() - started, time.process_time() - used
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.payments:,} payments: civicgraph run {seconds:.1f} s (exit {code}), {processor:.1f} s of processor "
          f"time in this process, peak {peak:,.0f} MB" + (f", skipping {args.skip}" if args.skip else ""))
    print(f"  {'stage':<36} {'wall s':>7} {'cpu s':>7}")
    for stage, (wall, cpu) in stages.items():
        print(f"  {stage:<36} {wall:7.1f} {cpu:7.1f}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
