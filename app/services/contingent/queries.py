"""Read queries of the contingent pages: the schools a user reads as staff or writes in,
the years and classes of the hub page, the classes a disbanded class's pupils may move to.
Each takes the user's scope and runs one query."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.org import Organization, OrgKind
from app.models.study import AcademicYear, SchoolClass
from app.security.scopes import UserScope, org_clause, staff_read_clause


def staff_schools(scope: UserScope) -> list[Organization]:
    """The schools the user reads as staff, by name."""
    return list(db.session.scalars(
        select(Organization).where(staff_read_clause(Organization.id, scope),
                                   Organization.kind == OrgKind.school)
        .order_by(Organization.short_name).limit(500)))


def writable_schools(scope: UserScope) -> list[Organization]:
    """The schools the user writes in, by name."""
    return list(db.session.scalars(
        select(Organization).where(org_clause(Organization.id, scope, True),
                                   Organization.kind == OrgKind.school)
        .order_by(Organization.short_name).limit(500)))


def organization(org_id: int) -> Organization | None:
    """The organisation by a query, not the identity map: a page's query count must not
    depend on what the session happens to hold."""
    return db.session.scalars(select(Organization).where(Organization.id == org_id)).first()


def writable_years(scope: UserScope) -> list[AcademicYear]:
    """Academic years of the schools the user writes in, newest first."""
    return list(db.session.scalars(
        select(AcademicYear).where(org_clause(AcademicYear.organization_id, scope, True))
        .order_by(AcademicYear.starts_on.desc()).limit(100)))


def writable_classes(scope: UserScope) -> list[SchoolClass]:
    """Classes of the schools the user writes in, newest year first."""
    return list(db.session.scalars(
        select(SchoolClass).where(org_clause(SchoolClass.organization_id, scope, True))
        .order_by(SchoolClass.year_id.desc(), SchoolClass.parallel, SchoolClass.letter_ru)
        .limit(500)))


def other_classes_of_year(cls: SchoolClass) -> list[SchoolClass]:
    """The other classes of the class's academic year (where its pupils may move)."""
    return list(db.session.scalars(select(SchoolClass).where(
        SchoolClass.year_id == cls.year_id, SchoolClass.id != cls.id)
        .order_by(SchoolClass.parallel, SchoolClass.letter_ru)))
