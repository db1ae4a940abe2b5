"""Records office scopes from the outside: real logins, real routes and the REST-free
pages, per role. School coordinator-administrator changes; director reads; district reads
its schools and changes nothing; a teacher sees only their own staff file."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models.blanks import Blank, BlankStatus, DocType, IssuedDocument
from app.models.people import Membership, Person
from app.models.staff import StaffEvent, StaffEventKind, StaffFile
from app.security.scopes import system_scope
from app.services.national_id import make_iin
from app.services.records import blanks as blank_service
from app.services.records import staff as staff_service
from tests import factories

#: set-up acts for the system on purpose (the rules under test are scoped separately)
SYSTEM = system_scope()


@pytest.fixture()
def rnet(net):
    return factories.records_network(net)


def _get(client, url):
    return client.get(url, follow_redirects=False)


def _count(model, **where):
    q = select(func.count()).select_from(model)
    for k, v in where.items():
        q = q.where(getattr(model, k) == v)
    return db.session.scalar(q)


@pytest.mark.parametrize("user,own,foreign", [
    ("school_a_admin", "file_teacher_a", "file_teacher_b"),
    ("director_a", "file_teacher_a", "file_teacher_b"),
    ("dist_a_head", "file_teacher_a", "file_teacher_b"),
    ("dist_a_admin", "file_teacher_a_plain", "file_teacher_b"),
    ("dist_b_admin", "file_teacher_b", "file_teacher_a"),
])
def test_staff_file_read_scope(rnet, login, user, own, foreign):
    """Does each reader open the staff files of their school(s) and not another's?"""
    client = login(user)
    own_f, foreign_f = getattr(rnet, own), getattr(rnet, foreign)
    assert _get(client, f"/staff/show/{own_f.id}").status_code == 200
    assert _get(client, f"/staff/show/{foreign_f.id}").status_code == 404
    listing = _get(client, "/staff/list/").get_data(as_text=True)
    assert own_f.person.last_name in listing
    assert foreign_f.person.last_name not in listing


def test_teacher_sees_only_own_file(rnet, login):
    """Can a teacher open their own staff file but not a colleague's, nor the reports?"""
    client = login("teacher_a")
    assert _get(client, f"/staff/show/{rnet.file_teacher_a.id}").status_code == 200
    assert _get(client, f"/staff/show/{rnet.file_teacher_a_plain.id}").status_code == 404
    assert _get(client, f"/staff/show/{rnet.file_director_a.id}").status_code == 404
    listing = _get(client, "/staff/list/").get_data(as_text=True)
    assert "Учителев" in listing and "Незарегов" not in listing
    assert _get(client, f"/staff/edit/{rnet.file_teacher_a.id}").status_code in (302, 403, 404)
    assert _get(client, "/staffreports/staff_list").status_code in (302, 403)
    assert _get(client, f"/staffreports/certificate/{rnet.file_teacher_a.id}").status_code \
        == 200
    assert _get(client, f"/staffreports/certificate/{rnet.file_director_a.id}").status_code \
        == 404


def test_teacher_cannot_read_colleague_events_or_scan(rnet, login):
    """Does a teacher see a colleague's sick leave neither in the list nor by its scan?"""
    ev = staff_service.register_event(SYSTEM,
        rnet.file_teacher_a_plain, StaffEventKind.sick_leave, dt.date(2025, 3, 1),
        dt.date(2025, 3, 5), diagnosis="Secret diagnosis", scan=b"%PDF", scan_name="s.pdf",
        scan_mime="application/pdf")
    db.session.commit()
    client = login("teacher_a")
    assert "Secret diagnosis" not in _get(client, "/staffevents/list/").get_data(as_text=True)
    assert _get(client, f"/staffevents/show/{ev.id}").status_code == 404
    assert _get(client, f"/staffops/scan/{ev.id}").status_code == 404
    admin = login("school_a_admin")
    resp = _get(admin, f"/staffops/scan/{ev.id}")
    assert resp.status_code == 200 and resp.data == b"%PDF"


def test_district_reads_but_changes_nothing(rnet, login):
    """Can a district administrator read a school's staff file but not edit it, register
    an event, receive blanks or import staff?"""
    client = login("dist_a_admin")
    f = rnet.file_teacher_a
    assert _get(client, f"/staff/show/{f.id}").status_code == 200
    assert _get(client, f"/staff/edit/{f.id}").status_code in (302, 403, 404)
    resp = client.post(f"/staff/edit/{f.id}", data={"position": "Hacked"})
    assert resp.status_code in (302, 403, 404)
    resp = client.post(f"/staffops/event/{f.id}/dismissal",
                       data={"start_date": "2025-06-01", "reason": "x"})
    assert resp.status_code in (302, 403)
    resp = client.post("/blankops/receive", data={"organization": rnet.SA1.id,
                                                  "doc_type": "attestat", "number": "1"})
    assert resp.status_code in (302, 403)
    db.session.expire_all()
    assert db.session.get(StaffFile, f.id).position != "Hacked"
    assert db.session.get(StaffFile, f.id).dismissed_on is None
    assert _count(Blank) == 0
    assert _get(client, f"/staffreports/staff_list?org={rnet.SA1.id}").status_code == 200
    assert _get(client, f"/staffreports/staff_list?org={rnet.SB1.id}").status_code == 404


def test_director_reads_not_writes(rnet, login):
    """Can the director read the staff and reports but not register an event?"""
    client = login("director_a")
    f = rnet.file_teacher_a
    page = _get(client, f"/staffreports/staff_list?org={rnet.SA1.id}")
    assert page.status_code == 200 and "Учителев" in page.get_data(as_text=True)
    resp = client.post(f"/staffops/event/{f.id}/leave",
                       data={"start_date": "2025-07-01", "end_date": "2025-07-10"})
    assert resp.status_code in (302, 403)
    assert _count(StaffEvent) == 0


def test_school_admin_registers_events(rnet, login):
    """Can the school's administrator register a leave and a dismissal, and not for another
    school?"""
    client = login("school_a_admin")
    f = rnet.file_teacher_a
    resp = client.post(f"/staffops/event/{f.id}/leave",
                       data={"start_date": "2025-07-01", "end_date": "2025-07-10"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    resp = client.post(f"/staffops/event/{f.id}/leave",
                       data={"start_date": "2025-07-05", "end_date": "2025-07-12"})
    assert resp.status_code == 200  # the form again, with the overlap error
    assert _count(StaffEvent, staff_file_id=f.id) == 1
    resp = client.post(f"/staffops/event/{rnet.file_teacher_b.id}/leave",
                       data={"start_date": "2025-07-01", "end_date": "2025-07-10"})
    assert resp.status_code == 404
    scan = (io.BytesIO(b"%PDF-1.4 scan"), "sick.pdf", "application/pdf")
    resp = client.post(f"/staffops/event/{f.id}/sick_leave", data={
        "start_date": "2025-03-01", "end_date": "2025-03-05", "diagnosis": "J06",
        "scan": scan}, content_type="multipart/form-data")
    assert resp.status_code == 302
    resp = client.post(f"/staffops/event/{f.id}/dismissal",
                       data={"start_date": "2025-08-31", "reason": "Own wish"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, rnet.teacher_a.id).end_date == dt.date(2025, 8, 31)
    assert _count(StaffEvent, staff_file_id=f.id) == 3
    sick = db.session.scalars(select(StaffEvent).where(
        StaffEvent.kind == StaffEventKind.sick_leave)).one()
    assert sick.scan == b"%PDF-1.4 scan"
    # the dismissed teacher lost the school's data
    teacher = login("teacher_a")
    assert _get(teacher, f"/organizations/show/{rnet.SA1.id}").status_code in (302, 403, 404)


def test_blank_pages_per_school(rnet, login):
    """Does a school administrator receive, issue and write off blanks of their school only,
    and see only their school's stock?"""
    blank_service.receive_blank(SYSTEM, rnet.SB1, DocType.attestat, "B-1")
    db.session.commit()
    client = login("school_a_admin")
    resp = client.post("/blankops/receive", data={"organization": rnet.SA1.id,
                                                  "doc_type": "attestat", "number": "000100",
                                                  "last_number": "000104"})
    assert resp.status_code == 302
    resp = client.post("/blankops/receive", data={"organization": rnet.SA1.id,
                                                  "doc_type": "attestat", "number": "000104"})
    from flask_babel import gettext

    assert gettext("A blank of this type with this number already exists") in \
        resp.get_data(as_text=True)
    resp = client.post("/blankops/receive", data={"organization": rnet.SB1.id,
                                                  "doc_type": "attestat", "number": "9"})
    assert resp.status_code == 200  # the organisation is not a valid choice
    assert _count(Blank, organization_id=rnet.SB1.id) == 1
    resp = client.post("/blankops/issue", data={
        "organization": rnet.SA1.id, "doc_type": "attestat", "number": "000100",
        "recipient": rnet.teacher_a.person.id, "purpose": "11A"})
    assert resp.status_code == 302
    resp = client.post("/blankops/writeoff", data={
        "organization": rnet.SA1.id, "doc_type": "attestat", "number": "000101",
        "status": "spoiled", "reason": "ink"})
    assert resp.status_code == 302
    listing = _get(client, "/blanks/list/").get_data(as_text=True)
    assert "000103" in listing and "B-1" not in listing
    foreign = db.session.scalars(select(Blank).where(Blank.number == "B-1")).one()
    assert _get(client, f"/blanks/show/{foreign.id}").status_code == 404
    statuses = dict(db.session.execute(select(Blank.number, Blank.status)).all())
    assert statuses["000100"] == BlankStatus.issued
    assert statuses["000101"] == BlankStatus.spoiled


def test_issued_documents_flow_and_exports(rnet, login):
    """Can the administrator issue a certificate to a pupil of the school on a blank in
    stock, annul it, export and print the list, while the director only reads?"""
    blank_service.receive_range(SYSTEM, rnet.SA1, DocType.attestat, "500", "502")
    db.session.commit()
    client = login("school_a_admin")
    resp = client.post("/blankops/document/certificates/add", data={
        "organization": rnet.SA1.id, "doc_type": "attestat", "pupil": rnet.pupil_b.person.id,
        "blank_number": "500", "issued_on": "2025-06-20"})
    assert resp.status_code == 200  # pupil of another school: not a valid choice
    resp = client.post("/blankops/document/certificates/add", data={
        "organization": rnet.SA1.id, "doc_type": "attestat", "pupil": rnet.pupil_a.person.id,
        "blank_number": "500", "issued_on": "2025-06-20"})
    assert resp.status_code == 302
    doc = db.session.scalars(select(IssuedDocument)).one()
    assert "Ученикова" in _get(client, "/issuedcertificates/list/").get_data(as_text=True)
    xlsx = _get(client, "/blankops/documents/certificates/xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    assert ws.cell(2, 4).value == "500"
    printed = _get(client, "/blankops/documents/certificates/print").get_data(as_text=True)
    assert "kd-print-stamp" in printed and "Ученикова" in printed
    director = login("director_a")
    assert _get(director, "/issuedcertificates/list/").status_code == 200
    resp = director.post(f"/blankops/document/{doc.id}/annul", data={"reason": "x"})
    assert resp.status_code in (302, 403)
    resp = client.post(f"/blankops/document/{doc.id}/annul", data={"reason": "Typo"})
    assert resp.status_code == 302
    other = login("school_b_admin")
    assert _get(other, f"/issuedcertificates/show/{doc.id}").status_code == 404
    assert other.post(f"/blankops/document/{doc.id}/annul",
                      data={"reason": "x"}).status_code == 404


def _staff_xlsx(rows) -> bytes:
    return factories.xlsx(["last_name", "first_name", "national_id", "position"], *rows)


def test_import_page_per_role(rnet, login):
    """Can the school administrator import staff into their school only, see errors per row,
    and can a district administrator not import at all?"""
    client = login("school_a_admin")
    assert _get(client, "/imports/staff").status_code == 200
    tpl = _get(client, "/imports/staff/template")
    assert tpl.status_code == 200 and tpl.data[:2] == b"PK"
    good = _staff_xlsx([["Новая", "Учительница", make_iin(dt.date(1990, 1, 2), "F", 77),
                         "Teacher"]])
    resp = client.post("/imports/staff", data={"org": rnet.SB1.id,
                                               "file": (io.BytesIO(good), "s.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 403
    bad = _staff_xlsx([["Плохая", "Строка", "123", "Teacher"]])
    resp = client.post("/imports/staff", data={"org": rnet.SA1.id,
                                               "file": (io.BytesIO(bad), "bad.xlsx")},
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "kd-import-errors" in html
    resp = client.post("/imports/staff", data={"org": rnet.SA1.id,
                                               "file": (io.BytesIO(good), "s.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 200
    assert _count(Person, last_name="Новая") == 1
    district = login("dist_a_admin")
    resp = district.post("/imports/staff", data={"org": rnet.SA1.id,
                                                 "file": (io.BytesIO(good), "s.xlsx")},
                         content_type="multipart/form-data")
    assert resp.status_code in (302, 403)
    assert _get(district, "/importhistory/list/").status_code == 200


@pytest.mark.parametrize("url", ["/staff/list/", "/staffevents/list/", "/courses/list/",
                                 "/blanks/list/", "/issuedcertificates/list/",
                                 "/staffreports/staff_list", "/staffreports/personnel_book",
                                 "/staffreports/leave_schedule",
                                 "/staffreports/staffing_table"])
def test_pages_queries_do_not_grow(rnet, login, count_queries, url):
    """Does each list and report run the same number of queries for 5 and 25 employees?"""
    client = login("school_a_admin")

    def add(n, start):
        for i in range(start, start + n):
            m = factories.member(rnet.SA1, factories.Role.teacher, last=f"Учитель{i}")
            f = staff_service.open_staff_file(SYSTEM, rnet.SA1, m.person, position="Teacher")
            staff_service.register_event(SYSTEM, f, StaffEventKind.leave,
                                         dt.date(dt.date.today().year, 7, 1),
                                         dt.date(dt.date.today().year, 7, 20))
            blank_service.receive_blank(SYSTEM, rnet.SA1, DocType.attestat, f"N{i}")
            blank_service.issue_document(SYSTEM, rnet.SA1, DocType.attestat, rnet.pupil_a.person,
                                         f"N{i}", dt.date(2025, 6, 1))
        db.session.commit()

    add(2, 0)
    _get(client, url)
    with count_queries() as small:
        assert _get(client, url).status_code == 200
    add(20, 100)
    with count_queries() as big:
        assert _get(client, url).status_code == 200
    assert big.count <= small.count + 2, (small.count, big.count)


def test_lookups_offer_only_own_pupils_and_staff(rnet, login):
    """Do the pupil and employee pickers offer only people of the user's writable school?"""
    client = login("school_a_admin")
    pupils = {r["text"] for r in client.get("/api/v1/lookup/school_student/?q=").json["results"]}
    assert any("Ученикова" in t for t in pupils)
    assert not any("Бэученик" in t for t in pupils)
    staff = {r["text"] for r in client.get("/api/v1/lookup/school_staff/?q=").json["results"]}
    assert any("Учителев" in t for t in staff) and not any("Бэучитель" in t for t in staff)
    assert not any("Ученикова" in t for t in staff)
    district = login("dist_a_admin")
    assert district.get("/api/v1/lookup/school_student/?q=").json["results"] == []


def test_reimport_rehires_dismissed_employee(rnet):
    """Does importing a dismissed employee again give the role back and reopen the file?"""
    from app.services.imports import run_import
    from app.services.records.staff_import import STAFF_IMPORT

    f = rnet.file_teacher_a_plain
    staff_service.register_event(SYSTEM, f, StaffEventKind.dismissal, dt.date(2025, 5, 31),
                                 reason="Contract ended")
    db.session.commit()
    p = f.person
    outcome = run_import(SYSTEM, STAFF_IMPORT, rnet.SA1, _staff_xlsx(
        [[p.last_name, p.first_name, p.national_id, "Teacher of history"]]), "back.xlsx")
    assert outcome.ok, outcome.errors
    db.session.commit()
    assert f.dismissed_on is None
    assert _count(Membership, person_id=p.id, end_date=None) == 1
    assert _count(StaffFile, person_id=p.id) == 1


def test_single_actions_reachable_by_school_admin(rnet, login):
    """Do the row actions (annul, complete a course, download a scan) work for a school
    administrator and stay hidden from a director?"""
    from app.models.staff import CourseStatus, QualificationCourse

    blank_service.receive_blank(SYSTEM, rnet.SA1, DocType.attestat, "77")
    doc = blank_service.issue_document(SYSTEM, rnet.SA1, DocType.attestat,
                                       rnet.pupil_a.person, "77", dt.date(2025, 6, 20))
    course = QualificationCourse(staff_file=rnet.file_teacher_a, organization_id=rnet.SA1.id,
                                 status=CourseStatus.planned, title="Algebra",
                                 start_date=dt.date(2025, 4, 1))
    db.session.add(course)
    db.session.commit()
    admin = login("school_a_admin")
    resp = admin.post(f"/issuedcertificates/action/annul/{doc.id}")
    assert resp.status_code == 302 and f"/blankops/document/{doc.id}/annul" in resp.location
    resp = admin.post(f"/courses/action/complete/{course.id}")
    assert resp.status_code == 302 and f"/staffops/course/{course.id}/complete" in resp.location
    resp = admin.post(f"/staffops/course/{course.id}/complete", data={
        "certificate_number": "12", "certificate_date": "2025-05-02",
        "category": "teacher_expert", "conclusion": "attested"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(QualificationCourse, course.id).status == CourseStatus.completed
    director = login("director_a")
    resp = director.post(f"/issuedcertificates/action/annul/{doc.id}")
    assert resp.status_code in (302, 403) and "/blankops/" not in (resp.location or "")
