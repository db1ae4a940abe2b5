"""The records office's commands authorise by themselves: called with the scope of a user of
another school (or an empty scope, as outside a request), each refuses with ScopeError and
leaves nothing behind - whatever face (page, REST, CLI, script) calls it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.blanks import Blank, BlankHistory, BlankStatus, DocStatus, DocType, IssuedDocument
from app.models.imports import ImportRecord
from app.models.people import Membership
from app.models.staff import (
    Award,
    CourseStatus,
    QualificationCourse,
    StaffEvent,
    StaffEventKind,
    StaffFile,
)
from app.security.scopes import UserScope, build_scope, system_scope
from app.services.errors import ScopeError
from app.services.imports import run_import
from app.services.national_id import make_iin
from app.services.records import blanks as blank_service
from app.services.records import staff as staff_service
from app.services.records.staff_import import STAFF_IMPORT
from tests import factories

D = dt.date
SYSTEM = system_scope()


@pytest.fixture()
def rnet(net):
    return factories.records_network(net)


def _outsiders(rnet) -> list[UserScope]:
    """School B1's administrator (a real user who writes another school) and the empty
    scope of code outside a request."""
    return [build_scope(rnet.school_b_admin.person.user), UserScope()]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_staff_events_refused_outside_scope(rnet):
    """Can the administrator of school B (or nobody) register a leave or a dismissal in a
    staff file of school A by calling the command directly?"""
    f = rnet.file_teacher_a
    before = _count(StaffEvent)
    for scope in _outsiders(rnet):
        with pytest.raises(ScopeError) as err:
            staff_service.register_event(scope, f, StaffEventKind.leave, D(2025, 7, 1),
                                         D(2025, 7, 20))
        assert err.value.code == "scope"
        with pytest.raises(ScopeError):
            staff_service.register_event(scope, f, StaffEventKind.dismissal, D(2025, 6, 1),
                                         reason="own wish")
    assert _count(StaffEvent) == before
    assert db.session.get(StaffFile, f.id).dismissed_on is None
    assert db.session.get(Membership, rnet.teacher_a.id).end_date is None


def test_staff_files_and_parts_refused_outside_scope(rnet):
    """Can a user of another school open a staff file in school A, change one, add a part to
    it or move its seniority?"""
    newcomer = factories.member(rnet.SA1, factories.Role.teacher, None, last="Новенький")
    db.session.commit()
    files = _count(StaffFile)
    f = rnet.file_teacher_a
    seniority = (f.seniority_years, f.seniority_months, f.seniority_as_of)
    for scope in _outsiders(rnet):
        with pytest.raises(ScopeError):
            staff_service.open_staff_file(scope, rnet.SA1, newcomer.person, position="X")
        with pytest.raises(ScopeError):
            staff_service.check_staff_file(scope, db.session.get(StaffFile, f.id))
        with pytest.raises(ScopeError):
            staff_service.check_staff_part(scope, Award(staff_file=db.session.get(
                StaffFile, f.id), name="Medal"))
        db.session.rollback()
        with pytest.raises(ScopeError):
            staff_service.update_seniority(scope, D(2030, 9, 1), [rnet.SA1.id])
    assert staff_service.update_seniority(UserScope(), D(2030, 9, 1)) == 0
    f = db.session.get(StaffFile, f.id)
    assert (f.seniority_years, f.seniority_months, f.seniority_as_of) == seniority
    assert _count(StaffFile) == files
    assert _count(Award) == 0


def test_courses_refused_outside_scope(rnet):
    """Can a user of another school approve, complete or change a course of school A?"""
    f = rnet.file_teacher_a
    c = QualificationCourse(staff_file=f, organization_id=f.organization_id,
                            status=CourseStatus.application, title="Algebra",
                            start_date=D(2025, 4, 14))
    db.session.add(c)
    db.session.commit()
    for scope in _outsiders(rnet):
        with pytest.raises(ScopeError):
            staff_service.approve_application(scope, c)
        with pytest.raises(ScopeError):
            staff_service.complete_course(scope, c, certificate_number="1",
                                          certificate_date=D(2025, 5, 2))
        with pytest.raises(ScopeError):
            staff_service.check_course(scope, c)
        db.session.rollback()
    c = db.session.get(QualificationCourse, c.id)
    assert c.status == CourseStatus.application and c.certificate_number is None


def test_blanks_refused_outside_scope(rnet):
    """Can a user of another school receive, issue, write off blanks of school A, issue a
    document on them or annul one?"""
    blank_service.receive_range(SYSTEM, rnet.SA1, DocType.attestat, "100", "102")
    doc = blank_service.issue_document(SYSTEM, rnet.SA1, DocType.attestat, rnet.pupil_a.person,
                                       "100", D(2025, 6, 20))
    blank = blank_service.find_blank(rnet.SA1.id, DocType.attestat, "101")
    counts = (_count(Blank), _count(BlankHistory), _count(IssuedDocument))
    for scope in _outsiders(rnet):
        with pytest.raises(ScopeError):
            blank_service.receive_blank(scope, rnet.SA1, DocType.attestat, "200")
        with pytest.raises(ScopeError):
            blank_service.receive_range(scope, rnet.SA1, DocType.attestat, "300", "305")
        with pytest.raises(ScopeError):
            blank_service.issue_blank(scope, blank, rnet.teacher_a.person, "Graduates")
        with pytest.raises(ScopeError):
            blank_service.write_off(scope, blank, BlankStatus.lost, "lost")
        with pytest.raises(ScopeError):
            blank_service.issue_document(scope, rnet.SA1, DocType.attestat,
                                         rnet.pupil_a.person, "102", D(2025, 6, 20))
        with pytest.raises(ScopeError):
            blank_service.annul_document(scope, doc, "misspelt")
    assert (_count(Blank), _count(BlankHistory), _count(IssuedDocument)) == counts
    assert db.session.get(Blank, blank.id).status == BlankStatus.new
    assert db.session.get(IssuedDocument, doc.id).status == DocStatus.valid


def test_staff_import_refused_outside_scope(rnet):
    """Can a user of another school import staff into school A?"""
    data = factories.xlsx(["last_name", "first_name", "national_id"],
                          ["Импортова", "Айгерим", make_iin(D(1985, 3, 14), "F", 501)])
    counts = (_count(StaffFile), _count(ImportRecord))
    for scope in _outsiders(rnet):
        with pytest.raises(ScopeError):
            run_import(scope, STAFF_IMPORT, rnet.SA1, data, "staff.xlsx")
    assert (_count(StaffFile), _count(ImportRecord)) == counts
    assert run_import(build_scope(rnet.school_a_admin.person.user), STAFF_IMPORT, rnet.SA1,
                      data, "staff.xlsx").ok  # the school's own administrator may
