"""Service directories: Open Referral UK v3 (JSON and CSV) and the Hounslow Connect upload workbook.

All three forms are read into one :class:`Directory` (organisations, services, locations and the
links between them), then mapped to the graph the same way:

* an organisation (its Org-ID where the directory gives one in ``organization_identifiers``;
  otherwise our ``LOCAL-{authority}-{name}`` identifier, the directory's own id kept in ``other_ids``);
* ``organisation -DELIVERS-> service``; ``service -ADDRESSES-> theme`` for each taxonomy term
  (the Hounslow Connect workbook has none: its services get themes from their words and age-group
  criterion, by the documented rules of :mod:`loaders.directory_themes`);
* each location becomes a ``Building`` (with address and postcode) and
  ``organisation -OCCUPIES-> building`` records that it delivers a service there; the build places
  buildings in wards by postcode.

Contacts, phone numbers, e-mail addresses and the ``attention`` line of addresses are personal or
contact data and are never read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from civicgraph.core.columns import is_missing
from civicgraph.core.errors import SourceFormatError
from civicgraph.core.identifiers import company_id, local_group_id, slugify
from civicgraph.loaders.base import LoadContext, Loader, LoadResult, RecordSink
from civicgraph.loaders.directory_themes import service_themes
from civicgraph.loaders.tabular import (
    check_json_depth,
    decode_bytes,
    normalise_postcode,
    read_csv_text,
    require_columns,
)


@dataclass
class Directory:
    """A directory's content in one shape, whatever form it was published in.

    Each list holds plain dicts; ``row`` in each is where the record came from (for provenance).
    """

    organisations: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    service_locations: list[tuple[str, str, str]] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if is_missing(value) else str(value).strip()


def _org_ids(identifiers: list[dict[str, Any]]) -> list[str]:
    ids = []
    for item in identifiers or []:
        scheme, value = _text(item.get("identifier_scheme")), _text(item.get("identifier"))
        if scheme.startswith(("GB-", "XI-", "360G")) and value:
            ids.append(company_id(value) if scheme == "GB-COH" else f"{scheme}-{value}")
    return ids


def map_directory(directory: Directory, sink: RecordSink, context: LoadContext, *, date: str, licence: str,
                  prefix: str) -> None:
    """Add a directory's organisations, services, themes and buildings to ``sink``; its relations are
    dated as of the directory's ``date``."""
    code = context.authority_id.rsplit("-", 1)[-1]
    org_node: dict[str, str] = {}
    for org in directory.organisations:
        name = _text(org.get("name"))
        prov = sink.provenance(org["row"], date, licence)
        if not name:
            sink.reject(org["row"], "name", "", "an organisation needs a name")
            continue
        if org["id"] in org_node:
            sink.reject(org["row"], "id", org["id"], "duplicate organisation id")
            continue
        official = _org_ids(org.get("identifiers", []))
        node_id = official[0] if official else local_group_id(code, name)
        org_node[org["id"]] = node_id
        sink.node(node_id, "Organisation", prov, name=name, description=_text(org.get("description")) or None,
                  website=_text(org.get("website")) or None,
                  other_ids=[*official[1:], f"{prefix}:organisation:{org['id']}"])
    services_seen: set[str] = set()
    for service in directory.services:
        prov = sink.provenance(service["row"], date, licence)
        if service["id"] in services_seen:
            sink.reject(service["row"], "id", service["id"], "duplicate service id")
            continue
        services_seen.add(service["id"])
        owner = org_node.get(_text(service.get("organization_id")))
        if owner is None:
            sink.reject(service["row"], "organization_id", service.get("organization_id"), "no organisation with this id")
            continue
        service_id = f"{prefix}:service:{service['id']}"
        sink.node(service_id, "Service", prov, name=_text(service.get("name")) or "(unnamed service)",
                  description=_text(service.get("description")) or None, status=_text(service.get("status")) or None,
                  website=_text(service.get("url")) or None)
        sink.edge(owner, service_id, "DELIVERS", prov, date=date[:10] or None)
        for term in service.get("themes", []):
            theme_id = f"THEME-{slugify(term)}"
            sink.node(theme_id, "Theme", prov, name=term.lower())
            sink.edge(service_id, theme_id, "ADDRESSES", prov, date=date[:10] or None)
    service_owner = {s["id"]: org_node.get(_text(s.get("organization_id"))) for s in directory.services}
    used: set[str] = set()
    for service_id, location_id, row in directory.service_locations:
        location = directory.locations.get(location_id)
        owner = service_owner.get(service_id)
        prov = sink.provenance(row, date, licence)
        if location is None:
            sink.reject(row, "location_id", location_id, "no location with this id")
            continue
        if owner is None:
            sink.reject(row, "service_id", service_id, "no service with this id")
            continue
        building = f"{prefix}:location:{location_id}"
        if location_id not in used:
            used.add(location_id)
            sink.node(building, "Building", sink.provenance(location["row"], date, licence),
                      name=location["name"], address=location["address"] or None,
                      postcode=normalise_postcode(location["postcode"]) or None)
        sink.edge(owner, building, "OCCUPIES", prov, note="delivers a service here (directory)",
                  date=date[:10] or None)


# -- Open Referral UK v3 --------------------------------------------------------------------------
def _read_oruk_json(path: Path) -> Directory:
    try:
        check_json_depth(path)
        data = json.loads(decode_bytes(path))
    except json.JSONDecodeError as error:
        raise SourceFormatError(f"{path.name} line {error.lineno}, column {error.colno}: not valid JSON "
                                f"({error.msg}); is the file truncated?") from None
    items = data.get("contents", [data]) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise SourceFormatError(f"{path.name}: expected an Open Referral object, list or page with 'contents'")
    directory = Directory()
    seen_orgs: set[str] = set()

    def add_org(org: dict[str, Any], where: str) -> None:
        if org.get("id") and org["id"] not in seen_orgs:
            seen_orgs.add(org["id"])
            directory.organisations.append({**org, "row": where, "identifiers": org.get("organization_identifiers", [])})

    def add_service(service: dict[str, Any], org_id: str, where: str) -> None:
        themes = [_text((a.get("taxonomy_term") or {}).get("name")) for a in service.get("attributes", []) or []]
        directory.services.append({**service, "organization_id": org_id, "row": where, "themes": [t for t in themes if t]})
        for n, sal in enumerate(service.get("service_at_locations", []) or []):
            location = sal.get("location") or {}
            if location.get("id"):
                address = (location.get("addresses") or [{}])[0]
                directory.locations[location["id"]] = {
                    "row": f"{where}.service_at_locations[{n}]", "name": _text(location.get("name")) or _text(address.get("address_1")),
                    "address": ", ".join(filter(None, (_text(address.get(k)) for k in ("address_1", "address_2", "city")))),
                    "postcode": _text(address.get("postal_code")),
                }
                directory.service_locations.append((service["id"], location["id"], f"{where}.service_at_locations[{n}]"))

    for number, item in enumerate(items):
        where = f"item {number}"
        if not isinstance(item, dict) or "id" not in item:
            raise SourceFormatError(f"{path.name} {where}, field id: not an Open Referral record")
        if "organization" in item and "service" not in item:  # a service with its organisation
            add_org(item["organization"], f"{where}.organization")
            add_service(item, item["organization"].get("id", ""), where)
        elif "services" in item or "website" in item:  # an organisation, perhaps with its services
            add_org(item, where)
            for n, service in enumerate(item.get("services", []) or []):
                add_service(service, item["id"], f"{where}.services[{n}]")
        elif "service" in item and "location" in item:  # a service-at-location record
            service = item["service"]
            org = service.get("organization") or {}
            add_org(org, f"{where}.service.organization")
            add_service({**service, "service_at_locations": [{"location": item["location"]}]}, org.get("id", ""), where)
    return directory


def _read_oruk_csv(folder: Path) -> Directory:
    def table(name: str, required: list[str]) -> pd.DataFrame:
        file = folder / f"{name}.csv"
        if not file.exists():
            return pd.DataFrame(columns=required)
        frame = read_csv_text(file)
        require_columns(frame, file, [required], f"Open Referral {name} table")
        return frame

    organisations = table("organizations", ["id", "name"])
    if organisations.empty:
        raise SourceFormatError(f"{folder.name}: no organizations.csv with rows; is this an Open Referral CSV folder?")
    services = table("services", ["id", "organization_id", "name"])
    identifiers = table("organization_identifiers", ["organization_id", "identifier_scheme", "identifier"])
    locations = table("locations", ["id", "name"])
    addresses = table("address", ["location_id", "address_1", "postal_code"])
    links = table("service_at_location", ["service_id", "location_id"])
    terms = table("taxonomy_terms", ["id", "name"])
    attributes = table("attribute", ["link_id", "taxonomy_term_id"])
    term_name = dict(zip(terms["id"], terms["name"]))
    themes: dict[str, list[str]] = {}
    for row in attributes.itertuples(index=False):
        if row.taxonomy_term_id in term_name:
            themes.setdefault(row.link_id, []).append(term_name[row.taxonomy_term_id])
    directory = Directory()
    for number, row in organisations.iterrows():
        ids = identifiers[identifiers["organization_id"] == row["id"]].to_dict("records")
        directory.organisations.append({**row.to_dict(), "row": f"organizations.csv row {number + 2}", "identifiers": ids})
    for number, row in services.iterrows():
        directory.services.append({**row.to_dict(), "row": f"services.csv row {number + 2}",
                                   "themes": themes.get(row["id"], [])})
    address_of = {r["location_id"]: r for r in addresses.to_dict("records")}
    for number, row in locations.iterrows():
        address = address_of.get(row["id"], {})
        directory.locations[row["id"]] = {
            "row": f"locations.csv row {number + 2}", "name": _text(row["name"]),
            "address": ", ".join(filter(None, (_text(address.get(k)) for k in ("address_1", "address_2", "city")))),
            "postcode": _text(address.get("postal_code")),
        }
    for number, row in links.iterrows():
        directory.service_locations.append((row["service_id"], row["location_id"], f"service_at_location.csv row {number + 2}"))
    return directory


class OpenReferralLoader(Loader):
    """Open Referral UK v3 directory: a JSON payload (organisations or services, full or paged
    lists) or a folder of the standard's CSV tables."""

    name = "open-referral"
    title = "Open Referral UK service directory (v3)"
    source_url = "https://openreferraluk.org/"
    licence = "OGL-UK-3.0"

    def load(self, path: Path, context: LoadContext, *, publisher: str = "oruk", date: str = "",
             licence: str | None = None) -> LoadResult:
        """Read the directory; every organisation is kept (a directory is already local).

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> result = OpenReferralLoader().load(Path("tests/fixtures/oruk/service_full.json"), ctx)
        >>> result.summary()["edges"]
        {'ADDRESSES': 1, 'DELIVERS': 1, 'OCCUPIES': 1}
        """
        directory = _read_oruk_csv(path) if path.is_dir() else _read_oruk_json(path)
        sink = RecordSink(self.name, path)
        map_directory(directory, sink, context, date=date, licence=licence or self.licence, prefix=publisher)
        return sink.result("none (a directory is published for its area)")


# -- Hounslow Connect -----------------------------------------------------------------------------
class HounslowConnectLoader(Loader):
    """The Hounslow Connect batch-upload workbook layout: a folder with the organisations,
    services, locations and service-location sheets as CSV (``*_organisations.csv`` etc.)."""

    name = "hounslow-connect"
    title = "Hounslow Connect community directory"
    source_url = "https://github.com/One-Hounslow-Connect/api"
    licence = "no data licence stated (published in an AGPL repository)"
    sheets = {"organisations": ["ID*", "Name*"],
              "services": ["ID*", "Organisation ID*", "Name*", "Status*", "Description*"],
              "locations": ["ID*", "Address Line 1*", "City*", "Postcode*"],
              "service_locations": ["Service ID*", "Location ID*"]}

    def _sheet(self, folder: Path, name: str) -> tuple[pd.DataFrame, str]:
        matches = sorted(folder.glob(f"*_{name}.csv")) or sorted(folder.glob(f"{name}.csv"))
        matches = [m for m in matches if not (name == "locations" and m.name.endswith("service_locations.csv"))]
        if not matches:
            raise SourceFormatError(f"{folder.name}: no {name} sheet (a file ending _{name}.csv)")
        frame = read_csv_text(matches[0])
        require_columns(frame, matches[0], [self.sheets[name]], f"Hounslow Connect {name} sheet")
        return frame, matches[0].name

    def load(self, path: Path, context: LoadContext, *, date: str = "", licence: str | None = None) -> LoadResult:
        """Read the four sheets; every organisation is kept (the directory is the borough's).

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> result = HounslowConnectLoader().load(Path("data/directory"), ctx)
        >>> result.summary()["nodes"]["Service"], result.summary()["nodes"]["Building"]
        (313, 269)
        """
        if not path.is_dir():
            raise SourceFormatError(f"{path.name}: give the folder holding the Hounslow Connect sheets")
        directory = Directory()
        organisations, name = self._sheet(path, "organisations")
        for number, row in organisations.iterrows():
            directory.organisations.append({"id": row["ID*"], "name": row["Name*"], "row": f"{name} row {number + 2}"})
        services, name = self._sheet(path, "services")
        for number, row in services.iterrows():
            directory.services.append({
                "id": row["ID*"], "organization_id": row["Organisation ID*"], "name": row["Name*"],
                "status": row["Status*"], "description": _text(row.get("Intro*")) or _text(row["Description*"]),
                "url": row.get("URL*"), "row": f"{name} row {number + 2}",
                "themes": service_themes(_text(row["Name*"]), _text(row.get("Intro*")) or _text(row["Description*"]),
                                         _text(row.get("Critera - Age Group"))),
            })
        locations, name = self._sheet(path, "locations")
        for number, row in locations.iterrows():
            lines = [_text(row.get(c)) for c in ("Address Line 1*", "Address Line 2", "Address Line 3", "City*")]
            directory.locations[row["ID*"]] = {"row": f"{name} row {number + 2}", "name": lines[0],
                                               "address": ", ".join(filter(None, lines)), "postcode": _text(row["Postcode*"])}
        links, name = self._sheet(path, "service_locations")
        for number, row in links.iterrows():
            directory.service_locations.append((_text(row["Service ID*"]), _text(row["Location ID*"]), f"{name} row {number + 2}"))
        sink = RecordSink(self.name, path)
        map_directory(directory, sink, context, date=date, licence=licence or self.licence, prefix="hounslow-connect")
        return sink.result("none (the directory is the borough's own)")
