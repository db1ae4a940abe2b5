"""Strict-report blanks and issued documents (seed 004 section 3, figures 47-53).

A blank is received (status new), may be handed to an employee (issued, with the purpose),
is filled in when a certificate or commendation letter is written on it (used), or is
written off as spoiled or lost with a reason. Every step adds a history row; nothing is
deleted. Issued documents are annulled with a reason, never deleted.

Every step is a command (``app.services.unit_of_work.command``): it takes the actor's scope
first and checks :func:`authorise` (the organisation's writers) before anything else."""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.blanks import (
    IN_STOCK,
    Blank,
    BlankHistory,
    BlankStatus,
    DocStatus,
    DocType,
    IssuedDocument,
)
from app.models.org import Organization
from app.models.people import Membership, Person, Role
from app.security.scopes import UserScope, can_write_org
from app.services.errors import ConflictError, ScopeError, ValidationError, require
from app.services.records.staff import STAFF_ROLES
from app.services.unit_of_work import command

#: most numbers one range registration may create
MAX_RANGE = 1000
_NUMBER = re.compile(r"^[0-9A-Za-zА-Яа-яЁё\-/]{1,30}$")


def authorise(scope: UserScope, org_id: int | None) -> None:
    """The write rule of blanks and issued documents: only the organisation's writers
    (ScopeError otherwise)."""
    if not can_write_org(org_id, scope):
        raise ScopeError(_l("You may not change organizations outside your scope"),
                         code="scope")


def _history(blank: Blank, action: str, person: Person | None = None,
             note: str | None = None) -> None:
    db.session.add(BlankHistory(blank=blank, organization_id=blank.organization_id,
                                action=action, status=blank.status,
                                person_id=person.id if person else None, note=note))


def normalise_number(number: str | None) -> str:
    value = (number or "").strip()
    if not value:
        raise ValidationError(_l("%(field)s is required", field=_l("Blank number")),
                              field="number", code="required")
    if not _NUMBER.match(value):
        raise ValidationError(_l("Blank number: letters, digits, - and / only, up to 30"),
                              field="number", code="number_format")
    return value


def _duplicate_error() -> ConflictError:
    return ConflictError(_l("A blank of this type with this number already exists"),
                         field="number", code="blank_duplicate")


@command
def receive_blank(scope: UserScope, org: Organization, doc_type: DocType, number: str,
                  received_on: dt.date | None = None) -> Blank:
    """Register one received blank; the number is unique per type in the organisation."""
    authorise(scope, org.id)
    number = normalise_number(number)
    exists = db.session.execute(select(Blank.id).where(
        Blank.organization_id == org.id, Blank.doc_type == doc_type,
        Blank.number == number)).first()
    if exists is not None:
        raise _duplicate_error()
    blank = Blank(organization_id=org.id, doc_type=doc_type, number=number,
                  status=BlankStatus.new, received_on=received_on or dt.date.today())
    db.session.add(blank)
    db.session.flush()
    _history(blank, "received")
    return blank


def number_range(first: str, last: str) -> list[str]:
    """The numbers from ``first`` to ``last`` inclusive, keeping the leading zeros and any
    common prefix (``AB000123`` .. ``AB000130``). Pure function."""
    first, last = normalise_number(first), normalise_number(last)
    m1, m2 = re.match(r"^(.*?)(\d+)$", first), re.match(r"^(.*?)(\d+)$", last)
    if not m1 or not m2 or m1.group(1) != m2.group(1):
        raise ValidationError(_l("Last number: must end in digits with the same prefix as the "
                                 "first"), field="last_number", code="range_format")
    prefix, a, b = m1.group(1), int(m1.group(2)), int(m2.group(2))
    width = len(m1.group(2))
    if b < a:
        raise ValidationError(_l("Last number: smaller than the first"), field="last_number",
                              code="range_order")
    if b - a + 1 > MAX_RANGE:
        raise ValidationError(_l("Last number: at most %(n)s blanks at once", n=MAX_RANGE),
                              field="last_number", code="range_size")
    return [f"{prefix}{n:0{width}d}" for n in range(a, b + 1)]


@command
def receive_range(scope: UserScope, org: Organization, doc_type: DocType, first: str, last: str,
                  received_on: dt.date | None = None) -> list[Blank]:
    """Register every number of a range, or none: if one already exists nothing is written
    and the error names the existing numbers."""
    authorise(scope, org.id)
    numbers = number_range(first, last)
    existing = set(db.session.scalars(select(Blank.number).where(
        Blank.organization_id == org.id, Blank.doc_type == doc_type,
        Blank.number.in_(numbers))))
    if existing:
        shown = ", ".join(sorted(existing)[:10])
        raise ConflictError(
            _l("A blank of this type with this number already exists: %(numbers)s",
               numbers=shown), field="first_number", code="blank_duplicate")
    blanks = [Blank(organization_id=org.id, doc_type=doc_type, number=n,
                    status=BlankStatus.new, received_on=received_on or dt.date.today())
              for n in numbers]
    db.session.add_all(blanks)
    db.session.flush()
    for b in blanks:
        _history(b, "received")
    db.session.flush()
    return blanks


def find_blank(org_id: int, doc_type: DocType, number: str) -> Blank:
    blank = db.session.scalars(select(Blank).where(
        Blank.organization_id == org_id, Blank.doc_type == doc_type,
        Blank.number == (number or "").strip())).first()
    if blank is None:
        raise ValidationError(_l("Blank number: no blank of this type with this number in the "
                                 "organization"), field="number", code="blank_unknown")
    return blank


def _is_member(person_id: int, org_id: int, roles) -> bool:
    return db.session.execute(select(Membership.id).where(
        Membership.person_id == person_id, Membership.organization_id == org_id,
        Membership.end_date.is_(None), Membership.role.in_(roles))).first() is not None


@command
def issue_blank(scope: UserScope, blank: Blank, recipient: Person | None,
                purpose: str | None) -> None:
    """Hand a new blank to an employee of the school (seed 004 fig. 49)."""
    authorise(scope, blank.organization_id)
    if blank.status != BlankStatus.new:
        raise ConflictError(_l("This blank cannot be issued: it is not new"), field="number",
                            code="blank_not_new")
    if recipient is None:
        raise ValidationError(_l("%(field)s is required", field=_l("Recipient")),
                              field="recipient", code="required")
    if not _is_member(recipient.id, blank.organization_id, STAFF_ROLES):
        raise ValidationError(_l("Recipient: not an employee of the organization"),
                              field="recipient", code="recipient_not_staff")
    purpose = require(purpose, "purpose", _l("Purpose"))
    blank.status, blank.recipient_id, blank.purpose = BlankStatus.issued, recipient.id, \
        purpose.strip()
    _history(blank, "issued", recipient, blank.purpose)
    db.session.flush()


@command
def write_off(scope: UserScope, blank: Blank, status: BlankStatus, reason: str | None) -> None:
    """Register spoilage or loss (seed 004 fig. 50) of a blank still in stock."""
    authorise(scope, blank.organization_id)
    if status not in (BlankStatus.spoiled, BlankStatus.lost):
        raise ValidationError(_l("Status: spoiled or lost"), field="status",
                              code="status_invalid")
    if blank.status not in IN_STOCK:
        raise ConflictError(_l("This blank is no longer in stock"), field="number",
                            code="blank_not_in_stock")
    reason = require(reason, "reason", _l("Reason"))
    blank.status, blank.reason = status, reason.strip()
    _history(blank, status.value, None, blank.reason)
    db.session.flush()


@command
def issue_document(scope: UserScope, org: Organization, doc_type: DocType,
                   pupil: Person | None, blank_number: str,
                   issued_on: dt.date | None) -> IssuedDocument:
    """Record a certificate or commendation letter issued to a pupil of the school on a blank
    of that type in the school's stock; the blank is filled in (used) in the same
    transaction (seed 004 fig. 51-53)."""
    authorise(scope, org.id)
    if pupil is None:
        raise ValidationError(_l("%(field)s is required", field=_l("Pupil")), field="pupil",
                              code="required")
    if not _is_member(pupil.id, org.id, (Role.student,)):
        raise ValidationError(_l("Pupil: not a pupil of the organization"), field="pupil",
                              code="pupil_not_student")
    if issued_on is None:
        raise ValidationError(_l("%(field)s is required", field=_l("Date of issue")),
                              field="issued_on", code="required")
    blank = find_blank(org.id, doc_type, normalise_number(blank_number))
    if blank.status not in IN_STOCK:
        raise ConflictError(_l("Blank number: this blank is no longer in stock"),
                            field="blank_number", code="blank_not_in_stock")
    doc = IssuedDocument(organization_id=org.id, doc_type=doc_type, pupil_id=pupil.id,
                         blank=blank, blank_number=blank.number, issued_on=issued_on,
                         status=DocStatus.valid)
    blank.status = BlankStatus.used
    db.session.add(doc)
    _history(blank, "used", pupil)
    db.session.flush()
    return doc


@command
def annul_document(scope: UserScope, doc: IssuedDocument, reason: str | None,
                   on: dt.date | None = None) -> None:
    """Annul an issued document with a reason; its blank stays filled in (it cannot be
    written on again) and its history records the annulment."""
    authorise(scope, doc.organization_id)
    if doc.status == DocStatus.annulled:
        raise ConflictError(_l("This document is already annulled"), field="status",
                            code="already_annulled")
    reason = require(reason, "reason", _l("Reason"))
    doc.status, doc.annul_reason, doc.annulled_on = DocStatus.annulled, reason.strip(), \
        on or dt.date.today()
    _history(doc.blank, "annulled", doc.pupil, doc.annul_reason)
    db.session.flush()
