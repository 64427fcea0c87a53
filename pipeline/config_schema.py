"""The shape of a build configuration: which sections and keys exist, and the type of each.

:func:`check_config` runs on the parsed TOML before anything is read from it, so a typo or a
wrong type is refused with the file, section, key and what was expected, rather than read as
something else: ``enabled = "false"`` is text, not false; ``peers = "E09000002"`` is not a list;
``[buld]`` is not a section. Every problem is collected and reported in one error.

:func:`project_path` keeps relative paths inside the project: the folder that holds the
configuration's folder (``config/../data`` is inside; ``../../x`` is not). A file elsewhere is
named by an absolute path, which says so explicitly.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from civicgraph.core.errors import ConfigError
from civicgraph.loaders.limits import Limits

__all__ = ["SCHEMA", "SOURCE_KEYS", "check_config", "project_path"]

#: What a value must be, and how a message names it.
TEXT, FLAG, NUMBER, WHOLE, TEXTS = "text", "true or false", "a number", "a whole number", "a list of text"
#: Option values a loader may take from a ``[[source]]`` besides the keys of :data:`SOURCE_KEYS`.
OPTION = "text, a number or true/false"
#: A limit on what a source may make the readers do (:mod:`loaders.limits`).
LIMIT = "a whole number above 0"
#: A table of exchange rates: ISO 4217 currency code -> GBP per unit of that currency.
RATES = "a table of currency code = GBP per unit (rates = { USD = 0.79 })"
#: The borough's own words for some answers' titles: answer key -> text.
WORDS = "a table of answer = words (own_words = { 05_local_programmes = \"Local CIL\" })"

#: Each table section, its keys and their types.
SCHEMA: dict[str, dict[str, str]] = {
    "authority": {"name": TEXT, "gss_code": TEXT, "org_id": TEXT, "code": TEXT},
    "build": {"validate": FLAG, "strict": FLAG, "parallel_merge": FLAG, "keep_contacts": FLAG,
              "min_placed_share": NUMBER},
    "resolution": {"accept": NUMBER, "review": NUMBER, "review_file": TEXT, "enabled": FLAG, "max_block": WHOLE,
                   "chunk_pairs": WHOLE},
    "comparison": {"grants": TEXTS, "peers": TEXTS},
    "briefs": {"boundaries": TEXT},
    "classification": {"rules": TEXTS},
    "money": {"rates": RATES},
    "limits": dict.fromkeys(Limits.names(), LIMIT),
    "geography": {"wards": TEXT},
    "answers": {"own_words": WORDS},
}
#: The keys every ``[[source]]`` may have; any other key is an option of its loader.
SOURCE_KEYS: dict[str, str] = {"loader": TEXT, "path": TEXT, "url": TEXT, "sha256": TEXT}


def _is(value: Any, expected: str) -> bool:
    if expected == TEXT:
        return isinstance(value, str)
    if expected == FLAG:
        return isinstance(value, bool)
    if expected == NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected == WHOLE:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == LIMIT:
        return isinstance(value, int) and not isinstance(value, bool) and value > 0
    if expected == TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, (str, int, float, bool))  # OPTION


def _rate_problems(value: Any, where: str) -> list[str]:
    """Each entry of a ``rates`` table that is not a three-letter code (not GBP) with a positive number."""
    if not isinstance(value, dict):
        return [f"[{where}] rates = {_shown(value)}: expected {RATES}"]
    problems = []
    for code, rate in value.items():
        if not re.fullmatch(r"[A-Z]{3}", code) or code == "GBP":
            problems.append(f"[{where}] rates.{code}: expected a three-letter currency code other than GBP "
                            "(ISO 4217, capitals: USD, EUR)")
        elif isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < float("inf"):
            problems.append(f"[{where}] rates.{code} = {_shown(rate)}: expected a positive number (GBP per {code})")
    return problems


def _words_problems(value: Any, where: str) -> list[str]:
    """Each entry of an ``own_words`` table that is not an answer's key with text."""
    from civicgraph.pipeline.answers import ANSWERS  # the answers import the configuration's users

    if not isinstance(value, dict):
        return [f"[{where}] own_words = {_shown(value)}: expected {WORDS}"]
    keys = [answer.key for answer in ANSWERS]
    problems = []
    for key, words in value.items():
        if key not in keys:
            problems.append(f"[{where}] own_words.{key}: not an answer. Use one of: {', '.join(keys)}")
        elif not isinstance(words, str) or not words.strip():
            problems.append(f"[{where}] own_words.{key} = {_shown(words)}: expected text")
    return problems


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_table(table: Any, keys: dict[str, str], where: str, *, others: str | None = None) -> list[str]:
    if not isinstance(table, dict):
        return [f"[{where}] must be a table of settings, not {_shown(table)}"]
    problems = []
    for key, value in table.items():
        expected = keys.get(key, others)
        if expected == RATES:
            problems += _rate_problems(value, where)
        elif expected == WORDS:
            problems += _words_problems(value, where)
        elif expected is None:
            problems.append(f"[{where}] {key!r} is not a setting. Use one of: "
                            + ", ".join(f"'{k}'" for k in sorted(keys)) + ".")
        elif not _is(value, expected):
            hint = "write true or false" if expected == FLAG else f"expected {expected}"
            problems.append(f"[{where}] {key} = {_shown(value)}: {hint}")
    return problems


def check_config(raw: dict[str, Any], path: Path) -> None:
    """Refuse unknown sections and keys and values of the wrong type in a parsed configuration.

    Parameters
    ----------
    raw : dict
        The TOML file as :mod:`tomllib` parsed it.
    path : Path
        The file, named in the message.

    Raises
    ------
    ConfigError
        Naming the file, the section, the key, the value and the type expected; every problem
        found, separated by ``;``.

    Examples
    --------
    >>> check_config({"build": {"strict": False}}, Path("b.toml"))
    >>> check_config({"buld": {}, "resolution": {"enabled": "false"}}, Path("b.toml"))
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.ConfigError: b.toml: [buld] is not a section. Use one of: ...; [resolution] enabled = 'false': write true or false
    """
    problems = []
    for section, value in raw.items():
        if section == "source" and not isinstance(value, list):
            problems.append("sources are [[source]] entries (double brackets), one per file")
        elif section == "source":
            for number, source in enumerate(value, start=1):
                problems += _check_table(source, SOURCE_KEYS, f"source {number}", others=OPTION)
        elif section in SCHEMA:
            problems += _check_table(value, SCHEMA[section], section)
        else:
            problems.append(f"[{section}] is not a section. Use one of: "
                            + ", ".join(f"[{s}]" for s in [*SCHEMA, "[source]"]) + ".")
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))


def project_path(path: Path, value: str, where: str) -> Path:
    """The file a configuration at ``path`` names by ``value``, kept inside the project.

    Parameters
    ----------
    path : Path
        The configuration file.
    value : str
        A path as written in it: relative to its folder, or absolute.
    where : str
        The section and key, for the message (``"[resolution] review_file"``).

    Returns
    -------
    Path
        Absolute and resolved.

    Raises
    ------
    ConfigError
        A relative path that leads out of the folder holding the configuration's folder.

    Examples
    --------
    >>> project_path(Path("/p/config/b.toml"), "../data/x.csv", "[source 1] path").as_posix()
    '/p/data/x.csv'
    >>> project_path(Path("/p/config/b.toml"), "../../x.csv", "[resolution] review_file")
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.ConfigError: /p/config/b.toml: [resolution] review_file '../../x.csv' leads out of the project (/p); ...
    """
    if os.path.isabs(value):
        return Path(value).resolve()
    folder = path.absolute().parent
    written = Path(os.path.normpath(folder / value))  # as written: a symlinked data folder stays inside
    if not written.is_relative_to(folder.parent):
        raise ConfigError(f"{path}: {where} {value!r} leads out of the project ({folder.parent}); "
                          "give an absolute path to use a file elsewhere")
    return written.resolve()
