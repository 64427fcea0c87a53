"""Organisation names and web addresses in a form two sources can be compared in.

Registers shout (``HOUNSLOW P.H.A.B.``), directories abbreviate (``Citizens Advice Bureau
(Hounslow)``), grant files add legal suffixes (``... Limited``). :func:`normalise_name` removes
those differences and nothing else; :func:`name_words` says which words of a name carry meaning.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Words of a legal form, dropped from names: they say how an organisation is registered, not which.
LEGAL_FORMS = frozenset({"ltd", "limited", "cic", "cio", "plc", "llp", "inc", "incorporated", "the",
                         "pcc"})  # a parish's registered body: "St Nicholas PCC" is St Nicholas church
#: Spellings and abbreviations written out in one way.
SPELLINGS = {
    "&": "and", "+": "and", "assoc": "association", "assn": "association", "soc": "society",
    "ctr": "centre", "center": "centre", "grp": "group", "st": "saint", "bureaux": "bureau",
    "intl": "international", "natl": "national", "dept": "department", "organization": "organisation",
}
#: Words that join others and say nothing about which organisation is meant.
JOINING_WORDS = frozenset({"and", "of", "for", "in", "on", "at", "to", "a", "an", "with", "by"})
#: Words naming a kind of organisation: a name differing only in one of these may still be the same body.
KIND_WORDS = frozenset({
    "association", "society", "group", "club", "centre", "trust", "foundation", "charity", "project",
    "network", "uk", "organisation", "service", "services", "fund", "forum", "partnership", "scheme",
    "agency", "branch", "unit", "company", "committee", "council", "programme", "initiative",
    "borough", "district", "local", "community", "support", "hub", "cafe", "team",
})
#: Compass and landscape words: part of place names (Hounslow West, Osterley Park) but no place by themselves.
COMPASS_WORDS = frozenset({"north", "south", "east", "west", "central", "upper", "lower", "great", "little",
                           "upon", "new", "old", "city", "park", "green", "heath", "hill", "road", "street",
                           "cross", "bridge", "town", "village", "grove", "common", "gardens", "end", "st",
                           "saint", "wood", "river", "lane", "square", "castle", "valley", "vale", "marsh"})
#: Words that make another body of the same name: the Friends of Osterley Park are not Osterley Park.
OTHER_BODY_WORDS = frozenset({"friends", "parents", "supporters", "alumni", "old"})
GENERIC_DOMAINS = frozenset({"gmail.com", "hotmail.com", "hotmail.co.uk", "yahoo.com", "yahoo.co.uk",
                             "outlook.com", "btinternet.com", "aol.com", "icloud.com", "live.co.uk",
                             "facebook.com", "twitter.com", "instagram.com", "wordpress.com",
                             "blogspot.com", "wixsite.com", "org.uk", "co.uk", "gov.uk", "nhs.uk",
                             "eventbrite.co.uk", "justgiving.com"})
#: Hosts under these are generic too: a council's (or any public body's) site lists many groups; a
#: social network's language or mobile host (en-gb.facebook.com) holds everyone's pages.
GENERIC_SUFFIXES = (".gov.uk", ".gov.wales", ".llyw.cymru", ".gov.scot", ".facebook.com", ".twitter.com",
                    ".instagram.com", ".linkedin.com", ".youtube.com")

#: Names whose normal form and words are remembered (a national build meets millions once each).
NAMES_REMEMBERED = 1 << 16
_APOSTROPHES = re.compile(r"['’`]")
_DOTTED = re.compile(r"(?<=\w)\.(?=\w)")
_SYMBOLS = re.compile(r"([&+])")
_NON_WORD = re.compile(r"[^a-z0-9&+ ]+")


@lru_cache(maxsize=NAMES_REMEMBERED)
def normalise_name(name: str) -> str:
    """A name in lower case, without punctuation, legal forms or a leading "The", spellings unified.

    Parameters
    ----------
    name : str
        As a source wrote it.

    Returns
    -------
    str
        Words separated by single spaces; empty when nothing is left.

    Examples
    --------
    >>> normalise_name("HOUNSLOW P.H.A.B. Limited")
    'hounslow phab'
    >>> normalise_name("The Friends of St Paul's Rec. & Gardens (CIO)")
    'friends of saint pauls rec and gardens'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = _DOTTED.sub("", _APOSTROPHES.sub("", text))
    text = _NON_WORD.sub(" ", _SYMBOLS.sub(r" \1 ", text))
    words = [SPELLINGS.get(word, word) for word in text.split()]
    return " ".join(word for word in words if word not in LEGAL_FORMS)


def normalise_texts(text: pa.Array) -> pa.Array:
    """:func:`normalise_name` of a whole Arrow column of text (nulls give ''): names in plain ASCII,
    nearly all of them, are normalised by pyarrow a column at a time; the others one by one.
    (Not in threads: each thread's Arrow memory would stay with the process, 100 MB at national size.)

    Examples
    --------
    >>> normalise_texts(pa.array(["HOUNSLOW P.H.A.B. Limited", "Café Nérée CIC", None])).to_pylist()
    ['hounslow phab', 'cafe neree', '']
    """
    text = pc.fill_null(pc.cast(text, pa.large_string()), "")
    plain = pc.equal(pc.utf8_length(text), pc.binary_length(text)).to_numpy(zero_copy_only=False)
    rows, others = np.flatnonzero(plain), np.flatnonzero(~plain)
    values = pa.concat_arrays([_normalise_ascii(text.take(pa.array(rows))), pa.array(
        [normalise_name(n) for n in text.take(others).to_pylist()], type=pa.large_string())])
    place = np.empty(len(text), dtype=np.int64)
    place[np.concatenate([rows, others])] = np.arange(len(text))
    return values.take(pa.array(place))


def _normalise_ascii(text: pa.Array) -> pa.Array:
    """:func:`normalise_name`'s steps on ASCII names, in pyarrow (the same regular expressions)."""
    text = pc.replace_substring_regex(pc.ascii_lower(text), r"['`]", "")
    while pc.any(pc.match_substring_regex(text, r"\w\.\w")).as_py():  # a.b.c: each pass joins every other dot
        text = pc.replace_substring_regex(text, r"(\w)\.(\w)", r"\1\2")
    text = pc.replace_substring_regex(pc.replace_substring_regex(text, r"([&+])", r" \1 "), r"[^a-z0-9&+ ]+", " ")
    lists = pc.split_pattern(text, " ")
    words, owner = pc.list_flatten(lists), pc.list_parent_indices(lists)
    spelt = pc.index_in(words, value_set=pa.array(list(SPELLINGS), type=pa.large_string()))
    words = pc.if_else(pc.is_valid(spelt), pc.take(pa.array(list(SPELLINGS.values()), type=pa.large_string()),
                                                    spelt), words)
    keep = pc.and_(pc.not_equal(words, ""), pc.invert(pc.is_in(words, value_set=pa.array(sorted(LEGAL_FORMS)))))
    words, owner = words.filter(keep), owner.filter(keep).to_numpy()
    offsets = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=len(text)))])
    return pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()), words),
                          pa.scalar(" ", type=pa.large_string()))


@lru_cache(maxsize=NAMES_REMEMBERED)
def name_words(normalised: str) -> frozenset[str]:
    """The words of a normalised name that can tell organisations apart (joining words removed).

    Examples
    --------
    >>> sorted(name_words("friends of saint pauls rec and gardens"))
    ['friends', 'gardens', 'pauls', 'rec', 'saint']
    """
    return frozenset(word for word in normalised.split() if word not in JOINING_WORDS)


@lru_cache(maxsize=NAMES_REMEMBERED)
def initials(normalised: str) -> frozenset[str]:
    """Acronyms a name may be known by, with and without its joining words.

    Examples
    --------
    >>> sorted(initials("hounslow youth counselling service"))
    ['hycs']
    >>> sorted(initials("friends of river crane environment"))
    ['force', 'frce']
    """
    words = normalised.split()
    meaningful = [w for w in words if w not in JOINING_WORDS]
    forms = {"".join(w[0] for w in words), "".join(w[0] for w in meaningful)}
    return frozenset(form for form in forms if len(form) >= 3)


def abbreviates(short: str, long: str) -> bool:
    """Whether a normalised name is a short form of another: each of its words is either the long
    name's next word or the initials of its next two or more words (joining words may be skipped),
    at least one word is such initials, and every word of the long name is accounted for.

    Examples
    --------
    >>> abbreviates("acf", "association of charitable foundations"), abbreviates("nl cares", "north london cares")
    (True, True)
    >>> abbreviates("rnid", "action on hearing loss"), abbreviates("family links", "family support link")
    (False, False)
    """
    return _abbreviates(tuple(short.split()), tuple(long.split()), False)


@lru_cache(maxsize=NAMES_REMEMBERED)
def _abbreviates(short: tuple[str, ...], long: tuple[str, ...], used: bool) -> bool:
    if not short:
        return used and all(word in JOINING_WORDS for word in long)
    if not long:
        return False
    if long[0] in JOINING_WORDS and _abbreviates(short, long[1:], used):
        return True
    head, rest = short[0], short[1:]
    if head == long[0] and _abbreviates(rest, long[1:], used):
        return True
    if len(head) < 2 or head.isdigit():
        return False
    # head as the initials of the next words, each joining word either lettered or skipped
    ends = [(0, 0)]  # (letters of head matched, words of long consumed)
    for position, word in enumerate(long):
        advanced = []
        for matched, _ in ends:
            if matched < len(head) and word[0] == head[matched]:
                advanced.append((matched + 1, position + 1))
            if word in JOINING_WORDS:
                advanced.append((matched, position + 1))
        ends = [(m, c) for m, c in advanced if c == position + 1]
        if not ends:
            break
        for matched, consumed in ends:
            if matched == len(head) and consumed >= 2 and _abbreviates(rest, long[consumed:], True):
                return True
    return False


_ALIAS_CLAUSE = re.compile(
    r"[\s,;(\[-]*\b(?:formerly(?: known as)?|previously(?: known as)?|t/a|trading as|operating as|"
    r"also known as|a\.?k\.?a\.?)\s+(?P<alias>[^()\[\]]+?)\s*(?:[)\]]|$)", re.IGNORECASE)
_WAS_BRACKET = re.compile(r"\s*\((?:was|now)\s+(?P<alias>[^()]+?)\)\s*", re.IGNORECASE)
_ACRONYM_BRACKET = re.compile(r"\s*\((?P<alias>[A-Z][A-Z0-9&]{1,7})\)\s*")
#: Names worth parsing for other names (pyarrow's filter before Python looks at them).
ALIAS_HINT = r"(?i)\(|formerly|previously|t/a|trading as|operating as|known as|\baka\b|a\.k\.a"


def name_aliases(name: str) -> list[str]:
    """Other names written inside a name: "formerly X", "t/a X", "also known as X", and the name
    without an acronym of it in brackets. Returns the other names and the name without them (empty
    when there are none).

    Examples
    --------
    >>> name_aliases("The Key (formerly Keyfund)")
    ['Keyfund', 'The Key']
    >>> name_aliases("Prison Advice & Care Trust (PACT)"), name_aliases("Remar Association (UK)")
    (['Prison Advice & Care Trust'], [])
    >>> name_aliases("J Smith t/a Feltham Cafe"), name_aliases("Citizens Advice Bureau (Hounslow)")
    (['Feltham Cafe', 'J Smith'], [])
    """
    aliases, rest = [], name
    for pattern in (_ALIAS_CLAUSE, _WAS_BRACKET):
        found = [m.group("alias").strip(" .,-") for m in pattern.finditer(rest)]
        if found:
            aliases += [alias for alias in found if alias]
            rest = pattern.sub(" ", rest)
    rest = " ".join(rest.split()).strip(" .,-")
    acronym = _ACRONYM_BRACKET.search(rest)
    if acronym:  # "(PACT)" after its long form: the long form alone is a name; "(UK)" is not an acronym of it
        without = " ".join(_ACRONYM_BRACKET.sub(" ", rest).split()).strip(" .,-")
        if without and abbreviates(normalise_name(acronym.group("alias")), normalise_name(without)):
            return [*aliases, without] if aliases else [without]
    return [*aliases, rest] if aliases and rest else aliases


def forget_names() -> None:
    """Let go of the names remembered (up to :data:`NAMES_REMEMBERED` of each: normal forms, words,
    initials): after a national resolution they hold about 300 MB that nothing else uses.

    Examples
    --------
    >>> _ = name_words("hounslow youth counselling service")
    >>> forget_names()
    >>> name_words.cache_info().currsize
    0
    """
    for remembered in (normalise_name, name_words, initials, _abbreviates):
        remembered.cache_clear()


def place_words(place_names: list[str]) -> frozenset[str]:
    """Words that name a place (from council and ward names), without compass and kind words.

    Examples
    --------
    >>> sorted(place_words(["Hounslow West", "Richmond upon Thames"]))
    ['hounslow', 'richmond', 'thames']
    """
    words = set()
    for place in place_names:
        words |= name_words(normalise_name(place))
    return frozenset(words - COMPASS_WORDS - KIND_WORDS)


def web_domain(address: str | None) -> str | None:
    """The organisation's own web domain from a website or e-mail address (None for shared hosts).

    Examples
    --------
    >>> web_domain("https://www.ageuk.org.uk/hounslow/"), web_domain("info@speakoutinhounslow.org.uk")
    ('ageuk.org.uk', 'speakoutinhounslow.org.uk')
    >>> web_domain("someone@gmail.com") is None, web_domain("https://www.manchester.gov.uk/groups") is None
    (True, True)
    >>> web_domain("https://en-gb.facebook.com/hounslowfoodbank") is None
    True
    """
    if not address or not isinstance(address, str):
        return None
    text = address.strip().lower()
    if "@" in text and "/" not in text:
        host = text.rsplit("@", 1)[1]
    else:
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.removeprefix("www.").strip(".")
    if "." not in host or host in GENERIC_DOMAINS or host.endswith(GENERIC_SUFFIXES):
        return None
    return host


def web_page(address: str | None) -> bool:
    """Whether a web address is a page within a site rather than the site itself
    (``ageuk.org.uk/hounslow``: a branch's page on its national body's site).

    Examples
    --------
    >>> web_page("https://www.ageuk.org.uk/hounslow/"), web_page("www.ageukhounslow.org/"), web_page("a@b.org")
    (True, False, False)
    """
    if not address or not isinstance(address, str) or ("@" in address and "/" not in address):
        return False
    text = address.strip()
    return urlsplit(text if "//" in text else f"//{text}").path.strip("/") != ""
