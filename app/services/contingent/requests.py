"""Transfer requests: the receiving school asks for a pupil of another school in the system
(the parents brought their application there); the leaving school accepts - the transfer is
performed by ``movements.transfer_out`` with the leaving school's order - or refuses with a
reason; the receiving school may withdraw a request while it waits.

Rules (decisions, docs/records-office.md "Transfer requests"):
- the pupil is found by IIN/PIN **and** last name (as on the documents the parents bring),
  among the active pupils of the other open schools of the same country; nothing about a
  person is shown to a school that does not give both;
- one waiting request per pupil and receiving school;
- only a waiting request is accepted, refused or withdrawn; a refusal needs a reason;
- the accepted transfer is the same movement as when the leaving school starts it: the pupil
  appears in the receiving school's "Pupils without a class";
- a notice by e-mail (``services.mail``, kept in the outbox) goes to the leaving school's
  administrators when a request arrives, and to the person who asked when it is decided, in
  each recipient's language; a mail server that fails does not undo the request.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import cast

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.extensions import db
from app.models.contingent import (
    TRANSFER_REQUEST_STATUS_LABELS,
    Movement,
    Order,
    TransferRequest,
    TransferRequestStatus,
)
from app.models.org import Organization
from app.models.people import Membership, Person, Role
from app.security.contingent.scope import can_act_on_request, transfer_request_read_clause
from app.security.scopes import UserScope, writer_members_clause
from app.services.contingent import movements
from app.services.errors import ConflictError, ScopeError, ValidationError, require
from app.services.mail import send_mail
from app.services.unit_of_work import command

log = logging.getLogger(__name__)


def _may(scope: UserScope, req: TransferRequest, action: str) -> None:
    """Refuse an action on the request to a user who is not a writer of the school that
    takes it (the leaving school accepts and refuses, the requesting one withdraws)."""
    if not can_act_on_request(req, action, scope):
        raise ScopeError(_l("You may not change the contingent of this organization"),
                         code="scope")


def requests_of(scope: UserScope) -> list[TransferRequest]:
    """The requests the user's schools made or received, waiting ones first."""
    return list(db.session.scalars(
        select(TransferRequest).where(transfer_request_read_clause(scope))
        .order_by(case((TransferRequest.status == TransferRequestStatus.requested, 0),
                       else_=1), TransferRequest.created_at.desc(),
                  TransferRequest.id.desc()).limit(500)))


def readable_request(scope: UserScope, req_id: int) -> TransferRequest | None:
    """The request if the user reads one of its schools."""
    return db.session.scalars(select(TransferRequest).where(
        TransferRequest.id == req_id, transfer_request_read_clause(scope))).first()


def find_pupil(target: Organization, national_id: str | None,
               last_name: str | None) -> tuple[Person, Organization]:
    """The pupil of another school with this IIN/PIN and last name, and that school."""
    nid, last = (national_id or "").strip(), (last_name or "").strip()
    require(nid, "national_id", _l("IIN / PIN"))
    require(last, "last_name", _l("Last name"))
    not_found = ValidationError(
        _l("IIN / PIN: no pupil of another school in the system has this IIN/PIN and last "
           "name"), field="national_id", code="pupil_not_found")
    person = db.session.scalars(select(Person).where(Person.national_id == nid)).first()
    if person is None or person.last_name.casefold() != last.casefold():
        raise not_found
    if movements.student_membership(target.id, person.id) is not None:
        raise ConflictError(_l("IIN / PIN: the person is already a pupil of this school"),
                            field="national_id", code="already_pupil_here")
    source = db.session.scalars(
        select(Organization).join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.person_id == person.id, Membership.role == Role.student,
               Membership.end_date.is_(None), movements.transfer_schools(target))).first()
    if source is None:
        raise not_found
    return person, source


@command
def request_transfer(scope: UserScope, target: Organization, national_id: str | None,
                     last_name: str | None, arrival_date: dt.date | None,
                     note: str | None = None) -> TransferRequest:
    """Ask the pupil's school to transfer them here from ``arrival_date`` (a writer of the
    receiving school)."""
    movements.check_contingent_writer(scope, target.id)
    person, source = find_pupil(target, national_id, last_name)
    require(arrival_date, "arrival_date", _l("Arrival date"))
    waiting = db.session.scalar(select(func.count()).select_from(TransferRequest).where(
        TransferRequest.person_id == person.id, TransferRequest.organization_id == target.id,
        TransferRequest.status == TransferRequestStatus.requested))
    if waiting:
        raise ConflictError(_l("IIN / PIN: a request for this pupil is already waiting for "
                               "the other school"), field="national_id", code="request_open")
    req = TransferRequest(organization_id=target.id, source_organization_id=source.id,
                          person_id=person.id, arrival_date=arrival_date,
                          note=(note or "").strip()[:300] or None)
    db.session.add(req)
    db.session.flush()
    for email, locale in _school_writers(source.id):
        with force_locale(locale or _default_locale()):
            _notice(email, _l("Transfer request: %(pupil)s to %(school)s", pupil=str(person),
                              school=target.short_name),
                    _l("%(school)s asks to receive your pupil %(pupil)s from %(date)s. "
                       "Note: %(note)s. Accept or refuse the request in Contingent, "
                       "\"Transfer requests between schools\".", school=target.short_name,
                       pupil=str(person), date=format_date(arrival_date),
                       note=req.note or "-"))
    return req


def _school_writers(org_id: int) -> list[tuple[str, str | None]]:
    """E-mail and language of the school's active administrators who have an e-mail."""
    # the query keeps only persons with an e-mail: the first column is never None
    return cast("list[tuple[str, str | None]]", list(db.session.execute(
        select(Person.email, Person.preferred_locale).join(
            Membership, Membership.person_id == Person.id)
        .where(Membership.organization_id == org_id, writer_members_clause(),
               Person.email.is_not(None)).distinct()).all()))


def _default_locale() -> str:
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")


def _notice(email: str, subject, body) -> None:
    """Send a notice; a mail server that fails leaves it unsent in the outbox."""
    try:
        send_mail(email, str(subject), str(body))
    except (OSError, smtplib.SMTPException):
        log.exception("transfer request notice to %s not sent", email)


def _notify_requester(req: TransferRequest) -> None:
    """Tell the person who asked how the leaving school decided."""
    person = db.session.scalars(select(Person).where(
        Person.user_id == req.created_by_id, Person.email.is_not(None))).first() \
        if req.created_by_id else None
    if person is None or person.email is None:  # the query keeps only persons with an e-mail
        return
    with force_locale(person.preferred_locale or _default_locale()):
        status = TRANSFER_REQUEST_STATUS_LABELS[req.status]
        _notice(person.email,
                _l("Transfer request for %(pupil)s: %(status)s", pupil=str(req.person),
                   status=str(status)),
                _l("%(school)s decided on your request for %(pupil)s: %(status)s. "
                   "%(reason)s", school=req.source_organization.short_name,
                   pupil=str(req.person), status=str(status),
                   reason=req.decision_reason or ""))


def _waiting(req: TransferRequest) -> None:
    if req.status != TransferRequestStatus.requested:
        raise ConflictError(_l("The request is already decided"), field="status",
                            code="request_decided")


@command
def accept(scope: UserScope, req: TransferRequest, order: Order | None,
           day: dt.date | None = None) -> Movement:
    """The leaving school transfers the pupil to the requesting school with its order, from
    ``day`` (by default the requested arrival date)."""
    _may(scope, req, "accept")
    _waiting(req)
    mv = movements.transfer_out(scope, req.source_organization, req.person,
                                req.organization, day or req.arrival_date, order, req.note)
    req.status = TransferRequestStatus.accepted
    req.decided_on = dt.date.today()
    req.movement_id = mv.id
    db.session.flush()
    _notify_requester(req)
    return mv


@command
def refuse(scope: UserScope, req: TransferRequest, reason: str | None) -> None:
    """The leaving school refuses, saying why."""
    _may(scope, req, "refuse")
    _waiting(req)
    reason = require(reason, "decision_reason", _l("Reason"))
    req.status = TransferRequestStatus.refused
    req.decided_on = dt.date.today()
    req.decision_reason = reason.strip()[:300]
    db.session.flush()
    _notify_requester(req)


@command
def withdraw(scope: UserScope, req: TransferRequest) -> None:
    """The requesting school takes its request back while it waits."""
    _may(scope, req, "withdraw")
    _waiting(req)
    req.status = TransferRequestStatus.withdrawn
    req.decided_on = dt.date.today()
    db.session.flush()
