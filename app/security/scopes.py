"""Row-level scope rules: which organisations (and so which rows) a user may read or change.

This is the one place these rules live. ``app.security.filters`` wraps them as
Flask-AppBuilder ``BaseFilter``s for the generated views and REST APIs, and
services call ``can_write_org`` / ``org_clause`` for their own look-ups.

Rules (see docs/roles.md):
- superuser (FAB ``Admin``), ministry administrator, technical operator: everything;
- district head, deputy, administrator, employee: read the district and the
  organisations below it that are not excluded from its subordinate list; the
  district administrator (or a member with the administrator right) changes the
  district's own profile and people;
- school coordinator-administrator (or a member with the administrator right):
  read and change their own school;
- director, deputy director, teachers, students, parents: read their own school
  (what they may see in it is limited further by role permissions).
Only active memberships (no end date) give a scope: an excluded person keeps the
account but loses the organisation's data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, has_request_context
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from app.extensions import db
from app.models.org import Organization
from app.models.people import Membership, Person, Role

ALL_ROLES = {Role.ministry_admin, Role.tech_operator}
DISTRICT_ROLES = {Role.district_head, Role.district_deputy, Role.district_admin,
                  Role.district_employee}
SUPERUSER_ROLE = "Admin"
#: school roles that read all of their school's study process (not only their own rows)
STAFF_READ_ROLES = {Role.school_admin, Role.director, Role.deputy_director}
#: a member with one of these roles - or any member with the administrator right - changes
#: the organisation's data (the organisation's "writers")
WRITER_ROLES = frozenset({Role.school_admin, Role.district_admin})


def writes(role, is_admin) -> bool:
    """Does a membership with ``role`` (and the administrator right or not) write?"""
    return role in WRITER_ROLES or bool(is_admin)


def writer_members_clause():
    """SQL on :class:`Membership`: the active memberships that write (rule of
    :func:`writes`), e.g. to tell a school's administrators about something."""
    return and_(Membership.end_date.is_(None),
                or_(Membership.role.in_(sorted(WRITER_ROLES)), Membership.is_admin.is_(True)))


@dataclass
class UserScope:
    """What one user may read and change, as organisation ids and subtree roots."""

    user_id: int | None = None
    everything: bool = False
    read_ids: set[int] = field(default_factory=set)
    read_subtrees: dict[int, str] = field(default_factory=dict)  # district id -> path
    write_ids: set[int] = field(default_factory=set)
    roles: set[Role] = field(default_factory=set)
    #: schools where the user plans the study process (write scope + deputy director)
    plan_ids: set[int] = field(default_factory=set)
    #: schools the user reads as staff (not only as a teacher, student or parent)
    staff_read_ids: set[int] = field(default_factory=set)
    #: the user's own person ids (rows "of mine": own lessons, own load)
    person_ids: set[int] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.read_ids or self.read_subtrees)


def build_scope(user) -> UserScope:
    """Compute a user's scope from their active memberships (one query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return UserScope()
    scope = UserScope(user_id=user.id)
    if any(r.name == SUPERUSER_ROLE for r in getattr(user, "roles", [])):
        scope.everything = True
        return scope
    rows = db.session.execute(
        select(Membership.role, Membership.is_admin, Organization.id, Organization.path,
               Person.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .join(Person, Person.id == Membership.person_id)
        .where(Person.user_id == user.id, Membership.end_date.is_(None),
               Organization.closed_on.is_(None))
    ).all()
    for role, is_admin, org_id, path, person_id in rows:
        scope.roles.add(role)
        scope.person_ids.add(person_id)
        if role in ALL_ROLES:
            scope.everything = True
        elif role in DISTRICT_ROLES:
            scope.read_subtrees[org_id] = path
            if writes(role, is_admin):
                scope.write_ids.add(org_id)
        else:
            scope.read_ids.add(org_id)
            if writes(role, is_admin):
                scope.write_ids.add(org_id)
            if role in STAFF_READ_ROLES or is_admin:
                scope.staff_read_ids.add(org_id)
            if role == Role.deputy_director:
                scope.plan_ids.add(org_id)
    scope.plan_ids |= scope.write_ids
    if not scope.person_ids:
        scope.person_ids = set(db.session.scalars(
            select(Person.id).where(Person.user_id == user.id)))
    return scope


def system_scope() -> UserScope:
    """Everything, asked for on purpose by a caller that acts for the system itself (the
    CLI, the demo builder, data generators, test set-up) - never by request code."""
    return UserScope(everything=True)


def current_scope() -> UserScope:
    """The scope of the user of this request, computed once per request. Outside a request
    it is empty: a command run from the CLI or a script sees nothing unless its caller
    hands it :func:`system_scope` explicitly."""
    if not has_request_context():
        return UserScope()
    scope = getattr(g, "_kd_scope", None)
    if scope is None or scope.user_id != getattr(getattr(g, "user", None), "id", None):
        scope = build_scope(getattr(g, "user", None))
        g._kd_scope = scope
    return scope


def reset_scope() -> None:
    if has_request_context() and hasattr(g, "_kd_scope"):
        del g._kd_scope


def readable_orgs_clause(scope: UserScope):
    """SQL condition on ``Organization`` rows the scope may read."""
    if scope.everything:
        return true()
    parts: list[ColumnElement[bool]] = []
    if scope.read_ids:
        parts.append(Organization.id.in_(sorted(scope.read_ids)))
    for district_id, path in scope.read_subtrees.items():
        parts.append(and_(
            Organization.path.like(path + "%"),
            or_(Organization.subordination_excluded.is_(False), Organization.id == district_id),
        ))
    return or_(*parts) if parts else false()


def org_clause(column, scope: UserScope | None = None, write: bool = False):
    """SQL condition: ``column`` (an organisation id) is readable / writable."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    if write:
        return column.in_(sorted(scope.write_ids)) if scope.write_ids else false()
    if column is Organization.id:
        return readable_orgs_clause(scope)
    return column.in_(select(Organization.id).where(readable_orgs_clause(scope)))


def person_clause(person_id_column, scope: UserScope | None = None, write: bool = False,
                  active_only: bool = False):
    """SQL condition: the person has a membership in a readable / writable organisation."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    conds = [Membership.person_id == person_id_column,
             org_clause(Membership.organization_id, scope, write)]
    if active_only:
        conds.append(Membership.end_date.is_(None))
    return exists(select(Membership.id).where(*conds))


def can_read_org(org_id: int | None, scope: UserScope | None = None) -> bool:
    scope = scope or current_scope()
    if org_id is None:
        return scope.everything
    if scope.everything:
        return True
    return db.session.execute(
        select(Organization.id).where(Organization.id == org_id, readable_orgs_clause(scope))
    ).first() is not None


def can_write_org(org_id: int | None, scope: UserScope | None = None) -> bool:
    scope = scope or current_scope()
    if scope.everything:
        return True
    return org_id is not None and org_id in scope.write_ids


def can_write_person(person_id: int | None, scope: UserScope | None = None) -> bool:
    scope = scope or current_scope()
    if scope.everything:
        return True
    if person_id is None:
        return bool(scope.write_ids)
    return db.session.execute(
        select(Person.id).where(Person.id == person_id, person_clause(Person.id, scope, True))
    ).first() is not None


def can_plan_org(org_id: int | None, scope: UserScope | None = None) -> bool:
    """May the user change the study process (years, classes, curriculum, timetable,
    substitutions, plans) of this school? Write scope or an active deputy director."""
    scope = scope or current_scope()
    if scope.everything:
        return True
    return org_id is not None and org_id in scope.plan_ids


def plan_clause(column, scope: UserScope | None = None):
    """SQL condition: ``column`` (an organisation id) is a school the user plans."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    return column.in_(sorted(scope.plan_ids)) if scope.plan_ids else false()


def staff_read_clause(column, scope: UserScope | None = None):
    """SQL condition: the user reads the organisation as staff: superuser, district staff of
    it, or a school administrator, director or deputy director of it."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    parts = []
    if scope.staff_read_ids:
        parts.append(column.in_(sorted(scope.staff_read_ids)))
    if scope.read_subtrees:
        sub = UserScope(read_subtrees=scope.read_subtrees)
        parts.append(column.in_(select(Organization.id).where(readable_orgs_clause(sub))))
    return or_(*parts) if parts else false()


def own_or_staff_clause(org_column, person_columns, scope: UserScope | None = None):
    """SQL condition for study rows: read as staff, or the row is the user's own (one of
    ``person_columns``, e.g. the teacher, is the user's person) in a readable school."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    parts = [staff_read_clause(org_column, scope)]
    if scope.person_ids and person_columns and scope.read_ids:
        mine = or_(*[c.in_(sorted(scope.person_ids)) for c in person_columns])
        parts.append(and_(org_column.in_(sorted(scope.read_ids)), mine))
    return or_(*parts)


def can_staff_read_org(org_id: int | None, scope: UserScope | None = None) -> bool:
    scope = scope or current_scope()
    if scope.everything:
        return True
    if org_id is None:
        return False
    if org_id in scope.staff_read_ids:
        return True
    if not scope.read_subtrees:
        return False
    sub = UserScope(read_subtrees=scope.read_subtrees)
    return db.session.execute(
        select(Organization.id).where(Organization.id == org_id, readable_orgs_clause(sub))
    ).first() is not None
