"""The local knowledge workbook: what no register holds, filled in at a workshop.

Partnerships, forum membership, co-production, sector champions, infrastructure support, room hire,
below-the-radar groups. The workbook is an ``.xlsx`` file with the sheets below, or a folder with one
``.csv`` file per sheet (same names). Write a blank, documented template with :func:`write_template`
(``civicgraph template``). Every row names its ``source`` (a document and where in it, or the
workshop and date): that citation becomes the row's provenance. A relation with no ``start_date``
or ``end_date`` of its own is dated by the row's ``source_date`` (the day it was stated).

Sheets and columns (``*`` required):

``organisations``
    ``id`` (Org-ID if registered; blank makes ``LOCAL-{authority}-{name}``), ``name*``, ``kind*``
    (an ontology kind: ``UnregisteredGroup``, ``InfrastructureBody``, ``Funder``, ...), ``ward``
    (GSS code or name), ``postcode``, ``income_gbp``, ``scale`` (local/regional/national),
    ``functions`` and ``themes`` (separated by ``;``), ``part_of``, ``status``, ``note``, ``source*``,
    ``source_date``.
``directorates``
    ``id``, ``name*``, ``kind`` (``Directorate`` or ``Team``), ``part_of``, ``sector_champion``
    (yes/no/unknown), ``vcse_links`` (yes/no/unknown), ``note``, ``source*``, ``source_date``.
``relationships``
    ``from*``, ``relation*`` (see :data:`RELATIONS`), ``to*`` (an id or a name in this workbook),
    ``mode`` (purchaser-provider, grant-maker, co-design, co-production, infrastructure support,
    partnership), ``amount_gbp``, ``start_date``,
    ``end_date``, ``role``, ``seniority``, ``rent_terms``, ``note``, ``source*``, ``source_date``.
``events``
    ``id``, ``name*``, ``kind`` (``Workshop``, ``Consultation``, ``Event``), ``date``, ``note``,
    ``source*``, ``source_date``.
``assets``
    ``id``, ``name*``, ``kind`` (``Building`` or ``Land``), ``address``, ``postcode``, ``ward``,
    ``tenure``, ``note``, ``source*``, ``source_date``.
``programmes``
    ``id``, ``name*``, ``kind`` (``Programme`` or ``Service``), ``amount_gbp``, ``start_date``,
    ``end_date``, ``note``, ``source*``, ``source_date``.
``contracts``
    ``id*``, ``name*``, ``amount_gbp``, ``start_date``, ``end_date``, ``provider_count``, ``note``,
    ``source*``, ``source_date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from civicgraph.core.columns import is_missing
from civicgraph.core.errors import ConfigError, SourceFormatError
from civicgraph.core.identifiers import local_group_id, slugify
from civicgraph.loaders.base import LoadContext, Loader, LoadResult, RecordSink
from civicgraph.loaders.income_bands import income_band
from civicgraph.loaders.tabular import check_decimal, normalise_postcode, parse_amount, parse_date, read_csv_text
from civicgraph.ontology.vocabulary import vocabulary

#: Workbook words for relations -> relation types (the types themselves are accepted too).
RELATIONS = {
    "partnership": "PARTNERS_WITH", "membership": "MEMBER_OF", "member of": "MEMBER_OF",
    "co-production": "CO_PRODUCES_WITH", "co-design": "CO_PRODUCES_WITH",
    "sector champion": "CHAMPION_FOR", "infrastructure support": "SUPPORTS", "occupancy": "OCCUPIES",
    "funding": "FUNDED_BY", "contract": "COMMISSIONED_BY", "awarded to": "AWARDED_TO", "part of": "PART_OF",
    "participated": "PARTICIPATED_IN", "succeeds": "SUCCEEDS", "serves area": "SERVES_AREA",
    "located in": "LOCATED_IN", "offers function": "OFFERS_FUNCTION", "addresses": "ADDRESSES",
    "delivers": "DELIVERS",
}
MODES = ("purchaser-provider", "grant-maker", "co-design", "co-production", "infrastructure support", "partnership")
RENT_TERMS = ("market", "discounted", "peppercorn", "free")
SCALES = ("local", "regional", "national")


@dataclass(frozen=True)
class Sheet:
    """A workbook sheet: its columns, the required ones, and what each holds (for the template)."""

    name: str
    columns: dict[str, str]
    required: tuple[str, ...]


SOURCE_COLUMNS = {
    "source": "where this is stated: document and section, or workshop and date (required)",
    "source_date": "date of that source, YYYY-MM-DD",
}
SHEETS = (
    Sheet("organisations", {
        "id": "Org-ID if registered (GB-CHC-1234567, GB-COH-01234567); blank for groups on no register",
        "name": "name as the organisation uses it",
        "kind": "ontology kind, e.g. UnregisteredGroup, Charity, InfrastructureBody, Funder, FaithGroup",
        "ward": "ward GSS code (E05...) or name",
        "postcode": "postcode of its base",
        "income_gbp": "latest annual income in GBP, if known",
        "scale": "local, regional or national",
        "functions": "support functions offered, separated by ';' (volunteering; capacity building; ...)",
        "themes": "themes or needs addressed, separated by ';'",
        "part_of": "id or name of a parent body",
        "status": "e.g. active, proposed, closed",
        "classification": "what kind of body, overriding the build's rules (a class of "
                          "pipeline/reference/organisation_classes.csv, e.g. community group, statutory: library)",
        "note": "anything else",
        **SOURCE_COLUMNS,
    }, ("name", "kind", "source")),
    Sheet("directorates", {
        "id": "identifier; blank makes one from the name",
        "name": "directorate or team name",
        "kind": "Directorate or Team",
        "part_of": "id or name of the council or directorate it belongs to",
        "sector_champion": "yes, no or unknown: is there a designated VCSE sector champion?",
        "vcse_links": "yes, no or unknown: does a source say it works with the VCSE at all? "
                      "(blank is unknown; 'no' only when a source says so)",
        "note": "anything else",
        **SOURCE_COLUMNS,
    }, ("name", "source")),
    Sheet("relationships", {
        "from": "id or name",
        "relation": "partnership, membership, co-production, sector champion, infrastructure support, "
                    "occupancy, funding, contract, part of, participated, succeeds, offers function, ...",
        "to": "id or name",
        "mode": "how a directorate works with the sector: purchaser-provider, grant-maker, co-design, "
                "co-production, infrastructure support, partnership",
        "amount_gbp": "money, for funding and contracts",
        "start_date": "YYYY-MM-DD",
        "end_date": "YYYY-MM-DD",
        "role": "e.g. chair, lead provider, member",
        "seniority": "for forum attendance: senior, officer",
        "rent_terms": "for occupancy: market, discounted, peppercorn, free",
        "note": "anything else",
        **SOURCE_COLUMNS,
    }, ("from", "relation", "to", "source")),
    Sheet("events", {
        "id": "identifier; blank makes one from the name",
        "name": "event name",
        "kind": "Workshop, Consultation or Event",
        "date": "YYYY-MM-DD",
        "note": "anything else",
        **SOURCE_COLUMNS,
    }, ("name", "source")),
    Sheet("assets", {
        "id": "identifier (e.g. the council's asset register reference); blank makes one from the name",
        "name": "building or land name",
        "kind": "Building or Land",
        "address": "address",
        "postcode": "postcode",
        "ward": "ward GSS code or name",
        "tenure": "freehold, leasehold, ...",
        "note": "anything else",
        **SOURCE_COLUMNS,
    }, ("name", "source")),
    Sheet("programmes", {
        "id": "identifier; blank makes one from the name",
        "name": "programme or service name (e.g. Local CIL allocations 2018/19)",
        "kind": "Programme or Service",
        "amount_gbp": "money allocated, GBP",
        "start_date": "YYYY-MM-DD",
        "end_date": "YYYY-MM-DD",
        "note": "anything else",
        **SOURCE_COLUMNS,
    }, ("name", "source")),
    Sheet("contracts", {
        "id": "contract reference",
        "name": "contract name",
        "amount_gbp": "total value in GBP",
        "start_date": "YYYY-MM-DD",
        "end_date": "YYYY-MM-DD",
        "provider_count": "number of providers, where not all are named",
        "note": "anything else",
        **SOURCE_COLUMNS,
    }, ("id", "name", "source")),
)


def write_template(path: str | Path) -> Path:
    """Write a blank workbook with every sheet, its columns, and a README sheet describing them.

    Examples
    --------
    >>> import tempfile
    >>> out = write_template(Path(tempfile.mkdtemp()) / "local_knowledge.xlsx")
    >>> with pd.ExcelFile(out) as book:
    ...     book.sheet_names[:2]
    ['README', 'organisations']
    """
    path = Path(path)
    rows = [{"sheet": s.name, "column": c, "required": "yes" if c in s.required else "",
             "what it holds": text} for s in SHEETS for c, text in s.columns.items()]
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name="README", index=False)
        for sheet in SHEETS:
            pd.DataFrame(columns=list(sheet.columns)).to_excel(writer, sheet_name=sheet.name, index=False)
    return path


def _sheet_name(title: str, label: str, seen: set[str]) -> str | None:
    """The sheet a tab or file title names (case, spaces and a ``.csv`` ending aside); None for the
    README; an error for anything else, which would otherwise be silently left unread."""
    name = title.strip().lower().removesuffix(".csv").strip()
    if name in {s.name for s in SHEETS}:
        if name in seen:
            raise SourceFormatError(f"{label}: a second {name} sheet; keep one")
        seen.add(name)
        return name
    if name in ("readme", "read me"):
        return None
    raise SourceFormatError(f"{label}: not a sheet of the workbook; name it one of "
                            f"{', '.join(s.name for s in SHEETS)} (or README)")


def _read_sheets(path: Path) -> dict[str, tuple[pd.DataFrame, str]]:
    """Sheet name -> (table as text, file label for messages)."""
    tables: dict[str, tuple[pd.DataFrame, str]] = {}
    seen: set[str] = set()
    if path.is_dir():
        for file in sorted(path.glob("*.csv")):
            name = _sheet_name(file.name, f"{path.name}/{file.name}", seen)
            if name is not None:
                tables[name] = (read_csv_text(file), file.name)
    elif path.suffix.lower() == ".xlsx":
        book = pd.read_excel(path, sheet_name=None, dtype=str)
        for title, frame in book.items():
            name = _sheet_name(str(title), f"{path.name} sheet {title!r}", seen)
            if name is not None:
                frame.columns = [str(c).strip() for c in frame.columns]
                tables[name] = (frame, f"{path.name} sheet {title}")
    else:
        raise SourceFormatError(f"{path.name}: a workbook is an .xlsx file or a folder of .csv sheets")
    if not tables:
        raise SourceFormatError(f"{path.name}: none of the sheets {', '.join(s.name for s in SHEETS)} found")
    for sheet in SHEETS:
        if sheet.name in tables:
            frame, label = tables[sheet.name]
            missing = [c for c in sheet.required if c not in frame.columns]
            unknown = [c for c in frame.columns if c not in sheet.columns and not c.startswith("Unnamed")]
            if missing or unknown:
                raise SourceFormatError(
                    f"{label} row 1 (header): "
                    + "; ".join(filter(None, [
                        f"missing column(s) {', '.join(missing)}" if missing else "",
                        f"unknown column(s) {', '.join(unknown)}" if unknown else ""]))
                    + f". Columns are: {', '.join(sheet.columns)}")
    return tables


def _cell(row: pd.Series, column: str) -> str:
    value = row.get(column)
    return "" if is_missing(value) else str(value).strip()


class WorkbookLoader(Loader):
    """The local knowledge workbook (XLSX, or a folder of CSV sheets)."""

    name = "workbook"
    title = "Local knowledge workbook"
    source_url = ""
    licence = "as stated by the workshop or document cited"

    def load(self, path: Path, context: LoadContext, *, licence: str = "CC-BY-4.0", decimal: str = ".") -> LoadResult:
        """Read and validate every sheet; invalid rows go to the rejection report.

        Parameters
        ----------
        path : Path
            ``.xlsx`` workbook or folder of ``{sheet}.csv`` files.
        context : LoadContext
            The authority (its code makes ``LOCAL-`` identifiers) and its places.
        licence : str
            Licence of the workbook's content.
        decimal : {".", ","}
            The decimal mark of the amounts in a folder of CSV sheets: ``","`` reads ``1.000,50`` as
            1000.5 GBP (with ``"."`` such a cell is rejected). An ``.xlsx`` workbook stores numbers as
            numbers, so it takes only ``"."``.

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> result = WorkbookLoader().load(Path("data/local_knowledge/hounslow"), ctx)
        >>> result.summary()["nodes"]["InfrastructureBody"]
        4
        """
        check_decimal(decimal, loader=self.name)
        if decimal != "." and not path.is_dir():
            raise ConfigError(f"loader {self.name!r} option decimal: {decimal!r} applies to a folder of CSV sheets; "
                              f"{path.name} stores numbers as numbers. Remove the option.")
        tables = _read_sheets(path)
        sink = RecordSink(self.name, path)
        code = context.authority_id.rsplit("-", 1)[-1]
        names: dict[str, str] = {}
        self._organisations(tables, sink, context, code, names, licence, decimal)
        pending_relations = self._relations(tables, sink, names, licence, decimal)
        for source, target, relation, prov, attributes in pending_relations:
            sink.edge(names.get(source.lower(), source), names.get(target.lower(), target), relation, prov, **attributes)
        return sink.result("none (a workbook is written for one authority)")

    def _provenance(self, sink: RecordSink, label: str, number: int, row: pd.Series, licence: str) -> dict[str, str]:
        return sink.provenance(f"{label} row {number + 2}: {_cell(row, 'source')}", _cell(row, "source_date"), licence)

    def _organisations(self, tables: dict, sink: RecordSink, context: LoadContext, code: str,
                       names: dict[str, str], licence: str, decimal: str) -> None:
        vocab = vocabulary()
        organisation_kinds = set(vocab.kinds_under("Organisation"))
        pending_parts: list[tuple[str, str, dict[str, str], str | None]] = []
        for sheet_name, default_kind, allowed in (
            ("organisations", None, organisation_kinds),
            ("directorates", "Directorate", {"Directorate", "Team"}),
            ("events", "Event", set(vocab.kinds_under("Event"))),
            ("assets", "Building", set(vocab.kinds_under("Asset"))),
            ("contracts", "Contract", {"Contract"}),
            ("programmes", "Programme", set(vocab.kinds_under("Service"))),
        ):
            if sheet_name not in tables:
                continue
            frame, label = tables[sheet_name]
            first_seen: dict[str, int] = {}
            for number, row in frame.iterrows():
                if all(is_missing(v) for v in row.values):
                    continue
                missing = [c for c in _sheet(sheet_name).required if not _cell(row, c)]
                if missing:
                    sink.reject(f"{label} row {number + 2}", missing[0], "", "required value is empty")
                    continue
                kind = _cell(row, "kind") or default_kind
                if kind not in allowed:
                    sink.reject(f"{label} row {number + 2}", "kind", kind,
                                f"not a kind for this sheet. Use one of: {', '.join(sorted(allowed))}")
                    continue
                prov = self._provenance(sink, label, number, row, licence)
                node_id = _cell(row, "id") or (local_group_id(code, _cell(row, "name")) if sheet_name == "organisations"
                                               else f"LOCAL-{code}-{sheet_name[:-1]}-{slugify(_cell(row, 'name'))}")
                if node_id in first_seen:
                    sink.reject(f"{label} row {number + 2}", "id" if _cell(row, "id") else "name", node_id,
                                f"duplicate (first at row {first_seen[node_id]}); give each its own id")
                    continue
                attributes = self._attributes(sheet_name, row, sink, f"{label} row {number + 2}", decimal)
                if attributes is None:
                    continue
                first_seen[node_id] = number + 2
                names[_cell(row, "name").lower()] = node_id
                names[node_id.lower()] = node_id
                sink.node(node_id, kind, prov, **attributes)
                if _cell(row, "part_of"):
                    pending_parts.append((node_id, _cell(row, "part_of"), prov, _stated_on(row)))
                for function in filter(None, (f.strip() for f in _cell(row, "functions").split(";"))):
                    function_id = f"FUNCTION-{slugify(function)}"
                    sink.node(function_id, "SupportFunction", prov, name=function.lower())
                    sink.edge(node_id, function_id, "OFFERS_FUNCTION", prov, date=_stated_on(row))
                for theme in filter(None, (t.strip() for t in _cell(row, "themes").split(";"))):
                    theme_id = f"THEME-{slugify(theme)}"
                    sink.node(theme_id, "Theme", prov, name=theme.lower())
                    sink.edge(node_id, theme_id, "ADDRESSES", prov, date=_stated_on(row))
                self._place(sink, node_id, row, context, prov)
        for node_id, parent, prov, stated in pending_parts:
            sink.edge(node_id, names.get(parent.lower(), parent), "PART_OF", prov, date=stated)

    def _attributes(self, sheet_name: str, row: pd.Series, sink: RecordSink, where: str,
                    decimal: str) -> dict[str, Any] | None:
        attributes: dict[str, Any] = {"name": _cell(row, "name"), "note": _cell(row, "note") or None,
                                      "status": _cell(row, "status") or None}
        if _cell(row, "postcode"):
            attributes["postcode"] = normalise_postcode(_cell(row, "postcode")) or _cell(row, "postcode")
        for text_field in ("address", "tenure"):
            attributes[text_field] = _cell(row, text_field) or None
        if _cell(row, "ward"):
            attributes["ward"] = _cell(row, "ward")
        if _cell(row, "classification"):
            attributes["org_class"] = _cell(row, "classification")
        scale = _cell(row, "scale").lower()
        if scale and scale not in SCALES:
            sink.reject(where, "scale", scale, f"not a scale. Use one of: {', '.join(SCALES)}")
            return None
        attributes["scale"] = scale or None
        for column, key in (("income_gbp", "latest_income"), ("amount_gbp", "amount")):
            if _cell(row, column):
                number = parse_amount(_cell(row, column), decimal=decimal)
                if number is None or number < 0:
                    sink.reject(where, column, _cell(row, column), "not a non-negative number")
                    return None
                attributes[key] = number
        if _cell(row, "provider_count"):
            number = parse_amount(_cell(row, "provider_count"), decimal=decimal)
            if number is None or number < 0:
                sink.reject(where, "provider_count", _cell(row, "provider_count"), "not a whole number")
                return None
            attributes["provider_count"] = int(number)
        for column in ("date", "start_date", "end_date"):
            if _cell(row, column):
                iso = parse_date(_cell(row, column))
                if iso is None:
                    sink.reject(where, column, _cell(row, column), "not a real date (YYYY-MM-DD, or day/month/year)")
                    return None
                attributes[column] = iso
        for column in ("sector_champion", "vcse_links"):
            answer = _cell(row, column).lower()
            if answer:
                if answer not in ("yes", "no", "unknown"):
                    sink.reject(where, column, answer, "use yes, no or unknown")
                    return None
                attributes[column] = answer
        if "latest_income" in attributes:
            attributes["income_band"] = income_band(attributes["latest_income"])
        return attributes

    def _place(self, sink: RecordSink, node_id: str, row: pd.Series, context: LoadContext, prov: dict) -> None:
        places = context.places
        if places is None:
            return
        ward = _cell(row, "ward")
        place = places.place_of_code(ward) if ward else None
        if ward and place is None:
            place = places.ward_named(ward)
        if place is None and _cell(row, "postcode"):
            place = places.ward_of_postcode(_cell(row, "postcode"))
        if place:
            sink.edge(node_id, place, "LOCATED_IN", prov, date=_stated_on(row))

    def _relations(self, tables: dict, sink: RecordSink, names: dict[str, str], licence: str,
                   decimal: str) -> list[tuple]:
        if "relationships" not in tables:
            return []
        frame, label = tables["relationships"]
        relation_types = vocabulary().relations
        pending = []
        for number, row in frame.iterrows():
            if all(is_missing(v) for v in row.values):
                continue
            where = f"{label} row {number + 2}"
            missing = [c for c in _sheet("relationships").required if not _cell(row, c)]
            if missing:
                sink.reject(where, missing[0], "", "required value is empty")
                continue
            word = _cell(row, "relation")
            relation = RELATIONS.get(word.lower()) or (word.upper() if word.upper() in relation_types else None)
            if relation is None:
                sink.reject(where, "relation", word, f"not a relation. Use one of: {', '.join(RELATIONS)}")
                continue
            mode, rent = _cell(row, "mode").lower(), _cell(row, "rent_terms").lower()
            if mode and mode not in MODES:
                sink.reject(where, "mode", mode, f"not a mode. Use one of: {', '.join(MODES)}")
                continue
            if rent and rent not in RENT_TERMS:
                sink.reject(where, "rent_terms", rent, f"not rent terms. Use one of: {', '.join(RENT_TERMS)}")
                continue
            attributes = self._attributes("relationships", row, sink, where, decimal)
            if attributes is None:
                continue
            attributes.pop("name", None)
            attributes.update(mode=mode or None, rent_terms=rent or None, role=_cell(row, "role") or None,
                              seniority=_cell(row, "seniority") or None)
            if "amount" in attributes:
                attributes["currency"] = "GBP"
            if not attributes.get("start_date") and not attributes.get("end_date"):
                attributes["date"] = _stated_on(row)
            pending.append((_cell(row, "from"), _cell(row, "to"), relation,
                            self._provenance(sink, label, number, row, licence), attributes))
        return pending


def _stated_on(row: pd.Series) -> str | None:
    """The date a relation was stated (the row's ``source_date``), for relations with no dates of
    their own; None when the cell is empty or not a date."""
    return parse_date(_cell(row, "source_date")) or None


def _sheet(name: str) -> Sheet:
    return next(s for s in SHEETS if s.name == name)
