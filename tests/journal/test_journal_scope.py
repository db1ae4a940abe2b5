"""The journal's row-level rules (app/security/journal/scope.py) on the journal factory."""
from sqlalchemy import select

from app.extensions import db
from app.models.timetable import Lesson
from app.security.journal.scope import (
    can_grant_access,
    can_write_attendance,
    can_write_marks,
    lesson_read_clause,
    readable_student_ids,
)
from app.security.scopes import build_scope
from tests import factories


def _readable_lessons(user):
    return set(db.session.scalars(select(Lesson.id).where(lesson_read_clause(build_scope(user)))))


def test_parent_reads_only_own_children(app, db, net):
    """Whose records does a parent read? Only their linked children's; a pupil only their own."""
    s = factories.journal_school(net)
    assert readable_student_ids(build_scope(s.parent.user)) == {s.pupils[0].id, s.pupils[1].id}
    assert readable_student_ids(build_scope(s.pupil.user)) == {s.pupil.id}
    assert readable_student_ids(build_scope(net.teacher_a.person.user)) == set()


def test_who_writes_marks_and_attendance(app, db, net):
    """Who may write a lesson's marks and attendance? Marks: only the acting teacher;
    attendance: also the class teacher; the director writes nothing."""
    s = factories.journal_school(net)
    lesson = s.lessons[0]
    teacher, class_teacher = build_scope(s.t1.user), build_scope(s.t3.user)
    director = build_scope(net.director_a.person.user)
    assert can_write_marks(lesson, teacher) and can_write_attendance(lesson, teacher)
    assert not can_write_marks(lesson, class_teacher)
    assert can_write_attendance(lesson, class_teacher)
    assert not can_write_marks(lesson, director) and not can_write_attendance(lesson, director)
    assert can_grant_access(net.SA1.id, director)
    assert not can_grant_access(net.SA1.id, teacher)


def test_substitute_writes_instead_of_teacher(app, db, net):
    """When a substitute is set, does the substitute write the lesson's marks? Yes."""
    s = factories.journal_school(net)
    lesson = s.lessons[0]
    lesson.substitute_teacher_id = s.t3.id
    db.session.commit()
    assert can_write_marks(lesson, build_scope(s.t3.user))


def test_lesson_read_scope(app, db, net):
    """Which lessons' journals does each role read? Teacher: own; class teacher: all of the
    class; director and district: all of the school; another school: none."""
    s = factories.journal_school(net)
    math = {x.id for x in s.lessons}
    lang = {x.id for x in s.lang_lessons}
    assert _readable_lessons(s.t1.user) == math
    assert _readable_lessons(s.t3.user) == math | lang
    assert _readable_lessons(net.director_a.person.user) == math | lang
    assert _readable_lessons(net.dist_a_head.person.user) == math | lang
    assert _readable_lessons(net.school_b_admin.person.user) == set()
    assert _readable_lessons(net.dist_b_admin.person.user) == set()
