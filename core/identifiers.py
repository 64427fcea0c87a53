"""Identifier schemes: Org-ID for organisations, versioned GSS codes for places, our scheme for groups.

* Organisations use Org-ID (``GB-CHC-1234567`` charity, ``GB-COH-01234567`` company,
  ``GB-LAE-HNS`` English local authority, ``GB-NHS-…``), as listed in the Org-ID register.
* Places use their GSS code and the year of the boundary set: ``E05000346@2017`` is Bedfont ward as
  drawn in 2017. Codes of different generations are different nodes.
* Groups on no register use ``LOCAL-{authority three-letter code}-{slug of name}``, e.g.
  ``LOCAL-HNS-feltham-mums-walking-group``; see ``docs/identifiers.md``.
* Grants and contracts keep their publishers' identifiers (``360G-…``, ``ocds-…``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
import pandas as pd
from anyascii import anyascii

#: When identifiers of one entity meet, the canonical one is the first scheme here.
SCHEME_PRIORITY = ("GB-CHC", "GB-SC", "GB-NIC", "GB-COH", "GB-MPR", "GB-LAE", "GB-LAS", "GB-NHS", "GB-GOR")


def place_ids(gss_codes: pd.Series, generation: int) -> pd.Series:
    """Node ids of places: each GSS code and the year of its boundary set (``E05000346@2017`` is
    Bedfont ward as drawn in 2017).

    Examples
    --------
    >>> place_ids(pd.Series([" e05000346", "E05000347"]), 2017).tolist()
    ['E05000346@2017', 'E05000347@2017']
    """
    return gss_codes.str.strip().str.upper() + f"@{int(generation)}"


def _transliterated(text: str) -> str | None:
    """``text`` in ASCII letters if dropping its non-ASCII characters loses more than accents, else None."""
    decomposed = unicodedata.normalize("NFKD", text)
    if any(_lost_meaning(ch) for ch in decomposed):
        return anyascii(decomposed)
    return None


def _lost_meaning(ch: str) -> bool:
    """Whether dropping ``ch`` from an ASCII slug loses part of a name: a letter, a digit, an emoji."""
    if ch.isascii():
        return False
    category = unicodedata.category(ch)
    return category[0] in "LN" or (category == "So" and ord(ch) > 0xFF)  # ® and © stay dropped


def _name_digest(text: str) -> str:
    """Eight hex digits standing for ``text`` whatever its case, width or spacing (unkeyed: ids are public)."""
    normal = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.blake2s(normal.encode(), digest_size=4).hexdigest()


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens, stable and distinct for names in any script.

    A name in Latin letters (accents dropped) gives its words, as in earlier builds. A name with
    letters of another script (Arabic, Chinese, Cyrillic, Devanagari, emoji, but also ``ø`` or ``ß``)
    is transliterated by :mod:`anyascii` and followed by eight hex digits of a hash of the name, so two
    names that read alike in ASCII (``马``, ``吗``) stay apart. A name with no letters or digits at all
    is the hash alone.

    Examples
    --------
    >>> slugify("Feltham Mums' Walking Group (FMWG)")
    'feltham-mums-walking-group-fmwg'
    >>> slugify("Café Society")
    'cafe-society'
    >>> slugify("Иван и друзья")
    'ivan-i-druzya-f1706bb8'
    >>> slugify("马") != slugify("吗")
    True
    >>> slugify("???")
    'b254639c'
    """
    transliterated = _transliterated(text)
    source = unicodedata.normalize("NFKD", text) if transliterated is None else transliterated
    ascii_text = source.encode("ascii", "ignore").decode().replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if transliterated is None and slug:
        return slug
    return f"{slug}-{_name_digest(text)}" if slug else _name_digest(text)


def local_group_id(authority_code: str, name: str) -> str:
    """Identifier for a group on no register, in our ``LOCAL-`` scheme.

    Examples
    --------
    >>> local_group_id("HNS", "Bedfont Tuesday Lunch Club")
    'LOCAL-HNS-bedfont-tuesday-lunch-club'
    """
    return f"LOCAL-{authority_code.upper()}-{slugify(name)}"


def charity_id(number: str | int) -> str:
    """Org-ID of a charity registered in England and Wales.

    Examples
    --------
    >>> charity_id(" 1106260 ")
    'GB-CHC-1106260'
    """
    return f"GB-CHC-{str(number).strip()}"


def company_number(number: str) -> str:
    """A company number as Companies House writes it: upper case, all-digit numbers padded to eight.

    Numbers with a prefix (``SC``, ``NI``, ``IP``, ``RS``) are kept as they are.

    Examples
    --------
    >>> company_number("8591698"), company_number(" sc222222 "), company_number("IP55555")
    ('08591698', 'SC222222', 'IP55555')
    """
    text = str(number).strip().upper().removesuffix(".0")
    return text.zfill(8) if text.isdigit() else text


def company_numbers(numbers: pd.Series) -> pd.Series:
    """:func:`company_number` of a whole column.

    Examples
    --------
    >>> company_numbers(pd.Series(["8591698", " sc222222 ", "3294445.0"])).tolist()
    ['08591698', 'SC222222', '03294445']
    """
    text = numbers.astype("str").str.strip().str.upper().str.removesuffix(".0")
    return text.where(~text.str.isdigit().fillna(False), text.str.zfill(8))


def company_id(number: str) -> str:
    """Org-ID of a company (see :func:`company_number`).

    Examples
    --------
    >>> company_id("8591698")
    'GB-COH-08591698'
    """
    return f"GB-COH-{company_number(number)}"


def company_ids(numbers: pd.Series) -> pd.Series:
    """:func:`company_id` of a whole column.

    Examples
    --------
    >>> company_ids(pd.Series(["8591698"])).tolist()
    ['GB-COH-08591698']
    """
    return "GB-COH-" + company_numbers(numbers)


def scheme_rank(identifier: str) -> int:
    """Rank of an identifier's scheme in :data:`SCHEME_PRIORITY` (unlisted schemes rank last).

    Examples
    --------
    >>> scheme_rank("GB-CHC-1") < scheme_rank("GB-COH-01") < scheme_rank("360G-x")
    True
    """
    for rank, prefix in enumerate(SCHEME_PRIORITY):
        if identifier.startswith(prefix + "-"):
            return rank
    return len(SCHEME_PRIORITY)


#: Schemes of registers: two different identifiers of one of these are two different organisations.
OFFICIAL_SCHEMES = frozenset(SCHEME_PRIORITY)

#: What sources write where an organisation has no number (upper case, spaces and dots removed).
PLACEHOLDERS = frozenset({"", "0", "-", "--", "NA", "N/A", "NONE", "NULL", "NIL", "TBC", "TBA", "UNKNOWN",
                          "PENDING", "EXEMPT", "EXCEPTED", "NOTREGISTERED", "NOTAPPLICABLE", "APPLIEDFOR"})
#: The form of each register's numbers, and that form in words. Charity Commission numbers run from
#: 200000; Companies House numbers are eight characters (a prefix such as SC, NI, OC, R, IP keeps them
#: eight, and some end in a letter); OSCR numbers are SC and six digits; the Charity Commission for Northern Ireland's start at
#: 100001. None of these registers publishes a check digit, so no checksum is tested.
NUMBER_FORMATS = {
    "GB-CHC": (r"[2-9]\d{5}|1\d{6}", "six or seven digits from 200000"),
    "GB-COH": (r"(?=[A-Z0-9]{8}$)[A-Z]{0,2}\d+[A-Z]?", "eight characters: digits after up to two letters"),
    "GB-SC": (r"SC\d{6}", "SC and six digits"),
    "GB-NIC": (r"1\d{5}", "six digits from 100001"),
}


def identifier_problems(identifiers: pd.Series) -> pd.Series:
    """Why each register identifier cannot be an organisation's: a placeholder (``GB-COH-00000000``,
    ``GB-CHC-N/A``) or a number of the wrong form for its register (too short, too long, letters where
    digits belong). Missing where the identifier is possible or of a scheme whose form is not known.

    Parameters
    ----------
    identifiers : Series of str
        Org-IDs (``GB-CHC-1106260``).

    Returns
    -------
    Series of str or None
        The reason in words, on the index of ``identifiers``.

    Examples
    --------
    >>> identifier_problems(pd.Series(["GB-COH-00000000", "GB-CHC-1106260", "GB-CHC-12", "GB-COH-N/A",
    ...                                "LOCAL-HNS-x"])).tolist()
    ['a placeholder (all zeros), not a company number', None, "'12' is not a charity number (six or seven digits from 200000)", 'a placeholder, not a company number', None]
    """
    text = identifiers.astype("str")
    scheme = schemes_of(text)
    found = pd.Series(None, index=identifiers.index, dtype=object)
    for prefix, (pattern, form) in NUMBER_FORMATS.items():
        rows = (scheme == prefix).to_numpy(dtype=bool)
        if not rows.any():
            continue
        number = text[rows].str.slice(len(prefix) + 1)
        compact = number.str.upper().str.replace(r"[\s.]", "", regex=True)
        what = _NUMBER_NAMES[prefix]
        reason = pd.Series(None, index=number.index, dtype=object)
        reason = reason.mask(~number.str.fullmatch(pattern).fillna(False).astype(bool),
                             "'" + number + f"' is not a {what} ({form})")
        zeros = compact.str.fullmatch(r"[A-Z]*0+").fillna(False).astype(bool)
        reason = reason.mask(zeros & compact.str.contains("0", regex=False), f"a placeholder (all zeros), not a {what}")
        reason = reason.mask(compact.isin(PLACEHOLDERS).to_numpy(dtype=bool), f"a placeholder, not a {what}")
        found[rows] = reason.to_numpy(dtype=object)
    return pd.Series([r if isinstance(r, str) else None for r in found.tolist()], index=found.index, dtype=object)


def identifier_problem(identifier: str) -> str | None:
    """:func:`identifier_problems` of one identifier.

    Examples
    --------
    >>> identifier_problem("GB-COH-123456789")
    "'123456789' is not a company number (eight characters: digits after up to two letters)"
    >>> identifier_problem("GB-COH-SC222222") is None
    True
    """
    return identifier_problems(pd.Series([identifier])).iloc[0]


_NUMBER_NAMES = {"GB-CHC": "charity number", "GB-COH": "company number", "GB-SC": "Scottish charity number",
                 "GB-NIC": "Northern Ireland charity number"}


def schemes_of(identifiers: pd.Series) -> pd.Series:
    """:func:`scheme_of` of a whole column (missing where an id is of no register).

    Examples
    --------
    >>> schemes_of(pd.Series(["GB-CHC-1", "GB-SC-SC1", "LOCAL-HNS-x"])).tolist()
    ['GB-CHC', 'GB-SC', nan]
    """
    text = identifiers.astype("str")
    found = pd.Series(np.nan, index=identifiers.index, dtype=object)
    for prefix in reversed(SCHEME_PRIORITY):
        found = found.mask(text.str.startswith(prefix + "-").to_numpy(dtype=bool, na_value=False), prefix)
    return found


def scheme_of(identifier: str) -> str | None:
    """The register scheme of an identifier (``GB-CHC``), or None for ids of no register.

    Examples
    --------
    >>> scheme_of("GB-CHC-1106260"), scheme_of("LOCAL-HNS-feltham-food-bank")
    ('GB-CHC', None)
    """
    for prefix in SCHEME_PRIORITY:
        if identifier.startswith(prefix + "-"):
            return prefix
    return None
