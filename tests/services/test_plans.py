"""Calendar-thematic plans: rules, topics in lesson order, shift on cancel, XLSX, copy."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models.study import StudyPeriod
from app.models.timetable import Lesson, LessonPlan, PlanTopic, TimetableEntry
from app.security.scopes import UserScope, build_scope, system_scope
from app.services.errors import DomainError, ScopeError
from app.services.study import plans
from app.services.study import timetable as tt
from tests import factories


@pytest.fixture()
def s(net):
    s = factories.study_school(net)
    s.scope = build_scope(net.school_a_admin.person.user)  # School A1's administrator
    e = TimetableEntry(school_class=s.c5a, period=s.q1, slot=s.slots[0], weekday=1,
                       subject=s.math, teacher_id=s.t1.id)
    tt.check_entry(system_scope(), e)
    db.session.add(e)
    s.plan = LessonPlan(organization_id=s.school.id, name="Math 5", period=s.q1,
                        period_id=s.q1.id, subject=s.math, subject_id=s.math.id, parallel=5)
    db.session.add(s.plan)
    db.session.flush()
    for i, (title, hours) in enumerate((("Numbers", 2), ("Fractions", 1), ("Angles", 1)), 1):
        db.session.add(PlanTopic(organization_id=s.school.id, plan_id=s.plan.id, position=i,
                                 title=title, hours=hours))
    db.session.flush()
    return s


def _code(fn, *args, **kw):
    with pytest.raises(DomainError) as err:
        fn(*args, **kw)
    return err.value.code


def _topics():
    return [lsn.topic for lsn in db.session.scalars(select(Lesson).order_by(Lesson.date))]


def test_plan_target_rules(s):
    """Must a plan be for either a parallel or a class, and a topic have 1-100 hours?"""
    p = LessonPlan(name="x", period=s.q1, subject=s.math, parallel=5, school_class=s.c5a)
    assert _code(plans.check_plan, s.scope, p) == "plan_target"
    p = LessonPlan(name="x", period=s.q1, subject=s.math)
    assert _code(plans.check_plan, s.scope, p) == "plan_target"
    p = LessonPlan(name="x", period=s.q1, subject=s.math, parallel=14)
    assert _code(plans.check_plan, s.scope, p) == "parallel_range"
    t = PlanTopic(plan=s.plan, title="T", hours=0)
    assert _code(plans.check_topic, s.scope, t) == "topic_hours"
    t.hours = 1
    plans.check_topic(s.scope, t)
    assert t.position == 4
    t2 = PlanTopic(plan=s.plan, title="T", hours=1, position=2)
    assert _code(plans.check_topic, s.scope, t2) == "topic_position"


def test_lessons_take_topics_and_shift_on_cancel(s):
    """Do lessons take the plan's topics in order, and do topics move forward when a lesson
    is cancelled?"""
    tt.generate_lessons(s.scope, s.q1)
    db.session.expire_all()
    assert _topics()[:5] == ["Numbers", "Numbers", "Fractions", "Angles", None]
    first = db.session.scalars(select(Lesson).order_by(Lesson.date)).first()
    tt.cancel(s.scope, first, "holiday", now=dt.datetime(2026, 8, 1))
    assert _topics()[:5] == [None, "Numbers", "Numbers", "Fractions", "Angles"]


def test_class_plan_wins_over_parallel(s):
    """Does a class's own plan take precedence over the parallel's plan?"""
    own = LessonPlan(organization_id=s.school.id, name="Own", period_id=s.q1.id,
                     subject_id=s.math.id, class_id=s.c5a.id)
    db.session.add(own)
    db.session.flush()
    db.session.add(PlanTopic(organization_id=s.school.id, plan_id=own.id, position=1,
                             title="Own topic", hours=1))
    db.session.flush()
    tt.generate_lessons(s.scope, s.q1)
    db.session.expire_all()
    assert _topics()[:2] == ["Own topic", None]


def test_xlsx_round_trip_and_bad_file(s):
    """Does an exported plan import back, and is a file with a bad row rejected whole?"""
    data = plans.export_plan(s.plan)
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in ws[2]][1:3] == ["Numbers", 2]
    assert plans.import_topics(s.scope, s.plan, data) == 3
    db.session.expire_all()
    assert [t.position for t in db.session.get(LessonPlan, s.plan.id).topics] == list(range(1, 7))
    wb = Workbook()
    sheet = wb.active
    sheet.append(["No.", "Topic", "Hours"])
    sheet.append([1, "Good", 1])
    sheet.append([2, "", 1])
    sheet.append([3, "Bad hours", "many"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(DomainError) as err:
        plans.import_topics(s.scope, s.plan, out.getvalue())
    assert err.value.code == "xlsx_rows"
    assert "3" in str(err.value) and "4" in str(err.value)
    assert _code(plans.import_topics, s.scope, s.plan, b"not a workbook") == "xlsx_unreadable"
    assert len(db.session.get(LessonPlan, s.plan.id).topics) == 6


def test_copy_plan_to_class_and_next_period(s):
    """Is a plan copied with its topics to a class, and to a period of the next year?"""
    copy = plans.copy_plan(s.scope, s.plan, s.q1, school_class=s.c5b)
    assert copy.class_id == s.c5b.id and copy.parallel is None
    assert [t.title for t in copy.topics] == ["Numbers", "Fractions", "Angles"]
    assert _code(plans.copy_plan, s.scope, s.plan, s.q1) == "copy_same_plan"
    from app.models.study import AcademicYear

    y2 = AcademicYear(organization_id=s.school.id, name="2027-2028",
                      starts_on=dt.date(2027, 9, 1), ends_on=dt.date(2028, 5, 31))
    db.session.add(y2)
    db.session.flush()
    q = StudyPeriod(organization_id=s.school.id, year_id=y2.id, name="1",
                    starts_on=dt.date(2027, 9, 1), ends_on=dt.date(2027, 10, 30))
    db.session.add(q)
    db.session.flush()
    nxt = plans.copy_plan(s.scope, s.plan, q)
    assert nxt.parallel == 5 and nxt.period_id == q.id and len(nxt.topics) == 3
    assert _code(plans.copy_plan, s.scope, s.plan, q, school_class=s.c5b) == "period_other_year"


def test_other_school_may_not_change_plans(s, net):
    """Can the administrator of School B1 (or a caller with no scope) copy, import into or
    renumber a plan of School A1? Is nothing changed?"""
    tt.generate_lessons(s.scope, s.q1)
    other = build_scope(net.school_b_admin.person.user)
    data = plans.export_plan(s.plan)
    before = _topics()
    for scope in (other, UserScope()):
        assert _code(plans.copy_plan, scope, s.plan, s.q1, school_class=s.c5b) == "scope"
        assert _code(plans.import_topics, scope, s.plan, data) == "scope"
        assert _code(plans.assign_topics, scope, s.q1) == "scope"
    with pytest.raises(ScopeError):
        plans.check_topic(other, PlanTopic(plan_id=s.plan.id, title="T", hours=1))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LessonPlan)) == 1
    assert len(db.session.get(LessonPlan, s.plan.id).topics) == 3
    assert _topics() == before
