"""Benchmark: import 2,000 pupils with two parents each from one XLSX file, on SQLite and
PostgreSQL (issue 5, "Done when").

Usage::

    python -m bench.import_pupils [--rows 2000] [--pg postgresql+psycopg://...]

Prints, per database: seconds, SQL statements, statements per row, for the first import and
for re-importing the same file (which must create nothing). The PostgreSQL database is
wiped (its public schema is dropped): give a scratch database.
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

LETTERS = ("А", "Б", "В", "Г")


def make_file(rows: int) -> bytes:
    from openpyxl import Workbook

    from app.services.national_id import make_iin

    wb = Workbook()  # shared strings and a dimension, as in a file saved by Excel
    ws = wb.active
    ws.append(["last_name", "first_name", "middle_name", "national_id", "class_name",
               "address", "phone", "parent1_name", "parent1_national_id", "parent1_phone",
               "parent1_kind", "parent2_name", "parent2_national_id", "parent2_phone",
               "parent2_kind"])
    for i in range(rows):
        grade = 1 + i % 11
        born = dt.date(2019 - grade, 1 + i % 12, 1 + i % 28)
        mother = dt.date(1975 + i % 20, 1 + i % 12, 1 + i % 28)
        father = dt.date(1972 + i % 20, 1 + i % 12, 1 + i % 28)
        ws.append([f"Ученик{i}", "Арман", "Ерланович", make_iin(born, "MF"[i % 2], 100 + i),
                   f"{grade} {LETTERS[i // 11 % 4]}", f"ул. Абая {i}", "+7 701 000 00 00",
                   f"Ученикова{i} Гульнара Сериковна", make_iin(mother, "F", 100 + i),
                   "+7 701 111 11 11", "mother", f"Учеников{i} Ерлан Серикович",
                   make_iin(father, "M", 100 + i), "+7 701 222 22 22", "father"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _school(org_service, db):
    from app.models.org import OrgKind
    from app.models.study import AcademicYear, SchoolClass
    from app.security.scopes import system_scope

    ministry = org_service.create_organization(system_scope(), kind=OrgKind.ministry,
                                               short_name="M", full_name="Ministry")
    school = org_service.create_organization(system_scope(), kind=OrgKind.school,
                                             short_name="Bench", full_name="Bench school",
                                             parent=ministry)
    today = dt.date.today()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    year = AcademicYear(organization_id=school.id, name="bench", starts_on=start,
                        ends_on=dt.date(start.year + 1, 5, 31))
    db.session.add(year)
    db.session.flush()
    db.session.add_all([SchoolClass(organization_id=school.id, year_id=year.id, parallel=g,
                                    letter_ru=letter, letter_kk=letter, letter_en=letter)
                        for g in range(1, 12) for letter in LETTERS])
    db.session.commit()
    return school


def run(url: str, data: bytes, rows: int) -> list[tuple]:
    from app.extensions import db
    from app.services import orgs as org_service
    from app.services.pupils.importing import PUPIL_IMPORT

    app = bench_app(url)
    with app.app_context():
        school = _school(org_service, db)
        out = time_imports(db, PUPIL_IMPORT, school, data, rows)
        db.session.remove()
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--pg", default=os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_pupilfile_bench"))
    args, _ = p.parse_known_args(argv)
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
