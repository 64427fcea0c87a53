"""UK local authorities by GSS code, from mySociety's register bundled in ``data/geography``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from graph.errors import ConfigError
from loaders.base import LoadContext

REGISTER = Path(__file__).resolve().parents[1] / "data" / "geography" / "uk_local_authorities_future.csv"
#: Org-ID scheme of a council, by nation (Org-ID register: GB-LAE, GB-LAS, GB-PLA, GB-LANI).
SCHEME_BY_NATION = {"England": "GB-LAE", "Scotland": "GB-LAS", "Wales": "GB-PLA", "Northern Ireland": "GB-LANI"}


@cache
def _register() -> pd.DataFrame:
    return pd.read_csv(REGISTER, dtype=str, keep_default_na=False)


def authority_context(gss_code: str) -> LoadContext:
    """A :class:`LoadContext` for the council with this GSS code.

    Examples
    --------
    >>> ctx = authority_context("E09000018")
    >>> ctx.authority_id, ctx.authority_name
    ('GB-LAE-HNS', 'London Borough of Hounslow')
    """
    rows = _register()
    match = rows[rows["gss-code"] == gss_code.strip().upper()]
    if match.empty:
        raise ConfigError(f"GSS code {gss_code!r} is not a UK local authority in {REGISTER.name}")
    row = match.iloc[0]
    scheme = SCHEME_BY_NATION.get(row["nation"], "GB-LAE")
    return LoadContext(row["gss-code"], f"{scheme}-{row['local-authority-code']}", row["official-name"])


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
