"""Study-process pages and REST resources from the outside, per role: own school works,
another school gives 404/403 and changes nothing."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from flask_babel import gettext
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models.study import CurriculumItem, SchoolClass, StudyPeriod
from app.models.timetable import Lesson, LessonStatus, TimetableEntry
from app.security.scopes import system_scope
from app.services.study import timetable as tt
from tests import factories


@pytest.fixture()
def s(net):
    """School A1 and School B1 set up, a curriculum and a timetable with lessons in A1."""
    a = factories.study_school(net)
    b = factories.study_school(net, net.SB1, "B")
    for cls, subj, teacher, h in ((a.c5a, a.math, a.t1, 5), (a.c5a, a.lang, a.t2, 3),
                                  (a.c5b, a.math, a.t1, 5), (b.c5a, b.math, b.t1, 4)):
        db.session.add(CurriculumItem(organization_id=cls.organization_id, class_id=cls.id,
                                      period_id=(a if cls.organization_id == a.school.id
                                                 else b).q1.id,
                                      subject_id=subj.id, weekly_hours=h,
                                      teacher_id=teacher.id))
    for sch, cls, slot, teacher, subj in ((a, a.c5a, 0, a.t1, a.math), (a, a.c5a, 1, a.t2, a.lang),
                                          (b, b.c5a, 0, b.t1, b.math)):
        e = TimetableEntry(school_class=cls, period=sch.q1, slot=sch.slots[slot], weekday=1,
                           subject=subj, teacher_id=teacher.id)
        tt.check_entry(system_scope(), e)
        db.session.add(e)
    db.session.flush()
    tt.generate_lessons(system_scope(), a.q1)
    tt.generate_lessons(system_scope(), b.q1)
    db.session.commit()
    return a, b


def _text(resp):
    return resp.get_data(as_text=True)


def test_admin_lists_own_classes_only(s, login):
    """Does a coordinator-administrator see their school's classes and not another's?"""
    a, b = s
    client = login("school_a_admin")
    html = _text(client.get("/classes/list/"))
    assert "Третьев" in html and "BТри" not in html
    assert client.get(f"/classes/show/{b.c5a.id}").status_code == 404
    assert client.get(f"/classes/edit/{b.c5a.id}").status_code == 404
    assert client.get(f"/classes/show/{a.c5a.id}").status_code == 200


def test_admin_adds_class_and_busy_teacher_refused(s, login, net):
    """Can an administrator add a class, and is a class teacher who leads a class refused?"""
    a, _ = s
    client = login("school_a_admin")
    assert client.get("/classes/add").status_code == 200
    form = {"year": str(a.year.id), "parallel": "6", "letter_ru": "А", "letter_kk": "А",
            "letter_en": "A", "language": "kk", "shift": "1", "class_teacher": str(a.t3.id)}
    html = _text(client.post("/classes/add", data=form, follow_redirects=True))
    assert gettext("This teacher already has a class") in html
    form["class_teacher"] = str(a.t1.id)
    client.post("/classes/add", data=form)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(SchoolClass.parallel == 6)) == 1


def test_deputy_edits_director_reads(s, login):
    """Does a deputy director change the curriculum while the director only reads it?"""
    a, _ = s
    item = db.session.scalars(select(CurriculumItem).where(
        CurriculumItem.class_id == a.c5a.id, CurriculumItem.subject_id == a.math.id)).one()
    form = {"school_class": str(a.c5a.id), "period": str(a.q1.id), "subject": str(a.math.id),
            "weekly_hours": "4", "lesson_minutes": "45", "split": "main",
            "teacher": str(a.t1.id)}
    director = login("director_a")
    assert director.get(f"/curriculum/show/{item.id}").status_code == 200
    director.post(f"/curriculum/edit/{item.id}", data=dict(form, weekly_hours="2"))
    db.session.expire_all()
    assert db.session.get(CurriculumItem, item.id).weekly_hours == 5
    deputy = login("deputy_a")
    resp = deputy.post(f"/curriculum/edit/{item.id}", data=form)
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(CurriculumItem, item.id).weekly_hours == 4


def test_district_reads_its_schools_only(s, login):
    """Does a district administrator read their schools' timetable but not change it, and not
    see another district's?"""
    a, b = s
    client = login("dist_a_admin")
    entry_a = db.session.scalars(select(TimetableEntry).where(
        TimetableEntry.organization_id == a.school.id)).first()
    entry_b = db.session.scalars(select(TimetableEntry).where(
        TimetableEntry.organization_id == b.school.id)).first()
    assert client.get(f"/timetable/show/{entry_a.id}").status_code == 200
    assert client.get(f"/timetable/show/{entry_b.id}").status_code == 404
    assert client.get(f"/timetable/edit/{entry_a.id}").status_code in (302, 403, 404)
    other = login("dist_b_admin")
    assert other.get("/curriculum/list/").status_code == 200
    assert "Математика" in _text(other.get("/curriculum/list/"))
    assert other.get(f"/timetable/show/{entry_a.id}").status_code == 404


def test_teacher_sees_own_timetable_and_lessons(s, login, net):
    """Does a teacher see their own timetable and lessons and not a colleague's?"""
    a, _ = s
    client = login("teacher_a")
    mine = db.session.scalars(select(TimetableEntry).where(
        TimetableEntry.teacher_id == a.t1.id)).first()
    theirs = db.session.scalars(select(TimetableEntry).where(
        TimetableEntry.teacher_id == a.t2.id)).first()
    assert client.get(f"/timetable/show/{mine.id}").status_code == 200
    assert client.get(f"/timetable/show/{theirs.id}").status_code == 404
    html = _text(client.get("/lessons/list/"))
    assert "Математика" in html and "Казахский язык" not in html
    assert client.get("/classes/list/").status_code in (302, 403)


def test_period_with_curriculum_delete_refused(s, login):
    """Does deleting a period with planned subjects fail with a message and keep it?"""
    a, _ = s
    client = login("school_a_admin")
    page = client.get(f"/studyperiods/show/{a.q1.id}")
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', _text(page))
    data = {"csrf_token": token.group(1)} if token else {}
    html = _text(client.post(f"/studyperiods/delete/{a.q1.id}", data=data,
                             follow_redirects=True))
    assert gettext("The period cannot be deleted: %(n)s subjects are planned in it (working "
                   "curriculum). Remove them first.", n=3) in html
    db.session.expire_all()
    assert db.session.get(StudyPeriod, a.q1.id) is not None


def test_substitution_form_by_deputy(s, login):
    """Can a deputy director record a substitution before the lesson, and not in another
    school?"""
    a, b = s
    lesson = db.session.scalars(select(Lesson).where(
        Lesson.organization_id == a.school.id, Lesson.teacher_id == a.t1.id)).first()
    lesson.date = dt.date.today() + dt.timedelta(days=7)  # a lesson still to come
    db.session.commit()
    client = login("deputy_a")
    assert client.get(f"/lessons/substitute/{lesson.id}").status_code == 200
    client.post(f"/lessons/substitute/{lesson.id}",
                data={"teacher": str(a.t3.id), "reason": "ill"})
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).substitute_teacher_id == a.t3.id
    foreign = db.session.scalars(select(Lesson).where(
        Lesson.organization_id == b.school.id)).first()
    assert client.get(f"/lessons/substitute/{foreign.id}").status_code == 404


def test_cancel_after_start_refused_to_deputy(s, login):
    """Is a cancellation of a lesson that already started refused to a deputy director and
    allowed to the administrator?"""
    a, _ = s
    lesson = db.session.scalars(select(Lesson).where(Lesson.organization_id == a.school.id)
                                .order_by(Lesson.date)).first()
    lesson.date = dt.date(2020, 1, 6)
    db.session.commit()
    deputy = login("deputy_a")
    html = _text(deputy.post(f"/lessons/cancel/{lesson.id}", data={"reason": "x"},
                             follow_redirects=True))
    assert gettext("The lesson has already started: only an administrator may record a "
                   "substitution or cancellation now") in html
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).status == LessonStatus.planned
    admin = login("school_a_admin")
    admin.post(f"/lessons/cancel/{lesson.id}", data={"reason": "quarantine"})
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).status == LessonStatus.cancelled


def test_api_scopes(s, api_token, app):
    """Does the REST API give own rows, refuse another school's, and let only planners
    write?"""
    a, b = s
    client = app.test_client()
    admin = api_token("school_a_admin")
    ids = {r["id"] for r in client.get("/api/v1/school_class/?q=(page_size:100)",
                                         headers=admin).json["result"]}
    assert a.c5a.id in ids and b.c5a.id not in ids
    assert client.get(f"/api/v1/school_class/{b.c5a.id}", headers=admin).status_code == 404
    assert client.put(f"/api/v1/school_class/{b.c5a.id}", json={"profile": "x"},
                      headers=admin).status_code == 404
    resp = client.post("/api/v1/curriculum_item/", headers=admin, json={
        "school_class": a.c5b.id, "period": a.q1.id, "subject": a.lang.id,
        "weekly_hours": 3, "lesson_minutes": 45, "split": "main"})
    assert resp.status_code == 201, resp.json
    resp = client.post("/api/v1/curriculum_item/", headers=admin, json={
        "school_class": a.c5b.id, "period": a.q1.id, "subject": a.lang.id,
        "weekly_hours": 3, "lesson_minutes": 45, "split": "main"})
    assert resp.status_code == 422 and resp.json["code"] == "curriculum_duplicate"
    director = api_token("director_a")
    assert client.post("/api/v1/subject/", headers=director, json={
        "organization": a.school.id, "name": "X"}).status_code in (401, 403)
    teacher = api_token("teacher_a")
    rows = client.get("/api/v1/lesson/?q=(page_size:100)", headers=teacher).json["result"]
    assert rows and {r["teacher_id"] for r in rows} == {a.t1.id}
    dist_b = api_token("dist_b_admin")
    entry_a = db.session.scalars(select(TimetableEntry).where(
        TimetableEntry.organization_id == a.school.id)).first()
    assert client.get(f"/api/v1/timetable_entry/{entry_a.id}",
                      headers=dist_b).status_code == 404


def test_api_cancel_lesson(s, api_token, app):
    """Can a lesson be cancelled through the API with a reason, and is a missing reason
    refused?"""
    a, _ = s
    lesson = db.session.scalars(select(Lesson).where(Lesson.organization_id == a.school.id)
                                ).first()
    client = app.test_client()
    admin = api_token("school_a_admin")
    resp = client.post(f"/api/v1/lesson/{lesson.id}/cancel", headers=admin, json={})
    assert resp.status_code == 422 and resp.json["code"] == "required"
    resp = client.post(f"/api/v1/lesson/{lesson.id}/cancel", headers=admin,
                       json={"reason": "quarantine"})
    assert resp.status_code == 200 and resp.json["status"] == "cancelled"
    teacher = api_token("teacher_a")
    assert client.post(f"/api/v1/lesson/{lesson.id}/cancel", headers=teacher,
                       json={"reason": "x"}).status_code in (401, 403)


def test_load_report_screen_xlsx_print(s, login, count_queries):
    """Does the pedagogical-load report show teachers' hours and totals on screen, in XLSX and
    in print with the stamp, with a bounded number of queries?"""
    a, _ = s
    client = login("school_a_admin")
    html = _text(client.get(f"/studyreports/load/{a.year.id}"))
    assert "Учителев" in html and "Незарегов" in html
    xlsx = client.get(f"/studyreports/load/{a.year.id}?format=xlsx")
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    values = [c for row in ws.iter_rows(values_only=True) for c in row]
    # 5 h a week over quarter 1 (1 Sep - 30 Oct 2026: 8.8 weeks) = 44, in 5 А and 5 Б
    assert 44 in values and 88 in values
    printed = _text(client.get(f"/studyreports/load/{a.year.id}?format=print"))
    assert "kd-print-stamp" in printed and "School A1" in printed
    client.get(f"/studyreports/load/{a.year.id}")
    with count_queries() as small:
        client.get(f"/studyreports/load/{a.year.id}")
    for cls in (a.c5b,):
        for subj in (a.lang, a.eng):
            db.session.add(CurriculumItem(organization_id=a.school.id, class_id=cls.id,
                                          period_id=a.q1.id, subject_id=subj.id,
                                          weekly_hours=2, teacher_id=a.t2.id))
    db.session.commit()
    client.get(f"/studyreports/load/{a.year.id}")  # warm up as before the first count
    with count_queries() as big:
        client.get(f"/studyreports/load/{a.year.id}")
    assert big.count <= small.count


def test_load_report_teacher_own_rows(s, login):
    """Does a teacher see only their own load, and another district nothing?"""
    a, _ = s
    html = _text(login("teacher_a").get(f"/studyreports/load/{a.year.id}"))
    assert "Учителев" in html and "Незарегов" not in html
    assert login("dist_b_admin").get(f"/studyreports/load/{a.year.id}").status_code == 404


def test_curriculum_graph_changes_reports(s, login):
    """Do the class curriculum, graph and substitutions reports open for staff and not for
    another district?"""
    a, _ = s
    client = login("director_a")
    assert "Математика" in _text(client.get(f"/studyreports/curriculum/{a.c5a.id}"))
    assert client.get(f"/studyreports/curriculum/{a.c5a.id}?format=xlsx").status_code == 200
    assert "Математика" in _text(client.get(f"/studyreports/graph/{a.c5a.id}/{a.q1.id}"))
    assert client.get(f"/studyreports/changes/{a.q1.id}").status_code == 200
    assert client.get(f"/studyreports/changes/{a.q1.id}?format=xlsx").status_code == 200
    assert client.get("/studyreports/").status_code == 200
    other = login("dist_b_admin")
    assert other.get(f"/studyreports/curriculum/{a.c5a.id}").status_code == 404


def test_lesson_list_bounded_queries(s, login, count_queries):
    """Does the lessons list run a number of queries that does not grow with the page size?"""
    client = login("school_a_admin")
    with count_queries() as small:
        client.get("/lessons/list/?psize_LessonView=5")
    with count_queries() as big:
        client.get("/lessons/list/?psize_LessonView=50")
    assert big.count <= small.count + 2


def test_curriculum_copy_page(s, login):
    """Does the copy page copy the chosen subjects to a parallel class?"""
    a, _ = s
    client = login("deputy_a")
    assert "Математика" in _text(client.get(f"/curriculumcopy/?source={a.c5a.id}"))
    client.post("/curriculumcopy/", data={"source": a.c5a.id, "target": a.c5b.id,
                                          "periods": [a.q1.id], "subjects": [a.lang.id]})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(
        CurriculumItem.class_id == a.c5b.id)) == 2


def test_search_and_form_selects_have_no_foreign_rows(s, login):
    """Do the search form and the add form of the curriculum offer only own classes and
    subjects (no names from another school)?"""
    a, b = s
    from app.models.study import Subject

    db.session.add(Subject(organization_id=b.school.id, name="Only in B"))
    db.session.commit()
    client = login("school_a_admin")
    for url in ("/curriculum/list/", "/curriculum/add", "/timetable/add", "/classes/add"):
        html = _text(client.get(url))
        assert "Only in B" not in html, url
        assert "BТри" not in html, url


def test_teacher_reads_own_plan_and_topics(s, login):
    """Does a teacher see their own calendar-thematic plan with its topics, not another
    teacher's, and cannot change it?"""
    from app.models.timetable import LessonPlan, PlanTopic

    a, _ = s
    mine = LessonPlan(organization_id=a.school.id, name="Mine", period_id=a.q1.id,
                      subject_id=a.math.id, parallel=5, teacher_id=a.t1.id)
    theirs = LessonPlan(organization_id=a.school.id, name="Theirs", period_id=a.q1.id,
                        subject_id=a.lang.id, parallel=5, teacher_id=a.t2.id)
    db.session.add_all([mine, theirs])
    db.session.flush()
    db.session.add_all([PlanTopic(organization_id=a.school.id, plan_id=mine.id, position=1,
                                  title="My topic", hours=1),
                        PlanTopic(organization_id=a.school.id, plan_id=theirs.id, position=1,
                                  title="Their topic", hours=1)])
    db.session.commit()
    client = login("teacher_a")
    html = _text(client.get(f"/lessonplans/show/{mine.id}"))
    assert "My topic" in html
    assert client.get(f"/lessonplans/show/{theirs.id}").status_code == 404
    assert "Their topic" not in _text(client.get("/plantopics/list/"))
    assert client.get(f"/lessonplans/export/{mine.id}").status_code == 200
    assert client.get(f"/lessonplans/export/{theirs.id}").status_code == 404
    client.post(f"/lessonplans/edit/{mine.id}", data={"name": "Hacked"})
    db.session.expire_all()
    assert db.session.get(LessonPlan, mine.id).name == "Mine"


def test_plan_import_page(s, login):
    """Does the import page add the topics of an uploaded XLSX file to a plan, and refuse it
    for another school's plan?"""
    from openpyxl import Workbook

    from app.models.timetable import LessonPlan

    a, b = s
    plan = LessonPlan(organization_id=a.school.id, name="P", period_id=a.q1.id,
                      subject_id=a.math.id, parallel=5)
    other = LessonPlan(organization_id=b.school.id, name="Q", period_id=b.q1.id,
                       subject_id=b.math.id, parallel=5)
    db.session.add_all([plan, other])
    db.session.commit()
    wb = Workbook()
    ws = wb.active
    ws.append(["No.", "Topic", "Hours"])
    ws.append([1, "Numbers", 2])
    ws.append([2, "Fractions", 3])
    out = io.BytesIO()
    wb.save(out)
    client = login("deputy_a")
    client.post(f"/lessonplans/import/{plan.id}",
                data={"file": (io.BytesIO(out.getvalue()), "plan.xlsx")},
                content_type="multipart/form-data")
    db.session.expire_all()
    assert [t.title for t in db.session.get(LessonPlan, plan.id).topics] == ["Numbers",
                                                                              "Fractions"]
    assert client.get(f"/lessonplans/import/{other.id}").status_code == 404


def test_generate_action(s, login):
    """Does the "Generate lessons" action of a period add the missing lessons for a planner
    and do nothing for the director or for another school's period?"""
    a, b = s
    db.session.execute(Lesson.__table__.delete().where(Lesson.organization_id == a.school.id))
    db.session.commit()

    def count():
        db.session.expire_all()
        return db.session.scalar(select(func.count()).where(Lesson.organization_id ==
                                                            a.school.id))

    login("director_a").post("/studyperiods/action_post",
                             data={"action": "generate", "rowid": [a.q1.id]})
    assert count() == 0
    login("school_b_admin").post("/studyperiods/action_post",
                                 data={"action": "generate", "rowid": [a.q1.id]})
    assert count() == 0
    login("deputy_a").post("/studyperiods/action_post",
                           data={"action": "generate", "rowid": [a.q1.id]})
    assert count() == 16  # two weekly lessons on Mondays, 8 Mondays in quarter 1
