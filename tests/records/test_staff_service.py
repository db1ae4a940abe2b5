"""Staff file rules: seniority, categories, events, courses."""
from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models.people import Membership
from app.models.staff import Conclusion, CourseStatus, QualificationCourse, StaffEventKind
from app.security.scopes import system_scope
from app.services.errors import ConflictError, ValidationError
from app.services.records import staff as svc
from tests import factories

#: set-up acts for the system on purpose (the rules under test are scoped separately)
SYSTEM = system_scope()

D = dt.date


@pytest.fixture()
def rnet(net):
    return factories.records_network(net)


def test_months_between_whole_months():
    """Are only whole months counted between two dates?"""
    assert svc.months_between(D(2024, 9, 1), D(2025, 9, 1)) == 12
    assert svc.months_between(D(2024, 9, 15), D(2025, 9, 14)) == 11
    assert svc.months_between(D(2025, 9, 1), D(2024, 9, 1)) == 0


def test_seniority_on_adds_months_since_as_of():
    """Does the seniority grow by the months since its "as of" date, carrying into years?"""
    assert svc.seniority_on(5, 3, D(2024, 9, 1), D(2025, 9, 1)) == (6, 3)
    assert svc.seniority_on(5, 11, D(2025, 8, 1), D(2025, 9, 1)) == (6, 0)
    assert svc.seniority_on(2, 0, None, D(2025, 9, 1)) == (2, 0)


def test_update_seniority_is_idempotent(rnet):
    """Does the year-change update move the seniority once, and not again the same day?"""
    on = D(2025, 9, 1)
    assert svc.update_seniority(SYSTEM, on) >= 1
    f = rnet.file_teacher_a
    assert (f.seniority_years, f.seniority_months, f.seniority_as_of) == (15, 3, on)
    svc.update_seniority(SYSTEM, on)
    assert (f.seniority_years, f.seniority_months) == (15, 3)


def test_seniority_cli(app, rnet):
    """Does `flask kundelik seniority update --on` update the files?"""
    result = app.test_cli_runner().invoke(args=["kundelik", "seniority", "update", "--on",
                                                "2025-09-01"])
    assert result.exit_code == 0, result.output
    assert "Seniority updated" in result.output


def test_categories_per_country():
    """Are the categories of Kazakhstan and Kyrgyzstan different, and is a foreign one
    refused?"""
    kz = {c for c, _ in svc.categories_for("KZ")}
    kg = {c for c, _ in svc.categories_for("KG")}
    assert {"teacher_intern", "teacher_moderator", "teacher_expert", "teacher_researcher",
            "teacher_master"} <= kz
    assert {"second", "first", "highest"} <= kg
    svc.check_category("teacher_master", "KZ")
    with pytest.raises(ValidationError) as err:
        svc.check_category("highest", "KZ")
    assert err.value.code == "category_country"


def test_staff_file_unique_and_staff_only(rnet):
    """Is a second file for the same employee refused, and a file for a pupil?"""
    with pytest.raises(ConflictError) as err:
        svc.open_staff_file(SYSTEM, rnet.SA1, rnet.teacher_a.person)
    assert err.value.code == "staff_file_duplicate"
    with pytest.raises(ValidationError) as err:
        svc.open_staff_file(SYSTEM, rnet.SA1, rnet.pupil_a.person)
    assert err.value.code == "not_staff"


def test_leave_overlap_and_date_order(rnet):
    """Are overlapping absences and reversed dates refused?"""
    f = rnet.file_teacher_a
    svc.register_event(SYSTEM, f, StaffEventKind.leave, D(2025, 7, 1), D(2025, 7, 31))
    with pytest.raises(ConflictError) as err:
        svc.register_event(SYSTEM, f, StaffEventKind.sick_leave, D(2025, 7, 20), D(2025, 8, 2),
                           diagnosis="J06")
    assert err.value.code == "absence_overlap"
    with pytest.raises(ValidationError) as err:
        svc.register_event(SYSTEM, f, StaffEventKind.time_off, D(2025, 8, 5), D(2025, 8, 4))
    assert err.value.code == "date_order"
    with pytest.raises(ValidationError) as err:
        svc.register_event(SYSTEM, f, StaffEventKind.leave, D(2025, 8, 5), None)
    assert err.value.code == "required"


def test_recall_needs_a_leave_and_shortens_it(rnet):
    """Does a recall require a leave on its date and end the leave the day before?"""
    f = rnet.file_teacher_a
    with pytest.raises(ConflictError) as err:
        svc.register_event(SYSTEM, f, StaffEventKind.recall, D(2025, 7, 10))
    assert err.value.code == "not_on_leave"
    leave = svc.register_event(SYSTEM, f, StaffEventKind.leave, D(2025, 7, 1), D(2025, 7, 31))
    svc.register_event(SYSTEM, f, StaffEventKind.recall, D(2025, 7, 11), reason="exams")
    assert leave.recalled_on == D(2025, 7, 11)
    assert leave.days == 10
    # the days after the recall are free again
    svc.register_event(SYSTEM, f, StaffEventKind.time_off, D(2025, 7, 20), D(2025, 7, 20))


def test_sick_leave_diagnosis_and_scan(rnet):
    """Is a diagnosis required, and only a small PDF/JPEG/PNG scan accepted and stored?"""
    f = rnet.file_teacher_a
    with pytest.raises(ValidationError) as err:
        svc.register_event(SYSTEM, f, StaffEventKind.sick_leave, D(2025, 3, 1), D(2025, 3, 5))
    assert err.value.code == "required"
    with pytest.raises(ValidationError) as err:
        svc.register_event(SYSTEM, f, StaffEventKind.sick_leave, D(2025, 3, 1), D(2025, 3, 5),
                           diagnosis="ОРВИ", scan=b"x", scan_mime="text/html")
    assert err.value.code == "scan_type"
    with pytest.raises(ValidationError) as err:
        svc.register_event(SYSTEM, f, StaffEventKind.sick_leave, D(2025, 3, 1), D(2025, 3, 5),
                           diagnosis="ОРВИ", scan=b"x" * (svc.MAX_SCAN_BYTES + 1),
                           scan_mime="application/pdf")
    assert err.value.code == "scan_size"
    ev = svc.register_event(SYSTEM, f, StaffEventKind.sick_leave, D(2025, 3, 1), D(2025, 3, 5),
                            diagnosis="ОРВИ", scan=b"%PDF-1.4", scan_name="s.pdf",
                            scan_mime="application/pdf")
    db.session.commit()
    assert ev.scan == b"%PDF-1.4"


def test_delegation_to_a_colleague_only(rnet):
    """Are duties delegated only to another active employee of the same school?"""
    f = rnet.file_teacher_a
    with pytest.raises(ValidationError) as err:
        svc.register_event(SYSTEM, f, StaffEventKind.delegation, D(2025, 3, 1), D(2025, 3, 9),
                           delegate=rnet.file_teacher_b, duties="Class 5A")
    assert err.value.code == "delegate_invalid"
    ev = svc.register_event(SYSTEM, f, StaffEventKind.delegation, D(2025, 3, 1), D(2025, 3, 9),
                            delegate=rnet.file_teacher_a_plain, duties="Class 5A")
    assert ev.delegate_file is rnet.file_teacher_a_plain


def test_dismissal_ends_every_membership_and_closes_file(rnet):
    """Does a dismissal end all the person's roles in the school and refuse later events?"""
    f = rnet.file_teacher_a
    extra = factories.member(rnet.SA1, factories.Role.class_teacher,
                             person=rnet.teacher_a.person)
    other_school = factories.member(rnet.SB1, factories.Role.teacher,
                                    person=rnet.teacher_a.person)
    db.session.commit()  # set-up kept: a refused command rolls its unit back
    with pytest.raises(ValidationError):
        svc.register_event(SYSTEM, f, StaffEventKind.dismissal, D(2025, 6, 1))
    svc.register_event(SYSTEM, f, StaffEventKind.dismissal, D(2025, 6, 1), reason="own wish")
    db.session.commit()
    for m in (rnet.teacher_a, extra):
        assert db.session.get(Membership, m.id).end_date == D(2025, 6, 1)
    assert db.session.get(Membership, other_school.id).end_date is None
    user_roles = {r.name for r in rnet.teacher_a.person.user.roles}
    assert "Teacher" in user_roles  # still a teacher of school B
    assert f.dismissed_on == D(2025, 6, 1)
    with pytest.raises(ConflictError) as err:
        svc.register_event(SYSTEM, f, StaffEventKind.leave, D(2025, 7, 1), D(2025, 7, 2))
    assert err.value.code == "dismissed"


def test_course_completion_rules(rnet):
    """Does completing a course need the certificate number and date, and update the
    employee's category?"""
    f = rnet.file_teacher_a
    c = QualificationCourse(staff_file=f, organization_id=f.organization_id,
                            status=CourseStatus.application, title="Algebra",
                            start_date=D(2025, 4, 14), end_date=D(2025, 4, 30))
    svc.check_course(SYSTEM, c)
    db.session.add(c)
    svc.approve_application(SYSTEM, c)
    assert c.status == CourseStatus.planned
    with pytest.raises(ConflictError):
        svc.approve_application(SYSTEM, c)
    with pytest.raises(ValidationError) as err:
        svc.complete_course(SYSTEM, c, certificate_number="", certificate_date=None)
    assert err.value.code == "required"
    c.status = CourseStatus.planned
    svc.complete_course(SYSTEM, c, certificate_number="12", certificate_date=D(2025, 5, 2),
                        issued_by="Orleu", category="teacher_expert",
                        attestation_date=D(2025, 5, 10), conclusion=Conclusion.attested)
    assert c.status == CourseStatus.completed
    assert f.category == "teacher_expert"
