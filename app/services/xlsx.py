"""XLSX exports: functions that take rows and return bytes (openpyxl write-only mode)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font


def table_xlsx(title: str, header: list, rows, caption: list[str] | None = None) -> bytes:
    """One sheet: optional caption lines, a bold header row, then the rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(title))
    bold = Font(bold=True)
    for line in caption or []:
        ws.append([line])
    cells = []
    for h in header:
        c = WriteOnlyCell(ws, value=str(h))
        c.font = bold
        cells.append(c)
    ws.append(cells)
    for row in rows:
        ws.append([_plain(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _plain(v):
    if v is None or isinstance(v, (int, float, str)):
        return v
    from decimal import Decimal

    if isinstance(v, Decimal):
        return float(v)
    return str(v)


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return (title.strip() or "Sheet")[:31]


def rows_to_xlsx(title: str, headers: list[str], rows) -> bytes:
    """A one-sheet workbook from a header row and data rows (records office exports)."""
    return table_xlsx(title, headers, rows)
