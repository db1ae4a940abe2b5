"""The cell service (app/services/journal/write.py, entry.py, panel.py): every refusal, versions, conflicts,
replays, history, fill down and the lesson panel."""
import datetime as dt

import pytest

from app import clock
from app.extensions import db as _db
from app.models.journal import (
    AccessGrant,
    Attendance,
    FinalGrade,
    FinalKind,
    GradingPolicyName,
    JournalCell,
    JournalChange,
    JournalOp,
    JournalSettings,
    LessonRecord,
    Mark,
)
from app.models.study import ClassEnrollment
from app.models.timetable import LessonPlan, LessonStatus, PlanTopic
from app.security.scopes import UserScope, build_scope
from app.services.errors import ConflictError, ScopeError, ValidationError
from app.services.journal import entry, panel, write
from app.services.journal.edit_window import EditWindowClosedError
from tests import factories

TODAY = dt.date(2026, 9, 10)


@pytest.fixture()
def s(net, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return factories.journal_school(net)


def save(s, lesson=None, student=None, user=None, **kw):
    user = user or s.t1.user
    lesson = lesson or s.lessons[0]
    student = student or s.pupils[0]
    kw.setdefault("base_version", 0)
    kw.setdefault("op_id", None)
    return write.save_cell(build_scope(user), lesson, student.id,
                           actor_person_id=s.t1.id, user_id=user.id, **kw)


def code_of(excinfo):
    return excinfo.value.code


def test_marks_saved_with_history_and_version(s):
    """Does a save store the marks, bump the version and write "4" -> "4 5" in the history?"""
    r1 = save(s, marks=[4])
    assert r1.cell["version"] == 1 and r1.cell["marks"][0]["category"] == "formative"
    r2 = save(s, marks=[4, 5], base_version=1)
    assert r2.cell["version"] == 2
    assert [m.value for m in _db.session.query(Mark).order_by(Mark.position)] == [4, 5]
    changes = _db.session.query(JournalChange).order_by(JournalChange.id).all()
    assert [(c.old_value, c.new_value) for c in changes] == [("", "4"), ("4", "4 5")]
    assert changes[0].author_id == s.t1.id and changes[0].reason is None


def test_attendance_history_text(s):
    """Is attendance kept as "" -> "absent" and lateness with its minutes?"""
    save(s, attendance="absent")
    save(s, attendance="late", late_minutes=15, base_version=1)
    cell = _db.session.query(JournalCell).one()
    assert cell.attendance == Attendance.late and cell.late_minutes == 15
    texts = [(c.old_value, c.new_value) for c in
             _db.session.query(JournalChange).order_by(JournalChange.id)]
    assert texts == [("", "absent"), ("absent", "late 15")]


def test_stale_version_is_a_conflict_with_server_cell(s):
    """Does a save based on an old version get a conflict carrying the server's cell?"""
    save(s, marks=[5])
    with pytest.raises(write.CellConflict) as e:
        save(s, marks=[3], base_version=0)
    assert e.value.server["marks"][0]["value"] == 5 and e.value.server["version"] == 1
    assert [m.value for m in _db.session.query(Mark)] == [5]


def test_replayed_op_applies_once(s):
    """Does the offline queue's resend of one op id change the cell only once?"""
    r1 = save(s, marks=[5], op_id="abc")
    r2 = save(s, marks=[5], op_id="abc")
    assert r2.replayed and r2.cell["version"] == r1.cell["version"] == 1
    assert _db.session.query(JournalChange).count() == 1
    assert _db.session.query(JournalOp).count() == 1


def test_op_id_of_another_user_refused(s):
    """Can another user reuse an op id? No (op_id_taken)."""
    save(s, marks=[5], op_id="abc")
    with pytest.raises(ValidationError) as e:
        save(s, attendance="absent", op_id="abc", user=s.t3.user, base_version=1)
    assert code_of(e) == "op_id_taken"


def test_pupil_outside_enrolment_refused(s):
    """Can a mark be given to a pupil of another class, or before the pupil's enrolment?"""
    with pytest.raises(ValidationError) as e:
        save(s, student=s.outsider, marks=[5])
    assert code_of(e) == "not_enrolled"
    enr = _db.session.query(ClassEnrollment).filter_by(person_id=s.pupils[4].id).one()
    enr.from_date = dt.date(2026, 9, 5)
    _db.session.commit()
    with pytest.raises(ValidationError) as e:
        save(s, lesson=s.lessons[0], student=s.pupils[4], marks=[5])
    assert code_of(e) == "not_enrolled"


def test_only_acting_teacher_writes_marks(s, net):
    """Class teacher: attendance yes, marks no; another teacher and the director: nothing."""
    with pytest.raises(ScopeError) as e:
        save(s, user=s.t3.user, marks=[5])
    assert code_of(e) == "not_lesson_teacher"
    assert save(s, user=s.t3.user, attendance="ill").cell["attendance"]["code"] == "ill"
    factories.make_user(s.t2, "teacher_a_plain")
    _db.session.commit()
    with pytest.raises(ScopeError) as e:
        save(s, user=s.t2.user, attendance="absent", base_version=1)
    assert code_of(e) == "not_attendance_writer"
    with pytest.raises(ScopeError):
        save(s, user=net.director_a.person.user, marks=[5], base_version=1)


def test_mark_and_category_rules(s):
    """Are marks out of 2..5, foreign categories, too many marks and unknown codes refused?"""
    for marks, code in (([6], "mark_range"), ([1], "mark_range"),
                        ([{"value": 4, "category": "control"}], "category_not_allowed"),
                        ([5] * 6, "too_many_marks"),
                        ([{"value": 4, "category": "sum_section"}], "max_score_missing"),
                        ([{"value": 4, "work_type": "juggling"}], "work_type_unknown")):
        with pytest.raises(ValidationError) as e:
            save(s, marks=marks)
        assert code_of(e) == code, marks
    with pytest.raises(ValidationError) as e:
        save(s, attendance="sleeping")
    assert code_of(e) == "attendance_unknown"


def test_kyrgyz_school_categories(s, net):
    """In a kg_weighted school, are intermediate/control allowed and formative refused?"""
    _db.session.add(JournalSettings(organization_id=net.SA1.id,
                                    grading_policy=GradingPolicyName.kg_weighted))
    _db.session.commit()
    r = save(s, marks=[{"value": 4, "category": "control"}])
    assert r.cell["marks"][0]["category"] == "control"
    assert save(s, student=s.pupils[1], marks=[3]).cell["marks"][0]["category"] == \
        "intermediate"
    with pytest.raises(ValidationError) as e:
        save(s, student=s.pupils[2], marks=[{"value": 4, "category": "formative"}])
    assert code_of(e) == "category_not_allowed"


def test_summative_scores_within_max(s):
    """With a summative work out of 10, are scores 0..10 taken and 11 refused?"""
    lesson = s.lessons[0]
    panel.save_lesson_panel(build_scope(s.t1.user), lesson, category="sum_section", max_score=10,
                            base_version=0)
    assert save(s, marks=[0]).cell["marks"][0] == {
        "value": 0, "category": "sum_section", "work_type": None, "max_score": 10}
    with pytest.raises(ValidationError) as e:
        save(s, student=s.pupils[1], marks=[11])
    assert code_of(e) == "score_range"


def test_late_needs_minutes_within_lesson(s):
    """Does "late" need 1..45 minutes (the lesson's length)?"""
    for minutes in (None, 0, 46):
        with pytest.raises(ValidationError) as e:
            save(s, attendance="late", late_minutes=minutes)
        assert code_of(e) == "late_minutes_range"
    assert save(s, attendance="late", late_minutes=45).cell["attendance"]["minutes"] == 45


def test_cancelled_and_future_lessons_refused(s):
    """Can marks go into a cancelled lesson, or a lesson after today? No."""
    s.lessons[1].status = LessonStatus.cancelled
    _db.session.commit()
    with pytest.raises(ValidationError) as e:
        save(s, lesson=s.lessons[1], marks=[5])
    assert code_of(e) == "lesson_cancelled"
    with pytest.raises(ValidationError) as e:
        save(s, lesson=s.lessons[-1], marks=[5])
    assert code_of(e) == "lesson_in_future"


def test_edit_window_refusal_names_date(s, monkeypatch):
    """After the two-week window, is the save refused with the last day of the window?"""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 9, 17))
    with pytest.raises(EditWindowClosedError) as e:
        save(s, lesson=s.lessons[0], marks=[5])
    assert e.value.closed_on == dt.date(2026, 9, 16)
    assert "2026-09-16" in str(e.value)


def test_grant_opens_closed_window_with_reason(s, net, monkeypatch):
    """With an active grant, is a reason required, then kept in the history with the grant?"""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 10, 20))
    grant = AccessGrant(organization_id=net.SA1.id, granted_by_id=net.director_a.person.id,
                        grantee_id=s.t1.id, class_id=s.c5a.id, subject_id=s.math.id,
                        period_id=s.q1.id, until=dt.date(2026, 10, 25), reason="fix")
    _db.session.add(grant)
    _db.session.commit()
    with pytest.raises(ValidationError) as e:
        save(s, marks=[5])
    assert code_of(e) == "reason_required"
    save(s, marks=[5], reason="Typo in the paper journal")
    ch = _db.session.query(JournalChange).one()
    assert ch.reason == "Typo in the paper journal" and ch.grant_id == grant.id
    grant.revoked_at = dt.datetime(2026, 10, 19)
    _db.session.commit()
    with pytest.raises(EditWindowClosedError):
        save(s, marks=[4], base_version=1, reason="again")


def test_closed_period_refused(s, net):
    """Once the pupil's period grade exists, are the pupil's cells closed?"""
    _db.session.add(FinalGrade(organization_id=net.SA1.id, year_id=s.year.id,
                               kind=FinalKind.period, period_id=s.q1.id, class_id=s.c5a.id,
                               subject_id=s.math.id, student_id=s.pupils[0].id, value="5"))
    _db.session.commit()
    with pytest.raises(ValidationError) as e:
        save(s, marks=[5])
    assert code_of(e) == "period_closed"
    assert save(s, student=s.pupils[1], marks=[5]).cell["version"] == 1


def test_parse_entry_latin_and_cyrillic():
    """Are "4 5", н/n, у/e, б/i, о15/l15 understood, and nonsense refused?"""
    assert entry.parse_entry("4 5") == {"marks": [{"value": 4}, {"value": 5}]}
    for text, code in (("н", "absent"), ("N", "absent"), ("у", "excused"), ("e", "excused"),
                       ("б", "ill"), ("i", "ill")):
        assert entry.parse_entry(text)["attendance"]["code"] == code
    assert entry.parse_entry("о15")["attendance"] == {"code": "late", "minutes": 15}
    assert entry.parse_entry("l 5")["attendance"] == {"code": "late", "minutes": 5}
    with pytest.raises(ValidationError) as e:
        entry.parse_entry("x?")
    assert code_of(e) == "entry_unreadable"


def test_fill_down_fills_only_empty_open_cells(s, net):
    """Does fill down give every pupil without a mark the value, leaving others alone?"""
    save(s, student=s.pupils[0], marks=[3])
    _db.session.add(FinalGrade(organization_id=net.SA1.id, year_id=s.year.id,
                               kind=FinalKind.period, period_id=s.q1.id, class_id=s.c5a.id,
                               subject_id=s.math.id, student_id=s.pupils[1].id, value="5"))
    _db.session.commit()
    out = write.fill_down(build_scope(s.t1.user), s.lessons[0], "5",
                          actor_person_id=s.t1.id, user_id=s.t1.user.id)
    assert {c["student_id"] for c in out["cells"]} == {p.id for p in s.pupils[2:]}
    assert out["skipped"] == 1
    values = {(m.student_id, m.value) for m in _db.session.query(Mark)}
    assert (s.pupils[0].id, 3) in values and (s.pupils[2].id, 5) in values


def test_fill_down_attendance_by_class_teacher(s):
    """May the class teacher fill attendance down, but not marks?"""
    scope = build_scope(s.t3.user)
    out = write.fill_down(scope, s.lessons[0], "н", actor_person_id=s.t3.id,
                          user_id=s.t3.user.id)
    assert len(out["cells"]) == 5
    with pytest.raises(ScopeError):
        write.fill_down(scope, s.lessons[0], "5", actor_person_id=s.t3.id,
                        user_id=s.t3.user.id)


def test_save_cell_query_count(s, count_queries):
    """Does saving one mark take a handful of queries (not one per pupil or lesson)?"""
    save(s, marks=[4])
    lesson = _db.session.get(type(s.lessons[0]), s.lessons[0].id)
    scope = build_scope(s.t1.user)
    with count_queries() as q:
        write.save_cell(scope, lesson, s.pupils[0].id, marks=[4, 5], base_version=1, op_id="q1",
                        actor_person_id=s.t1.id, user_id=s.t1.user.id)
    assert q.count <= 16, q.statements


def test_lesson_panel_and_topic_suggestion(s, net):
    """Does the panel suggest the plan's next unused topic, save homework and detect a
    concurrent edit?"""
    plan = LessonPlan(organization_id=net.SA1.id, name="Maths 5", period_id=s.q1.id,
                      subject_id=s.math.id, parallel=5)
    _db.session.add(plan)
    _db.session.flush()
    t1 = PlanTopic(organization_id=net.SA1.id, plan_id=plan.id, position=1, title="Numbers")
    t2 = PlanTopic(organization_id=net.SA1.id, plan_id=plan.id, position=2, title="Fractions")
    _db.session.add_all([t1, t2])
    _db.session.commit()
    scope = build_scope(s.t1.user)
    assert panel.suggest_topic(s.lessons[0]).title == "Numbers"
    p = panel.save_lesson_panel(scope, s.lessons[0], plan_topic_id=t1.id, homework="p. 12",
                                homework_due="2026-09-07", homework_minutes=20,
                                work_type="homework", base_version=0)
    assert p["topic"] == "Numbers" and p["version"] == 1 and p["homework_minutes"] == 20
    assert panel.suggest_topic(s.lessons[1]).title == "Fractions"
    with pytest.raises(ConflictError):
        panel.save_lesson_panel(scope, s.lessons[0], homework="x", base_version=0)
    with pytest.raises(ValidationError) as e:
        panel.save_lesson_panel(scope, s.lessons[0], homework_due="2026-09-01",
                                base_version=1)
    assert code_of(e) == "homework_due_before_lesson"
    with pytest.raises(ScopeError):
        panel.save_lesson_panel(build_scope(s.t3.user), s.lessons[0], homework="x",
                                base_version=1)


def test_panel_category_must_fit_existing_marks(s):
    """Can the panel turn a lesson with a mark 5 into a summative work out of 3? No."""
    save(s, marks=[5])
    scope = build_scope(s.t1.user)
    with pytest.raises(ValidationError) as e:
        panel.save_lesson_panel(scope, s.lessons[0], category="sum_section", max_score=3,
                                base_version=0)
    assert code_of(e) == "marks_do_not_fit"
    panel.save_lesson_panel(scope, s.lessons[0], category="sum_section", max_score=10,
                            base_version=0)
    mark = _db.session.query(Mark).one()
    _db.session.refresh(mark)
    assert (mark.category.value, mark.max_score) == ("sum_section", 10)
    assert _db.session.query(JournalCell).one().version == 2


def test_cell_commands_refuse_another_school(s, net):
    """May an administrator of another school (or an empty scope) save a cell, fill a lesson
    down or save its panel? Each command refuses with ScopeError and nothing changes."""
    lesson = s.lessons[0]
    other = build_scope(net.school_b_admin.person.user)
    for scope in (other, UserScope()):
        with pytest.raises(ScopeError):
            write.save_cell(scope, lesson, s.pupils[0].id, marks=[5], attendance="absent",
                            base_version=0, op_id="x1", actor_person_id=None, user_id=None)
        with pytest.raises(ScopeError):
            write.fill_down(scope, lesson, "5", actor_person_id=None, user_id=None)
        with pytest.raises(ScopeError):
            write.fill_down(scope, lesson, "н", actor_person_id=None, user_id=None)
        with pytest.raises(ScopeError):
            panel.save_lesson_panel(scope, lesson, topic="Foreign", homework="x",
                                    base_version=0)
    _db.session.expire_all()
    assert _db.session.query(JournalCell).count() == 0
    assert _db.session.query(Mark).count() == 0
    assert _db.session.query(JournalChange).count() == 0
    assert _db.session.query(JournalOp).count() == 0
    assert _db.session.query(LessonRecord).count() == 0
    assert _db.session.get(type(lesson), lesson.id).topic is None
