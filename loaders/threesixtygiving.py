"""360Giving Data Standard: grants as JSON packages or as the flattened spreadsheet (CSV, XLSX).

Spreadsheet columns are the standard's titles joined by colons (``Recipient Org:Identifier``,
``Beneficiary Location:0:Geographic Code``); the mapping to JSON fields is read from the schema's own
titles, so every published column is understood. GrantNav's added columns (recipient district and
ward codes) are read too. Each grant is checked against the 360Giving schema after its dates are
normalised; an invalid grant goes to the rejection report and the rest load.

Per grant, the graph gains: the funder, the recipient (kind from its Org-ID scheme; ``360G-`` ids are
organisations of unknown legal form), a ``Grant`` node, ``recipient -FUNDED_BY-> funder`` carrying
grant id, amount, currency and date, ``grant -AWARDED_TO-> recipient``, ``grant -SERVES_AREA-> place``
for beneficiary locations in the authority, and ``recipient -LOCATED_IN-> place`` where known.

A grant to an individual (``recipientIndividual``) keeps nothing of the person, following 360Giving's
guidance on grants to individuals: no person node, no identifier, no name. The grant is its own
anonymous recipient (``grant -FUNDED_BY-> funder``, ``to_individual`` true), so it counts in its
funder's money and, by its beneficiary location, in its area.

Grant ids are published identifiers: the edges of a grant found in several files (a funder's own file
and a GrantNav download) are one edge each, with every file in their provenance.

A file that is not shaped like 360Giving data is refused once, saying what it looks like, rather
than rejected row by row for the same missing fields.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import ijson
import jsonschema_rs
import numpy as np
import pandas as pd
import pyarrow as pa
from jsonschema import Draft202012Validator, FormatChecker

from civicgraph.core.columns import TEXT, is_missing
from civicgraph.core.errors import SourceFormatError
from civicgraph.core.identifiers import company_id, company_number
from civicgraph.loaders.base import LoadContext, Loader, LoadResult, RecordSink, native
from civicgraph.loaders.tabular import (
    check_decimal,
    decode_bytes,
    first_json_character,
    header,
    is_utf8,
    normalise_postcodes,
    parse_amount,
    stream_csv,
    stream_json_items,
)

SCHEMA_FILE = Path(__file__).parent / "schemas" / "360-giving-schema.json"
DATE_FIELDS = ("awardDate",)
PLANNED_DATE_FIELDS = ("startDate", "endDate")
#: Fields the schema types as text that spreadsheets often store as numbers.
STRING_FIELDS = frozenset({"id", "charityNumber", "companyNumber", "postalCode", "code", "geoCode", "telephone"})
GRANTNAV_COLUMNS = {
    "recipient district geographic code": "recipientDistrictGeoCode",
    "recipient ward geographic code": "recipientWardNameGeoCode",
}
KIND_BY_SCHEME = {
    "GB-CHC": "Charity", "GB-SC": "Charity", "GB-NIC": "Charity", "GB-COH": "Company",
    "GB-MPR": "Mutual", "GB-LAE": "Council", "GB-LAS": "Council", "GB-NHS": "NHSBody",
}


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text())


@cache
def _fast_validator() -> jsonschema_rs.Draft202012Validator:
    """The same schema compiled by jsonschema-rs (Rust): about 50 times faster, used to pass valid grants."""
    return jsonschema_rs.Draft202012Validator(_schema(), validate_formats=True)


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_schema(), format_checker=FormatChecker())


@cache
def column_paths() -> dict[str, tuple[str, ...]]:
    """Flattened column title (lower case) -> JSON path, from the schema's titles.

    Arrays of objects take index 0 unless the column names one (``Beneficiary Location:1:Name``).

    Examples
    --------
    >>> column_paths()["recipient org:identifier"]
    ('recipientOrganization', '0', 'id')
    >>> column_paths()["planned dates:duration (months)"]
    ('plannedDates', '0', 'duration')
    >>> column_paths()["recipient ind:identifier"]
    ('recipientIndividual', 'id')
    """
    schema = _schema()
    paths: dict[str, tuple[str, ...]] = {}

    def walk(node: dict[str, Any], titles: list[str], keys: list[str], depth: int) -> None:
        if "$ref" in node:
            node = {**schema["$defs"][node["$ref"].split("/")[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
        if depth > 3:
            return
        for key, child in node.get("properties", {}).items():
            resolved = schema["$defs"][child["$ref"].split("/")[-1]] if "$ref" in child else child
            title = child.get("title") or resolved.get("title") or key
            if resolved.get("type") == "array" and isinstance(resolved.get("items"), dict) and (
                "properties" in resolved["items"] or "$ref" in resolved["items"]
            ):
                walk(resolved["items"], titles + [title], keys + [key, "0"], depth + 1)
            elif "properties" in resolved:  # one object, such as recipientIndividual (``Recipient Ind:Name``)
                walk(resolved, titles + [title], keys + [key], depth + 1)
            else:
                paths[":".join(titles + [title]).lower()] = tuple(keys + [key])

    walk(schema, [], [], 0)
    return paths


_INDEXED = re.compile(r":(\d+):")


def unflatten_row(row: dict[str, Any]) -> dict[str, Any]:
    """One spreadsheet row as a 360Giving JSON grant.

    Examples
    --------
    >>> unflatten_row({"Identifier": "360G-x-1", "Recipient Org:Name": "A", "Amount Awarded": "10"})
    {'id': '360G-x-1', 'recipientOrganization': [{'name': 'A'}], 'amountAwarded': '10'}
    """
    grant: dict[str, Any] = {}
    for value, target in zip(row.values(), _column_targets(tuple(row))):
        if target is None or is_missing(value):
            continue
        if isinstance(target, str):
            grant[target] = value
            continue
        value = native(value) if not isinstance(value, pd.Timestamp) else value.isoformat()
        if target[-1] in STRING_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(int(value)) if float(value).is_integer() else str(value)
        _set(grant, target, value)
    return grant


@lru_cache(maxsize=64)
def _column_targets(columns: tuple[str, ...]) -> tuple[str | tuple[str, ...] | None, ...]:
    """Where each column of a header goes in a grant: a GrantNav key (str), a path in the 360Giving
    schema (tuple), or nowhere (a publisher's own column); worked out once per header, not per row."""
    paths = column_paths()
    targets: list[str | tuple[str, ...] | None] = []
    for column in columns:
        title = str(column).strip().lower()
        if title in GRANTNAV_COLUMNS:
            targets.append(GRANTNAV_COLUMNS[title])
            continue
        index = "0"
        match = _INDEXED.search(title)
        if match:
            index, title = match.group(1), _INDEXED.sub(":", title, count=1)
        path = paths.get(title)
        targets.append(None if path is None else tuple(index if part == "0" else part for part in path))
    return tuple(targets)


@lru_cache(maxsize=64)
def _text_targets(columns: tuple[str, ...]) -> tuple[tuple[int, Any, int, str], ...]:
    """:func:`_column_targets` compiled for text rows: ``(how, key, index, field)``, ``how`` being 0 (no
    target), 1 (a top-level key), 2 (a field of the ``index``-th item of a list) or 3 (a deeper path)."""
    compiled = []
    for target in _column_targets(columns):
        if target is None:
            compiled.append((0, None, 0, ""))
        elif isinstance(target, str) or len(target) == 1:
            compiled.append((1, target if isinstance(target, str) else target[0], 0, ""))
        elif len(target) == 3 and target[1].isdigit():
            compiled.append((2, target[0], int(target[1]), target[2]))
        else:
            compiled.append((3, target, 0, ""))
    return tuple(compiled)


def unflatten_text_row(values: tuple[Any, ...], columns: tuple[str, ...]) -> dict[str, Any]:
    """One row of text cells (None or NaN where empty) as a 360Giving JSON grant: :func:`unflatten_row`
    for the common case of a CSV file, without its conversions of typed spreadsheet cells.

    Examples
    --------
    >>> unflatten_text_row(("360G-x-1", "A", " "), ("Identifier", "Recipient Org:Name", "Amount Awarded"))
    {'id': '360G-x-1', 'recipientOrganization': [{'name': 'A'}]}
    """
    grant: dict[str, Any] = {}
    for value, (how, key, index, field) in zip(values, _text_targets(columns)):
        if not how or value is None or value != value or not value.strip():
            continue
        if how == 1:
            grant[key] = value
        elif how == 2:
            items = grant.setdefault(key, [])
            while len(items) <= index:
                items.append({})
            items[index][field] = value
        else:
            _set(grant, key, value)
    return grant


def _set(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node: Any = target
    for part, following in zip(path, path[1:]):
        if following.isdigit():
            items = node.setdefault(part, [])
            while len(items) <= int(following):
                items.append({})
            node = items
        elif part.isdigit():
            node = node[int(part)]
        else:
            node = node.setdefault(part, {})
    last = path[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


_DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%m/%Y",
                 "%d %B %Y", "%d %b %Y")


def parse_date(value: Any) -> str | None:
    """An ISO date (``YYYY-MM-DD``) from the date forms publishers use; None if unreadable.

    ``MM/YYYY`` (month precision) becomes the first of the month.

    Examples
    --------
    >>> parse_date("2015-02-04T00:00:00+00:00"), parse_date("05/06/2014"), parse_date("05/2011")
    ('2015-02-04', '2014-06-05', '2011-05-01')
    >>> parse_date("23 May 2011"), parse_date("soon")
    ('2011-05-23', None)
    """
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    text = str(value).strip()
    if not text[:1].isdigit():  # every form publishers use starts with the day or the year
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        try:
            return datetime.fromisoformat(text[:10]).date().isoformat()
        except ValueError:
            return None
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return None


def _to_number(value: Any, decimal: str) -> Any:
    if isinstance(value, str):
        number = parse_amount(value, decimal=decimal)
        return value if number is None else number  # the schema check rejects what is not a number
    return value


class ThreeSixtyGivingLoader(Loader):
    """360Giving grants (JSON package, CSV or XLSX), filtered to one local authority."""

    name = "360giving"
    title = "360Giving Data Standard grants"
    source_url = "https://grantnav.threesixtygiving.org/"
    licence = "CC-BY-4.0"

    def load(self, path: Path, context: LoadContext, *, filter: str = "authority",  # noqa: A002
             licence: str | None = None, date: str = "", decimal: str = ".") -> LoadResult:
        """Read grants, check each against the schema, keep those in the authority.

        Parameters
        ----------
        path : Path
            ``.json`` (a package ``{"grants": [...]}`` or a list), ``.csv`` or ``.xlsx``.
        context : LoadContext
            The authority and its places.
        filter : {"authority", "none"}
            ``authority`` keeps a grant whose recipient or beneficiary location code, GrantNav
            district or ward code, or recipient postcode lies in the authority; ``none`` keeps every
            grant (for files already cut to the area).
        licence : str, optional
            The publisher's licence, if not CC-BY-4.0.
        date : str, optional
            Date the file was published; defaults to each grant's ``dateModified`` or award date.
        decimal : {".", ","}
            The decimal mark of amounts written as text (a CSV or spreadsheet's cells): ``","``
            reads ``1.000,50`` as 1000.5; with ``"."`` such a grant fails the schema check.

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> result = ThreeSixtyGivingLoader().load(
        ...     Path("data/360giving/hounslow_360giving_grants.json"), ctx, filter="none")
        >>> result.summary()["nodes"]["Grant"], round(result.summary()["money"]["GBP"])
        (12, 481363)
        """
        if filter not in ("authority", "none"):
            raise SourceFormatError(f"{path.name}: filter {filter!r} is not supported. Use one of: 'authority', 'none'.")
        check_decimal(decimal, loader=self.name)
        sink = RecordSink(self.name, path)
        licence = licence or self.licence
        kept = read = 0
        first_seen: dict[str, str] = {}
        batch = _GrantColumns()
        invalid = 0
        for row_label, grant in self._read(path):
            read += 1
            if not isinstance(grant, dict):
                sink.reject(row_label, "grant", grant, "not a JSON object")
                continue
            if read == 1 and path.suffix.lower() == ".json":
                _check_first_grant(path, grant)
            clean_legacy_forms(grant, decimal=decimal)
            # filter before the (slow) schema check: a national file is mostly other authorities' grants
            if filter == "authority" and not self._in_authority(grant, context):
                continue
            if not self._check(sink, row_label, grant, in_detail=invalid < EXPLAINED_IN_DETAIL):
                invalid += 1
                continue
            grant_id = str(grant["id"]).strip()
            if grant_id in first_seen:
                sink.reject(f"{row_label} ({grant_id})", "id", grant_id, f"duplicate grant id (first at {first_seen[grant_id]})")
                continue
            first_seen[grant_id] = row_label
            kept += 1
            batch.add(grant, context.places, date)
            if len(batch) == BATCH_GRANTS:
                batch.flush(sink, licence, context.places)
        batch.flush(sink, licence, context.places)
        described = "none (file already cut to the area)" if filter == "none" else \
            f"recipient or beneficiary in {context.authority_gss}"
        return sink.result(f"{described}: {kept} of {read} grants")

    # -- reading ---------------------------------------------------------------------------
    def _read(self, path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yield ``(row label, grant)`` one at a time: a national file is never held in memory whole."""
        suffix = path.suffix.lower()
        if suffix == ".json":
            yield from _stream_json(path)
        elif suffix == ".csv":
            yield from _stream_csv(path)
        elif suffix == ".xlsx":
            yield from _stream_xlsx(path)
        else:
            raise SourceFormatError(f"{path.name}: 360Giving data must be .json, .csv or .xlsx, not {suffix or 'no extension'}")

    # -- checking --------------------------------------------------------------------------
    def _check(self, sink: RecordSink, row_label: str, grant: dict[str, Any], *, in_detail: bool = True) -> bool:
        """Whether ``grant`` is valid; if not, each problem is rejected naming its field. The first
        :data:`EXPLAINED_IN_DETAIL` invalid grants of a file are explained by the Python validator
        (for a failed ``oneOf``, the closest branch's errors); the rest by jsonschema-rs, whose
        messages are plainer but which is about 100 times faster, so a file of garbage is rejected
        row by row in seconds rather than minutes."""
        if _fast_validator().is_valid(grant) and grant["amountAwarded"] >= 0:
            return True  # the common case; the slower validator below explains what is wrong
        ok = True
        label = f"{row_label} ({grant.get('id', 'no id')})"
        if not in_detail:
            for error in _fast_validator().iter_errors(grant):
                where = ".".join(str(p) for p in error.instance_path)
                value = error.instance if not isinstance(error.instance, (dict, list)) else ""
                sink.reject(label, where or "grant", value, _short_message(error))
                ok = False
        else:
            for error in _validator().iter_errors(grant):
                for detail in _explain(error):
                    where = ".".join(str(p) for p in detail.absolute_path)
                    if detail.validator == "required":
                        where = ".".join(filter(None, [where, str(detail.message).split("'")[1]]))
                    value = detail.instance if not isinstance(detail.instance, (dict, list)) else ""
                    sink.reject(label, where or "grant", value, _short_message(detail))
                ok = False
        if ok and grant["amountAwarded"] < 0:
            sink.reject(f"{row_label} ({grant['id']})", "amountAwarded", grant["amountAwarded"], "negative amount")
            ok = False
        return ok

    def _in_authority(self, grant: dict[str, Any], context: LoadContext) -> bool:
        if context.national:
            return True
        codes = set(self._location_codes(grant))
        if context.authority_gss in codes:
            return True
        places = context.places
        if places is None:
            return False
        if any(places.place_of_code(code) for code in codes):
            return True
        postcode = (grant.get("recipientOrganization") or [{}])[0].get("postalCode", "")
        return bool(postcode and places.lsoa_of_postcode(postcode))

    @staticmethod
    def _location_codes(grant: dict[str, Any]) -> list[str]:
        codes = [_grantnav(grant, "recipientDistrictGeoCode"), _grantnav(grant, "recipientWardNameGeoCode")]
        for org in grant.get("recipientOrganization", []) or []:
            codes += [loc.get("geoCode") for loc in org.get("location", []) or [] if isinstance(loc, dict)]
        codes += [loc.get("geoCode") for loc in grant.get("beneficiaryLocation", []) or [] if isinstance(loc, dict)]
        return [str(c).strip().upper() for c in codes if not is_missing(c)]

#: Invalid grants of a file explained by the (slower, more precise) Python validator; the rest by jsonschema-rs.
EXPLAINED_IN_DETAIL = 1_000
#: Grants mapped to columns before they are handed to the record sink together.
BATCH_GRANTS = 50_000
#: What each recipient and grant record holds, in the order :class:`_GrantColumns` keeps it.
_RECIPIENT_FIELDS = ("name", "charity_number", "company_number", "postal_code", "address", "website", "other_ids")
_GRANT_FIELDS = ("title", "description", "amount", "currency", "award_date", "start_date", "end_date",
                 "duration_months", "programme", "open_call", "to_individual")
_FLOATS = frozenset({"amount", "duration_months"})
_OBJECTS = frozenset({"other_ids", "open_call", "to_individual"})


class _GrantColumns:
    """What a batch of grants adds to the graph, a tuple per grant and kind of record.

    Per grant: the funder, the recipient and a ``Grant`` node (in that order: the order decides which
    source's value a node keeps), ``recipient -FUNDED_BY-> funder`` with grant id, amount and date,
    ``grant -AWARDED_TO-> recipient``, ``grant -SERVES_AREA-> place`` for beneficiary locations in the
    authority, and ``recipient -LOCATED_IN-> ward`` (from a ward or location code, else the postcode)
    where known. Provenance: the grant id, as of the file's date or the grant's ``dateModified`` or
    award date.
    """

    def __init__(self) -> None:
        self.funders: list[tuple[str, str]] = []
        self.recipients: list[tuple[Any, ...]] = []
        self.grants: list[tuple[Any, ...]] = []
        self.places: dict[str, list[tuple[int, str]]] = {"SERVES_AREA": [], "LOCATED_IN": []}

    def __len__(self) -> int:
        return len(self.grants)

    def add(self, grant: dict[str, Any], places: Any, date: str) -> None:  # noqa: ANN401 - a PlaceIndex or None
        """Map one checked grant to its records."""
        number = len(self.grants)
        grant_id = str(grant["id"]).strip()
        modified = grant.get("dateModified")
        as_of = date or (parse_date(modified) if modified else None) or grant.get("awardDate", "")
        funder = grant["fundingOrganization"][0]
        funder_id = str(funder["id"]).strip()
        self.funders.append((funder_id, str(funder.get("name", "")).strip() or funder_id))
        individual = not grant.get("recipientOrganization")
        if individual:  # the grant stands for its anonymous recipient: nothing of the person is kept
            recipient: dict[str, Any] = {}
            self.recipients.append((grant_id, "Grant", *(None,) * len(_RECIPIENT_FIELDS)))
        else:
            recipient = grant["recipientOrganization"][0]
            recipient_id = str(recipient["id"]).strip()
            self.recipients.append((recipient_id, _recipient_kind(recipient_id, recipient),
                                    *_recipient_attributes(recipient_id, recipient)))
        planned = grant["plannedDates"][0] if grant.get("plannedDates") else {}
        duration = planned.get("duration")
        self.grants.append((
            grant_id, as_of, grant.get("title"), grant.get("description"), float(grant["amountAwarded"]),
            grant.get("currency"), grant.get("awardDate"), planned.get("startDate"), planned.get("endDate"),
            float(duration) if duration is not None and _is_number(duration) else None,
            grant["grantProgramme"][0].get("title") if grant.get("grantProgramme") else None,
            _yes_no(grant.get("fromOpenCall")), individual))
        if places is None:
            return
        for location in grant.get("beneficiaryLocation") or ():
            place = places.place_of_code(location.get("geoCode", "")) if isinstance(location, dict) else None
            if place:
                self.places["SERVES_AREA"].append((number, place))
        home = None if individual else _recipient_place_by_code(grant, recipient, places)
        if home:
            self.places["LOCATED_IN"].append((number, home))

    def flush(self, sink: RecordSink, licence: str, places: Any) -> None:  # noqa: ANN401 - a PlaceIndex or None
        """Hand the batch to the sink, nodes in grant order, and start again.

        Each column is made once (in Arrow) and repeated where several records share it.
        """
        count = len(self)
        if not count:
            return
        funder_id, funder_name = _columns(self.funders, 2)
        recipient_id, kind, *recipient = _columns(self.recipients, 2 + len(_RECIPIENT_FIELDS))
        grant_id, as_of, *grant = _columns(self.grants, 2 + len(_GRANT_FIELDS))
        recipient_of, grant_of = dict(zip(_RECIPIENT_FIELDS, recipient)), dict(zip(_GRANT_FIELDS, grant))
        postcode = normalise_postcodes(pd.Series(recipient_of["postal_code"], dtype=object))
        recipient_of = {"postcode" if k == "postal_code" else k: postcode.where(postcode != "").to_numpy(dtype=object)
                        if k == "postal_code" else v for k, v in recipient_of.items()}
        ids = {"funder": _arrow(funder_id), "recipient": _arrow(recipient_id), "grant": _arrow(grant_id)}
        dates = _arrow(as_of)
        each = np.repeat(np.arange(count), 3)  # a grant's three node records share its provenance
        order = (np.arange(3 * count) % 3) * count + each  # funder, recipient, grant; grant after grant
        attributes = {"name": _interleave(order, _arrow(funder_name), _arrow(recipient_of.pop("name")),
                                          _arrow(grant_of["title"]))}
        for name, values in recipient_of.items():
            attributes[name] = _interleave(order, None, _arrow(values, name), None)
        for name, values in grant_of.items():
            attributes[name] = _interleave(order, None, None, _arrow(values, name))
        kinds = pd.Index(list(dict.fromkeys(["Funder", "Grant", *kind])), dtype=object)
        kind_codes = np.stack([np.zeros(count, np.int64), kinds.get_indexer(kind), np.ones(count, np.int64)],
                              axis=1).reshape(-1)
        # a grant to an individual has no recipient record: the grant itself is its anonymous recipient
        individual = np.array(grant_of["to_individual"], dtype=bool)
        keep = ~((np.arange(3 * count) % 3 == 1) & individual[each])
        sink.nodes(_interleave(order, ids["funder"], ids["recipient"], ids["grant"])[keep].reset_index(drop=True),
                   pd.Categorical.from_codes(kind_codes[keep], kinds),
                   records=_series(ids["grant"].take(each[keep])), dates=_series(dates.take(each[keep])),
                   licence=licence, **{k: v[keep].reset_index(drop=True) for k, v in attributes.items()})
        records, when = _series(ids["grant"]), _series(dates)
        sink.edges(_series(ids["recipient"]), _series(ids["funder"]), "FUNDED_BY", records=records, dates=when,
                   licence=licence, grant=records, identified=True,
                   **{k: _series(_arrow(grant_of[k], k)) for k in ("amount", "currency", "award_date", "programme")})
        to_organisation = np.flatnonzero(~individual)
        sink.edges(_series(ids["grant"].take(to_organisation)), _series(ids["recipient"].take(to_organisation)),
                   "AWARDED_TO", records=_series(ids["grant"].take(to_organisation)),
                   dates=_series(dates.take(to_organisation)), licence=licence, identified=True)
        located = self.places["LOCATED_IN"]
        if places is not None:  # recipients placed by no code: by their postcode
            coded = {row for row, _ in located}
            wards = places.wards_of_postcodes(postcode)
            located = sorted(located + [(row, ward) for row, ward in enumerate(wards.tolist())
                                        if row not in coded and isinstance(ward, str)])
        for relation, found, sources in (("SERVES_AREA", self.places["SERVES_AREA"], ids["grant"]),
                                         ("LOCATED_IN", located, ids["recipient"])):
            if found:
                rows, place = _columns(found, 2)
                rows = np.array(rows, dtype=np.int64)
                sink.edges(_series(sources.take(rows)), _series(_arrow(place)), relation,
                           records=_series(ids["grant"].take(rows)), dates=_series(dates.take(rows)), licence=licence,
                           identified=True)
        self.__init__()


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
    """The columns of a list of equal-length tuples (transposed in C)."""
    return list(zip(*rows)) if rows else [()] * width


def _arrow(values: tuple[Any, ...], name: str = "") -> pa.Array | np.ndarray:
    """A batch column in Arrow (text or float), or as an object array for lists and yes/no values."""
    if name in _OBJECTS:
        return np.fromiter(values, dtype=object, count=len(values))  # a cell may hold a list
    return pa.array(values, type=pa.float64() if name in _FLOATS else pa.large_string(), from_pandas=True)


def _series(values: pa.Array | np.ndarray) -> pd.Series:
    if isinstance(values, np.ndarray):
        return pd.Series(values, dtype=object)
    return values.to_pandas(types_mapper={pa.large_string(): TEXT}.get)


def _interleave(order: np.ndarray, funders: Any, recipients: Any, grants: Any) -> pd.Series:
    """A node column of the batch: the three kinds' values (None where a kind has none) in node order."""
    parts = [funders, recipients, grants]
    count = len(order) // 3
    if any(isinstance(p, np.ndarray) for p in parts):  # objects: lists, yes/no
        cells = np.concatenate([p if p is not None else np.full(count, None, dtype=object) for p in parts])
        return pd.Series(cells[order], dtype=object)
    kind = next(p.type for p in parts if p is not None)
    column = pa.concat_arrays([p if p is not None else pa.nulls(count, kind) for p in parts])
    return _series(column.take(order))


#: Columns every grant needs (the 360Giving core fields), and the recipient's, of one kind or the other.
REQUIRED_COLUMNS = ("Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
                    "Funding Org:Identifier", "Funding Org:Name")
RECIPIENT_COLUMNS = (("Recipient Org:Identifier", "Recipient Org:Name"), ("Recipient Ind:Identifier", "Recipient Ind:Name"))
#: Fields every grant of a JSON package needs, one of the recipient fields included.
REQUIRED_FIELDS = ("id", "title", "description", "currency", "amountAwarded", "awardDate", "fundingOrganization")


def _stream_json(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    package = first_json_character(path) != b"["
    count = -1
    for count, grant in stream_json_items(path, "grants.item" if package else "item", what="grants"):
        yield f"grants[{count}]", grant
    if package and count == -1 and (found := _grants_value(path)) != "start_array":
        shown = {"start_map": "an object", None: "missing"}.get(found, "not a list")
        raise SourceFormatError(f"{path.name}: expected a 360Giving package with a 'grants' list; its 'grants' is "
                                f"{shown}")


def _grants_value(path: Path) -> str | None:
    """The ijson event that opens a package's top-level ``grants`` (``"start_array"`` for a list), or
    None when it has none."""
    with path.open("rb") as handle:
        return next((event for prefix, event, _ in ijson.parse(handle)
                     if prefix == "grants" and event != "map_key"), None)


def _check_titles(path: Path, columns: list[str]) -> None:
    """Refuse, once, a spreadsheet whose header lacks a column every grant needs: each of its rows
    would be rejected for the same reasons."""
    titles = {_INDEXED.sub(":", str(c).strip().lower()) for c in columns}
    missing = [t for t in REQUIRED_COLUMNS if t.lower() not in titles]
    if not any(all(t.lower() in titles for t in pair) for pair in RECIPIENT_COLUMNS):
        missing.append("Recipient Org:Identifier and Recipient Org:Name (or Recipient Ind:Identifier and Recipient Ind:Name)")
    if missing:
        raise SourceFormatError(f"{path.name} row 1 (header): missing 360Giving column(s) {', '.join(missing)}; "
                                f"{_looks_like([str(c) for c in columns])}")


def _plain(text: str) -> str:
    """A column name or field path without case, spaces, punctuation or indexes: ``amount_awarded``,
    ``Amount Awarded`` and ``amountAwarded`` are all ``amountawarded``."""
    return re.sub(r"[^a-z]", "", text.lower())


@cache
def _plain_names() -> frozenset[str]:
    """Every 360Giving column title and JSON field path, plain (:func:`_plain`), with ``org`` for
    ``organization`` (flat exports write ``recipient_org_id``) and ``id`` for ``identifier``."""
    names = set()
    for title, path in column_paths().items():
        for text in (_plain(title), _plain("".join(path))):
            names |= {text, text.replace("organization", "org"), text.replace("identifier", "id")}
    return frozenset(names)


def _looks_like(columns: list[str]) -> str:
    """What a file with these columns looks like, when it is not a 360Giving spreadsheet, and what to do."""
    titles = {c.strip().lower() for c in columns}
    known = set(column_paths()) | set(GRANTNAV_COLUMNS)
    elsewhere = [c for c in columns if c.strip().lower() not in known and _plain(c) in _plain_names()]
    if len(elsewhere) >= 3:
        return (f"this looks like a flat export of grants with its own column names ({', '.join(elsewhere[:4])}), "
                "not a 360Giving file: use the publisher's 360Giving file or a GrantNav download "
                "(360Giving column titles such as Amount Awarded, Recipient Org:Identifier), or its JSON package")
    if len(titles & known) >= 3:
        return "this looks like a 360Giving spreadsheet without some of the core fields every grant needs: add them"
    return f"this does not look like 360Giving data (columns: {', '.join(columns[:8])}): check the loader named for it"


def _check_first_grant(path: Path, grant: dict[str, Any]) -> None:
    """Refuse, once, a JSON file whose first grant is not shaped like a 360Giving grant."""
    missing = [f for f in REQUIRED_FIELDS if f not in grant]
    if "recipientOrganization" not in grant and "recipientIndividual" not in grant:
        missing.append("recipientOrganization (or recipientIndividual)")
    if len(missing) >= 3:
        raise SourceFormatError(f"{path.name} grants[0]: missing 360Giving field(s) {', '.join(missing)}; "
                                f"{_looks_like([str(k) for k in grant])}")


def _stream_csv(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if not is_utf8(path):  # a publisher's spreadsheet export in Windows-1252: decoded, then read by pandas
        chunks = _decoded_csv(path)
    else:
        chunks = stream_csv(path)
    columns = tuple(header(path))
    _check_titles(path, list(columns))
    for chunk in chunks:
        for number, values in zip(chunk.index.tolist(), zip(*(chunk[c].tolist() for c in chunk.columns))):
            yield f"row {number + 2}", unflatten_text_row(values, columns)


def _decoded_csv(path: Path, chunk_rows: int = 50_000) -> Iterator[pd.DataFrame]:
    try:
        reader = pd.read_csv(io.StringIO(decode_bytes(path)), dtype=str, keep_default_na=False, na_values=[""],
                             chunksize=chunk_rows)
        for chunk in reader:
            chunk.columns = [str(c).strip() for c in chunk.columns]
            yield chunk
    except pd.errors.ParserError as error:
        raise SourceFormatError(f"{path.name}: not a readable CSV file ({error})") from None


def _stream_xlsx(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    from openpyxl import load_workbook  # streams rows in read-only mode

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and its own errors for a bad file
        raise SourceFormatError(f"{path.name}: not a readable XLSX workbook ({error})") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, [])]
        _check_titles(path, header)
        for number, values in enumerate(rows, start=2):
            if any(v is not None for v in values):
                yield f"row {number}", unflatten_row(dict(zip(header, values)))
    finally:
        book.close()


def _iso_day(value: Any) -> bool:
    """Whether a value is written like an ISO date (``YYYY-MM-DD``): :func:`parse_date` would give it
    back unchanged, or nothing if it is no real date (then the schema check rejects it)."""
    return type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-"


def _clean_dates(node: dict[str, Any], fields: tuple[str, ...]) -> None:
    for field in fields:
        value = node.get(field)
        if value is not None and not _iso_day(value) and (iso := parse_date(value)):
            node[field] = iso
    if "dateModified" in node and (iso := parse_date(node["dateModified"])) and "T" not in str(node["dateModified"]):
        node["dateModified"] = f"{iso}T00:00:00+00:00"


def clean_legacy_forms(grant: dict[str, Any], *, decimal: str = ".") -> None:
    """Normalise, in place, forms that older 360Giving files use and the current schema does not.

    Dates in ``dd/mm/yyyy``, ``mm/yyyy`` or ``23 May 2011`` become ISO dates; ``fromOpenCall`` of
    ``Y``/``N`` becomes ``Yes``/``No``; durations like ``12 months`` and amounts like ``"1,500"``
    become numbers (``"1.500,50"`` too with ``decimal=","``). What is still invalid after this is
    rejected by the schema check.

    Examples
    --------
    >>> g = {"awardDate": "05/06/2014", "fromOpenCall": "Y", "amountAwarded": "1,500",
    ...      "plannedDates": [{"duration": "12 months"}]}
    >>> clean_legacy_forms(g); g["awardDate"], g["fromOpenCall"], g["amountAwarded"], g["plannedDates"]
    ('2014-06-05', 'Yes', 1500.0, [{'duration': 12.0}])
    """
    _clean_dates(grant, DATE_FIELDS)
    for planned in grant.get("plannedDates", []) or []:
        if isinstance(planned, dict):
            _clean_dates(planned, PLANNED_DATE_FIELDS)
            if isinstance(planned.get("duration"), str) and (m := re.match(r"^\s*(\d+(\.\d+)?)", planned["duration"])):
                planned["duration"] = float(m.group(1))
    for key in ("recipientOrganization", "fundingOrganization", "beneficiaryLocation"):
        for node in grant.get(key, []) or []:
            if isinstance(node, dict) and "dateModified" in node:
                _clean_dates(node, ())
    open_call = str(grant["fromOpenCall"]).strip().lower() if "fromOpenCall" in grant else ""
    if open_call in ("y", "n", "yes", "no", "true", "false"):
        grant["fromOpenCall"] = "Yes" if open_call in ("y", "yes", "true") else "No"
    for amount in ("amountAwarded", "amountAppliedFor", "amountDisbursed"):
        if amount in grant:
            grant[amount] = _to_number(grant[amount], decimal)
    details = grant.get("toIndividualsDetails")
    if isinstance(details, dict) and isinstance(details.get("grantPurpose"), str):
        # a spreadsheet cell holds the list of codes separated by semicolons (360Giving flattening)
        details["grantPurpose"] = [code.strip() for code in details["grantPurpose"].split(";") if code.strip()]


def _explain(error: Any) -> list[Any]:
    """The errors that say what to fix: for a failed ``oneOf``, those of the closest branch."""
    if not error.context:
        return [error]
    branches: dict[int, list[Any]] = {}
    for detail in error.context:
        branches.setdefault(detail.relative_schema_path[0], []).append(detail)
    return min(branches.values(), key=len)


_AUTHORITY_CODE = re.compile(r"^(E0[6-9]|W06|S12|N09)\d{6}$")


def grants_by_authority(path: Path) -> pd.DataFrame:
    """Every valid grant of a 360Giving file with the local authority it went to, unfiltered: the
    input for comparing authorities (:func:`analysis.money.compare_authorities`).

    The authority is GrantNav's recipient district code, else a beneficiary or recipient location
    that is a local authority code. Grants placed in no authority have ``authority`` None. A grant
    to an individual is its own recipient (nothing of the person is kept).

    Returns
    -------
    DataFrame
        ``grant``, ``funder``, ``funder_name``, ``recipient``, ``amount``, ``currency``,
        ``award_date``, ``authority`` (GSS code).

    Examples
    --------
    >>> frame = grants_by_authority(Path("data/360giving/london_powertochange_grants.json"))
    >>> len(frame), frame["authority"].value_counts().index[0]
    (102, 'E09000022')
    """
    loader = ThreeSixtyGivingLoader()
    sink = RecordSink(loader.name, path)
    rows = []
    for label, grant in loader._read(path):  # noqa: SLF001 - the same reading, without the area filter
        if not isinstance(grant, dict):
            continue
        clean_legacy_forms(grant)
        if not loader._check(sink, label, grant):  # noqa: SLF001
            continue
        codes = [c for c in loader._location_codes(grant) if _AUTHORITY_CODE.match(c)]  # noqa: SLF001
        district = _grantnav(grant, "recipientDistrictGeoCode")
        funder = grant["fundingOrganization"][0]
        recipient = grant["recipientOrganization"][0] if grant.get("recipientOrganization") else {"id": grant["id"]}
        rows.append({"grant": grant["id"], "funder": funder.get("id"), "funder_name": funder.get("name"),
                     "recipient": recipient.get("id"), "amount": float(grant["amountAwarded"]),
                     "currency": grant.get("currency"), "award_date": grant.get("awardDate"),
                     "authority": district if district and _AUTHORITY_CODE.match(str(district)) else
                     (codes[0] if codes else None)})
    return pd.DataFrame(rows, columns=["grant", "funder", "funder_name", "recipient", "amount", "currency",
                                       "award_date", "authority"])


def _grantnav(grant: dict[str, Any], key: str) -> Any:
    """A field GrantNav adds: at the top level in some exports, under ``additional_data`` in others."""
    extra = grant.get("additional_data")
    return grant.get(key) or (extra.get(key) if isinstance(extra, dict) else None)


def _short_message(error: Any) -> str:
    message = error.message
    return message if len(message) <= 160 else message[:157] + "..."


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _yes_no(value: Any) -> bool | None:
    if is_missing(value):
        return None
    return str(value).strip().lower() in ("y", "yes", "true", "1")


#: Node kind of a recipient by the scheme of its Org-ID (the prefix, with its dash).
_KIND_BY_PREFIX = {f"{scheme}-": kind for scheme, kind in KIND_BY_SCHEME.items()}


def _recipient_kind(identifier: str, recipient: dict[str, Any]) -> str:
    form = recipient.get("organisationType")
    if form is not None:
        form = str(form).lower()
        if "charitable incorporated" in form:
            return "CharitableIncorporatedOrganisation"
        if "community interest" in form:
            return "CommunityInterestCompany"
    return _KIND_BY_PREFIX.get(identifier[:7]) or _KIND_BY_PREFIX.get(identifier[:6]) or "Organisation"


def _recipient_attributes(identifier: str, recipient: dict[str, Any]) -> tuple[Any, ...]:
    """The recipient's attributes in the order of :data:`_RECIPIENT_FIELDS` (the postcode as given)."""
    other_ids = []
    charity = recipient.get("charityNumber")
    charity = str(charity).strip().removesuffix(".0") if charity is not None else ""
    company = recipient.get("companyNumber")
    company = str(company).strip().removesuffix(".0") if company is not None else ""
    if company.upper() in ("NAN", "N/A"):
        company = ""
    if charity.isdigit() and identifier != f"GB-CHC-{charity}":
        other_ids.append(f"GB-CHC-{charity}")
    if company and identifier != (company_org_id := company_id(company)):
        other_ids.append(company_org_id)
    address = None
    if "streetAddress" in recipient or "addressLocality" in recipient:
        address = ", ".join(str(recipient[k]).strip() for k in ("streetAddress", "addressLocality")
                            if not is_missing(recipient.get(k))).replace("\n", ", ") or None
    return (str(recipient.get("name", "")).strip() or identifier, charity if charity.isdigit() else None,
            company_number(company) if company else None, recipient.get("postalCode") or None, address,
            recipient.get("url"), other_ids or None)


def _recipient_place_by_code(grant: dict[str, Any], recipient: dict[str, Any], places: Any) -> str | None:
    """The ward of a recipient from GrantNav's ward code or the recipient's location codes, if any."""
    for code in [_grantnav(grant, "recipientWardNameGeoCode")] + [
        loc.get("geoCode") for loc in recipient.get("location", []) or [] if isinstance(loc, dict)
    ]:
        if not is_missing(code) and (place := places.place_of_code(code)) and places.ward_of(place):
            return places.ward_of(place)
    return None
