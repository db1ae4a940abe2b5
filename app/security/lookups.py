"""Scoped look-ups behind the AJAX selects: what a user may pick in a form field."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import ColumnElement, and_, exists, func, or_, select

from app.extensions import db
from app.models.org import Organization, OrgKind
from app.models.people import Membership, Person, Role
from app.models.staff import StaffFile
from app.security.scopes import (
    current_scope,
    org_clause,
    person_clause,
    plan_clause,
    readable_orgs_clause,
)


@dataclass
class Lookup:
    model: type[Any]  # a mapped model with an ``id`` column
    where: Callable[[], ColumnElement[bool]]
    search: Callable[[str], ColumnElement[bool]]
    order: Callable[[], Any]  # a column or a tuple of columns
    label: Callable[[Any], str]  # takes a row of ``model``
    #: (permission, view) the user must hold to use this look-up at all, e.g. the person
    #: look-up needs the persons list: a teacher does not browse the school's people
    requires: tuple[str, str] | None = None

    def permitted(self) -> bool:
        if self.requires is None:
            return True
        from flask import current_app

        # FAB sets ``app.appbuilder`` at run time; Flask's typing does not know it
        return bool(current_app.appbuilder.sm.has_access(  # type: ignore[attr-defined]
            *self.requires))


def org_search(q: str):
    like = f"%{q.lower()}%"
    return or_(func.lower(Organization.short_name).like(like),
               func.lower(Organization.full_name).like(like))


def person_search(q: str):
    parts = [p for p in q.lower().split() if p]
    conds = []
    for p in parts:
        like = f"%{p}%"
        conds.append(or_(func.lower(Person.last_name).like(like),
                         func.lower(Person.first_name).like(like),
                         func.lower(Person.middle_name).like(like),
                         Person.national_id.like(like)))
    return and_(*conds)


LOOKUPS: dict[str, Lookup] = {
    "organization": Lookup(Organization, lambda: readable_orgs_clause(current_scope()),
                           org_search, lambda: Organization.short_name,
                           lambda o: o.short_name),
    "parent_organization": Lookup(
        Organization,
        lambda: and_(readable_orgs_clause(current_scope()),
                     Organization.kind.in_([OrgKind.ministry, OrgKind.region, OrgKind.district])),
        org_search, lambda: Organization.short_name, lambda o: o.short_name),
    "writable_organization": Lookup(Organization,
                                    lambda: org_clause(Organization.id, current_scope(), True),
                                    org_search, lambda: Organization.short_name,
                                    lambda o: o.short_name),
    "person": Lookup(Person, lambda: person_clause(Person.id, current_scope()), person_search,
                     lambda: (Person.last_name, Person.first_name), lambda p: p.full_name,
                     requires=("can_list", "PersonView")),
}



def _member_of_planned(roles):
    """Persons with an active membership in one of ``roles`` in a school the user plans."""
    return lambda: exists(select(Membership.id).where(
        Membership.person_id == Person.id, Membership.role.in_(roles),
        Membership.end_date.is_(None), plan_clause(Membership.organization_id, current_scope())))


LOOKUPS.update({
    "plannable_organization": Lookup(
        Organization, lambda: and_(plan_clause(Organization.id, current_scope()),
                                   Organization.kind.in_([OrgKind.school, OrgKind.college])),
        org_search, lambda: Organization.short_name, lambda o: o.short_name),
    "teacher": Lookup(Person, _member_of_planned([Role.teacher, Role.class_teacher]),
                      person_search, lambda: (Person.last_name, Person.first_name),
                      lambda p: p.full_name),
    "pupil": Lookup(Person, _member_of_planned([Role.student]), person_search,
                    lambda: (Person.last_name, Person.first_name), lambda p: p.full_name),
})
def _members_of_writable(roles):
    """Persons with an active membership of one of ``roles`` in an organisation the user
    may change."""
    def where():
        return Person.id.in_(select(Membership.person_id).where(
            Membership.end_date.is_(None), Membership.role.in_(roles),
            org_clause(Membership.organization_id, current_scope(), True)))
    return where


def _person_lookup(where):
    return Lookup(Person, where, person_search, lambda: (Person.last_name, Person.first_name),
                  lambda p: p.full_name)


def _staff_files_of_writable():
    return and_(StaffFile.dismissed_on.is_(None),
                org_clause(StaffFile.organization_id, current_scope(), True))


#: employees (any role but student and parent) of the schools the user may change
LOOKUPS["school_staff"] = _person_lookup(_members_of_writable(
    tuple(r for r in Role if r not in (Role.student, Role.parent))))
#: pupils of the schools the user may change
LOOKUPS["school_student"] = _person_lookup(_members_of_writable((Role.student,)))
#: active staff files of the organisations the user may change (delegation of duties)
LOOKUPS["staff_file"] = Lookup(
    StaffFile, _staff_files_of_writable,
    lambda q: StaffFile.person_id.in_(select(Person.id).where(person_search(q))),
    lambda: StaffFile.id, lambda f: f"{f.full_name} ({f.organization.short_name})")

PAGE = 20


def lookup_page(name: str, q: str, page: int) -> tuple[list[dict], bool]:
    spec = LOOKUPS[name]
    if not spec.permitted():
        return [], False
    stmt = select(spec.model).where(spec.where())
    if q:
        stmt = stmt.where(spec.search(q))
    order = spec.order()
    stmt = stmt.order_by(*(order if isinstance(order, tuple) else (order,)))
    rows = db.session.scalars(stmt.offset((page - 1) * PAGE).limit(PAGE + 1)).unique().all()
    return [{"id": r.id, "text": spec.label(r)} for r in rows[:PAGE]], len(rows) > PAGE


def lookup_allows(name: str, pk: int) -> bool:
    spec = LOOKUPS[name]
    if not spec.permitted():
        return False
    return db.session.execute(
        select(spec.model.id).where(spec.model.id == pk, spec.where())
    ).first() is not None
