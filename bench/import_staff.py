"""Benchmark: import 2,000 staff rows from one XLSX file, on SQLite and PostgreSQL.

Usage::

    python -m bench.import_staff [--rows 2000] [--pg postgresql+psycopg://...]

Prints, per database: seconds, SQL statements, statements per row, for the first import
and for re-importing the same file (which must create nothing).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import tempfile

from bench.app_setup import bench_app
from bench.import_harness import time_imports

os.environ.setdefault("KUNDELIK_ENV", "testing")


def make_file(rows: int) -> bytes:
    from openpyxl import Workbook

    from app.services.national_id import make_iin

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("staff")
    ws.append(["last_name", "first_name", "middle_name", "national_id", "role", "position",
               "unit", "contract_number", "contract_date", "hired_on"])
    for i in range(rows):
        born = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        ws.append([f"Фамилия{i}", "Имя", "Отчество", make_iin(born, "MF"[i % 2], 100 + i),
                   "Teacher", "Учитель", f"МО {i % 12}", f"{i}-к", "01.09.2020",
                   "01.09.2020"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(url: str, data: bytes, rows: int) -> list[tuple]:
    from app.extensions import db
    from app.models.org import OrgKind
    from app.security.scopes import system_scope
    from app.services import orgs as org_service
    from app.services.records.staff_import import STAFF_IMPORT

    app = bench_app(url)
    with app.app_context():
        from app.security.roles import sync_roles
        from app.views import MENUS

        sync_roles(app.appbuilder, MENUS)
        ministry = org_service.create_organization(system_scope(), kind=OrgKind.ministry,
                                                   short_name="M", full_name="Ministry")
        school = org_service.create_organization(system_scope(), kind=OrgKind.school,
                                                 short_name="Bench", full_name="Bench school",
                                                 parent=ministry)
        db.session.commit()
        out = time_imports(db, STAFF_IMPORT, school, data, rows)
        db.session.remove()
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--pg", default=os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_records"))
    args = p.parse_args(argv)
    data = make_file(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        results = run(f"sqlite:///{tmp}/bench.db", data, args.rows)
    if args.pg:
        try:
            results += run(args.pg, data, args.rows)
        except Exception as err:  # noqa: BLE001 - report and go on
            print(f"PostgreSQL skipped: {err}")
    print("| database | run | rows | seconds | SQL statements | per row | created | unchanged |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print("| " + " | ".join(str(x) for x in r) + " |")


if __name__ == "__main__":
    main()
