"""How likely two records are one organisation: a score in [0, 1] and the evidence for it, in words.

The score starts from how alike the normalised names are (rapidfuzz: the better of plain and
word-order-free edit similarity) and is then moved by what an officer checking by hand would look at:

* words in one name only. A differing place (``Age UK Hounslow`` / ``Age UK Ealing``) is almost
  always a different branch; a differing distinctive word on both sides (``... Network`` /
  ``... Church``) a different body, and so does ``Friends of``; an extra kind word (``... Trust``) or an acronym of the other
  name (``HYCS``) counts little. Misspelt words (``Colllege``) count as the same word.
* the postcode: the same one supports the match; another in the same postcode area is neutral
  (directories give a venue, registers the office, organisations move); another area counts a
  little against it.
* the web domain: an organisation's own domain (not a shared host) is strong evidence either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from resolve.names import KIND_WORDS, OTHER_BODY_WORDS, initials, name_words

#: Penalties and bonuses added to the name similarity (see the module docstring).
WEIGHTS = {
    "different_places": -0.45, "other_body": -0.3, "place_one_side": -0.25, "another_place": -0.05, "both_sides_differ": -0.3,
    "distinctive_word": -0.05, "kind_word": -0.03, "same_postcode": 0.05, "same_area": 0.0,
    "different_area": -0.05, "same_domain": 0.12, "different_domain": -0.1,
}
#: A weak name (see :class:`PairScore`) in another postcode area counts this many times the usual.
WEAK_NAME_FACTOR = 4
#: Where one name's words are all in the other and identify a body, the score starts here.
CONTAINED = 0.98
_POSTCODE_AREA = re.compile(r"^[A-Z]*")
#: Two words this alike (rapidfuzz ratio) are taken for one word misspelt.
TYPO_SIMILARITY = 85
#: Pairs that cannot reach this score are not examined further (penalties only lower a score).
SIMILARITY_FLOOR = 0.75


@dataclass(frozen=True)
class PairScore:
    """The score of one pair of names and the evidence for it.

    ``weak`` is true when the words the names share say little on their own (at most one
    distinctive word and no place): such a pair needs its postcode to agree.
    """

    score: float
    evidence: str
    weak: bool = False


def _is_kind(word: str) -> bool:
    return word in KIND_WORDS or (word.endswith("s") and word[:-1] in KIND_WORDS)


def _unmatched(a: frozenset[str], b: frozenset[str]) -> tuple[set[str], set[str]]:
    only_a, only_b = set(a - b), set(b - a)
    for word in sorted(only_a):
        twin = next((w for w in sorted(only_b) if min(len(w), len(word)) >= 4
                     and fuzz.ratio(word, w) >= TYPO_SIMILARITY), None)
        if twin:
            only_a.discard(word)
            only_b.discard(twin)
    return only_a, only_b


def score_names(left: str, right: str, similarity: float, places: frozenset[str]) -> PairScore:
    """Score two normalised names whose similarity is known, before postcode and domain.

    When every word of one name is in the other and the shared words identify a body (two
    distinctive words, or one and a place), the score starts from :data:`CONTAINED`: the longer name
    adds a detail (``Isleworth Explorers Boys Club``), it does not name another body.

    Parameters
    ----------
    left, right : str
        Normalised names (:func:`resolve.names.normalise_name`).
    similarity : float
        Their rapidfuzz similarity in [0, 1].
    places : frozenset of str
        Words that name places (:func:`resolve.names.place_words`).

    Returns
    -------
    PairScore

    Examples
    --------
    >>> places = frozenset({"hounslow", "ealing", "isleworth"})
    >>> score_names("age uk hounslow", "age uk ealing", 0.75, places).score
    0.3
    >>> score_names("isleworth explorers club", "isleworth explorers boys club", 0.91, places).evidence
    "one name contains the other ('isleworth explorers club' / 'isleworth explorers boys club'); words in one name only: boys"
    """
    if left == right:
        return PairScore(1.0, f"same name after normalising ('{left}')")
    if left.replace(" ", "") == right.replace(" ", ""):
        return PairScore(CONTAINED, f"same name but for spaces ('{left}' / '{right}')")
    words_left, words_right = name_words(left), name_words(right)
    only_left, only_right = _unmatched(words_left, words_right)
    acronyms = (only_left | only_right) & (initials(right) | initials(left))
    only_left, only_right = only_left - acronyms, only_right - acronyms
    shared = words_left - only_left - acronyms  # misspelt twins counted once
    core = {w for w in shared - places - {"saint"} if not _is_kind(w)}  # St John's is one saint's name
    contained = not (only_left and only_right) and (len(core) >= 2 or (core and shared & places))
    score = max(similarity, CONTAINED) if contained else similarity
    notes = [f"one name contains the other ('{left}' / '{right}')" if contained
             else f"names alike {similarity:.2f} ('{left}' / '{right}')"]
    if acronyms:
        notes.append("acronym: " + ", ".join(sorted(acronyms)))
    place_left, place_right = only_left & places, only_right & places
    if place_left and place_right:
        score += WEIGHTS["different_places"]
        notes.append(f"different places: {', '.join(sorted(place_left))} / {', '.join(sorted(place_right))}")
    elif place_left or place_right:
        extra = len(place_left | place_right)
        score += WEIGHTS["another_place"] * extra if shared & places else WEIGHTS["place_one_side"]
        notes.append(f"place in one name only: {', '.join(sorted(place_left | place_right))}")
    rest_left, rest_right = only_left - places, only_right - places
    distinctive_left = {w for w in rest_left if not _is_kind(w)}
    distinctive_right = {w for w in rest_right if not _is_kind(w)}
    other_body = (only_left | only_right) & OTHER_BODY_WORDS
    if other_body:
        score += WEIGHTS["other_body"]
        notes.append(f"another body: {', '.join(sorted(other_body))}")
    if rest_left and rest_right and (distinctive_left or distinctive_right):
        score += WEIGHTS["both_sides_differ"]
        notes.append(f"different words: {', '.join(sorted(rest_left))} / {', '.join(sorted(rest_right))}")
    else:
        distinctive = distinctive_left | distinctive_right
        kind = (rest_left | rest_right) - distinctive
        if distinctive:
            score += WEIGHTS["distinctive_word"] * min(len(distinctive), 3)
            notes.append("words in one name only: " + ", ".join(sorted(distinctive)))
        if kind:
            score += WEIGHTS["kind_word"] * len(kind)
            notes.append("kind words in one name only: " + ", ".join(sorted(kind)))
    weak = len(core) < 2 and not shared & places
    return PairScore(round(min(max(score, 0.0), 1.0), 4), "; ".join(notes), weak)


def _compare(label: str, a: str, b: str) -> str:
    if label == "domain":
        return "same_domain" if a == b else "different_domain"
    a, b = a.replace(" ", "").upper(), b.replace(" ", "").upper()
    if a == b:
        return "same_postcode"
    return "same_area" if _POSTCODE_AREA.match(a).group() == _POSTCODE_AREA.match(b).group() else "different_area"


@dataclass(frozen=True)
class NameTable:
    """Distinct normalised names and what scoring needs of each, worked out once per name.

    Attributes
    ----------
    names : ndarray of str
    sorted_words : ndarray of str
        Each name's words in alphabetical order (rapidfuzz's ``token_sort_ratio`` is ``ratio`` of these).
    words : ndarray of uint64
        A signature of each name's words (one bit per word): if one name's words are all in another's,
        its bits are all in the other's.
    """

    names: np.ndarray
    sorted_words: np.ndarray
    words: np.ndarray

    @classmethod
    def of(cls, names: Iterable[str]) -> NameTable:
        """The table of ``names`` (distinct, in the order given).

        Examples
        --------
        >>> NameTable.of(["hounslow phab"]).sorted_words.tolist()
        ['hounslow phab']
        """
        names = np.asarray(list(names), dtype=object)
        split = [name.split() for name in names]
        signature = np.fromiter((sum({1 << (hash(w) % 64) for w in words}) for words in split), dtype=object,
                                count=len(split))
        return cls(names, np.asarray([" ".join(sorted(words)) for words in split], dtype=object),
                   np.array([int(v) for v in signature], dtype=np.uint64) if len(split) else np.array([], np.uint64))


def name_similarity(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Similarity of each pair of names in [0, 1]: the better of rapidfuzz ``ratio`` and ``token_sort_ratio``.

    Examples
    --------
    >>> name_similarity(pd.Series(["hounslow phab"]), pd.Series(["phab hounslow"])).tolist()
    [1.0]
    """
    a, b = left.tolist(), right.tolist()
    plain = process.cpdist(a, b, scorer=fuzz.ratio, workers=-1)
    sorted_words = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=-1)
    return np.maximum(plain, sorted_words) / 100.0


def _name_codes(pairs: pd.DataFrame, table: NameTable | None) -> tuple[np.ndarray, np.ndarray, NameTable]:
    """Positions of each pair's names in a name table (the pairs' own, when none is given)."""
    left, right = pairs["left_name"], pairs["right_name"]
    if table is not None and isinstance(left.dtype, pd.CategoricalDtype):
        return left.cat.codes.to_numpy(np.int64), right.cat.codes.to_numpy(np.int64), table
    codes, names = pd.factorize(np.concatenate([left.to_numpy(dtype=object), right.to_numpy(dtype=object)]))
    return codes[:len(left)], codes[len(left):], NameTable.of(names)


def _best_bonus(pairs: pd.DataFrame, entities: pd.DataFrame) -> np.ndarray:
    """The most the postcode and domain can add to each pair's score."""
    bonus = np.zeros(len(pairs))
    for column, weight in (("postcode", WEIGHTS["same_postcode"]), ("domain", WEIGHTS["same_domain"])):
        values = entities[column].to_numpy(dtype=object)
        left, right = values[pairs["left"].to_numpy()], values[pairs["right"].to_numpy()]
        bonus += weight * ((left == right) & pd.notna(left))
    return bonus


def score_pairs(pairs: pd.DataFrame, entities: pd.DataFrame, places: frozenset[str], *,
                floor: float = SIMILARITY_FLOOR, names: NameTable | None = None) -> pd.DataFrame:
    """Score candidate pairs; keep each pair of entities' best-scoring names.

    Parameters
    ----------
    pairs : DataFrame
        From :func:`resolve.blocking.candidate_pairs`.
    entities : DataFrame
        From :func:`resolve.entities.entity_records`.
    places : frozenset of str
        Place words.
    floor : float
        Pairs that cannot reach this score are dropped before the detailed score: names less
        alike than ``floor`` less what postcode and domain could add, unless one name's words
        are all in the other (rapidfuzz ``token_set_ratio`` of at least 95).
    names : NameTable, optional
        The table the pairs' names come from (:func:`resolve.blocking.candidate_pairs` gives
        names as categories of it); made from the pairs when not given.

    Returns
    -------
    DataFrame
        ``left``, ``right`` (entity positions), ``score``, ``evidence``, ``exact`` (same name after
        normalising), best score first.

    Examples
    --------
    >>> entities = pd.DataFrame({"names": [("hounslow phab",), ("hounslow phab",)],
    ...                          "postcode": ["TW3 1AA", "TW3 1AA"], "domain": [None, None]})
    >>> pairs = pd.DataFrame({"left": [0], "right": [1], "left_name": ["hounslow phab"],
    ...                       "right_name": ["hounslow phab"]})
    >>> score_pairs(pairs, entities, frozenset())[["score", "exact", "evidence"]].values.tolist()
    [[1.0, True, "same name after normalising ('hounslow phab'); same postcode (TW3 1AA)"]]
    """
    columns = ["left", "right", "score", "evidence", "exact"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    left_code, right_code, table = _name_codes(pairs, names)
    plain = process.cpdist(table.names[left_code].tolist(), table.names[right_code].tolist(), scorer=fuzz.ratio,
                           workers=-1)
    sorted_words = process.cpdist(table.sorted_words[left_code].tolist(), table.sorted_words[right_code].tolist(),
                                  scorer=fuzz.ratio, workers=-1)
    similarity = np.maximum(plain, sorted_words) / 100.0
    reachable = similarity >= floor - _best_bonus(pairs, entities)
    # token_set_ratio reaches 95 on a pair no better alike only when one name's words are within the other's
    left_words, right_words = table.words[left_code], table.words[right_code]
    within = ((left_words & ~right_words) == 0) | ((right_words & ~left_words) == 0)
    unsure = np.flatnonzero(~reachable & within)
    contained = process.cpdist(table.names[left_code[unsure]].tolist(), table.names[right_code[unsure]].tolist(),
                               scorer=fuzz.token_set_ratio, workers=-1, score_cutoff=95) >= 95
    reachable[unsure[contained]] = True
    exact = reachable & (left_code == right_code)
    scored = [_exact_pairs(pairs[exact], table.names[left_code[exact]], entities)]
    close = np.flatnonzero(reachable & ~exact)
    rows = []
    postcode, domain = entities["postcode"].to_numpy(), entities["domain"].to_numpy()
    for left, right, left_name, right_name, sim in zip(
            pairs["left"].to_numpy()[close].tolist(), pairs["right"].to_numpy()[close].tolist(),
            table.names[left_code[close]].tolist(), table.names[right_code[close]].tolist(), similarity[close].tolist()):
        scored_names = score_names(left_name, right_name, sim, places)
        score, notes = scored_names.score, [scored_names.evidence]
        for label, values in (("postcode", postcode), ("domain", domain)):
            a, b = values[left], values[right]
            if isinstance(a, str) and isinstance(b, str):
                outcome = _compare(label, a, b)
                score += WEIGHTS[outcome] * (WEAK_NAME_FACTOR if scored_names.weak and outcome == "different_area" else 1)
                notes.append(f"{outcome.replace('_', ' ')} ({a}{'' if a == b else ' / ' + b})")
        rows.append((left, right, round(min(max(score, 0.0), 1.0), 4), "; ".join(notes), False))
    scored.append(pd.DataFrame(rows, columns=columns))
    scored = pd.concat([frame for frame in scored if len(frame)], ignore_index=True) if any(
        len(frame) for frame in scored) else pd.DataFrame(columns=columns)
    scored = scored.sort_values(["score", "exact"], ascending=False, kind="stable")
    return scored.drop_duplicates(["left", "right"]).reset_index(drop=True)


def _exact_pairs(pairs: pd.DataFrame, names: np.ndarray, entities: pd.DataFrame) -> pd.DataFrame:
    """Pairs with the same name after normalising, scored a column at a time: 1.0, moved by postcode
    and web domain as :func:`score_pairs` moves any pair (a same name is never weak)."""
    score = np.ones(len(pairs))
    notes = pd.Series("same name after normalising ('" + pd.Series(names, dtype=object) + "')", dtype=object)
    for label in ("postcode", "domain"):
        values = entities[label].to_numpy(dtype=object)
        a, b = values[pairs["left"].to_numpy()], values[pairs["right"].to_numpy()]
        both = np.array([isinstance(x, str) and isinstance(y, str) for x, y in zip(a, b)], dtype=bool)
        outcome = np.array([_compare(label, x, y) if m else "" for x, y, m in zip(a, b, both)], dtype=object)
        score += np.array([WEIGHTS.get(o, 0.0) for o in outcome])
        text = [f"; {o.replace('_', ' ')} ({x}{'' if x == y else ' / ' + y})" if m else ""
                for o, x, y, m in zip(outcome, a, b, both)]
        notes = notes + pd.Series(text, dtype=object)
    return pd.DataFrame({"left": pairs["left"].to_numpy(), "right": pairs["right"].to_numpy(),
                         "score": np.round(np.clip(score, 0.0, 1.0), 4), "evidence": notes.to_numpy(dtype=object),
                         "exact": True})
