"""Candidate pairs: which records are worth comparing at all.

Comparing every name with every other is quadratic (200,000 x 200,000 names is 4e10 comparisons).
Records are compared only when they share a *blocking key*: one of the three rarest words of a name
(among words found in more than one name),
the whole name written without spaces, a postcode, or a web domain. A word shared by more than ``max_block`` names ("hounslow",
"community") is no key: it would make huge blocks and says little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from civicgraph.resolve.names import JOINING_WORDS

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


def _word_keys(names: pa.Array, counts: np.ndarray, keys_per_name: int) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct name's blocking words: its ``keys_per_name`` rarest words found in more than one
    name variant (``counts`` is how many variants each name has); ties go to the word first in
    alphabetical order.

    Returns
    -------
    name, word : ndarray of int
        Position of the name in ``names``, and a code of the word (the same for the same word).
    """
    lists = pc.split_pattern(names, " ")
    words = pc.list_flatten(lists)
    owner = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    encoded = pc.dictionary_encode(words)
    code = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    vocabulary = encoded.dictionary
    usable = ~np.isin(np.arange(len(vocabulary)), np.flatnonzero(
        pc.or_(pc.equal(vocabulary, ""), pc.is_in(vocabulary, value_set=pa.array(sorted(JOINING_WORDS))))
        .to_numpy(zero_copy_only=False)))
    keep = usable[code]
    owner, code = owner[keep], code[keep]
    once = pd.unique(owner * len(vocabulary) + code)  # a word once per name
    owner, code = once // len(vocabulary), once % len(vocabulary)
    frequency = np.bincount(code, weights=counts[owner], minlength=len(vocabulary))
    alphabetical = np.empty(len(vocabulary), dtype=np.int64)
    alphabetical[pc.array_sort_indices(vocabulary).to_numpy(zero_copy_only=False)] = np.arange(len(vocabulary))
    keep = frequency[code] > 1
    owner, code = owner[keep], code[keep]
    order = np.lexsort((alphabetical[code], frequency[code], owner))
    owner, code = owner[order], code[order]
    starts = np.r_[0, np.flatnonzero(owner[1:] != owner[:-1]) + 1] if len(owner) else np.array([], dtype=np.int64)
    rank = np.arange(len(owner)) - np.repeat(starts, np.diff(np.r_[starts, len(owner)]))
    return owner[rank < keys_per_name], code[rank < keys_per_name]


@dataclass
class Blocks:
    """Which name variants to compare: those of different entities sharing a blocking key, in chunks
    of about ``chunk_pairs`` pairs (memory stays bounded however many names there are).

    Attributes
    ----------
    categories : Index
        The distinct names; pairs give their names as categories of it.
    chunks : ndarray of int
        The chunk numbers; :meth:`pairs` makes one chunk's pairs (independent: they can be scored
        in different processes).

    Examples
    --------
    >>> entities = pd.DataFrame({"names": [("hounslow phab",), ("phab hounslow",), ("age uk ealing",)],
    ...                          "postcode": [None, None, None], "domain": [None, None, None]})
    >>> blocks = Blocks.of(entities)
    >>> [blocks.pairs(chunk)[["left", "right"]].values.tolist() for chunk in blocks.chunks]  # "hounslow", "phab"
    [[[0, 1], [0, 1]]]
    """

    entity: np.ndarray
    name_codes: np.ndarray
    categories: pd.Index
    members: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray
    chunk: np.ndarray

    @classmethod
    def of(cls, entities: pd.DataFrame, *, keys_per_name: int = KEYS_PER_NAME, max_block: int = MAX_BLOCK,
           chunk_pairs: int = CHUNK_PAIRS) -> Blocks:
        """The blocks of ``entities`` (:func:`resolve.entities.entity_records`: ``names``, ``postcode``,
        ``domain``): every key shared by more than one and at most ``max_block`` name variants.

        Parameters
        ----------
        entities : DataFrame
        keys_per_name : int
            How many of a name's rarest words are keys.
        max_block : int
            Largest block compared; larger ones are skipped.
        chunk_pairs : int
            About how many pairs each chunk holds.
        """
        variants = name_variants(entities)
        name_codes, names = pd.factorize(variants["name"].to_numpy(dtype=object))
        names = pa.array(np.asarray(names, dtype=object), type=pa.large_string())
        word_owner, word = _word_keys(names, np.bincount(name_codes, minlength=len(names)), keys_per_name)
        # keys as integers: a word, the name without spaces ("Ivybridgelink"), a postcode, a web domain
        by_name = pd.DataFrame({"variant": np.arange(len(variants)), "name": name_codes})
        worded = by_name.merge(pd.DataFrame({"name": word_owner, "key": word}), on="name")
        members, keys, offset = [worded["variant"].to_numpy()], [worded["key"].to_numpy()], int(word.max(initial=-1)) + 1
        # the name without spaces, and a long name's initials, in one key space: "ACF" meets its long form.
        # Initials are a key only where some name is written so: long names sharing initials alone
        # are no candidates (unrelated long names share them all the time)
        initial_owner, initial_forms = _initials(names)
        unspaced = pc.replace_substring(names, " ", "")
        written = pc.is_in(initial_forms, value_set=unspaced).to_numpy(zero_copy_only=False)
        initial_owner, initial_forms = initial_owner[written], initial_forms.filter(pa.array(written))
        joined = pc.dictionary_encode(pa.concat_arrays([unspaced, initial_forms]))
        joined = joined.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        members.append(np.arange(len(variants)))
        keys.append(offset + joined[:len(names)][name_codes])
        by_initials = pd.DataFrame({"name": initial_owner, "key": joined[len(names):]}).merge(by_name, on="name")
        members.append(by_initials["variant"].to_numpy())
        keys.append(offset + by_initials["key"].to_numpy())
        offset += len(joined)
        entity = variants["entity"].to_numpy()
        for column in ("postcode", "domain"):
            codes = pd.factorize(entities[column].reset_index(drop=True).to_numpy(dtype=object))[0][entity]
            members.append(np.flatnonzero(codes >= 0))
            keys.append(offset + codes[codes >= 0])
            offset += int(codes.max(initial=-1)) + 1
        members, key_codes = np.concatenate(members), np.concatenate(keys).astype(np.int64)
        once = pd.unique(key_codes * len(variants) + members)  # each variant once per key
        key_codes, members = once // len(variants), once % len(variants)
        sizes = np.bincount(key_codes)
        kept = (sizes[key_codes] > 1) & (sizes[key_codes] <= max_block)
        members, key_codes = members[kept], key_codes[kept]
        order = np.argsort(key_codes, kind="stable")
        members, key_codes = members[order], key_codes[order]
        starts = np.r_[0, np.flatnonzero(key_codes[1:] != key_codes[:-1]) + 1] if len(key_codes) else np.array([], int)
        block_sizes = np.diff(np.r_[starts, len(key_codes)])
        chunk = np.cumsum(block_sizes * (block_sizes - 1) // 2) // chunk_pairs
        return cls(entity, name_codes, pd.Index(names.to_numpy(zero_copy_only=False), dtype=object),
                   members, starts, block_sizes, chunk)

    @property
    def chunks(self) -> np.ndarray:
        return np.unique(self.chunk)

    def pairs(self, number: int) -> pd.DataFrame:
        """The pairs of one chunk: ``left``, ``right`` (entity positions, ``left < right``),
        ``left_name``, ``right_name`` (categories of :attr:`categories`); one row per pair of names.
        A pair of names sharing two keys comes twice."""
        chosen = self.chunk == number
        a, b = _block_pairs(self.members, self.starts[chosen], self.sizes[chosen])  # a pair sharing two keys comes twice
        entity = self.entity
        a, b = a[entity[a] != entity[b]], b[entity[a] != entity[b]]
        left, right = entity[a], entity[b]
        swap = left > right
        codes = self.name_codes
        return pd.DataFrame({
            "left": np.where(swap, right, left), "right": np.where(swap, left, right),
            "left_name": pd.Categorical.from_codes(np.where(swap, codes[b], codes[a]), categories=self.categories),
            "right_name": pd.Categorical.from_codes(np.where(swap, codes[a], codes[b]), categories=self.categories)})


def _initials(names: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """The initials of names of three or more words, with and without their joining words
    (:func:`resolve.names.initials` a column at a time): position of the name, and the form."""
    lists = pc.split_pattern(names, " ")
    words = pc.list_flatten(lists)
    owner = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    kept = pc.not_equal(words, "").to_numpy(zero_copy_only=False)
    words, owner = words.filter(pa.array(kept)), owner[kept]
    first = pc.utf8_slice_codeunits(words, 0, 1)
    joining = pc.is_in(words, value_set=pa.array(sorted(JOINING_WORDS), type=words.type)).to_numpy(zero_copy_only=False)
    owners, forms = [], []
    for chosen in (np.ones(len(owner), dtype=bool), ~joining):
        letters, whose = first.filter(pa.array(chosen)), owner[chosen]
        counts = np.bincount(whose, minlength=len(names))
        offsets = np.r_[0, np.cumsum(counts)]
        joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()),
                                                              letters.cast(pa.large_string())),
                                pa.scalar("", type=pa.large_string()))
        long_enough = np.flatnonzero(counts >= 3)
        owners.append(long_enough)
        forms.append(joined.take(pa.array(long_enough)))
    owner = np.concatenate(owners)
    forms = pa.concat_arrays([f.cast(names.type) for f in forms])
    once = ~pd.DataFrame({"o": owner, "f": forms.to_numpy(zero_copy_only=False)}).duplicated().to_numpy()
    return owner[once], forms.filter(pa.array(once))


def _block_pairs(members: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of members within each block (a block is ``members[start:start + size]``)."""
    lefts, rights = [], []
    for size in np.unique(sizes):
        first = starts[sizes == size]
        i, j = np.triu_indices(int(size), k=1)
        lefts.append(members[(first[:, None] + i[None, :]).reshape(-1)])
        rights.append(members[(first[:, None] + j[None, :]).reshape(-1)])
    if not lefts:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(lefts), np.concatenate(rights)
