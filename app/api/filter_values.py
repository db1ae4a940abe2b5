"""What a list filter's value must be, by the kind of its column: one rule for the API's edge
(``app/api/http.py`` refuses a value that does not fit before Flask-AppBuilder computes with
it - a 500 otherwise) and for the OpenAPI document (``app/api/openapi.py`` declares it)."""
from __future__ import annotations

import datetime as dt
import re

INT_MAX = 2**31 - 1  # PostgreSQL's integer columns (every id here) are 32-bit
#: RFC 3339 full-date and date-time, as the document's formats mean them
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def column_kind(datamodel, col: str) -> str | None:
    """``bool``, ``int``, ``float``, ``date``, ``datetime``, ``enum``, ``text`` or None (a
    relation or an unknown column: left to Flask-AppBuilder)."""
    if datamodel.is_relation(col) or col not in datamodel.list_columns:
        return None
    for kind, test in (("bool", datamodel.is_boolean), ("int", datamodel.is_integer),
                       ("float", datamodel.is_float), ("float", datamodel.is_numeric),
                       ("datetime", datamodel.is_datetime), ("date", datamodel.is_date),
                       ("enum", datamodel.is_enum), ("text", datamodel.is_string),
                       ("text", datamodel.is_text)):
        if test(col):
            return kind
    return None


def enum_names(datamodel, col: str) -> list[str]:
    enum = datamodel.list_columns[col].type
    return list(getattr(enum, "enums", []) or [])


def fits(kind: str | None, value, names: list[str] | None = None):
    """(True, the value to filter with) when ``value`` fits a column of ``kind``, else
    (False, None). A number fits a text column as its text."""
    if kind is None:
        return True, value
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool), value
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and \
            -INT_MAX - 1 <= value <= INT_MAX, value
    if kind == "float":
        return number, value
    if kind in ("date", "datetime"):
        pattern, parse = (DATE, dt.date.fromisoformat) if kind == "date" else \
            (DATE_TIME, lambda v: dt.datetime.fromisoformat(v.upper().replace("Z", "+00:00")))
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return False, None
        try:
            return bool(parse(value)), value
        except ValueError:
            return False, None
    if kind == "enum":
        return isinstance(value, str) and value in (names or []), value
    if isinstance(value, str):
        return True, value
    return (True, str(value)) if number else (False, None)


def value_schema(kind: str | None, names: list[str] | None = None) -> dict:
    """The OpenAPI schema of one value that :func:`fits` accepts."""
    return {
        "bool": {"type": "boolean"},
        "int": {"type": "integer", "minimum": -INT_MAX - 1, "maximum": INT_MAX},
        "float": {"type": "number"},
        "date": {"type": "string", "format": "date"},
        "datetime": {"type": "string", "format": "date-time"},
        "enum": {"type": "string", "enum": names or []},
        "text": {"anyOf": [{"type": "string"}, {"type": "number"}]},
    }.get(kind or "", {"anyOf": [{"type": "string"}, {"type": "number"},
                                 {"type": "boolean"}]})
