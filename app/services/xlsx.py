"""XLSX exports: rows in, bytes out (openpyxl write-only mode); views only set headers."""
from __future__ import annotations

import io


def rows_to_xlsx(title: str, headers: list[str], rows) -> bytes:
    """A one-sheet workbook from a header row and data rows."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet((title or "Sheet")[:31])
    ws.append([str(h) for h in headers])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
