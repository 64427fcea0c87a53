"""Entity-resolution benchmark: N register organisations matched against N directory and grant records.

    python -m benchmarks.resolution                 # 200,000 against 200,000 (issue 4)
    python -m benchmarks.resolution --size 20000

Names are generated the way real ones are built (a place, one or two descriptive words, a kind of
body: "Feltham Asian Women's Group"), from vocabularies large enough that word frequencies look
like the register's. Half of the second side are the first side's organisations written another way
(case, "&", "Ltd", word order, a misspelt word, an acronym, a postcode in the same area); the rest
are other organisations. Prints the time and peak memory of each step and, since the truth is known,
precision and recall. Target (issue 4): under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

import pandas as pd

from civicgraph.loaders.base import LoadResult, RecordSink
from civicgraph.resolve.evaluation import evaluate
from civicgraph.resolve.names import place_words
from civicgraph.resolve.resolution import ResolutionSettings, resolve_entities

SYLLABLES = ("ham", "ford", "ley", "ton", "wick", "bury", "field", "worth", "stead", "mere", "dale", "by",
             "brook", "cot", "den", "hurst", "ing", "well", "combe", "thorpe")
STEMS = ("ash", "bed", "bren", "chis", "fel", "hes", "isle", "han", "os", "cran", "whit", "kings", "north",
         "heath", "lang", "mill", "oak", "rich", "sud", "wal", "black", "green", "red", "stan", "sut")
KINDS = ("Association", "Society", "Group", "Club", "Centre", "Trust", "Foundation", "Project", "Network",
         "Forum", "Community Group", "Youth Club", "Residents Association", "Food Bank", "Lunch Club")


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))).capitalize() for _ in range(size)}
    return sorted(words)


def _variant(name: str, rng: random.Random) -> str:
    """The same organisation's name as another source writes it."""
    words = name.split()
    change = rng.random()
    if change < 0.2:
        return name.upper() + " LIMITED"
    if change < 0.35:
        return " ".join(words[1:] + words[:1]) if len(words) > 2 else name.lower()
    if change < 0.5 and len(words) > 2:
        i = rng.randrange(1, len(words))
        word = words[i]
        if len(word) > 5:
            j = rng.randrange(1, len(word) - 1)
            words[i] = word[:j] + word[j + 1:]  # a letter dropped
        return " ".join(words)
    if change < 0.6:
        return "The " + name.replace(" and ", " & ")
    if change < 0.7:
        return f"{name} ({''.join(w[0] for w in words).upper()})"
    return name


def generate(size: int, *, seed: int = 7) -> tuple[LoadResult, LoadResult, list[tuple[str, str]], list[str]]:
    """Two sources of ``size`` organisations each, the true pairs, and the place names used."""
    rng = random.Random(seed)
    places = sorted({rng.choice(STEMS).capitalize() + rng.choice(SYLLABLES) for _ in range(20_000)})
    descriptors = _vocabulary(rng, 30_000) + ["Asian", "Women's", "Youth", "Elderly", "Somali", "Polish",
                                              "Carers", "Disability", "Arts", "Football", "Tamil", "Sikh"]
    areas = ["TW", "UB", "W", "SW", "SE", "N", "E", "LS", "M", "B", "BS", "NE", "CB", "OX"]
    first, seen = [], set()
    while len(first) < size:
        name = " ".join([rng.choice(places), *rng.sample(descriptors, rng.choice((1, 1, 2))), rng.choice(KINDS)])
        if name not in seen:
            seen.add(name)
            postcode = f"{rng.choice(areas)}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
            first.append((f"GB-CHC-{1_000_000 + len(first)}", name, postcode))
    truth, second = [], []
    for number, (identifier, name, postcode) in enumerate(rng.sample(first, size // 2)):
        other = f"LOCAL-GEN-{number}"
        same_area = postcode if rng.random() < 0.5 else postcode.split()[0] + " 9ZZ"
        second.append((other, _variant(name, rng), same_area))
        truth.append((identifier, other))
    while len(second) < size:
        name = " ".join([rng.choice(places), rng.choice(descriptors), rng.choice(KINDS)])
        if name not in seen:
            seen.add(name)
            second.append((f"LOCAL-GEN-{len(second)}", name, f"{rng.choice(areas)}{rng.randint(1, 20)} 1AA"))
    return _result("register", first, "Charity"), _result("directory", second, "Organisation"), truth, places


def _result(source: str, rows: list[tuple[str, str, str]], kind: str) -> LoadResult:
    sink = RecordSink(source, Path(f"{source}.csv"))
    ids, names, postcodes = (pd.Series(column, dtype="str") for column in zip(*rows))
    sink.nodes(ids, kind, records=pd.Series([f"row {n + 2}" for n in range(len(rows))], dtype="str"), dates="",
               licence="CC0-1.0", name=names, postcode=postcodes)
    return sink.result()


def main(argv: list[str] | None = None) -> None:
    """Generate, resolve, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000, help="organisations on each side")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    register, directory, truth, places = generate(args.size)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    resolution = resolve_entities([register, directory], ResolutionSettings(), places=place_words(places))
    resolved = time.perf_counter() - start
    merged = resolution.merged_pairs()
    true_set = set(truth)
    negatives = [(a, b) for a, b in merged if (a, b) not in true_set and (b, a) not in true_set]
    labelled = pd.DataFrame([(a, b, 1) for a, b in truth] + [(a, b, 0) for a, b in negatives],
                            columns=["left_id", "right_id", "same"])
    quality = evaluate(merged, labelled)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.size:,} register x {args.size:,} directory organisations ({len(truth):,} true pairs)")
    print(f"generate {generated:.1f} s; resolve {resolved:.1f} s; peak {peak:,.0f} MB")
    print(f"links: {resolution.links['status'].value_counts().to_dict()}")
    print(f"precision {quality.precision:.4f}  recall {quality.recall:.4f}  "
          f"(true pairs merged {quality.true_positives:,}, wrong merges {quality.false_positives:,})")


if __name__ == "__main__":
    main()
