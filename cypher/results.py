"""Engine values as Neo4j's Query API writes them: plain JSON, or typed JSON (``application/vnd.neo4j.query``).

Nodes become ``{elementId, labels, properties}``, relationships ``{elementId, startNodeElementId,
endNodeElementId, type, properties}`` and paths the alternating list of their nodes and
relationships, as in Neo4j. An element id is ``"<table>:<offset>"``, opaque to clients and stable
for one database file. Plain JSON has no NaN or infinity: such floats are written as ``null``; typed
JSON keeps them as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``.

The engine gives a sum of integers (``sum(r.amount_hundredths)``, the exact money column) as an
INT128, which Python receives as a :class:`~decimal.Decimal` without a fraction: it is written as an
integer (``Integer`` in typed JSON). A DECIMAL value is written in plain JSON as the number whose
shortest text is that decimal (exact for up to 15 significant digits) and in typed JSON as a
``Float`` with the decimal's own text: ``375727.65``, never ``375727.64999999997``.
"""

from __future__ import annotations

import base64
import math
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

PLAIN = "application/json"
TYPED = "application/vnd.neo4j.query"


class ParameterError(ValueError):
    """A typed-JSON parameter that cannot be read; the message names the parameter."""


def _element_id(internal: dict[str, Any]) -> str:
    return f"{internal['table']}:{internal['offset']}"


def _properties(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if not k.startswith("_") and v is not None}


def _node(value: dict[str, Any]) -> dict[str, Any]:
    return {"elementId": _element_id(value["_ID"]), "labels": [value["_LABEL"]], "properties": _properties(value)}


def _relationship(value: dict[str, Any]) -> dict[str, Any]:
    return {"elementId": _element_id(value["_ID"]), "startNodeElementId": _element_id(value["_SRC"]),
            "endNodeElementId": _element_id(value["_DST"]), "type": value["_LABEL"],
            "properties": _properties(value)}


def _path(value: dict[str, Any]) -> list[dict[str, Any]]:
    nodes, relationships = value["_NODES"], value["_RELS"]
    by_id = {_element_id(n["_ID"]): n for n in nodes}
    if not relationships:
        return [_node(n) for n in nodes]
    walk: list[dict[str, Any]] = []
    start = _element_id(relationships[0]["_SRC"]) if len(nodes) <= 1 else _element_id(nodes[0]["_ID"])
    current = start
    walk.append(_node_or_reference(by_id, current))
    for rel in relationships:
        source, target = _element_id(rel["_SRC"]), _element_id(rel["_DST"])
        current = target if source == current else source
        walk.extend([_relationship(rel), _node_or_reference(by_id, current)])
    return walk


def _node_or_reference(by_id: dict[str, dict[str, Any]], element_id: str) -> dict[str, Any]:
    """A path's node; the engine leaves the two ends out of a variable-length relationship's nodes."""
    if element_id in by_id:
        return _node(by_id[element_id])
    return {"elementId": element_id, "labels": [], "properties": {}}


def _kind(value: dict[str, Any]) -> str:
    if "_NODES" in value and "_RELS" in value:
        return "path"
    if "_SRC" in value and "_DST" in value and "_ID" in value:
        return "relationship"
    if "_ID" in value and "_LABEL" in value:
        return "node"
    return "map"


def plain(value: Any) -> Any:
    """A value as plain JSON.

    Examples
    --------
    >>> plain({"_ID": {"table": 1, "offset": 4}, "_LABEL": "Ward", "name": "Hanworth", "code": None})
    {'elementId': '1:4', 'labels': ['Ward'], 'properties': {'name': 'Hanworth'}}
    >>> plain([float("nan"), date(2020, 1, 2), Decimal("375727.650000"), Decimal("1830397701")])
    [None, '2020-01-02', 375727.65, 1830397701]
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        if _whole(value):
            return int(value)
        return float(value) if value.is_finite() else None
    if isinstance(value, dict):
        kind = _kind(value)
        if kind == "node":
            return {**_node(value), "properties": {k: plain(v) for k, v in _properties(value).items()}}
        if kind == "relationship":
            return {**_relationship(value), "properties": {k: plain(v) for k, v in _properties(value).items()}}
        if kind == "path":
            return [plain_entity(e) for e in _path(value)]
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def plain_entity(entity: dict[str, Any]) -> dict[str, Any]:
    """A node or relationship already in Query API shape, with its property values made plain."""
    return {**entity, "properties": {k: plain(v) for k, v in entity["properties"].items()}}


def _duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    return f"P{value.days}DT{seconds - value.days * 86400:g}S"


def _typed_float(value: float) -> dict[str, Any]:
    if math.isnan(value):
        text = "NaN"
    elif math.isinf(value):
        text = "Infinity" if value > 0 else "-Infinity"
    else:
        text = repr(value)
    return {"$type": "Float", "_value": text}


def _whole(value: Decimal) -> bool:
    """An engine integer (INT128) rather than a DECIMAL column's value: no fractional digits at all."""
    return value.is_finite() and isinstance(value.as_tuple().exponent, int) and value.as_tuple().exponent >= 0


def _typed_decimal(value: Decimal) -> dict[str, Any]:
    if _whole(value):
        return {"$type": "Integer", "_value": str(int(value))}
    if not value.is_finite():
        return _typed_float(float(value))
    text = format(value.normalize(), "f")  # no exponent, no trailing zeros of the column's scale
    return {"$type": "Float", "_value": text if "." in text else f"{text}.0"}


def typed(value: Any) -> dict[str, Any]:
    """A value as Neo4j's typed JSON.

    Examples
    --------
    >>> typed(3), typed(0.5), typed(None)
    ({'$type': 'Integer', '_value': '3'}, {'$type': 'Float', '_value': '0.5'}, {'$type': 'Null', '_value': None})
    >>> typed(Decimal("375727.650000")), typed(Decimal("1000.00"))
    ({'$type': 'Float', '_value': '375727.65'}, {'$type': 'Float', '_value': '1000.0'})
    >>> typed(Decimal("1830397701"))
    {'$type': 'Integer', '_value': '1830397701'}
    >>> typed({"_ID": {"table": 2, "offset": 0}, "_LABEL": "Ward", "name": "Hanworth"})["_value"]["_labels"]
    ['Ward']
    """
    if value is None:
        return {"$type": "Null", "_value": None}
    if isinstance(value, bool):
        return {"$type": "Boolean", "_value": value}
    if isinstance(value, int):
        return {"$type": "Integer", "_value": str(value)}
    if isinstance(value, float):
        return _typed_float(value)
    if isinstance(value, Decimal):
        return _typed_decimal(value)
    if isinstance(value, str):
        return {"$type": "String", "_value": value}
    if isinstance(value, (list, tuple)):
        return {"$type": "List", "_value": [typed(v) for v in value]}
    if isinstance(value, dict):
        kind = _kind(value)
        if kind == "node":
            return _typed_node(_node(value))
        if kind == "relationship":
            return _typed_relationship(_relationship(value))
        if kind == "path":
            return {"$type": "Path", "_value": [_typed_node(e) if "labels" in e else _typed_relationship(e)
                                                for e in _path(value)]}
        return {"$type": "Map", "_value": {str(k): typed(v) for k, v in value.items()}}
    if isinstance(value, datetime):
        return {"$type": "OffsetDateTime" if value.tzinfo else "LocalDateTime", "_value": value.isoformat()}
    if isinstance(value, date):
        return {"$type": "Date", "_value": value.isoformat()}
    if isinstance(value, time):
        return {"$type": "LocalTime", "_value": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$type": "Duration", "_value": _duration(value)}
    if isinstance(value, bytes):
        return {"$type": "Base64", "_value": base64.b64encode(value).decode("ascii")}
    if isinstance(value, uuid.UUID):
        return {"$type": "String", "_value": str(value)}
    return {"$type": "String", "_value": str(value)}


def _typed_node(node: dict[str, Any]) -> dict[str, Any]:
    return {"$type": "Node", "_value": {"_element_id": node["elementId"], "_labels": node["labels"],
                                        "_properties": {k: typed(v) for k, v in node["properties"].items()}}}


def _typed_relationship(rel: dict[str, Any]) -> dict[str, Any]:
    return {"$type": "Relationship", "_value": {
        "_element_id": rel["elementId"], "_start_node_element_id": rel["startNodeElementId"],
        "_end_node_element_id": rel["endNodeElementId"], "_type": rel["type"],
        "_properties": {k: typed(v) for k, v in rel["properties"].items()}}}


def read_typed_parameter(name: str, value: Any) -> Any:
    """A parameter sent as typed JSON, as a Python value.

    Examples
    --------
    >>> read_typed_parameter("n", {"$type": "Integer", "_value": "5"})
    5
    >>> read_typed_parameter("d", {"$type": "Date", "_value": "2024-01-31"})
    datetime.date(2024, 1, 31)
    """
    if not isinstance(value, dict) or "$type" not in value or "_value" not in value:
        raise ParameterError(f"parameter {name!r}: typed JSON needs {{\"$type\": ..., \"_value\": ...}}")
    kind, raw = value["$type"], value["_value"]
    try:
        if kind == "Null":
            return None
        if kind == "Boolean" and isinstance(raw, bool):
            return raw
        if kind == "Integer":
            return int(raw)
        if kind == "Float":
            return float(raw)
        if kind == "String" and isinstance(raw, str):
            return raw
        if kind == "List" and isinstance(raw, list):
            return [read_typed_parameter(f"{name}[{i}]", v) for i, v in enumerate(raw)]
        if kind == "Map" and isinstance(raw, dict):
            return {str(k): read_typed_parameter(f"{name}.{k}", v) for k, v in raw.items()}
        if kind == "Date":
            return date.fromisoformat(raw)
        if kind in ("LocalDateTime", "OffsetDateTime", "ZonedDateTime"):
            return datetime.fromisoformat(str(raw).split("[")[0])
        if kind == "Base64":
            return base64.b64decode(raw, validate=True)
    except (TypeError, ValueError) as error:
        raise ParameterError(f"parameter {name!r}: {raw!r} is not a valid {kind}") from error
    raise ParameterError(f"parameter {name!r}: type {kind!r} is not supported here")
