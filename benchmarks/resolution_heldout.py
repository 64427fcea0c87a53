"""Entity resolution on real records it was not tuned on: register numbers taken off one side.

    python -m benchmarks.resolution_heldout                 # the tuning part, with its mistakes
    python -m benchmarks.resolution_heldout --held-out      # the held-out part: figures only

Sources: real 360Giving files of three funders (Lloyds Bank Foundation, Power to Change, Indigo
Trust) and the register's names of 4,400 charities with a company number (charity-lookups). Half of
each source's numbered organisations lose their numbers (:func:`resolve.heldout.strip_numbers`);
the numbers are the truth. Organisations are split by a hash of their number into a tuning part
(two thirds) and a held-out part, which is only ever printed as figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from civicgraph.loaders.base import LoadResult, RecordSink
from civicgraph.loaders.registry import get_loader
from civicgraph.loaders.tabular import read_csv_text
from civicgraph.pipeline.authorities import authority_context, authority_table
from civicgraph.resolve.declared import screen_declared_ids
from civicgraph.resolve.heldout import StrippedQuality, strip_numbers, stripped_quality
from civicgraph.resolve.names import place_words
from civicgraph.resolve.resolution import ResolutionSettings, resolve_entities

REPO = Path(__file__).resolve().parents[1]
GRANT_FILES = ("tests/fixtures/threesixtygiving/lloyds_bank_foundation_2010_2015.json",
               "data/360giving/london_powertochange_grants.json", "tests/fixtures/resolution/indigo_trust.csv",
               "tests/fixtures/resolution/baring_recipients.csv", "tests/fixtures/resolution/dulverton_recipients.csv")
REGISTER = "data/ccew/charity-company-numbers.csv"


def register_names(path: Path) -> LoadResult:
    """The charity-lookups table of charity and company numbers as register records with their names."""
    sink = RecordSink("register", path)
    for number, row in enumerate(read_csv_text(path).to_dict("records")):
        sink.node(str(row["org_id_a"]).strip(), "Charity", sink.provenance(f"row {number + 2}", "", "ODbL-1.0"),
                  name=str(row["name"]).strip(), other_ids=[str(row["org_id_b"]).strip()])
    return sink.result()


def sources(repo: Path = REPO) -> list[LoadResult]:
    """The real sources, each as its loader reads it (no filter to one authority) and the build
    screens its declared identifiers (:func:`resolve.declared.screen_declared_ids`)."""
    context = authority_context("E09000018")
    grants = [get_loader("360giving").load(repo / name, context, filter="none") for name in GRANT_FILES]
    return [screen_declared_ids(result) for result in (register_names(repo / REGISTER), *grants)]


def run(part: str, *, show: bool, share: float = 0.5) -> StrippedQuality:
    """Figures (and, when ``show``, mistakes) of one part of the evaluation."""
    stripped, truth = strip_numbers(sources(), share=share)
    resolution = resolve_entities(stripped, ResolutionSettings(), places=place_words(list(authority_table()["name"])))
    declared = [(i, o) for r in stripped if "other_ids" in r.nodes
                for i, others in zip(r.nodes["id"], r.nodes["other_ids"]) if isinstance(others, list) for o in others]
    quality = stripped_quality(truth, declared, resolution.links, part=part)
    print(report(part, quality))
    if show:
        with pd.option_context("display.width", 250, "display.max_colwidth", 90, "display.max_rows", 200):
            print(quality.wrong.to_string())
            print(quality.missed.to_string())
    return quality


def report(part: str, quality: StrippedQuality) -> str:
    """One part's figures with their counts and 95% Wilson intervals, in one line."""
    def interval(bounds: tuple[float, float]) -> str:
        return f"[{bounds[0]:.2f}, {bounds[1]:.2f}]"
    settled = quality.merges - quality.unsettled
    return (f"{part}: precision {quality.precision:.3f} strict ({quality.merges - quality.wrong_merges} of "
            f"{quality.merges} merges right, 95% {interval(quality.precision_interval)}), "
            f"{quality.settled_precision:.3f} settled ({quality.merges - quality.wrong_merges} of {settled}, "
            f"{interval(quality.settled_interval)}; {quality.unsettled} merges across two registers set aside); "
            f"recall {quality.recall:.3f} ({quality.found} of {quality.true_pairs} true pairs, "
            f"{interval(quality.recall_interval)}); missed {len(quality.missed)}: "
            f"{int(quality.missed['score'].notna().sum())} reached the review band, "
            f"{int(quality.missed['in_review'].sum())} in the review file, "
            f"{quality.missed_in_band_not_in_review} in the band but not in the file")


def main() -> None:
    """Print the figures of one part."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--held-out", action="store_true", help="the held-out part (figures only)")
    args = parser.parse_args()
    run("held-out" if args.held_out else "tuning", show=not args.held_out)


if __name__ == "__main__":
    main()
