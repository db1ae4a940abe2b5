"""The staff XLSX import: template, whole-file validation, one transaction, history,
re-import without duplicates, bounded queries."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models.imports import ImportRecord
from app.models.people import Membership, Person, Role, Sex
from app.models.staff import StaffFile
from app.security.scopes import system_scope
from app.services.imports import run_import, template_xlsx
from app.services.national_id import make_iin
from app.services.records.staff_import import STAFF_IMPORT
from tests import factories

#: set-up acts for the system on purpose (the rules under test are scoped separately)
SYSTEM = system_scope()

HEADERS = ["last_name", "first_name", "middle_name", "national_id", "role", "position",
           "unit", "hired_on"]


def _xlsx(rows, headers=HEADERS) -> bytes:
    return factories.xlsx(headers, *rows)


def _iin(i: int, sex: str = "F") -> str:
    return make_iin(dt.date(1980 + i % 20, 1 + i % 12, 1 + i % 28), sex, 500 + i)


def _row(i: int, **kw):
    base = {"last_name": f"Фамилия{i}", "first_name": "Айгерим", "middle_name": None,
            "national_id": _iin(i), "role": "teacher", "position": "Teacher",
            "unit": "Maths", "hired_on": "01.09.2020"}
    base.update(kw)
    return [base[h] for h in HEADERS]


def _count(model, **where):
    q = select(func.count()).select_from(model)
    for k, v in where.items():
        q = q.where(getattr(model, k) == v)
    return db.session.scalar(q)


def test_template_headers_in_user_language(app, db):
    """Does the template carry the headers in the user's language, required ones marked?"""
    with app.test_request_context("/?_l_=ru"):
        from flask_babel import force_locale

        with force_locale("ru"):
            data = template_xlsx(STAFF_IMPORT)
    from flask_babel import refresh

    refresh()
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[0] == "Фамилия *"
    assert "ИИН / ПИН *" in headers
    assert "Номер договора" in headers


def test_bad_rows_reject_the_whole_file(net):
    """Does any bad row reject the file with row, column and rule, writing nothing?"""
    persons = _count(Person)
    taken = net.teacher_a.person.national_id
    data = _xlsx([
        _row(1),
        _row(2, national_id="123456789012"),          # bad check digit
        _row(3, last_name=None),                      # missing required field
        _row(4, national_id=_iin(1)),                 # duplicate in the file
        _row(5, national_id=taken),                   # another person in the system
        _row(6, role="astronaut"),                    # unknown role
        _row(7, hired_on="32.13.2020"),               # bad date
    ])
    outcome = run_import(SYSTEM, STAFF_IMPORT, net.SA1, data, "staff.xlsx")
    assert not outcome.ok
    found = {(e.row, e.column) for e in outcome.errors}
    h = STAFF_IMPORT.header
    assert {(3, h("national_id")), (4, h("last_name")), (5, h("national_id")),
            (6, h("national_id")), (7, h("role")), (8, h("hired_on"))} <= found
    dup = next(e for e in outcome.errors if e.row == 5)
    assert "2" in dup.rule
    db.session.rollback()
    assert _count(Person) == persons
    assert _count(ImportRecord) == 0


def test_unknown_and_missing_columns(net):
    """Is a file with an unknown column or without a required column refused?"""
    outcome = run_import(SYSTEM, STAFF_IMPORT, net.SA1,
                         _xlsx([["A", "B"]], ["last_name", "shoe size"]), "x.xlsx")
    from flask_babel import gettext

    rules = {e.rule for e in outcome.errors}
    assert gettext("unknown column") in rules and gettext("required column is missing") in rules
    assert run_import(SYSTEM, STAFF_IMPORT, net.SA1, b"not a workbook", "x.xlsx").errors


def test_good_file_then_reimport_creates_no_duplicates(net):
    """Does a good file create persons, roles and files, recorded in the history, and does
    importing it again create nothing new?"""
    data = _xlsx([_row(i) for i in range(1, 6)] + [
        _row(9, last_name=net.teacher_b.person.last_name,
             first_name=net.teacher_b.person.first_name,
             national_id=net.teacher_b.person.national_id, role="Deputy director")])
    outcome = run_import(SYSTEM, STAFF_IMPORT, net.SA1, data, "staff.xlsx")
    assert outcome.ok, outcome.errors
    db.session.commit()
    rec = outcome.record
    assert (rec.rows, rec.created, rec.updated, rec.skipped) == (6, 5, 1, 0)
    assert rec.file_name == "staff.xlsx"
    p = db.session.scalars(select(Person).where(Person.national_id == _iin(1))).one()
    assert p.sex == Sex.F and p.birth_date is not None
    assert _count(StaffFile, organization_id=net.SA1.id) == 6
    assert _count(Membership, person_id=net.teacher_b.person.id,
                  role=Role.deputy_director) == 1
    persons, members = _count(Person), _count(Membership)
    again = run_import(SYSTEM, STAFF_IMPORT, net.SA1, data, "staff.xlsx")
    assert again.ok
    db.session.commit()
    assert (again.record.created, again.record.updated, again.record.skipped) == (0, 0, 6)
    assert (_count(Person), _count(Membership)) == (persons, members)
    assert _count(StaffFile, organization_id=net.SA1.id) == 6
    changed = _xlsx([_row(1, position="Head of maths")])
    third = run_import(SYSTEM, STAFF_IMPORT, net.SA1, changed, "fix.xlsx")
    assert (third.record.updated, third.record.skipped) == (1, 0)
    assert _count(ImportRecord) == 3


def test_headers_in_another_language(net):
    """Is a file with Russian headers (as in a Russian template) understood?"""
    data = _xlsx([["Петрова", "Ольга", _iin(3), "Учитель"]],
                 ["Фамилия *", "Имя *", "ИИН / ПИН *", "Роль"])
    outcome = run_import(SYSTEM, STAFF_IMPORT, net.SA1, data, "ru.xlsx")
    assert outcome.ok, outcome.errors


@pytest.mark.parametrize("rows", [10, 40])
def test_queries_per_row_bounded(net, count_queries, rows):
    """Does the import run a bounded number of queries per row?"""
    data = _xlsx([_row(i) for i in range(100, 100 + rows)])
    with count_queries() as q:
        outcome = run_import(SYSTEM, STAFF_IMPORT, net.SA1, data, "bulk.xlsx")
    assert outcome.ok, outcome.errors
    assert q.count <= 20 + 8 * rows, q.count
