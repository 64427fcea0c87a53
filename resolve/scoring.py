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

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from civicgraph.resolve.names import JOINING_WORDS, KIND_WORDS, OTHER_BODY_WORDS, abbreviates, initials, name_words

#: Penalties and bonuses added to the name similarity (see the module docstring).
WEIGHTS = {
    "different_places": -0.45, "other_body": -0.3, "place_one_side": -0.25, "another_place": -0.05, "both_sides_differ": -0.3,
    "distinctive_word": -0.05, "kind_word": -0.03, "same_postcode": 0.05, "same_area": 0.0,
    "different_area": -0.05, "same_domain": 0.12, "different_domain": -0.1, "same_site": 0.0, "other_site_page": 0.0,
}
#: A weak name (see :class:`PairScore`) in another postcode area counts this many times the usual.
WEAK_NAME_FACTOR = 4
#: Where one name's words are all in the other and identify a body, the score starts here.
CONTAINED = 0.98
#: Two words this alike (rapidfuzz ratio) are taken for one word misspelt.
TYPO_SIMILARITY = 85
#: Pairs that cannot reach this score are not examined further (penalties only lower a score).
SIMILARITY_FLOOR = 0.75
#: A short form (an acronym, one distinctive word for a longer name) or a name contained in one with
#: other distinctive words starts here: in the review band, not merged on the name alone.
SHORT_FORM = 0.85
#: Added to such a name when a second signal agrees (the same postcode area, the same web domain).
CONFIRMED = 0.08
#: A name alone, with postcodes in different areas and no shared web domain, scores at most this:
#: the same name in another place goes to review, it is never merged on the name alone.
NAME_ONLY_ELSEWHERE = 0.85


@dataclass(frozen=True)
class PairScore:
    """The score of one pair of names and the evidence for it.

    ``weak`` is true when the words the names share say little on their own (at most one
    distinctive word and no place): such a pair needs its postcode to agree. ``short_form`` is true
    when the name is evidence only with a second signal (an acronym, one word for a longer name, a
    name inside one with other distinctive words): :func:`score_pairs` adds :data:`CONFIRMED` when
    the postcode area or web domain agrees and otherwise keeps the score at :data:`SHORT_FORM`.
    """

    score: float
    evidence: str
    weak: bool = False
    short_form: bool = False


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
    exact_core = core & words_left & words_right  # without misspelt twins (link / links)
    contained = not (only_left and only_right) and (len(core) >= 2 or (core and shared & places))
    extra = {w for w in only_left | only_right if not _is_kind(w) and w not in places}
    short = _short_form(left, right, places) if not contained else ""
    score = max(similarity, CONTAINED) if contained else similarity
    if short:
        score = max(similarity, SHORT_FORM)
    notes = [f"one name contains the other ('{left}' / '{right}')" if contained
             else short or f"names alike {similarity:.2f} ('{left}' / '{right}')"]
    if acronyms:
        notes.append("acronym: " + ", ".join(sorted(acronyms)))
    other_body = (only_left | only_right) & OTHER_BODY_WORDS
    if other_body:
        score += WEIGHTS["other_body"]
        notes.append(f"another body: {', '.join(sorted(other_body))}")
    if not short:  # a short form's other words are what it stands for
        score += _word_penalties(only_left, only_right, shared, places, notes)
    weak = len(core) < 2 and not shared & places
    # a word inserted into a name, or a misspelt twin (Family Links / Family Support Link), with no
    # place in common may name another body (Beacon House Ministries)
    short_form = bool(short) or (contained and bool(extra or core - exact_core) and not shared & places)
    # names alike only through a misspelt word (Sunshine Club / SONshine Club) need a second signal too
    short_form = short_form or (bool(core) and not exact_core and not shared & places)
    return PairScore(round(min(max(score, 0.0), 1.0), 4), "; ".join(notes), weak and not short, short_form)


def _word_penalties(only_left: set[str], only_right: set[str], shared: set[str], places: frozenset[str],
                    notes: list[str]) -> float:
    """What words in one name only take off a score (places, distinctive and kind words); notes the evidence."""
    score = 0.0
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
    return score


def _short_form(left: str, right: str, places: frozenset[str]) -> str:
    """Evidence that one name is a short form of the other (its acronym, or its first word alone), or ''."""
    if left[:1] != right[:1] or left.count(" ") == right.count(" ") or min(left.count(" "), right.count(" ")) > 1:
        return ""  # a short form has fewer words (one or two) and starts with the long form's letter
    short, long = sorted((left, right), key=lambda n: (len(n.split()), len(n)))
    if abbreviates(short, long):
        return f"short form: '{short}' is the initials of '{long}'"
    words = long.split()
    if (" " not in short and len(short) >= 4 and words[0] == short and len(words) > 1 and not _is_kind(short)
            and short not in places and short not in JOINING_WORDS and not set(words) & places):
        return f"short form: '{short}' is the first word of '{long}'"
    return ""


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
    counts : ndarray of int
        How many words each name has.
    first : ndarray of int
        A code of each name's first letter (the same for the same letter).
    """

    names: np.ndarray
    sorted_words: np.ndarray
    words: np.ndarray
    counts: np.ndarray
    first: np.ndarray

    @classmethod
    def of(cls, names: Iterable[str]) -> NameTable:
        """The table of ``names`` (distinct, in the order given).

        Examples
        --------
        >>> NameTable.of(["hounslow phab"]).sorted_words.tolist()
        ['hounslow phab']
        """
        names = np.asarray(list(names), dtype=object)
        lists = pc.utf8_split_whitespace(pa.array(names, type=pa.large_string()))
        words, owner = pc.list_flatten(lists), pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        kept = pc.not_equal(words, "").to_numpy(zero_copy_only=False)  # a name's edges split off '' too
        words, owner = words.filter(pa.array(kept)), owner[kept]
        encoded = pc.dictionary_encode(words)
        code = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        # in alphabetical order within each name: UTF-8 bytes sort as Python sorts code points
        rank = np.empty(len(encoded.dictionary), dtype=np.int64)
        rank[pc.array_sort_indices(encoded.dictionary).to_numpy(zero_copy_only=False)] = np.arange(len(rank))
        order = np.lexsort((rank[code], owner))
        offsets = np.r_[0, np.cumsum(np.bincount(owner, minlength=len(names)))]
        sorted_words = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()),
                                                                    words.take(pa.array(order))),
                                      pa.scalar(" ", type=pa.large_string()))
        # one bit per word (the same bit for the same word), combined over each name's words
        bits = np.left_shift(np.uint64(1), (code % 64).astype(np.uint64))
        signature = np.zeros(len(names), dtype=np.uint64)
        np.bitwise_or.at(signature, owner, bits)
        first = pc.dictionary_encode(pc.utf8_slice_codeunits(pa.array(names, type=pa.large_string()), 0, 1)).indices
        return cls(names, np.asarray(sorted_words.to_numpy(zero_copy_only=False), dtype=object), signature,
                   np.bincount(owner, minlength=len(names)), first.to_numpy(zero_copy_only=False).astype(np.int64))


def _name_codes(pairs: pd.DataFrame, table: NameTable | None) -> tuple[np.ndarray, np.ndarray, NameTable]:
    """Positions of each pair's names in a name table (the pairs' own, when none is given)."""
    left, right = pairs["left_name"], pairs["right_name"]
    if table is not None and isinstance(left.dtype, pd.CategoricalDtype):
        return left.cat.codes.to_numpy(np.int64), right.cat.codes.to_numpy(np.int64), table
    codes, names = pd.factorize(np.concatenate([left.to_numpy(dtype=object), right.to_numpy(dtype=object)]))
    return codes[:len(left)], codes[len(left):], NameTable.of(names)


@dataclass(frozen=True)
class EntityCodes:
    """Each entity's postcode and web domain as integers (-1 where it has none), for comparing pairs
    of entities a column at a time: the postcode as written, without spaces, and its area (letters)."""

    values: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]

    @classmethod
    def of(cls, entities: pd.DataFrame) -> EntityCodes:
        """The codes of the entities' ``postcode`` and ``domain``.

        Examples
        --------
        >>> codes = EntityCodes.of(pd.DataFrame({"postcode": ["TW3 1AA", "TW31AA", None], "domain": [None] * 3}))
        >>> codes.outcomes("postcode", np.array([0, 0]), np.array([1, 2])).tolist()
        ['same_postcode', '']
        """
        values = {label: np.array([v if isinstance(v, str) else None for v in entities[label].tolist()], dtype=object)
                  for label in ("postcode", "domain")}
        if "names" in entities:  # each entity's main name, to say when another of its names matched
            values["main"] = np.array([n[0] if n else None for n in entities["names"].tolist()], dtype=object)
        text = {label: pa.array(found, type=pa.large_string()) for label, found in values.items()}
        compact = pc.utf8_upper(pc.replace_substring(text["postcode"], " ", ""))
        area = pc.replace_substring_regex(compact, r"[^A-Z].*", "", max_replacements=1)  # the letters it starts with
        codes = {"postcode": _codes(text["postcode"]), "domain": _codes(text["domain"]), "compact": _codes(compact),
                 "area": _codes(area)}
        codes["page"] = (entities["page"].to_numpy(dtype=bool) if "page" in entities
                         else np.zeros(len(entities), dtype=bool)).astype(np.int64)
        return cls(values, codes)

    def same(self, label: str, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Whether each pair's values are present and written the same."""
        code = self.codes[label]
        return (code[left] == code[right]) & (code[left] >= 0)

    def outcomes(self, label: str, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Each pair's :data:`WEIGHTS` key for ``postcode`` or ``domain`` ('' unless both have one)."""
        present = (self.codes[label][left] >= 0) & (self.codes[label][right] >= 0)
        if label == "domain":
            # a page within a site (ageuk.org.uk/hounslow) is a branch's or a project's, not the site's owner's
            page = (self.codes["page"][left] + self.codes["page"][right]) > 0
            found = np.where(self.same("domain", left, right), np.where(page, "same_site", "same_domain"),
                             np.where(page, "other_site_page", "different_domain"))
        else:
            found = np.where(self.same("compact", left, right), "same_postcode",
                             np.where(self.same("area", left, right), "same_area", "different_area"))
        return np.where(present, found, "").astype(object)


def _codes(values: pa.Array) -> np.ndarray:
    """The same integer for the same text, -1 for null."""
    return pc.fill_null(pc.dictionary_encode(values).indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _best_bonus(left: np.ndarray, right: np.ndarray, codes: EntityCodes) -> np.ndarray:
    """The most the postcode and domain can add to each pair's score."""
    return (WEIGHTS["same_postcode"] * codes.same("postcode", left, right)
            + WEIGHTS["same_domain"] * codes.same("domain", left, right))


#: How web domain outcomes read in the evidence where the key's words are not enough.
_NOTES = {"same_site": "one site, one record a page within it: a branch or a part of one body, not evidence "
                       "they are the same record",
          "other_site_page": "another site, one record a page within a site (a branch's page on a national "
                             "body's site): no evidence against"}


def _note(outcome: str, a: str, b: str) -> str:
    return f"{_NOTES.get(outcome, outcome.replace('_', ' '))} ({a}{'' if a == b else ' / ' + b})"


def score_pairs(pairs: pd.DataFrame, entities: pd.DataFrame | None, places: frozenset[str], *,
                floor: float = SIMILARITY_FLOOR, names: NameTable | None = None,
                codes: EntityCodes | None = None) -> pd.DataFrame:
    """Score candidate pairs; keep each pair of entities' best-scoring names.

    Parameters
    ----------
    pairs : DataFrame
        From :meth:`civicgraph.resolve.blocking.Blocks.pairs`.
    entities : DataFrame or None
        From :func:`resolve.entities.entity_records`; may be None when ``codes`` is given.
    places : frozenset of str
        Place words.
    floor : float
        Pairs that cannot reach this score are dropped before the detailed score: names less
        alike than ``floor`` less what postcode and domain could add, unless one name's words
        are all in the other (rapidfuzz ``token_set_ratio`` of at least 95).
    names : NameTable, optional
        The table the pairs' names come from (:meth:`civicgraph.resolve.blocking.Blocks.pairs` gives
        names as categories of it); made from the pairs when not given.
    codes : EntityCodes, optional
        The entities' postcodes and domains as codes; made from ``entities`` when not given.

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
    codes = codes or EntityCodes.of(entities)
    left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    plain = process.cpdist(table.names[left_code].tolist(), table.names[right_code].tolist(), scorer=fuzz.ratio,
                           workers=-1)
    sorted_words = process.cpdist(table.sorted_words[left_code].tolist(), table.sorted_words[right_code].tolist(),
                                  scorer=fuzz.ratio, workers=-1)
    similarity = np.maximum(plain, sorted_words) / 100.0
    reachable = similarity >= floor - _best_bonus(left, right, codes)
    # token_set_ratio reaches 95 on a pair no better alike only when one name's words are within the other's
    left_words, right_words = table.words[left_code], table.words[right_code]
    within = ((left_words & ~right_words) == 0) | ((right_words & ~left_words) == 0)
    unsure = np.flatnonzero(~reachable & within)
    contained = process.cpdist(table.names[left_code[unsure]].tolist(), table.names[right_code[unsure]].tolist(),
                               scorer=fuzz.token_set_ratio, workers=-1, score_cutoff=95) >= 95
    reachable[unsure[contained]] = True
    # a short form (an acronym, one word for a longer name) is unlike its long form: looked at on its own
    fewer = np.minimum(table.counts[left_code], table.counts[right_code])
    maybe_short = np.flatnonzero(~reachable & (fewer <= 2) & (table.counts[left_code] != table.counts[right_code])
                                 & (table.first[left_code] == table.first[right_code]))
    short = [bool(_short_form(a, b, places)) for a, b in zip(table.names[left_code[maybe_short]].tolist(),
                                                             table.names[right_code[maybe_short]].tolist())]
    reachable[maybe_short[np.array(short, dtype=bool)]] = True
    exact = np.flatnonzero(reachable & (left_code == right_code))
    scored = [_exact_pairs(left[exact], right[exact], table.names[left_code[exact]], codes)]
    close = np.flatnonzero(reachable & (left_code != right_code))
    rows = []
    outcomes = {label: codes.outcomes(label, left[close], right[close]) for label in ("postcode", "domain")}
    main = codes.values.get("main")
    renamed = ((main[left[close]] != table.names[left_code[close]]) | (main[right[close]] != table.names[right_code[close]])
               if main is not None else np.zeros(len(close), dtype=bool))
    for number, (one, other, left_name, right_name, sim) in enumerate(zip(
            left[close].tolist(), right[close].tolist(), table.names[left_code[close]].tolist(),
            table.names[right_code[close]].tolist(), similarity[close].tolist())):
        scored_names = score_names(left_name, right_name, sim, places)
        score, notes = scored_names.score, [scored_names.evidence]
        if renamed[number]:
            notes += _other_names(codes, (one, left_name), (other, right_name))
        postcode, domain = outcomes["postcode"][number], outcomes["domain"][number]
        for label, outcome in (("postcode", postcode), ("domain", domain)):
            if outcome:
                values = codes.values[label]
                score += WEIGHTS[outcome] * (WEAK_NAME_FACTOR if scored_names.weak and outcome == "different_area" else 1)
                notes.append(_note(outcome, values[one], values[other]))
        if scored_names.short_form:
            if postcode in ("same_postcode", "same_area") or domain == "same_domain":
                score += CONFIRMED
            else:
                score = min(score, SHORT_FORM)
                notes.append("no second signal (postcode area or web domain) agrees")
        score, note = _elsewhere(score, postcode, domain)
        rows.append((one, other, round(min(max(score, 0.0), 1.0), 4), "; ".join(notes + note), False))
    scored.append(pd.DataFrame(rows, columns=columns))
    scored = pd.concat([frame for frame in scored if len(frame)], ignore_index=True) if any(
        len(frame) for frame in scored) else pd.DataFrame(columns=columns)
    scored = scored.sort_values(["score", "exact"], ascending=False, kind="stable")
    return scored.drop_duplicates(["left", "right"]).reset_index(drop=True)


def _other_names(codes: EntityCodes, *sides: tuple[int, str]) -> list[str]:
    """Evidence that a name other than a record's main one matched (a previous, working or
    'formerly' name)."""
    main = codes.values.get("main")
    if main is None:
        return []
    return [f"'{name}' is another name of '{main[entity]}' (a previous, working or 'formerly' name)"
            for entity, name in sides if main[entity] is not None and main[entity] != name]


#: The evidence against a name match in another postcode area.
ELSEWHERE_NOTE = "the same name in another postcode area: not merged on the name alone"


def _elsewhere(score: float, postcode: str, domain: str) -> tuple[float, list[str]]:
    """A score kept to :data:`NAME_ONLY_ELSEWHERE` when the postcodes are in different areas and no
    web domain agrees, with the note saying so."""
    if postcode == "different_area" and domain != "same_domain" and score > NAME_ONLY_ELSEWHERE:
        return NAME_ONLY_ELSEWHERE, [ELSEWHERE_NOTE.replace("the same name", "a name alike")]
    return score, []


def _exact_pairs(left: np.ndarray, right: np.ndarray, names: np.ndarray, codes: EntityCodes) -> pd.DataFrame:
    """Pairs with the same name after normalising, scored a column at a time: 1.0, moved by postcode
    and web domain as :func:`score_pairs` moves any pair (a same name is never weak)."""
    score = np.ones(len(left))
    notes = [f"same name after normalising ('{name}')" for name in names.tolist()]
    if "main" in codes.values:
        main = codes.values["main"]
        for row in np.flatnonzero((main[left] != names) | (main[right] != names)).tolist():
            notes[row] = "; ".join([notes[row], *_other_names(codes, (left[row], names[row]), (right[row], names[row]))])
    outcomes = {}
    for label in ("postcode", "domain"):
        outcome = outcomes[label] = codes.outcomes(label, left, right)
        score += pd.Series(outcome).map(WEIGHTS).fillna(0.0).to_numpy(dtype=float)
        values = codes.values[label]
        for row in np.flatnonzero(outcome != "").tolist():
            notes[row] += "; " + _note(outcome[row], values[left[row]], values[right[row]])
    elsewhere = (outcomes["postcode"] == "different_area") & (outcomes["domain"] != "same_domain")
    score = np.where(elsewhere, np.minimum(score, NAME_ONLY_ELSEWHERE), score)
    for row in np.flatnonzero(elsewhere).tolist():
        notes[row] += "; " + ELSEWHERE_NOTE
    return pd.DataFrame({"left": left, "right": right, "score": np.round(np.clip(score, 0.0, 1.0), 4),
                         "evidence": pd.Series(notes, dtype=object), "exact": True})
