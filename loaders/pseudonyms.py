"""Pseudonyms for people: a keyed hash, stable across builds, unreadable without the user's key.

The same name under the same key always gives the same pseudonym, so board interlocks (one person on
two boards) stay computable; without the key nobody can test a guessed name against a pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from graph.errors import ConfigError

KEY_HINT = ("people's names are pseudonymised with your key: set CIVICGRAPH_PSEUDONYM_KEY to a secret "
            "of your own (kept out of the repository) and build again")


def normalise_name(name: str) -> str:
    """A person's name in the form pseudonyms are made from: accents folded, titles and punctuation
    dropped, lower case, single spaces.

    Examples
    --------
    >>> normalise_name("  Dr. Anne-Marie  O'Neill ")
    'anne marie oneill'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\b(mr|mrs|ms|miss|dr|prof|rev|revd|sir|dame|cllr|councillor)\b\.?", " ", text)
    text = text.replace("'", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


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
    digest = hmac.new(key, normalise_name(name).encode(), hashlib.sha256).hexdigest()
    return f"P-{digest[:16]}"
