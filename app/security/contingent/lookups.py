"""Scoped look-ups of the contingent forms (classes, orders and quarters of the schools the
user writes in; schools open for a transfer). Registered in
``app.security.lookups.LOOKUPS`` when the contingent pages are registered."""
from __future__ import annotations

from sqlalchemy import String, cast, func, or_

from app.models.contingent import Order
from app.models.org import Organization, OrgKind
from app.models.study import SchoolClass, StudyPeriod
from app.security.lookups import LOOKUPS, Lookup, org_search
from app.security.scopes import current_scope, org_clause


def _class_search(q: str):
    like = f"%{q.strip().lower()}%"
    return or_(func.lower(SchoolClass.letter_ru).like(like),
               func.lower(SchoolClass.letter_kk).like(like),
               func.lower(SchoolClass.letter_en).like(like),
               cast(SchoolClass.parallel, String).like(q.strip().split(" ")[0] + "%"))


CONTINGENT_LOOKUPS = {
    "contingent_class": Lookup(
        SchoolClass, lambda: org_clause(SchoolClass.organization_id, current_scope(), True),
        _class_search, lambda: (SchoolClass.year_id.desc(), SchoolClass.parallel,
                                SchoolClass.letter_ru),
        lambda c: f"{c} ({c.year.name}, {c.year.organization.short_name})"),
    "contingent_order": Lookup(
        Order, lambda: (org_clause(Order.organization_id, current_scope(), True)
                        & Order.annulled_on.is_(None)),
        lambda q: func.lower(Order.number).like(f"%{q.strip().lower()}%"),
        lambda: (Order.date.desc(), Order.id.desc()),
        lambda o: f"{o}: {o.summary[:60]} ({o.organization.short_name})"),
    "contingent_period": Lookup(
        StudyPeriod, lambda: org_clause(StudyPeriod.organization_id, current_scope(), True),
        lambda q: func.lower(StudyPeriod.name).like(f"%{q.strip().lower()}%"),
        lambda: StudyPeriod.starts_on.desc(), lambda p: str(p)),
    "transfer_school": Lookup(
        Organization, lambda: (Organization.kind.in_([OrgKind.school])
                               & Organization.closed_on.is_(None)),
        org_search, lambda: Organization.short_name,
        lambda o: f"{o.short_name} ({o.parent.short_name})" if o.parent else o.short_name,
        requires=("can_transfer_out", "MovementFormsView")),
}


def register_contingent_lookups() -> None:
    LOOKUPS.update(CONTINGENT_LOOKUPS)
