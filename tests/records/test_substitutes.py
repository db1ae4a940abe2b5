"""Sick leave and other absences show the lessons that will need a substitute (seed 004
section 2)."""
from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select

from app.models.staff import StaffEvent, StaffEventKind
from app.models.timetable import LessonStatus
from app.security.scopes import system_scope
from app.services.records import staff as staff_service
from app.services.records.substitutes import lessons_needing_substitute
from tests import factories

#: set-up acts for the system on purpose (the rules under test are scoped separately)
SYSTEM = system_scope()


def _setup(net):
    rnet = factories.records_network(net)
    s = factories.journal_school(rnet)
    return rnet, s


def test_service_lists_own_untaken_and_substitute_lessons(app, db, net):
    """Which lessons need a substitute during a sick leave of 7-9 September? The teacher's
    own lessons nobody took yet, and lessons they were to substitute; not cancelled ones,
    not ones already given to another teacher, not lessons outside the dates."""
    rnet, s = _setup(net)
    mon, wed = s.lessons[1], s.lessons[2]  # 7 and 9 September
    assert (mon.date, wed.date) == (dt.date(2026, 9, 7), dt.date(2026, 9, 9))
    lang_wed = s.lang_lessons[2]
    assert lang_wed.date == dt.date(2026, 9, 9)
    lang_wed.substitute_teacher_id = s.t1.id  # teacher_a was to substitute here
    ev = staff_service.register_event(SYSTEM, rnet.file_teacher_a, StaffEventKind.sick_leave,
                                      dt.date(2026, 9, 7), dt.date(2026, 9, 9),
                                      diagnosis="J06")
    db.session.commit()
    assert [x.id for x in lessons_needing_substitute(ev)] == [mon.id, wed.id, lang_wed.id]
    wed.substitute_teacher_id = s.t3.id
    wed.status = LessonStatus.substituted
    mon.status = LessonStatus.cancelled
    db.session.commit()
    assert [x.id for x in lessons_needing_substitute(ev)] == [lang_wed.id]


def test_dismissal_and_delegation_need_no_substitute_list(app, db, net):
    """Does a delegation of duties list lessons? No: only absences do."""
    rnet, s = _setup(net)
    ev = staff_service.register_event(SYSTEM, rnet.file_teacher_a, StaffEventKind.delegation,
                                      dt.date(2026, 9, 7), dt.date(2026, 9, 9),
                                      delegate=rnet.file_teacher_a_plain, duties="Maths")
    assert lessons_needing_substitute(ev) == []


def test_sick_leave_form_shows_lessons(app, db, net, login, count_queries):
    """After registering a sick leave, does the administrator land on the event with the
    lessons to substitute and a link to the substitution form? Are the queries few?"""
    rnet, s = _setup(net)
    client = login("school_a_admin")
    resp = client.post(f"/staffops/event/{rnet.file_teacher_a.id}/sick_leave", data={
        "illness": "Flu", "diagnosis": "J10", "start_date": "2026-09-07",
        "end_date": "2026-09-16", "scan": (io.BytesIO(b"%PDF-1.4"), "s.pdf", "application/pdf")},
        content_type="multipart/form-data")
    ev = db.session.scalars(select(StaffEvent)).one()
    assert resp.status_code == 302 and resp.location.endswith(f"/staffevents/show/{ev.id}")
    page = client.get(resp.location).get_data(as_text=True)
    assert "4 lessons need a substitute" in page
    assert "Lessons that need a substitute" in page
    assert page.count("/lessons/substitute/") == 4
    assert ev.kind and ev.staff_file.person_id  # the event itself is loaded
    with count_queries() as q:
        lessons_needing_substitute(ev)
    # one query for the lessons + batched (selectin) loads of the teachers' memberships,
    # not one per lesson
    assert q.count <= 3, q.statements


def test_director_sees_the_list_teacher_does_not(app, db, net, login):
    """Who sees the lessons of a colleague's sick leave? The director (reads staff events);
    another teacher does not open the event at all."""
    rnet, s = _setup(net)
    ev = staff_service.register_event(SYSTEM, rnet.file_teacher_a, StaffEventKind.sick_leave,
                                      dt.date(2026, 9, 7), dt.date(2026, 9, 9),
                                      diagnosis="J06")
    db.session.commit()
    page = login("director_a").get(f"/staffevents/show/{ev.id}").get_data(as_text=True)
    assert page.count("/lessons/substitute/") == 2
    other = login("teacher_b").get(f"/staffevents/show/{ev.id}")
    assert other.status_code in (302, 403, 404)
