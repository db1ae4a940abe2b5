"""Weekly timetable conflicts, lesson generation, substitutions and cancellations."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.people import AuditRecord
from app.models.study import StudySettings, Subgroup
from app.models.timetable import BellSlot, Lesson, LessonStatus, TimetableEntry
from app.security.scopes import UserScope, build_scope, system_scope
from app.services.errors import DomainError, ScopeError
from app.services.study import timetable as tt
from tests import factories


@pytest.fixture()
def s(net):
    s = factories.study_school(net)
    s.scope = build_scope(net.school_a_admin.person.user)  # School A1's administrator
    return s


def _entry(s, cls=None, slot=0, weekday=1, teacher=None, room=None, subject=None, **kw):
    return TimetableEntry(school_class=cls or s.c5a, period=s.q1, slot=s.slots[slot],
                          weekday=weekday, subject=subject or s.math,
                          teacher_id=(teacher or s.t1).id, room=room, **kw)


def _add(e):
    tt.check_entry(system_scope(), e)
    db.session.add(e)
    db.session.flush()
    return e


def _code(fn, *args, **kw):
    with pytest.raises(DomainError) as err:
        fn(*args, **kw)
    return err.value.code


def test_bell_slot_rules(s):
    """Are a slot ending before it starts, a duplicate number and an overlap refused?"""
    bad = BellSlot(schedule=s.bells, number=7, starts_at=dt.time(15), ends_at=dt.time(14))
    assert _code(tt.check_slot, s.scope, bad) == "slot_times"
    dup = BellSlot(schedule=s.bells, number=1, starts_at=dt.time(16), ends_at=dt.time(16, 45))
    assert _code(tt.check_slot, s.scope, dup) == "slot_duplicate"
    over = BellSlot(schedule=s.bells, number=7, starts_at=dt.time(13, 30),
                    ends_at=dt.time(14, 15))
    assert _code(tt.check_slot, s.scope, over) == "slot_overlap"


def test_conflicts_teacher_room_class(s):
    """Are a busy teacher, a busy room and a busy class refused with an explanation?"""
    _add(_entry(s, room=s.room1))
    with pytest.raises(DomainError) as err:
        tt.check_entry(s.scope, _entry(s, cls=s.c5b))
    assert err.value.code == "teacher_busy" and "5 А" in str(err.value)
    assert _code(tt.check_entry, s.scope,
                 _entry(s, cls=s.c5b, teacher=s.t2, room=s.room1)) == \
        "room_busy"
    assert _code(tt.check_entry, s.scope, _entry(s, teacher=s.t2, subject=s.lang)) == "class_busy"
    _add(_entry(s, cls=s.c5b, teacher=s.t2, room=s.room2))  # another room and teacher
    _add(_entry(s, slot=1))  # next lesson
    _add(_entry(s, weekday=2))  # another day


def test_subgroups_may_share_time(s):
    """May two subgroups of a class have lessons at the same time, but not with the class?"""
    g1, g2 = (Subgroup(organization_id=s.school.id, class_id=s.c5a.id, subject_id=s.eng.id,
                       name=n) for n in ("1", "2"))
    db.session.add_all([g1, g2])
    db.session.flush()
    _add(_entry(s, subject=s.eng, subgroup=g1, subgroup_id=g1.id))
    _add(_entry(s, subject=s.eng, teacher=s.t2, subgroup=g2, subgroup_id=g2.id))
    assert _code(tt.check_entry, s.scope, _entry(s, teacher=s.t3, subject=s.lang)) == "class_busy"


def test_weekday_within_lesson_days(s):
    """Is a Saturday lesson refused in a five-day school and accepted in a six-day one?"""
    assert _code(tt.check_entry, s.scope, _entry(s, weekday=6)) == "weekday_range"
    db.session.get(StudySettings, s.settings.id).lesson_days = 6
    db.session.flush()
    _add(_entry(s, weekday=6))


def test_generate_lessons_idempotent_and_bounded(s, count_queries):
    """Does generation create one lesson per week and entry, keep existing lessons, and run
    a number of queries that does not grow with the timetable?"""
    _add(_entry(s, weekday=1))
    _add(_entry(s, weekday=3, slot=2, cls=s.c5b, teacher=s.t2))
    with count_queries() as small:
        n = tt.generate_lessons(s.scope, s.q1)
    # quarter 1: 1 Sep (Tue) - 30 Oct 2026: 8 Mondays, 9 Wednesdays
    assert n == 17
    assert tt.generate_lessons(s.scope, s.q1) == 0
    for day in range(1, 6):
        for slot in range(3, 6):
            _add(_entry(s, weekday=day, slot=slot, teacher=s.t3, subject=s.lang))
    db.session.execute(Lesson.__table__.delete())
    with count_queries() as big:
        n = tt.generate_lessons(s.scope, s.q1)
    assert n > 100
    assert big.count <= small.count + 1


def _lesson(s, **kw):
    _add(_entry(s, **kw))
    tt.generate_lessons(system_scope(), s.q1)
    return db.session.scalars(select(Lesson).order_by(Lesson.date)).first()


def test_substitution_before_start(s):
    """Is a substitute recorded before the lesson, and refused when the same or busy?"""
    lesson = _lesson(s)
    before = dt.datetime(2026, 8, 1)
    assert _code(tt.substitute, s.scope, lesson, s.t1.id, "ill", now=before) == "substitute_same"
    assert _code(tt.substitute, s.scope, lesson, s.t2.id, " ", now=before) == "required"
    _add(_entry(s, cls=s.c5b, teacher=s.t2))
    tt.generate_lessons(s.scope, s.q1)
    assert _code(tt.substitute, s.scope, lesson, s.t2.id, "ill", now=before) == "teacher_busy"
    tt.substitute(s.scope, lesson, s.t3.id, "ill", now=before)
    assert lesson.status == LessonStatus.substituted and lesson.substitute_teacher_id == s.t3.id


def test_substitution_after_start_only_admin(s, app, net):
    """After the lesson started, is a substitution refused to a deputy director and allowed
    to an administrator, and is it logged?"""
    from flask import g

    lesson = _lesson(s)
    late = dt.datetime(2027, 1, 1)
    deputy = build_scope(net.deputy_a.person.user)
    with app.test_request_context():
        g.user = net.deputy_a.person.user
        assert _code(tt.substitute, deputy, lesson, s.t2.id, "ill", now=late) == \
            "lesson_started"
        g.user = net.school_a_admin.person.user
        tt.substitute(s.scope, lesson, s.t2.id, "ill", now=late)
        db.session.commit()
    n = db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.table_name == "lesson", AuditRecord.action == "update"))
    assert n >= 1


def test_cancel_needs_reason_and_not_twice(s):
    """Does a cancellation need a reason, and is a cancelled lesson not cancelled again?"""
    lesson = _lesson(s)
    before = dt.datetime(2026, 8, 1)
    assert _code(tt.cancel, s.scope, lesson, "", now=before) == "required"
    tt.cancel(s.scope, lesson, "quarantine", now=before)
    assert lesson.status == LessonStatus.cancelled
    assert _code(tt.cancel, s.scope, lesson, "again", now=before) == "lesson_cancelled"
    assert _code(tt.substitute, s.scope, lesson, s.t2.id, "x", now=before) == "lesson_cancelled"


def test_other_school_may_not_change_the_timetable(s, net):
    """Can the administrator of School B1 (or a caller with no scope) add a weekly lesson or
    a bell to School A1, generate its lessons, or substitute or cancel one? Is nothing
    changed?"""
    lesson = _lesson(s)
    n = db.session.scalar(select(func.count()).select_from(Lesson))
    other = build_scope(net.school_b_admin.person.user)
    before = dt.datetime(2026, 8, 1)
    for scope in (other, UserScope()):
        with pytest.raises(ScopeError) as err:
            tt.check_entry(scope, _entry(s, weekday=2))
        assert err.value.code == "scope"
        with pytest.raises(ScopeError):
            tt.check_slot(scope, BellSlot(schedule_id=s.bells.id, number=9,
                                          starts_at=dt.time(16), ends_at=dt.time(16, 45)))
        assert _code(tt.generate_lessons, scope, s.q1) == "scope"
        assert _code(tt.substitute, scope, lesson, s.t2.id, "ill", now=before) == "scope"
        assert _code(tt.cancel, scope, lesson, "quarantine", now=before) == "scope"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == n
    assert db.session.scalar(select(func.count()).select_from(Lesson).where(
        Lesson.status != LessonStatus.planned)) == 0
