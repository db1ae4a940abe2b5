"""The pupils-with-parents XLSX import: template, whole-file validation, one transaction,
history, re-import without duplicates, bounded queries, permissions."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models.imports import ImportRecord
from app.models.people import Membership, ParentLink, Person, Role
from app.models.pupil_file import PupilFile
from app.models.study import ClassEnrollment
from app.security.scopes import system_scope
from app.services.imports import run_import, template_xlsx
from app.services.national_id import make_iin
from app.services.pupils.import_lookups import class_key, split_name
from app.services.pupils.importing import PUPIL_IMPORT
from tests import factories

#: set-up acts for the system on purpose (the rules under test are scoped separately)
SYSTEM = system_scope()

HEADERS = ["last_name", "first_name", "national_id", "class_name", "address",
           "parent1_name", "parent1_national_id", "parent1_phone", "parent1_kind",
           "parent2_name", "parent2_kind"]


def _xlsx(rows, headers=HEADERS) -> bytes:
    return factories.xlsx(headers, *rows)


def _iin(i: int, sex: str = "M", year: int = 2014) -> str:
    return make_iin(dt.date(year, 1 + i % 12, 1 + i % 28), sex, 300 + i)


def _row(i: int, **kw):
    base = {"last_name": f"Ученик{i}", "first_name": "Арман", "national_id": _iin(i),
            "class_name": "5 A" if i % 2 else "5 B", "address": f"Street {i}",
            "parent1_name": f"Ученикова{i} Гульнара Сериковна",
            "parent1_national_id": _iin(i, "F", 1985), "parent1_phone": "+7 701 0000000",
            "parent1_kind": "mother", "parent2_name": f"Учеников{i} Серик",
            "parent2_kind": "Father"}
    base.update(kw)
    return [base[h] for h in HEADERS]


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_template_headers_in_user_language(app, pf):
    """Does the template carry the pupil and parent headers in the user's language?"""
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("ru"):
        data = template_xlsx(PUPIL_IMPORT)
    ws = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in ws[1]]
    assert headers[0] == "Фамилия *"
    assert "Класс *" in headers
    assert any(h.startswith("Родитель 1") for h in headers)


def test_helpers():
    """Are classes written "5 A", "5А", "5-a" and parents' full names understood?"""
    assert class_key("5 A") == class_key("5a") == class_key(" 5-A ") == (5, "a")
    assert class_key("A5") is None
    assert split_name("Ахметова Гульнара Сериковна") == ("Ахметова", "Гульнара", "Сериковна")
    assert split_name("Ахметова") is None


def test_good_file_then_reimport_creates_no_duplicates(pf):
    """Does a good file create pupils, their class places, files, parents and links in one
    step with a history entry, and does the same file again create nothing?"""
    org = pf.net.SA1
    persons = _count(Person)
    data = _xlsx([_row(i) for i in range(1, 5)])
    outcome = run_import(SYSTEM, PUPIL_IMPORT, org, data, "pupils.xlsx")
    assert outcome.ok, outcome.errors
    db.session.commit()
    assert (outcome.record.created, outcome.record.updated, outcome.record.skipped) == (4, 0, 0)
    assert _count(Person) == persons + 12
    assert _count(ClassEnrollment, ClassEnrollment.class_id == pf.s.c5a.id) == 1 + 2
    assert _count(PupilFile) == 3 + 4
    assert _count(ParentLink) == 1 + 8
    assert _count(Membership, Membership.role == Role.parent,
                  Membership.organization_id == org.id) == 1 + 8
    f = db.session.scalars(select(PupilFile).join(Person, Person.id == PupilFile.person_id)
                           .where(Person.last_name == "Ученик1")).one()
    assert f.actual_address == "Street 1"
    assert _count(ImportRecord, ImportRecord.kind == "pupils") == 1
    outcome = run_import(SYSTEM, PUPIL_IMPORT, org, data, "pupils.xlsx")
    assert outcome.ok, outcome.errors
    db.session.commit()
    assert (outcome.record.created, outcome.record.updated, outcome.record.skipped) == (0, 0, 4)
    assert _count(Person) == persons + 12
    assert _count(ParentLink) == 9 and _count(PupilFile) == 7
    assert _count(ClassEnrollment) == 2 + 4


def test_existing_pupil_of_the_school_is_completed(pf):
    """Is a pupil already in the school (no file row change) given the missing parent, and
    counted as updated, with no new person?"""
    p = pf.pupil
    row = _row(9, last_name=p.last_name, first_name=p.first_name, national_id=p.national_id,
               class_name="5 A", parent2_name=None, parent2_kind=None)
    outcome = run_import(SYSTEM, PUPIL_IMPORT, pf.net.SA1, _xlsx([row]), "one.xlsx")
    assert outcome.ok, outcome.errors
    assert (outcome.record.created, outcome.record.updated) == (0, 1)
    assert _count(ParentLink, ParentLink.student_id == p.id) == 2
    assert _count(PupilFile, PupilFile.person_id == p.id) == 1


def _errors(pf, rows, headers=HEADERS):
    outcome = run_import(SYSTEM, PUPIL_IMPORT, pf.net.SA1, _xlsx(rows, headers), "bad.xlsx")
    assert not outcome.ok
    return {(e.row, e.column, e.rule) for e in outcome.errors}


def test_bad_rows_reject_the_whole_file(pf):
    """Does any bad row reject the file, nothing written, with row, column and rule for a
    bad IIN, a missing field, an unknown class, a duplicate in the file, a parent without
    kinship and a parent with the pupil's IIN?"""
    persons, records = _count(Person), _count(ImportRecord)
    rows = [
        _row(1),
        _row(2, national_id="123456789012"),
        _row(3, first_name=None),
        _row(4, class_name="11 Z"),
        _row(5, national_id=_iin(1)),
        _row(6, parent1_kind=None),
        _row(7, parent1_national_id=_iin(7)),
        _row(8, parent2_kind="neighbour"),
        _row(10, parent1_name="Single"),
    ]
    errs = _errors(pf, rows)
    cols = {(r, c) for r, c, _ in errs}
    assert (3, "IIN / PIN") in cols
    assert (4, "First name") in cols
    assert (5, "Class") in cols
    assert any(r == 6 and "duplicate in the file (row 2)" in rule for r, _, rule in errs)
    assert (7, "Parent 1: kinship") in cols
    assert any(r == 8 and "the same identifier as the pupil" in rule for r, _, rule in errs)
    assert (9, "Parent 2: kinship") in cols
    assert (10, "Parent 1: full name") in cols
    assert (2, "IIN / PIN") not in cols
    assert _count(Person) == persons and _count(ImportRecord) == records


def test_duplicates_in_the_system(pf):
    """Is a pupil of another school refused (a transfer is a movement), and an identifier of
    another person (names differ) refused, for pupils and parents?"""
    other = pf.pupil_other
    mother = pf.link.parent
    rows = [
        _row(1, last_name=other.last_name, first_name=other.first_name,
             national_id=other.national_id),
        _row(2, national_id=pf.pupil_b5.national_id),
        _row(3, parent1_national_id=mother.national_id, parent1_name="Другая Мама"),
    ]
    errs = _errors(pf, rows)
    assert any(r == 2 and "another school" in rule for r, _, rule in errs)
    assert any(r == 3 and "belongs to another person" in rule for r, _, rule in errs)
    assert any(r == 4 and c == "Parent 1: IIN / PIN" for r, c, _ in errs)


def test_birth_date_and_sex_must_match_the_identifier(pf):
    """Are a birth date and a sex that contradict the IIN refused?"""
    headers = HEADERS + ["birth_date", "sex"]
    row = _row(1) + ["01.01.2000", "F"]
    errs = _errors(pf, [row], headers)
    assert {c for _, c, _ in errs} >= {"Birth date", "Sex"}


@pytest.mark.parametrize("rows", [20, 200])
def test_queries_do_not_grow_with_rows(pf, count_queries, rows):
    """Does the import take the same number of statements for 20 and for 200 rows (each
    with two parents)?"""
    data = _xlsx([_row(i) for i in range(rows)])
    with count_queries() as q:
        outcome = run_import(SYSTEM, PUPIL_IMPORT, pf.net.SA1, data, "bulk.xlsx")
        db.session.flush()
    assert outcome.ok, outcome.errors[:3]
    assert outcome.record.created == rows
    _COUNTS[rows] = q.count
    if len(_COUNTS) == 2:
        assert abs(_COUNTS[200] - _COUNTS[20]) <= 2, _COUNTS
    assert q.count <= 30  # about 22: look-ups, one INSERT per table, the change log


_COUNTS: dict[int, int] = {}


def test_upload_page_and_permissions(pf, login):
    """Does the administrator import through the page, and is a teacher refused?"""
    c = login("school_a_admin")
    assert c.get("/imports/pupils/template").status_code == 200
    resp = c.post("/imports/pupils", data={
        "org": str(pf.net.SA1.id), "file": (io.BytesIO(_xlsx([_row(1)])), "p.xlsx")},
        content_type="multipart/form-data")
    assert resp.status_code == 200 and "Imported: 1 rows" in resp.get_data(as_text=True)
    t = login("teacher_a")
    assert t.get("/imports/pupils").status_code in (302, 403)
    other = login("school_b_admin")
    resp = other.post("/imports/pupils", data={
        "org": str(pf.net.SA1.id), "file": (io.BytesIO(_xlsx([_row(2)])), "p.xlsx")},
        content_type="multipart/form-data")
    assert resp.status_code == 403


def test_headers_in_another_language(pf):
    """Is a file with Kazakh headers (parent columns too) and Russian kinship understood?"""
    headers = ["Тегі", "Аты", "ЖСН / ПИН", "Сынып", "Ата-ана 1: аты-жөні",
               "Ата-ана 1: туыстық дәрежесі"]
    row = [_row(1)[0], "Арман", _iin(1), "5 A", "Ученикова Гульнара", "Мать"]
    outcome = run_import(SYSTEM, PUPIL_IMPORT, pf.net.SA1, _xlsx([row], headers), "kk.xlsx")
    assert outcome.ok, outcome.errors
    assert outcome.record.created == 1
    assert _count(ParentLink, ParentLink.kind == "mother") == 2


def test_parent_consent_is_imported_and_never_overwritten(pf):
    """Does "Parent N: electronic results" record the consent (yes / a refusal, dated the
    import day, in any language), leave an empty cell "not recorded", refuse another word
    naming the column, complete a not-recorded consent on re-import, and never change a
    recorded one?"""
    headers = HEADERS + ["parent1_consent", "parent2_consent"]

    def row(i, first, second):
        return _row(i) + [first, second]

    assert any(c == "Parent 1: electronic results (yes / no)" and "not one of" in rule
               for _, c, rule in _errors(pf, [row(1, "maybe", None)], headers))
    data = _xlsx([row(1, "yes", None), row(2, "нет", "no")], headers)
    outcome = run_import(SYSTEM, PUPIL_IMPORT, pf.net.SA1, data, "consent.xlsx")
    assert outcome.ok, outcome.errors
    db.session.commit()

    def links(last):
        return {k.kind: (k.electronic_consent, k.consent_date) for k in db.session.scalars(
            select(ParentLink).join(Person, Person.id == ParentLink.student_id)
            .where(Person.last_name == last))}

    today = dt.date.today()
    assert links("Ученик1") == {"mother": (True, today), "father": (False, None)}
    assert links("Ученик2") == {"mother": (False, today), "father": (False, today)}
    again = _xlsx([row(1, "no", "нет")], headers)  # mother recorded, father not recorded
    outcome = run_import(SYSTEM, PUPIL_IMPORT, pf.net.SA1, again, "again.xlsx")
    assert outcome.ok, outcome.errors
    db.session.commit()
    assert (outcome.record.updated, outcome.record.skipped) == (1, 0)
    assert links("Ученик1") == {"mother": (True, today), "father": (False, today)}
    outcome = run_import(SYSTEM, PUPIL_IMPORT, pf.net.SA1, again, "again.xlsx")
    assert (outcome.record.updated, outcome.record.skipped) == (0, 1)
