"""Candidate pairs: which records are worth comparing at all.

Comparing every name with every other is quadratic (200,000 x 200,000 names is 4e10 comparisons).
Records are compared only when they share a *blocking key*: one of the three rarest words of a name
(among words found in more than one name),
the whole name written without spaces, a postcode, or a web domain. A word shared by more than ``max_block`` names ("hounslow",
"community") is no key: it would make huge blocks and says little.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from resolve.names import name_words

#: Rarest words of each name used as blocking keys.
KEYS_PER_NAME = 3
#: Blocks with more names than this are skipped (the word is too common to suggest a match).
MAX_BLOCK = 400
#: Pairs made and scored at a time.
CHUNK_PAIRS = 2_000_000


def name_variants(entities: pd.DataFrame) -> pd.DataFrame:
    """One row per (entity, name): ``entity`` (row position in ``entities``) and ``name``.

    Examples
    --------
    >>> entities = pd.DataFrame({"names": [("a b", "c d"), ("e f",)]})
    >>> name_variants(entities).values.tolist()
    [[0, 'a b'], [0, 'c d'], [1, 'e f']]
    """
    exploded = entities["names"].reset_index(drop=True).explode()
    return pd.DataFrame({"entity": exploded.index.to_numpy(), "name": exploded.to_numpy()})


def _word_keys(variants: pd.DataFrame, keys_per_name: int) -> pd.DataFrame:
    words = variants["name"].map(lambda name: sorted(name_words(name)))
    long = pd.DataFrame({"variant": words.index.repeat(words.str.len()),
                         "key": np.concatenate([np.array(w, dtype=object) for w in words] or [np.array([], dtype=object)])})
    frequency = long.groupby("key")["variant"].transform("size")
    long = long.assign(frequency=frequency)[frequency > 1]  # a word in one name only blocks nothing
    long = long.sort_values(["variant", "frequency", "key"], kind="stable")
    return long.groupby("variant", sort=False).head(keys_per_name)[["variant", "key"]]


def candidate_pairs(entities: pd.DataFrame, *, keys_per_name: int = KEYS_PER_NAME,
                    max_block: int = MAX_BLOCK, chunk_pairs: int = CHUNK_PAIRS) -> Iterator[pd.DataFrame]:
    """Pairs of name variants of different entities that share a blocking key, in chunks.

    Parameters
    ----------
    entities : DataFrame
        From :func:`resolve.entities.entity_records` (``names``, ``postcode``, ``domain``).
    keys_per_name : int
        How many of a name's rarest words are keys.
    max_block : int
        Largest block compared; larger ones are skipped.
    chunk_pairs : int
        About how many pairs each chunk holds: memory stays bounded however many names there are.
        A pair sharing two keys may come in two chunks.

    Yields
    ------
    DataFrame
        ``left``, ``right`` (entity positions, ``left < right``), ``left_name``, ``right_name``;
        one row per pair of names.

    Examples
    --------
    >>> entities = pd.DataFrame({"names": [("hounslow phab",), ("phab hounslow",), ("age uk ealing",)],
    ...                          "postcode": [None, None, None], "domain": [None, None, None]})
    >>> [chunk[["left", "right"]].values.tolist() for chunk in candidate_pairs(entities)]
    [[[0, 1]]]
    """
    variants = name_variants(entities)
    keys = [_word_keys(variants, keys_per_name),  # and the name without spaces: "Ivybridgelink"
            pd.DataFrame({"variant": variants.index, "key": "joined:" + variants["name"].str.replace(" ", "")})]
    for column in ("postcode", "domain"):
        values = entities[column].reset_index(drop=True)
        present = variants[variants["entity"].map(values).notna()]
        keys.append(pd.DataFrame({"variant": present.index,
                                  "key": column + ":" + present["entity"].map(values).astype(str)}))
    keyed = pd.concat(keys, ignore_index=True).drop_duplicates()
    sizes = keyed.groupby("key")["variant"].transform("size")
    keyed = keyed[(sizes > 1) & (sizes <= max_block)].assign(size=sizes)
    keyed["key"] = keyed["key"].astype("category").cat.codes
    # chunks of whole blocks, each about chunk_pairs pairs (a block of n names makes n^2 / 2 pairs)
    work = keyed.drop_duplicates("key")[["key", "size"]].sort_values("key")
    chunk_of = pd.Series((np.cumsum(work["size"].to_numpy() ** 2 / 2) // chunk_pairs).astype(int),
                         index=work["key"].to_numpy())
    keyed["chunk"] = keyed["key"].map(chunk_of)
    entity, names = variants["entity"].to_numpy(), variants["name"].to_numpy()
    for _, block in keyed.groupby("chunk", sort=True):
        pairs = block[["key", "variant"]].merge(block[["key", "variant"]], on="key", suffixes=("_a", "_b"))
        pairs = pairs[pairs["variant_a"] < pairs["variant_b"]][["variant_a", "variant_b"]].drop_duplicates()
        a, b = pairs["variant_a"].to_numpy(), pairs["variant_b"].to_numpy()
        left, right = entity[a], entity[b]
        frame = pd.DataFrame({"left": np.minimum(left, right), "right": np.maximum(left, right),
                              "left_name": np.where(left < right, names[a], names[b]),
                              "right_name": np.where(left < right, names[b], names[a])})
        yield frame[frame["left"] != frame["right"]].reset_index(drop=True)
