"""A small framework for all-or-nothing XLSX imports (issue 5, "Import from XLSX").

An import is declared as an ``ImportSpec``: its columns (key, translated header, required,
parser) plus three hooks, ``authorise`` (the area's write rule for the organisation),
``check`` (rules across rows and against the database: duplicates in the file or in the
system) and ``write`` (create or update the rows, returning counts). ``run_import`` is one
command (one unit of work) that takes the actor's scope and does, always in this order:

0. refuse an organisation the scope may not change (``authorise``: ScopeError);

1. read the workbook and match its header row to the columns (a header may be written in
   any of the product's languages, or as the column key);
2. parse and validate EVERY row, collecting ``RowError(row, column, rule)``;
3. if there is any error, write nothing and return the list;
4. else call ``write`` once and add an ``ImportRecord`` (who, when, file, counts), all in
   one transaction: committed when the command returns, rolled back when it raises.

The pupils-with-parents import (which needs classes) is added by declaring another spec.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from flask_babel import gettext

from app.extensions import db
from app.models.imports import ImportRecord
from app.models.org import Organization
from app.security.scopes import UserScope
from app.services.errors import DomainError
from app.services.unit_of_work import command

#: most data rows one file may hold
MAX_ROWS = 5000
HEADER_LANGUAGES = ("en", "ru", "kk", "ky")


class CellError(ValueError):
    """Raised by a parser: the message is the rule the cell breaks."""


@dataclass
class ImportColumn:
    key: str
    label: Any
    required: bool = False
    parse: Callable[[Any], Any] | None = None
    example: str = ""


@dataclass
class RowError:
    row: int        # the row number as Excel shows it
    column: str     # the column header in the user's language
    rule: str       # the broken rule, translated

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "rule": self.rule}


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass
class ImportSpec:
    kind: str
    title: Any
    columns: list[ImportColumn]
    #: rules across rows / against the database: (org, rows) -> errors
    check: Callable[[Organization, list[ParsedRow], "ImportSpec"], list[RowError]]
    #: writes the rows (already checked): (org, rows) -> counts
    write: Callable[[Organization, list[ParsedRow]], Counts]
    #: the area's write rule: (scope, organisation id) -> None, raising ScopeError
    authorise: Callable[[UserScope, int | None], None]

    def column(self, key: str) -> ImportColumn:
        return next(c for c in self.columns if c.key == key)

    def header(self, key: str) -> str:
        return str(self.column(key).label)


@dataclass
class ImportOutcome:
    errors: list[RowError] = field(default_factory=list)
    record: ImportRecord | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


# --- parsers ---------------------------------------------------------------------------


def text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s or None


def identifier(value) -> str | None:
    """Identifiers typed into Excel often lose their leading zeros or get spaces."""
    s = text(value)
    return s.replace(" ", "") if s else None


def date(value) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise CellError(gettext("not a date (DD.MM.YYYY)"))


def choice(options: dict[str, Any]) -> Callable[[Any], Any]:
    """A parser accepting a key or its label in any of the product's languages."""
    def parse(value):
        s = text(value)
        if s is None:
            return None
        wanted = s.casefold()
        for key, label in options.items():
            if wanted == str(key).casefold() or wanted in _all_translations(label):
                return key
        allowed = ", ".join(str(v) for v in options.values())
        raise CellError(gettext("not one of: %(allowed)s", allowed=allowed))
    return parse


@lru_cache(maxsize=8)
def _catalogue(locale: str):
    from babel.support import Translations

    return Translations.load(str(Path(__file__).resolve().parent.parent / "translations"),
                             [locale])


def _all_translations(label) -> set[str]:
    """The label in every language of the product (case-folded): a header or a choice may be
    written in any of them, whatever the language of the person who fills the file in."""
    out = {str(label).casefold()}
    msgid = getattr(label, "_args", (None,))[0] if hasattr(label, "_args") else None
    if isinstance(msgid, str):
        kwargs = getattr(label, "_kwargs", None) or {}  # "Parent %(n)s: phone", n=1

        def fmt(s: str) -> str:
            return s % kwargs if kwargs else s

        out.add(fmt(msgid).casefold())
        for loc in HEADER_LANGUAGES:
            out.add(fmt(_catalogue(loc).gettext(msgid)).casefold())
    return out


# --- workbook in and out ---------------------------------------------------------------


def template_xlsx(spec: ImportSpec) -> bytes:
    """An empty workbook with the headers in the user's language and one example row."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(spec.title)[:31])
    ws.append([str(c.label) + (" *" if c.required else "") for c in spec.columns])
    ws.append([c.example for c in spec.columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _header_map(spec: ImportSpec, headers: list) -> tuple[dict[int, str], list[RowError]]:
    known: dict[str, str] = {}
    for c in spec.columns:
        known[c.key.casefold()] = c.key
        for name in _all_translations(c.label):
            known[name] = c.key
    mapping: dict[int, str] = {}
    errors: list[RowError] = []
    for i, h in enumerate(headers):
        name = (text(h) or "").rstrip("*").strip().casefold()
        if not name:
            continue
        key = known.get(name)
        if key is None:
            errors.append(RowError(1, str(h), gettext("unknown column")))
        else:
            mapping[i] = key
    present = set(mapping.values())
    for c in spec.columns:
        if c.required and c.key not in present:
            errors.append(RowError(1, str(c.label), gettext("required column is missing")))
    return mapping, errors


def read_rows(spec: ImportSpec, data: bytes) -> tuple[list[ParsedRow], list[RowError]]:
    """Parse every row of the first sheet; empty rows are ignored."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is one error
        return [], [RowError(0, "", gettext("the file is not an XLSX workbook"))]
    ws = wb.worksheets[0]
    rows_iter = ws.iter_rows(values_only=True)
    headers = next(rows_iter, None)
    if headers is None:
        return [], [RowError(1, "", gettext("the file is empty"))]
    mapping, errors = _header_map(spec, list(headers))
    if errors:
        return [], errors
    rows: list[ParsedRow] = []
    for number, raw in enumerate(rows_iter, start=2):
        if raw is None or all(v is None or str(v).strip() == "" for v in raw):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(RowError(number, "", gettext("at most %(n)s rows in one file",
                                                        n=MAX_ROWS)))
            break
        values: dict[str, Any] = {}
        for i, key in mapping.items():
            col = spec.column(key)
            cell = raw[i] if i < len(raw) else None
            try:
                values[key] = (col.parse or text)(cell)
            except CellError as err:
                errors.append(RowError(number, str(col.label), str(err)))
                values[key] = None
                continue
            except DomainError as err:
                errors.append(RowError(number, str(col.label), str(err)))
                values[key] = None
                continue
            if col.required and values[key] in (None, ""):
                errors.append(RowError(number, str(col.label), gettext("required field")))
        rows.append(ParsedRow(number, values))
    wb.close()
    return rows, errors


@command
def run_import(scope: UserScope, spec: ImportSpec, org: Organization, data: bytes,
               file_name: str) -> ImportOutcome:
    """Validate the whole file, then write it and record it; on any error write nothing.
    One command: the scope must change ``org`` (``spec.authorise``); it commits when it
    returns and rolls back when it raises."""
    spec.authorise(scope, org.id)
    rows, errors = read_rows(spec, data)
    if not errors and not rows:
        errors = [RowError(2, "", gettext("the file has no data rows"))]
    if rows:  # rules across rows run even when some cells were bad: one list of all errors
        errors = errors + spec.check(org, rows, spec)
    if errors:
        errors.sort(key=lambda e: (e.row, e.column))
        return ImportOutcome(errors=errors)
    counts = spec.write(org, rows)
    record = ImportRecord(organization_id=org.id, kind=spec.kind,
                          file_name=(file_name or "import.xlsx")[:255], rows=len(rows),
                          created=counts.created, updated=counts.updated,
                          skipped=counts.skipped)
    db.session.add(record)
    db.session.flush()
    return ImportOutcome(record=record)


__all__ = ["ImportSpec", "ImportColumn", "RowError", "ParsedRow", "Counts", "run_import",
           "template_xlsx", "read_rows", "text", "identifier", "date", "choice", "CellError"]
