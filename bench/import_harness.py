"""The part the import benchmarks share: import one file twice (first import, re-import)
and count the SQL statements and seconds of each run."""
from __future__ import annotations

import time

from sqlalchemy import event


def time_imports(db, spec, school, data: bytes, rows: int) -> list[tuple]:
    """Rows ``(dialect, run, rows, seconds, statements, per row, created, unchanged)``."""
    from app.security.scopes import system_scope
    from app.services.imports import run_import

    engine = db.engine
    out = []
    for label in ("first import", "re-import"):
        statements: list[str] = []

        def count(conn, cursor, statement, params, context, executemany, sink=statements):
            sink.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        outcome = run_import(system_scope(), spec, school, data, "bench.xlsx")  # commits
        seconds = time.perf_counter() - start
        event.remove(engine, "before_cursor_execute", count)
        assert outcome.ok, outcome.errors[:5]
        rec = outcome.record
        out.append((engine.dialect.name, label, rows, round(seconds, 2), len(statements),
                    round(len(statements) / rows, 3), rec.created, rec.skipped))
    return out
