"""Orders on pupils (seed 004 section 2, "Контингент"; issue 5): the document that backs
every movement. An order is added and changed by the school's writers, read by its staff and
the district's; it is never deleted but annulled with a reason, and may carry a scan."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.extensions import db
from app.models.contingent import Order, OrderKind
from app.models.org import Organization, OrgKind
from app.security.scopes import UserScope, can_write_org, staff_read_clause
from app.services.errors import ConflictError, ScopeError, ValidationError, require
from app.services.unit_of_work import command

MAX_SCAN_BYTES = 5 * 1024 * 1024
SCAN_TYPES = {"application/pdf", "image/jpeg", "image/png"}
SCHOOL_KINDS = (OrgKind.school,)


# -- the write rule ------------------------------------------------------------------------

def check_order_writer(scope: UserScope, org_id: int | None) -> None:
    """Refuse a user who does not write in the order's school."""
    if not can_write_org(org_id, scope):
        raise ScopeError(_l("You may not change the orders of this organization"),
                         code="scope")


def check_scan(scan: bytes | None, mime: str | None) -> None:
    """An order scan: PDF, JPEG or PNG, at most 5 MB (as staff event scans)."""
    if not scan:
        return
    if len(scan) > MAX_SCAN_BYTES:
        raise ValidationError(_l("Scan: the file is larger than 5 MB"), field="scan",
                              code="scan_size")
    if mime not in SCAN_TYPES:
        raise ValidationError(_l("Scan: only PDF, JPEG or PNG"), field="scan",
                              code="scan_type")


def check_order(scope: UserScope, order: Order) -> None:
    """The rule of a new or changed order (the page's and the REST resource's write rule):
    the user writes in its school; number, date and summary required; the organisation is
    a school; the number is unique within the school and the calendar year of the order's
    date."""
    org = order.organization or (db.session.get(Organization, order.organization_id)
                                 if order.organization_id else None)
    check_order_writer(scope, org.id if org is not None else order.organization_id)
    org = require(org, "organization", _l("Organization"))
    if order.id is not None and order.annulled_on is not None:
        raise ConflictError(_l("The order is annulled and can no longer be changed"),
                            field="id", code="order_annulled")
    order.organization_id = org.id
    if getattr(org.kind, "value", org.kind) not in [k.value for k in SCHOOL_KINDS]:
        raise ValidationError(_l("Organization: orders on pupils are issued by a school"),
                              field="organization", code="not_school")
    require(order.number, "number", _l("Order number"))
    require(order.date, "date", _l("Order date"))
    require(order.summary, "summary", _l("Summary"))
    order.number = order.number.strip()
    order.summary = order.summary.strip()
    order.year = order.date.year
    if order.kind == "":
        order.kind = None
    q = select(Order.id).where(Order.organization_id == org.id, Order.year == order.year,
                               Order.number == order.number)
    if order.id is not None:
        q = q.where(Order.id != order.id)
    with db.session.no_autoflush:
        taken = db.session.execute(q).first() is not None
    if taken:
        raise ConflictError(_l("Order number: the school already has an order with this "
                               "number in %(year)s", year=order.year), field="number",
                            code="order_duplicate")


# -- commands ------------------------------------------------------------------------------

@command
def create_order(scope: UserScope, org: Organization, number: str, date: dt.date,
                 summary: str, kind: OrderKind | None = None, scan: bytes | None = None,
                 scan_name: str | None = None, scan_mime: str | None = None) -> Order:
    order = Order(organization=org, organization_id=org.id, number=number, date=date,
                  summary=summary, kind=kind)
    check_order(scope, order)
    set_scan(scope, order, scan, scan_name, scan_mime)
    db.session.add(order)
    db.session.flush()
    return order


@command
def set_scan(scope: UserScope, order: Order, scan: bytes | None, name: str | None,
             mime: str | None) -> None:
    """Attach a scan (PDF, JPEG or PNG, at most 5 MB) to the order; nothing without one."""
    if not scan:
        return
    org = order.organization
    check_order_writer(scope, org.id if org is not None else order.organization_id)
    check_scan(scan, mime)
    order.scan, order.scan_name, order.scan_mime = scan, name, mime


@command
def annul_order(scope: UserScope, order: Order, reason: str | None,
                on: dt.date | None = None) -> None:
    """A wrong order is annulled with a reason (never deleted); its movements stay, it backs
    no new movement."""
    check_order_writer(scope, order.organization_id)
    if order.annulled_on is not None:
        raise ConflictError(_l("The order is already annulled"), field="id",
                            code="order_annulled")
    reason = require(reason, "reason", _l("Reason for annulment"))
    order.annulled_on = on or dt.date.today()
    order.annul_reason = reason.strip()
    db.session.flush()


# -- the order behind a movement, look-ups -------------------------------------------------

def check_order_for(org_id: int, order: Order | None) -> Order:
    """The order backing a movement: required, of the same school, not annulled."""
    order = require(order, "order", _l("Order"))
    if order.organization_id != org_id:
        raise ValidationError(_l("Order: the order belongs to another school"),
                              field="order", code="order_other_school")
    if order.annulled_on is not None:
        raise ValidationError(_l("Order: the order is annulled"), field="order",
                              code="order_annulled")
    return order


def open_orders(org_id: int) -> list[Order]:
    """The school's orders that may back a movement (not annulled), newest first."""
    return list(db.session.scalars(select(Order).where(
        Order.organization_id == org_id, Order.annulled_on.is_(None))
        .order_by(Order.date.desc(), Order.id.desc()).limit(200)))


def staff_order(scope: UserScope, order_id: int, with_scan: bool = False) -> Order | None:
    """The order if the user reads its school as staff (``with_scan``: its scan loaded)."""
    q = select(Order).where(Order.id == order_id,
                            staff_read_clause(Order.organization_id, scope))
    if with_scan:
        q = q.options(undefer(Order.scan))
    return db.session.scalars(q).first()
