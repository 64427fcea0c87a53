"""UK local authorities by GSS code, from mySociety's register shipped with the package.

The register (``pipeline/reference/uk_local_authorities_future.csv``) gives each council's
three-letter code and official name; a council's Org-ID is ``{scheme}-{code}`` with the scheme of
its nation (Org-ID register: ``GB-LAE`` England, ``GB-LAS`` Scotland, ``GB-PLA`` Wales, ``GB-LANI``
Northern Ireland). A country's code (:data:`COUNTRIES`) stands for a national build: no council.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from civicgraph.core.errors import ConfigError
from civicgraph.loaders.base import LoadContext

__all__ = ["Authority", "authority_context", "authority_table", "find_authority", "REGISTER", "COUNTRIES"]

REGISTER = Path(__file__).resolve().parent / "reference" / "uk_local_authorities_future.csv"
#: Org-ID scheme of a council, by nation (Org-ID register: GB-LAE, GB-LAS, GB-PLA, GB-LANI).
SCHEME_BY_NATION = {"England": "GB-LAE", "Scotland": "GB-LAS", "Wales": "GB-PLA", "Northern Ireland": "GB-LANI"}
#: Countries a national build may be for: GSS code -> (name, code used in file names and local ids).
COUNTRIES = {"K04000001": ("England and Wales", "EAW"), "E92000001": ("England", "ENG"),
             "W92000004": ("Wales", "WLS"), "K02000001": ("United Kingdom", "UK"),
             "K03000001": ("Great Britain", "GB")}


@dataclass(frozen=True)
class Authority:
    """A local authority (or a country, for a national build) as the register gives it.

    Attributes
    ----------
    gss_code : str
        GSS code (``E09000018``).
    org_id : str
        Org-ID of the council (``GB-LAE-HNS``); empty for a country.
    code : str
        The register's three-letter code (``HNS``), or the country's code (``EAW``).
    name : str
        Official name (``London Borough of Hounslow``).
    national : bool
        Whether the code is a country's.
    """

    gss_code: str
    org_id: str
    code: str
    name: str
    national: bool = False


@cache
def _register() -> pd.DataFrame:
    return pd.read_csv(REGISTER, dtype=str, keep_default_na=False)


def find_authority(gss_code: str) -> Authority:
    """The council (or country) with this GSS code, from the bundled register.

    Parameters
    ----------
    gss_code : str
        A council's GSS code (``E09000018``) or a country's (:data:`COUNTRIES`).

    Returns
    -------
    Authority

    Raises
    ------
    ConfigError
        When no council or country has the code; the message names the register.

    Examples
    --------
    >>> find_authority("E08000003").org_id
    'GB-LAE-MAN'
    >>> find_authority("K04000001").code, find_authority("K04000001").org_id
    ('EAW', '')
    """
    code = str(gss_code).strip().upper()
    if code in COUNTRIES:
        name, short = COUNTRIES[code]
        return Authority(code, "", short, name, national=True)
    rows = _register()
    match = rows[rows["gss-code"] == code]
    if match.empty:
        raise ConfigError(f"GSS code {gss_code!r} is not a UK local authority in {REGISTER.name} nor a country "
                          f"({', '.join(COUNTRIES)}); check the code at https://findthatpostcode.uk/areas/")
    row = match.sort_values("current-authority", ascending=False).iloc[0]
    scheme = SCHEME_BY_NATION.get(row["nation"], "GB-LAE")
    return Authority(row["gss-code"], f"{scheme}-{row['local-authority-code']}", row["local-authority-code"],
                     row["official-name"])


def authority_context(gss_code: str) -> LoadContext:
    """A :class:`LoadContext` for the council (or country) with this GSS code.

    Examples
    --------
    >>> ctx = authority_context("E09000018")
    >>> ctx.authority_id, ctx.authority_name
    ('GB-LAE-HNS', 'London Borough of Hounslow')
    """
    found = find_authority(gss_code)
    return LoadContext(found.gss_code, found.org_id, found.name)


def authority_table() -> pd.DataFrame:
    """Every current UK local authority: ``gss_code``, ``name``, ``population`` (2020), ``region``.

    Examples
    --------
    >>> table = authority_table().set_index("gss_code")
    >>> table.loc["E09000018", "name"], int(table.loc["E09000018", "population"])
    ('Hounslow', 271767)
    """
    rows = _register()
    current = rows[rows["current-authority"] == "True"]
    return pd.DataFrame({"gss_code": current["gss-code"], "name": current["nice-name"],
                         "population": pd.to_numeric(current["pop-2020"], errors="coerce"),
                         "region": current["region"]}).reset_index(drop=True)
