"""One council's own files at real size, end to end: ``python -m benchmarks.council [--payments N]``.

Writes a seeded spend file in the Transparency Code layout (suppliers heavy-tailed, refunds and
credit notes among the payments, departments and cost centres) and a land and assets register,
then times ``civicgraph run`` on them (figures in ``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from civicgraph.cli import main as civicgraph

DEPARTMENTS = ("Adults", "Children's Services", "Place", "Resources", "Public Health", "Housing", "Neighbourhoods")
SUFFIXES = ("Ltd", "Limited", "PLC", "LLP", "", "", "Trust", "CIC", "Association", "Group")


def write_council(folder: Path, payments: int, *, seed: int = 24) -> Path:
    """Write ``spend.csv``, ``assets.csv`` and ``council.toml`` (Manchester's GSS code) into ``folder``.

    Examples
    --------
    >>> config = write_council(Path(tempfile.mkdtemp()), 50)
    >>> sum(1 for _ in (config.parent / "spend.csv").open()) - 1
    50
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
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
            assets.write(f"1000{number // 3},A{number},Property {number},High Street,Exampleton,EX1 1AA,Freehold\n")
    config = folder / "council.toml"
    config.write_text('[authority]\ngss_code = "E08000003"\n\n[[source]]\nloader = "spend"\npath = "spend.csv"\n\n'
                      '[[source]]\nloader = "assets"\npath = "assets.csv"\n')
    return config


def main(argv: list[str] | None = None) -> int:
    """Time the main job on a generated council; print seconds and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=25_000)
    parser.add_argument("--skip", default="", help="outputs to skip, as civicgraph run --skip")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        config = write_council(Path(work), args.payments)
        started = time.perf_counter()
        command = ["run", str(config), "--out", str(Path(work) / "out"), "--quiet"]
        code = civicgraph(command + (["--skip", args.skip] if args.skip else []))
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.payments:,} payments: civicgraph run {seconds:.1f} s (exit {code}), peak {peak:,.0f} MB"
          + (f", skipping {args.skip}" if args.skip else ""))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
