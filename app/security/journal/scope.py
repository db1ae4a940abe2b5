"""Who may read and change which part of the class journal (issue 4). One place for the
journal's row-level rules: the grid, the REST resources, the reports and the diary use
these functions and clauses, never their own.

Rules (seed 003 §15-§16, issue 4 "Who may change what, and when"):
- a teacher writes marks only in lessons they teach or substitute (``Lesson.teacher_id`` or
  ``Lesson.substitute_teacher_id`` is one of the user's persons, with an active membership in
  the school);
- a class teacher reads every subject of their class and records attendance in it;
- the director, deputy directors and the school's administrators read the whole journal of
  their school and write nothing in it (they grant temporary access, see
  :func:`can_grant_access`); district staff read the journals of their schools;
- a student reads only their own records, a parent only their children's
  (:func:`readable_student_ids`);
- the superuser and the ministry read everything; nobody but the acting teacher writes marks.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, false, or_, select, true, tuple_

from app.extensions import db
from app.models.journal import AccessGrant
from app.models.people import Membership, ParentLink, Role
from app.models.study import SchoolClass
from app.models.timetable import Lesson
from app.security.scopes import UserScope, current_scope, staff_read_clause


def _mine(scope: UserScope) -> list[int]:
    return sorted(scope.person_ids)


def class_teacher_class_ids_clause(scope: UserScope):
    """SQL: ids of the classes whose class teacher is the user (in a school they belong to)."""
    if not scope.person_ids or not scope.read_ids:
        return select(SchoolClass.id).where(false())
    # never correlated: the clause also works inside queries that join SchoolClass
    return select(SchoolClass.id).where(
        SchoolClass.class_teacher_id.in_(_mine(scope)),
        SchoolClass.organization_id.in_(sorted(scope.read_ids))).correlate(None)


def lesson_read_clause(scope: UserScope | None = None):
    """SQL condition on :class:`Lesson` rows whose journal the user reads as staff or teacher:
    staff of the school or district; the lesson's teacher or substitute; the class teacher of
    the lesson's class. (Students and parents read through :func:`readable_student_ids`.)"""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    parts = [staff_read_clause(Lesson.organization_id, scope)]
    if scope.person_ids and scope.read_ids:
        in_school = Lesson.organization_id.in_(sorted(scope.read_ids))
        parts.append(and_(in_school, or_(Lesson.teacher_id.in_(_mine(scope)),
                                         Lesson.substitute_teacher_id.in_(_mine(scope)))))
        parts.append(Lesson.class_id.in_(class_teacher_class_ids_clause(scope)))
    return or_(*parts)


def section_read_clause(class_column, subject_column, org_column,
                        scope: UserScope | None = None, *, one_section: bool = False):
    """SQL condition on rows of a class x subject (final grades, history, grants): staff read,
    the class teacher of the class, or a teacher with a lesson of that class and subject.

    Over many rows (history, grades) the "teaches a lesson of it" part is the list of the
    (class, subject) pairs the user teaches, computed once - a subquery per row made a
    history of 250,000 rows take a minute. ``one_section=True`` is for a query over one
    section (the journal grid's header): the same rule as an EXISTS on that section's
    lessons, instead of reading all of the teacher's lessons of the year."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    parts = [staff_read_clause(org_column, scope)]
    if scope.person_ids and scope.read_ids:
        parts.append(class_column.in_(class_teacher_class_ids_clause(scope)))
        teaches = and_(Lesson.organization_id.in_(sorted(scope.read_ids)),
                       or_(Lesson.teacher_id.in_(_mine(scope)),
                           Lesson.substitute_teacher_id.in_(_mine(scope))))
        if one_section:
            parts.append(select(Lesson.id).where(
                Lesson.class_id == class_column, Lesson.subject_id == subject_column,
                teaches).exists())
        else:
            taught = select(Lesson.class_id, Lesson.subject_id).where(
                teaches).distinct().correlate(None)
            parts.append(tuple_(class_column, subject_column).in_(taught))
    return or_(*parts)


def teaches_lesson(lesson: Lesson, scope: UserScope | None = None) -> bool:
    """Is the user the lesson's acting teacher (its teacher, or its substitute when one is
    set) with an active membership in the school? Only they write its marks."""
    scope = scope or current_scope()
    if lesson.organization_id not in scope.read_ids:
        return False
    acting = {lesson.teacher_id}
    if lesson.substitute_teacher_id:
        acting.add(lesson.substitute_teacher_id)
    return bool(acting & scope.person_ids)


def is_class_teacher_of(class_id: int, org_id: int, scope: UserScope | None = None) -> bool:
    scope = scope or current_scope()
    if org_id not in scope.read_ids or not scope.person_ids:
        return False
    return db.session.execute(
        select(SchoolClass.id).where(SchoolClass.id == class_id,
                                     SchoolClass.class_teacher_id.in_(_mine(scope)))
    ).first() is not None


def can_write_marks(lesson: Lesson, scope: UserScope | None = None) -> bool:
    """Marks, remarks and the lesson panel: only the acting teacher."""
    return teaches_lesson(lesson, scope)


def can_write_attendance(lesson: Lesson, scope: UserScope | None = None) -> bool:
    """Attendance: the acting teacher, or the class teacher of the lesson's class."""
    scope = scope or current_scope()
    return teaches_lesson(lesson, scope) or is_class_teacher_of(
        lesson.class_id, lesson.organization_id, scope)


def can_grant_access(org_id: int, scope: UserScope | None = None) -> bool:
    """Temporary access grants are given by the school's administration: the
    coordinator-administrator (or a member with the administrator right), the director and
    the deputy directors (seed 003 §15)."""
    scope = scope or current_scope()
    if scope.everything:
        return True
    return org_id in scope.staff_read_ids


def active_grant(person_ids, class_id: int, subject_id: int, period_id: int | None,
                 today: dt.date) -> AccessGrant | None:
    """The temporary access grant that lets one of ``person_ids`` change a closed section
    today, if any (expired by date or revoked grants do not count). One query."""
    if not person_ids or period_id is None:
        return None
    return db.session.scalars(
        select(AccessGrant).where(
            AccessGrant.grantee_id.in_(sorted(person_ids)),
            AccessGrant.class_id == class_id, AccessGrant.subject_id == subject_id,
            AccessGrant.period_id == period_id, AccessGrant.until >= today,
            AccessGrant.revoked_at.is_(None))
        .order_by(AccessGrant.until.desc()).limit(1)
    ).first()


def readable_student_ids(scope: UserScope | None = None) -> set[int]:
    """Pupils whose own records (diary) the user reads as a student or parent: themselves
    when they are an active student, their children through :class:`ParentLink` when they
    are an active parent."""
    scope = scope or current_scope()
    ids: set[int] = set()
    if not scope.person_ids:
        return ids
    roles = db.session.execute(
        select(Membership.person_id, Membership.role).where(
            Membership.person_id.in_(_mine(scope)), Membership.end_date.is_(None),
            Membership.role.in_([Role.student, Role.parent]))
    ).all()
    if any(r == Role.student for _, r in roles):
        ids |= {p for p, r in roles if r == Role.student}
    parents = sorted({p for p, r in roles if r == Role.parent})
    if parents:
        ids |= set(db.session.scalars(
            select(ParentLink.student_id).where(ParentLink.parent_id.in_(parents))))
    return ids


def final_writer(class_id: int, subject_id: int, period_ids, scope: UserScope | None = None
                 ) -> int | None:
    """The user's person that sets the period (or year) grades of a class x subject, or None.

    Rule (jgrades decision, docs/journal-grades.md): the teacher of any lesson of the class
    and subject in the periods, or the substitute of the most recent of those lessons (a
    teacher standing in until the end of the term); with an active membership in the school.
    The director, the class teacher (unless they teach it) and a one-day substitute do not.
    One query."""
    scope = scope or current_scope()
    if not scope.person_ids or not scope.read_ids or not period_ids:
        return None
    rows = db.session.execute(
        select(Lesson.organization_id, Lesson.teacher_id, Lesson.substitute_teacher_id)
        .where(Lesson.class_id == class_id, Lesson.subject_id == subject_id,
               Lesson.period_id.in_(sorted(period_ids)))
        .order_by(Lesson.date.desc(), Lesson.number.desc())).all()
    for i, (org_id, teacher_id, substitute_id) in enumerate(rows):
        if org_id not in scope.read_ids:
            continue
        if teacher_id in scope.person_ids:
            return teacher_id
        if i == 0 and substitute_id in scope.person_ids:
            return substitute_id
    return None


def final_read_clause(scope: UserScope | None = None):
    """SQL condition on :class:`FinalGrade` rows the user reads: the section's readers
    (:func:`section_read_clause`) or the pupil's own / a parent's children's grades."""
    from app.models.journal import FinalGrade

    scope = scope or current_scope()
    if scope.everything:
        return true()
    parts = [section_read_clause(FinalGrade.class_id, FinalGrade.subject_id,
                                 FinalGrade.organization_id, scope)]
    own = readable_student_ids(scope)
    if own:
        parts.append(FinalGrade.student_id.in_(sorted(own)))
    return or_(*parts)


def grant_admin_clause(org_column, scope: UserScope | None = None):
    """SQL condition: the user grants temporary access in the organisation ``org_column``
    (:func:`can_grant_access`: the school's administrator, director, deputy directors)."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    return org_column.in_(sorted(scope.staff_read_ids)) if scope.staff_read_ids else false()


def grant_read_clause(scope: UserScope | None = None):
    """SQL condition on :class:`AccessGrant` rows the user reads: staff and district staff
    of the school read all of them; a teacher reads the grants given to them."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    parts = [staff_read_clause(AccessGrant.organization_id, scope)]
    if scope.person_ids:
        parts.append(AccessGrant.grantee_id.in_(_mine(scope)))
    return or_(*parts)

def active_grant_clause(person_ids, class_column, subject_column, period_column,
                        today: dt.date):
    """SQL: the active grants (id, until) of ``person_ids`` for a class x subject x period
    given as columns or values, latest first (the rule of :func:`active_grant`)."""
    return (select(AccessGrant.id, AccessGrant.until).where(
        AccessGrant.grantee_id.in_(sorted(person_ids) or [-1]),
        AccessGrant.class_id == class_column, AccessGrant.subject_id == subject_column,
        AccessGrant.period_id == period_column, AccessGrant.until >= today,
        AccessGrant.revoked_at.is_(None))
        .order_by(AccessGrant.until.desc()).limit(1))


def active_grant_ref(person_ids, class_id: int, subject_id: int, period_id: int | None,
                     today: dt.date):
    """Like :func:`active_grant` but only ``(id, until)`` of the grant (or None): one light
    query for the cell service, which needs no related rows."""
    if not person_ids or period_id is None:
        return None
    return db.session.execute(
        active_grant_clause(person_ids, class_id, subject_id, period_id, today)).first()


def diary_staff_student_clause(person_column, scope: UserScope | None = None):
    """SQL condition on pupils (``person_column``) whose diary and summary sheet the user
    opens as school staff (issue 4, diary): the class teacher of a class the pupil is (or
    was) enrolled in, the school's administration (director, deputies, administrators) and
    district staff of the school. A subject teacher does not open the diary of a pupil of
    another class: they read the pupil's marks in their own journal section."""
    from app.models.study import ClassEnrollment

    scope = scope or current_scope()
    if scope.everything:
        return true()
    staff = staff_read_clause(ClassEnrollment.organization_id, scope)
    parts = [staff]
    if scope.person_ids and scope.read_ids:
        parts.append(ClassEnrollment.class_id.in_(class_teacher_class_ids_clause(scope)))
    return select(ClassEnrollment.id).where(
        ClassEnrollment.person_id == person_column, or_(*parts)
    ).correlate_except(ClassEnrollment).exists()


def diary_staff_class_clause(scope: UserScope | None = None):
    """SQL condition on :class:`SchoolClass` rows whose pupils' diaries and summary sheets
    the user opens as staff (the class list of the diary, a class's summary sheets): the
    class teacher of the class, the school's administration and district staff - the rule
    of :func:`diary_staff_student_clause` for a whole class."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    return or_(staff_read_clause(SchoolClass.organization_id, scope),
               SchoolClass.id.in_(class_teacher_class_ids_clause(scope)))


def can_open_diary_as_staff(student_id: int, scope: UserScope | None = None) -> bool:
    """May the user open the pupil's diary or print their summary sheet as staff? One query."""
    from app.models.people import Person

    scope = scope or current_scope()
    return db.session.execute(
        select(Person.id).where(Person.id == student_id,
                                diary_staff_student_clause(Person.id, scope))
    ).first() is not None


def can_read_diary(student_id: int, scope: UserScope | None = None) -> bool:
    """The pupil's diary: the pupil, their parents (:func:`readable_student_ids`) and the
    staff of :func:`diary_staff_student_clause`. Nobody else (a foreign id gives 404)."""
    scope = scope or current_scope()
    if student_id in readable_student_ids(scope):
        return True
    return can_open_diary_as_staff(student_id, scope)
