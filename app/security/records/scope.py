"""Who reads staff files (seed 004 section 2): the school's coordinator-administrator (and
members with the administrator right), the director and deputy directors read and the first
two change their school's files; district staff read the files of their schools; a teacher
(or any other member) reads only their own file.

Built on ``app.security.scopes``: the organisation part comes from there, the per-role part
(which of the readable schools a user manages) is one extra sub-select.
"""
from __future__ import annotations

from sqlalchemy import and_, false, or_, select, true

from app.models.people import Membership, Person, Role
from app.security.filters import _ScopeFilter
from app.security.scopes import UserScope, current_scope, org_clause, readable_orgs_clause

#: roles that read every staff file of their own organisation
STAFF_READER_ROLES = (Role.school_admin, Role.director, Role.deputy_director)


def _managed_orgs(scope: UserScope):
    """Organisations where the user holds a staff-reader role (or the administrator right)."""
    return (select(Membership.organization_id)
            .join(Person, Person.id == Membership.person_id)
            .where(Person.user_id == scope.user_id, Membership.end_date.is_(None),
                   or_(Membership.role.in_(STAFF_READER_ROLES), Membership.is_admin.is_(True))))


def staff_orgs_clause(org_column, scope: UserScope | None = None):
    """SQL condition: every staff file of the organisation is readable by the user (they
    manage it, or it is under their district, or they see everything)."""
    from app.models.org import Organization

    scope = scope or current_scope()
    if scope.everything:
        return true()
    if scope.user_id is None:
        return false()
    parts = [and_(org_clause(org_column, scope), org_column.in_(_managed_orgs(scope)))]
    if scope.read_subtrees:
        district = UserScope(user_id=scope.user_id, read_subtrees=scope.read_subtrees)
        parts.append(org_column.in_(select(Organization.id).where(
            readable_orgs_clause(district))))
    return or_(*parts)


def staff_clause(org_column, person_column, scope: UserScope | None = None,
                 write: bool = False):
    """SQL condition on rows of a staff file (organisation id and person id columns): the
    whole organisation's files, or the user's own file."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    if write:
        return org_clause(org_column, scope, write=True)
    if scope.user_id is None:
        return false()
    return or_(staff_orgs_clause(org_column, scope),
               person_column.in_(select(Person.id).where(Person.user_id == scope.user_id)))


class StaffFileReadFilter(_ScopeFilter):
    """Staff files the user may read (column: organization_id)."""

    def apply(self, query, value):
        return query.filter(staff_clause(self._column(), self.model.person_id))


class StaffPartReadFilter(_ScopeFilter):
    """Parts of staff files (events, courses, documents...) the user may read
    (column: staff_file_id)."""

    def apply(self, query, value):
        from app.models.staff import StaffFile

        files = select(StaffFile.id).where(
            staff_clause(StaffFile.organization_id, StaffFile.person_id))
        return query.filter(self._column().in_(files))


def can_read_staff_file(f) -> bool:
    from app.extensions import db
    from app.models.staff import StaffFile

    return db.session.execute(select(StaffFile.id).where(
        StaffFile.id == f.id, staff_clause(StaffFile.organization_id, StaffFile.person_id))
    ).first() is not None
