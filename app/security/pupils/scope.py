"""Who reads which part of a pupil's personal file (issue 5, seed 003 §53-§58).

General parts (personal data, contacts, addresses, previous education, form of education,
achievements, characterisation, photo, parents):
- superuser, ministry administrator, technical operator: every file;
- district staff: the files of the schools of their district (read only);
- school coordinator-administrator (or a member with the administrator right), director,
  deputy director, teachers and class teachers: the files of their school;
- a pupil: their own file; a parent or legal representative: their children's files.

Sensitive parts (medical notes, social status and benefits) are read ONLY by
- the superuser (FAB ``Admin``);
- the school administration of the file's school: coordinator-administrator (or the
  administrator right), director, deputy director (``UserScope.staff_read_ids``);
- the class teacher of the pupil's current class (``SchoolClass.class_teacher_id`` of an
  open ``ClassEnrollment`` in the file's school).
Not by teachers, the district, the ministry, the pupil or the parents.

Changes: the school's writers (``can_write_org``); the characterisation also by the
pupil's class teacher.

Every rule is an SQL condition on the file's organisation and person columns, used by the
views' and REST APIs' ``base_filters`` and by the services' look-ups.
"""
from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select, true

from app.extensions import db
from app.models.people import Membership, ParentLink, Person, Role
from app.security.filters import _ScopeFilter
from app.security.scopes import (
    UserScope,
    current_scope,
    org_clause,
    readable_orgs_clause,
)

#: school roles that read the general parts of every file of their school
SCHOOL_STAFF_ROLES = (Role.school_admin, Role.director, Role.deputy_director, Role.teacher,
                      Role.class_teacher)


def _is_superuser(scope: UserScope) -> bool:
    """The FAB ``Admin`` (``build_scope`` gives it everything and no membership roles);
    ministry administrators and technical operators also see everything, but not the
    sensitive parts."""
    return scope.everything and not (scope.roles & {Role.ministry_admin, Role.tech_operator})


def _staff_orgs(scope: UserScope):
    """Schools where the user holds an active staff role (or the administrator right)."""
    return (select(Membership.organization_id)
            .join(Person, Person.id == Membership.person_id)
            .where(Person.user_id == scope.user_id, Membership.end_date.is_(None),
                   or_(Membership.role.in_(SCHOOL_STAFF_ROLES), Membership.is_admin.is_(True))))


def _own_clause(person_column, scope: UserScope):
    """The pupil is the user, or a child of the user (parent link)."""
    if not scope.person_ids:
        return false()
    mine = sorted(scope.person_ids)
    return or_(person_column.in_(mine),
               person_column.in_(select(ParentLink.student_id)
                                 .where(ParentLink.parent_id.in_(mine))))


def general_clause(org_column, person_column, scope: UserScope | None = None):
    """SQL condition: the general parts of the file are readable."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    if scope.user_id is None:
        return false()
    parts = [_own_clause(person_column, scope)]
    if scope.read_ids:
        parts.append(and_(org_column.in_(sorted(scope.read_ids)),
                          org_column.in_(_staff_orgs(scope))))
    if scope.read_subtrees:
        district = UserScope(user_id=scope.user_id, read_subtrees=scope.read_subtrees)
        parts.append(org_column.in_(select(_org_id()).where(readable_orgs_clause(district))))
    return or_(*parts)


def _org_id():
    from app.models.org import Organization

    return Organization.id


def class_teacher_clause(org_column, person_column, scope: UserScope):
    """SQL condition: the user is the class teacher of the pupil's current class in the
    file's school."""
    from app.models.study import ClassEnrollment, SchoolClass

    if not scope.person_ids or not scope.read_ids:
        return false()
    return and_(org_column.in_(sorted(scope.read_ids)), exists(
        select(ClassEnrollment.id)
        .join(SchoolClass, SchoolClass.id == ClassEnrollment.class_id)
        .where(ClassEnrollment.person_id == person_column,
               ClassEnrollment.organization_id == org_column,
               ClassEnrollment.to_date.is_(None),
               SchoolClass.class_teacher_id.in_(sorted(scope.person_ids)))))


def sensitive_clause(org_column, person_column, scope: UserScope | None = None):
    """SQL condition: the medical and social parts are readable."""
    scope = scope or current_scope()
    if scope.everything:
        return true() if _is_superuser(scope) else false()
    if scope.user_id is None:
        return false()
    parts = [class_teacher_clause(org_column, person_column, scope)]
    if scope.staff_read_ids:
        parts.append(org_column.in_(sorted(scope.staff_read_ids)))
    return or_(*parts)


def characterisation_write_clause(org_column, person_column, scope: UserScope | None = None):
    """SQL condition: the user may write the characterisation (school writer or the pupil's
    class teacher)."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    return or_(org_clause(org_column, scope, write=True),
               class_teacher_clause(org_column, person_column, scope))


def _file_has(file_id: int, clause, scope: UserScope | None) -> bool:
    from app.models.pupil_file import PupilFile

    return db.session.execute(select(PupilFile.id).where(PupilFile.id == file_id, clause(
        PupilFile.organization_id, PupilFile.person_id, scope))).first() is not None


def can_read_file(file_id: int, scope: UserScope | None = None) -> bool:
    return _file_has(file_id, general_clause, scope)


def can_read_sensitive(file_id: int, scope: UserScope | None = None) -> bool:
    return _file_has(file_id, sensitive_clause, scope)


def can_write_characterisation(file_id: int, scope: UserScope | None = None) -> bool:
    return _file_has(file_id, characterisation_write_clause, scope)


class PupilFileReadFilter(_ScopeFilter):
    """Files whose general parts the user reads (column: organization_id)."""

    def apply(self, query, value):
        return query.filter(general_clause(self._column(), self.model.person_id))


class PupilSensitiveReadFilter(_ScopeFilter):
    """Files whose medical and social parts the user reads (column: organization_id)."""

    def apply(self, query, value):
        return query.filter(sensitive_clause(self._column(), self.model.person_id))


class PupilPartReadFilter(_ScopeFilter):
    """Rows of a file (achievements) readable with the file (column: file_id)."""

    def apply(self, query, value):
        from app.models.pupil_file import PupilFile

        files = select(PupilFile.id).where(
            general_clause(PupilFile.organization_id, PupilFile.person_id))
        return query.filter(self._column().in_(files))
