"""The registry of loaders: name -> class, imported only when asked for (after rdflib's plugins)."""

from __future__ import annotations

import importlib
import re

from civicgraph.core.errors import UnknownLoaderError
from civicgraph.loaders.base import Loader

_LOADERS: dict[str, str] = {
    "ons-lookup": "civicgraph.loaders.ons_geography:LookupLoader",
    "ons-postcodes": "civicgraph.loaders.ons_geography:PostcodeLookupLoader",
    "imd": "civicgraph.loaders.ons_geography:DeprivationLoader",
    "360giving": "civicgraph.loaders.threesixtygiving:ThreeSixtyGivingLoader",
    "open-referral": "civicgraph.loaders.open_referral:OpenReferralLoader",
    "hounslow-connect": "civicgraph.loaders.open_referral:HounslowConnectLoader",
    "ccew": "civicgraph.loaders.ccew:CharityCommissionLoader",
    "charity-links": "civicgraph.loaders.charity_links:CharityLinksLoader",
    "spend": "civicgraph.loaders.transparency:SpendLoader",
    "assets": "civicgraph.loaders.transparency:AssetsLoader",
    "companies-house": "civicgraph.loaders.companies_house:CompaniesHouseLoader",
    "workbook": "civicgraph.loaders.local_knowledge:WorkbookLoader",
}


def available_loaders() -> list[str]:
    """Names of every registered loader, sorted.

    Examples
    --------
    >>> "360giving" in available_loaders()
    True
    """
    return sorted(_LOADERS)


def get_loader(name: str) -> Loader:
    """A new instance of the loader registered as ``name``.

    Raises
    ------
    UnknownLoaderError
        Listing the registered names.

    Examples
    --------
    >>> get_loader("360giving").licence
    'CC-BY-4.0'
    >>> get_loader("360givng")
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.UnknownLoaderError: loader '360givng' is not registered. Use one of: ...
    """
    if name not in _LOADERS:
        raise UnknownLoaderError(f"loader {name!r} is not registered. Use one of: {', '.join(available_loaders())}.")
    module_name, class_name = _LOADERS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)()


def describe_loaders() -> list[dict[str, object]]:
    """Each registered loader: ``name``, ``title``, ``reads`` (what files, from its docstring),
    ``source_url``, ``licence``, ``columns`` (role or table -> the column names it recognises) and
    ``required`` (the roles a file must have).

    Examples
    --------
    >>> spend = next(d for d in describe_loaders() if d["name"] == "spend")
    >>> spend["required"], "BeneficiaryName" in [n.replace(" ", "") for n in spend["columns"]["supplier"]]
    (('supplier', 'amount', 'date'), True)
    """
    described = []
    for name in available_loaders():
        loader = get_loader(name)
        doc = re.sub(r":\w+:`~?([^`]*)`", r"\1", " ".join((type(loader).__doc__ or "").split()))
        described.append({"name": name, "title": loader.title, "reads": doc, "source_url": loader.source_url,
                          "licence": loader.licence, "columns": dict(loader.columns), "required": loader.required})
    return described
