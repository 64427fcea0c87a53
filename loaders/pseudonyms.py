"""Pseudonyms for people: a keyed hash, stable across builds, unreadable without the user's key.

The same name under the same key always gives the same pseudonym, so board interlocks (one person on
two boards) stay computable; without the key nobody can test a guessed name against a pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from civicgraph.core.errors import ConfigError

KEY_HINT = ("people's names are pseudonymised with your key: set CIVICGRAPH_PSEUDONYM_KEY to a secret "
            "of your own (kept out of the repository) and build again")


def _folded(character: str) -> str:
    """A character of a decomposed name as pseudonyms see it: accents and Latin letters with no
    ASCII form dropped (as always), letters of other scripts kept."""
    if character.isascii():
        return character
    if unicodedata.combining(character) or unicodedata.name(character, "LATIN").startswith("LATIN"):
        return ""
    return character.casefold() if character.isalnum() else ""


def normalise_name(name: str) -> str:
    """A person's name in the form pseudonyms are made from: accents folded, titles and punctuation
    dropped, lower case, single spaces. Names in other scripts (Arabic, Chinese, Cyrillic, ...)
    keep their letters, so two such names do not share one pseudonym.

    Examples
    --------
    >>> normalise_name("  Dr. Anne-Marie  O'Neill ")
    'anne marie oneill'
    >>> normalise_name("Иван Петров"), normalise_name("محمد علي")
    ('иван петров', 'محمد علي')
    """
    text = "".join(_folded(c) for c in unicodedata.normalize("NFKD", name)).lower()
    text = re.sub(r"\b(mr|mrs|ms|miss|dr|prof|rev|revd|sir|dame|cllr|councillor)\b\.?", " ", text)
    text = text.replace("'", "")
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


def pseudonym(name: str, key: bytes | None) -> str:
    """The pseudonym of a person's name under ``key``: ``P-`` and 16 hex digits of HMAC-SHA256.

    Raises
    ------
    ConfigError
        When no key is given.

    Examples
    --------
    >>> pseudonym("Anne O'Neill", b"k") == pseudonym("anne  oneill", b"k") != pseudonym("Anne O'Neill", b"j")
    True
    """
    if not key:
        raise ConfigError(KEY_HINT)
    normal = normalise_name(name) or " ".join(name.casefold().split())  # "Mr." alone is still someone
    digest = hmac.new(key, normal.encode(), hashlib.sha256).hexdigest()
    return f"P-{digest[:16]}"
