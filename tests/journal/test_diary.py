"""The diary (week view, JSON variant) and the summary sheet: who sees whose records,
what the week shows, fixed query counts (issue 4)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db as _db
from app.models.journal import (
    Attendance,
    JournalCell,
    LessonRecord,
    Mark,
    MarkCategory,
    WorkType,
)
from app.models.people import ParentLink, Role
from app.models.timetable import Lesson, LessonStatus
from app.services.journal import diary as diary_service
from tests import factories

WEEK = "2026-09-07"  # Monday 7 and Wednesday 9 September: maths lessons 2 and 3


def put(s, lesson, pupil, marks=(), attendance=None, late=None, remark=None):
    """A cell with marks written directly (the grid's service is not needed here)."""
    cell = JournalCell(organization_id=lesson.organization_id, lesson_id=lesson.id,
                       student_id=pupil.id, attendance=attendance, late_minutes=late,
                       remark=remark)
    _db.session.add(cell)
    _db.session.flush()
    for i, m in enumerate(marks):
        value, max_score, category = m if isinstance(m, tuple) else (m, None,
                                                                      MarkCategory.formative)
        _db.session.add(Mark(organization_id=lesson.organization_id, cell_id=cell.id,
                             lesson_id=lesson.id, student_id=pupil.id, position=i, value=value,
                             max_score=max_score, category=category,
                             work_type=WorkType.oral))
    return cell


@pytest.fixture()
def school(net):
    """The journal factory with records for the week of 7 September: pupil_a has a 5, a
    summative 17/20, lateness and a remark; pupil 2 (another child of parent_a) has a 4;
    pupil 3 (no parent login) has marks and a remark that must never show to pupil_a."""
    s = factories.journal_school(net)
    l2, l3 = s.lessons[1], s.lessons[2]
    l2.topic = "Fractions-topic"
    _db.session.add(LessonRecord(organization_id=net.SA1.id, lesson_id=l2.id,
                                 homework="Exercise 42-hw", homework_due=l3.date,
                                 homework_minutes=30))
    put(s, l2, s.pupils[0], [5], Attendance.late, 10, "Well done-remark")
    put(s, l3, s.pupils[0], [(17, 20, MarkCategory.summative_section)])
    put(s, l2, s.pupils[1], [4])
    put(s, l2, s.pupils[2], [(19, 23, MarkCategory.summative_section)], Attendance.absent,
        remark="OTHER-PUPIL-SECRET")
    l3.substitute_teacher_id = s.t3.id
    l3.status = LessonStatus.substituted
    _db.session.commit()
    return s


def test_pupil_sees_own_week(app, school, login):
    """What does a pupil see in the diary? Their week's lessons with topic, homework,
    their marks, lateness, remark and the substitute teacher; previous/next week links."""
    s = school
    html = login("pupil_a").get(f"/diary/{s.pupil.id}?week=2026-09-09").get_data(as_text=True)
    for text in ("Fractions-topic", "Exercise 42-hw", "Well done-remark", "Late", "17/20",
                 "Третьев", "Substituted", "?week=2026-08-31", "?week=2026-09-14",
                 "Pupil0"):
        assert text in html, text
    assert html.count('class="kd-diary-lesson') == 4  # 2 maths + 2 language lessons


def test_diary_shows_nothing_of_other_pupils(app, school, login):
    """Does the pupil's diary page contain anything of another pupil of the class? No:
    neither their remark, nor their score, nor their name."""
    html = login("pupil_a").get(f"/diary/{school.pupil.id}?week={WEEK}").get_data(
        as_text=True)
    assert "OTHER-PUPIL-SECRET" not in html
    assert "19/23" not in html
    assert "Pupil2" not in html and "Pupil1" not in html


def test_pupil_cannot_open_another_pupil(app, school, login, api_token):
    """Can a pupil open another pupil's diary by typing the id (page and REST)? No: 404."""
    other = school.pupils[2].id
    assert login("pupil_a").get(f"/diary/{other}").status_code == 404
    resp = app.test_client().get(f"/api/v1/diary/{other}", headers=api_token("pupil_a"))
    assert resp.status_code == 404


def test_parent_switches_between_children(app, school, login):
    """Does a parent with two children open both diaries and switch between them, and is a
    pupil who is not their child refused (404)? And /diary/ leads to a child's week."""
    s = school
    client = login("parent_a")
    first = client.get(f"/diary/{s.pupils[0].id}?week={WEEK}").get_data(as_text=True)
    assert "Well done-remark" in first and 'id="kd-diary-child"' in first
    assert "Pupil1" in first  # the other child's name in the switcher
    second = client.get(f"/diary/{s.pupils[1].id}?week={WEEK}").get_data(as_text=True)
    assert "Well done-remark" not in second and "OTHER-PUPIL-SECRET" not in second
    assert client.get(f"/diary/{s.pupils[2].id}").status_code == 404
    resp = client.get("/diary/")
    assert resp.status_code == 302 and f"/diary/{s.pupils[0].id}" in resp.headers["Location"]


@pytest.mark.parametrize("username,status", [
    ("class_teacher_a", 200), ("director_a", 200), ("deputy_a", 200), ("school_a_admin", 200),
    ("dist_a_head", 200), ("teacher_a", 404), ("school_b_admin", 404), ("dist_b_admin", 404),
])
def test_staff_diary_scope(app, school, login, username, status):
    """Which staff open a pupil's diary? The class teacher of the class, the school's
    administration and district staff; a subject teacher and other schools get 404."""
    assert login(username).get(f"/diary/{school.pupil.id}?week={WEEK}").status_code == status


def test_class_teacher_class_list(app, school, login):
    """Does the class teacher see their class's pupils in the diary's class list, with a
    mark for a parent who declined electronic access? And is 5 Б refused to them?"""
    s = school
    _db.session.add(ParentLink(parent_id=s.parent.id, student_id=s.pupils[3].id,
                               electronic_consent=False, consent_date=dt.date(2026, 9, 2)))
    # an imported parent whose consent is not recorded yet has not declined anything
    _db.session.add(ParentLink(parent_id=s.parent.id, student_id=s.pupils[4].id,
                               electronic_consent=False))
    _db.session.commit()
    client = login("class_teacher_a")
    html = client.get(f"/diary/?class_id={s.c5a.id}").get_data(as_text=True)
    assert all(f"Pupil{i}" in html for i in range(5))
    assert html.count("Parent declined electronic access") == 1
    assert client.get(f"/diary/?class_id={s.c5b.id}").status_code == 404


def test_diary_json(app, school, api_token):
    """Does the JSON diary give the week's days, lessons, the pupil's marks and attendance,
    for the parent's child, and 404 for a pupil who is not their child?"""
    s = school
    client = app.test_client()
    headers = api_token("parent_a")
    data = client.get(f"/api/v1/diary/{s.pupil.id}?week=2026-09-10", headers=headers).json
    assert data["week"] == WEEK and data["next_week"] == "2026-09-14"
    lessons = [x for d in data["days"] for x in d["lessons"] if x["subject"] == "Математика"]
    assert [x["date"] for x in lessons] == ["2026-09-07", "2026-09-09"]
    assert lessons[0]["marks"] == [{"value": 5, "max_score": None, "category": "formative",
                                    "work_type": "oral"}]
    assert lessons[0]["attendance"] == "late" and lessons[0]["late_minutes"] == 10
    assert lessons[0]["homework"] == "Exercise 42-hw"
    assert lessons[1]["substitute_teacher"].startswith("Третьев")
    wednesday = next(d for d in data["days"] if d["date"] == "2026-09-09")
    assert wednesday["homework_due"] == [{"subject": "Математика", "homework": "Exercise 42-hw",
                                          "given_on": "2026-09-07", "minutes": 30}]
    assert client.get(f"/api/v1/diary/{s.pupils[2].id}", headers=headers).status_code == 404


def test_diary_respects_enrolment_and_subgroups(app, school):
    """Are lessons before the pupil's enrolment, and lessons of a subgroup the pupil is not
    in, left out of the diary?"""
    from app.models.study import ClassEnrollment, Subgroup, SubgroupMember

    s = school
    enrol = _db.session.query(ClassEnrollment).filter_by(person_id=s.pupils[4].id).one()
    enrol.from_date = dt.date(2026, 9, 8)
    group = Subgroup(organization_id=s.school.id, class_id=s.c5a.id, subject_id=s.lang.id,
                     name="Group 1")
    _db.session.add(group)
    _db.session.flush()
    _db.session.add(SubgroupMember(organization_id=s.school.id, subgroup_id=group.id,
                                   person_id=s.pupils[0].id, from_date=dt.date(2026, 9, 1)))
    s.lang_lessons[1].subgroup_id = group.id  # 7 September, language, group 1 only
    _db.session.commit()
    monday = dt.date(2026, 9, 7)
    late = diary_service.pupil_lessons(s.pupils[4].id, monday, monday + dt.timedelta(6))
    assert [x.date for x in late] == [dt.date(2026, 9, 9), dt.date(2026, 9, 9)]
    mine = diary_service.pupil_lessons(s.pupils[0].id, monday, monday + dt.timedelta(6))
    assert "Group 1" in {x.subgroup for x in mine}


def test_diary_query_count_is_fixed(app, school, login, count_queries):
    """Does the diary page take the same number of queries for a quiet week and for a week
    full of lessons, marks and remarks?"""
    s = school
    client = login("parent_a")
    url = f"/diary/{s.pupil.id}?week={WEEK}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    lessons = [Lesson(organization_id=s.school.id, period_id=s.q1.id, date=s.lessons[1].date,
                      number=n, starts_at=dt.time(8 + n, 0), ends_at=dt.time(8 + n, 45),
                      class_id=s.c5a.id, subject_id=s.eng.id, teacher_id=s.t2.id)
               for n in range(3, 8)]
    _db.session.add_all(lessons)
    _db.session.flush()
    for lesson in lessons:
        _db.session.add(LessonRecord(organization_id=s.school.id, lesson_id=lesson.id,
                                     homework="hw"))
        put(s, lesson, s.pupil, [3, 4, 5], Attendance.ill, remark="r")
    _db.session.commit()
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count('class="kd-diary-lesson') == 9
    assert many.count == few.count, (few.count, many.count)


def test_homework_due_shows_on_its_day(app, school, login):
    """Is homework given in advance shown on the day it is due, once, for the pupil's
    class only?"""
    html = login("pupil_a").get(f"/diary/{school.pupil.id}?week={WEEK}").get_data(
        as_text=True)
    assert html.count("Homework for today") == 1
    assert html.count("Exercise 42-hw") == 2  # on the lesson it was given and on its due day


def test_summary_range_defaults():
    """Which range does the summary sheet take? The past school week by default (seed 002
    §2.15); a week from or to one given date; a reversed or too long range is refused."""
    today = dt.date(2026, 9, 17)  # Thursday
    assert diary_service.parse_range(None, None, today) == (dt.date(2026, 9, 7),
                                                            dt.date(2026, 9, 13))
    assert diary_service.parse_range("2026-09-01", None, today) == (dt.date(2026, 9, 1),
                                                                    dt.date(2026, 9, 7))
    assert diary_service.parse_range(None, "2026-09-30", today) == (dt.date(2026, 9, 24),
                                                                    dt.date(2026, 9, 30))
    for bad in (("2026-09-30", "2026-09-01"), ("2025-01-01", "2026-09-01"), ("x", None)):
        with pytest.raises(ValueError):
            diary_service.parse_range(*bad, today)


def test_summary_totals_rule():
    """How are the sheet's totals counted? Cancelled lessons not at all; missed = absent +
    excused + ill; late counted separately with its minutes."""
    def item(status="held", att=None, late=None, marks=0):
        x = diary_service.DiaryLesson(
            id=1, date=dt.date(2026, 9, 7), number=1, starts_at=dt.time(8), ends_at=dt.time(9),
            subject="M", subgroup=None, teacher="T", substitute=None, status=status,
            status_label="", reason=None, topic=None, attendance=att, late_minutes=late)
        x.marks = [None] * marks
        return x

    t = diary_service.summary_totals([
        item(marks=2), item(att="absent"), item(att="excused"), item(att="ill"),
        item(att="ill"), item(att="late", late=10), item(att="late", late=5),
        item(status="cancelled", att="absent")])
    assert (t.lessons, t.marks, t.missed, t.excused, t.ill, t.late, t.late_minutes) == (
        7, 2, 4, 1, 2, 2, 15)


def test_class_teacher_prints_summary_sheet(app, school, login):
    """Does the class teacher print a pupil's summary sheet for a date range, with the
    lessons, marks, totals and the print stamp (time and printing user)?"""
    s = school
    put(s, s.lessons[3], s.pupil, [], Attendance.ill)
    put(s, s.lessons[4], s.pupil, [], Attendance.excused)
    _db.session.commit()
    client = login("class_teacher_a")
    html = client.get(f"/diary/summary/{s.pupil.id}?from=2026-09-01&to=2026-09-30"
                      "&format=print").get_data(as_text=True)
    assert "Printed" in html and "class_teacher_a" in html
    assert "17/20" in html and "OTHER-PUPIL-SECRET" not in html

    def total(css):
        return html.split(f'class="{css}">')[1].split("<")[0]

    assert total("kd-missed") == "2" and total("kd-excused") == "1"
    assert total("kd-ill") == "1" and total("kd-late") == "1"
    assert total("kd-late-minutes") == "10"
    assert "kd-summary-form" not in html  # the print page has no form
    bad = client.get(f"/diary/summary/{s.pupil.id}?from=2026-09-30&to=2026-09-01")
    assert bad.status_code == 200 and "Date range" in bad.get_data(as_text=True)


def test_summary_sheet_refused_to_others(app, school, net, login):
    """Who is refused a pupil's summary sheet and the class's sheets? A class teacher of
    another class and a subject teacher (404), a pupil and a parent (no permission)."""
    s = school
    other = factories.member(net.SA1, Role.class_teacher, "class_teacher_b", last="Бэклассов")
    s.c5b.class_teacher_id = other.person_id
    _db.session.commit()
    for url in (f"/diary/summary/{s.pupil.id}", f"/diary/summary/class/{s.c5a.id}"):
        assert login("class_teacher_b").get(url).status_code == 404
        assert login("teacher_a").get(url).status_code == 404
        assert login("director_a").get(url).status_code == 200
        for username in ("pupil_a", "parent_a"):
            assert login(username).get(url).status_code in (302, 403)
    # the other class's teacher does open the diary of their own pupil
    assert login("class_teacher_b").get(f"/diary/{s.outsider.id}").status_code == 200


def test_diary_speaks_kazakh_and_kyrgyz(app, school, login):
    """Is the diary page in Kazakh and Kyrgyz when the user picks the language?"""
    client = login("pupil_a")
    kk = client.get(f"/diary/{school.pupil.id}?week={WEEK}&_l_=kk").get_data(as_text=True)
    assert all(t in kk for t in ("Алдыңғы апта", "Үй тапсырмасы", "Кешікті"))
    ky = client.get(f"/diary/{school.pupil.id}?week={WEEK}&_l_=ky").get_data(as_text=True)
    assert all(t in ky for t in ("Мурунку жума", "Үй тапшырмасы", "Кечикти"))


def test_class_summary_sheets(app, school, login, count_queries):
    """Does the class teacher print the summary sheets of the class in one go - by default
    only the pupils whose parent declined electronic access, with "all pupils" on request -
    in the same number of queries whatever the number of pupils, with the print stamp?"""
    s = school
    _db.session.add(ParentLink(parent_id=s.parent.id, student_id=s.pupils[2].id,
                               electronic_consent=False, consent_date=dt.date(2026, 9, 2)))
    _db.session.add(ParentLink(parent_id=s.parent.id, student_id=s.pupils[3].id,
                               electronic_consent=False))  # not recorded: not a refusal
    _db.session.commit()
    client = login("class_teacher_a")
    url = f"/diary/summary/class/{s.c5a.id}?from=2026-09-01&to=2026-09-30"
    index = client.get(f"/diary/?class_id={s.c5a.id}").get_data(as_text=True)
    assert f"/diary/summary/class/{s.c5a.id}" in index
    client.get(url)  # warm up
    with count_queries() as one:
        html = client.get(url + "&format=print").get_data(as_text=True)
    assert html.count('class="kd-summary-sheet"') == 1
    assert "Pupil2" in html and "OTHER-PUPIL-SECRET" not in html  # remarks are not printed
    assert "19/23" in html and "17/20" not in html  # pupil 2's marks, not pupil_a's
    assert "Printed" in html and "class_teacher_a" in html
    with count_queries() as every:
        html = client.get(url + "&pupils=all").get_data(as_text=True)
    assert html.count('class="kd-summary-sheet"') == 5
    assert "17/20" in html and "19/23" in html
    assert one.count == every.count, (one.statements, every.statements)
    missed = html.split('class="kd-missed">')
    assert [m.split("<")[0] for m in missed[1:]].count("1") >= 1  # pupil 2 was absent


def test_class_summary_sheets_speak_the_readers_language(app, school, login):
    """Is the class's sheets page (here: nobody declined) in the reader's language?"""
    s = school
    html = login("class_teacher_a").get(f"/diary/summary/class/{s.c5a.id}?_l_=kk"
                                        ).get_data(as_text=True)
    assert "kd-no-sheets" in html and "No pupil of the class" not in html
