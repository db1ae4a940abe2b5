"""Staff files: opening a file, events (leave, time off, recall, sick leave, dismissal,
delegation), qualification courses, categories per country and seniority.

Every change is a command (``app.services.unit_of_work.command``) that takes the actor's
scope first and checks the records office's write rule (:func:`authorise`: the
organisation's writers) before anything else. The pages' and REST resources' rule for a new
or changed row is :func:`check_staff_file`, :func:`check_staff_part` or
:func:`check_course` (scope and business rules in one place).

Seed 004 section 2 ("Ведение личных дел сотрудников", figures 33-46)."""
from __future__ import annotations

import datetime as dt
from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.org import Organization
from app.models.people import Membership, Person, Role
from app.models.staff import (
    Conclusion,
    CourseStatus,
    QualificationCourse,
    StaffEvent,
    StaffEventKind,
    StaffFile,
)
from app.security.scopes import UserScope, can_write_org
from app.services import people as people_service
from app.services.errors import ConflictError, ScopeError, ValidationError, require
from app.services.unit_of_work import command

#: roles that make a person an employee of the organisation (not pupils, not parents)
STAFF_ROLES = tuple(r for r in Role if r not in (Role.student, Role.parent))

#: qualification categories per country (seed 004 fig. 44; KZ categories after the 2020
#: reform: teacher-intern ... teacher-master; KG: second, first, highest)
CATEGORIES: dict[str, list[tuple[str, object]]] = {
    "KZ": [
        ("none", _l("Without category")),
        ("teacher_intern", _l("Teacher-intern")),
        ("teacher", _l("Teacher")),
        ("teacher_moderator", _l("Teacher-moderator")),
        ("teacher_expert", _l("Teacher-expert")),
        ("teacher_researcher", _l("Teacher-researcher")),
        ("teacher_master", _l("Teacher-master")),
    ],
    "KG": [
        ("none", _l("Without category")),
        ("second", _l("Second category")),
        ("first", _l("First category")),
        ("highest", _l("Highest category")),
    ],
}

MAX_SCAN_BYTES = 5 * 1024 * 1024
SCAN_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def authorise(scope: UserScope, org_id: int | None) -> None:
    """The records office's write rule: only the organisation's writers change its staff
    files (ScopeError otherwise)."""
    if not can_write_org(org_id, scope):
        raise ScopeError(_l("You may not change staff files of this organization"),
                         code="scope")


def categories_for(country: str | None) -> list[tuple[str, object]]:
    """The qualification categories of the organisation's country (KZ by default)."""
    return CATEGORIES.get((country or "KZ").upper(), CATEGORIES["KZ"])


def category_label(code: str | None) -> str:
    for cats in CATEGORIES.values():
        for c, label in cats:
            if c == code:
                return str(label)
    return code or ""


def check_category(code: str | None, country: str | None) -> None:
    if code and code not in {c for c, _ in categories_for(country)}:
        raise ValidationError(_l("Category: not a category of this country"),
                              field="category", code="category_country")


# --- seniority --------------------------------------------------------------------------


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is before ``start``)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def seniority_on(years: int, months: int, as_of: dt.date | None, on: dt.date) -> tuple[int, int]:
    """Seniority on the date ``on`` given the recorded value ``years``/``months`` as of
    ``as_of``: the recorded value plus the whole months worked since (seed 004 fig. 46,
    "Изменение стажа сотрудников при переходе на новый учебный год"). A value with no
    "as of" date is taken as it is."""
    total = max(years, 0) * 12 + max(months, 0)
    if as_of is not None:
        total += months_between(as_of, on)
    return divmod(total, 12)


@command
def update_seniority(scope: UserScope, on: dt.date, org_ids: list[int] | None = None) -> int:
    """Bring the seniority of every active staff file to the date ``on`` (run at the change
    of the school year: ``flask kundelik seniority update``). Idempotent for the same date.
    Only organisations the scope writes: all of them without ``org_ids``. Returns the number
    of files changed."""
    if org_ids is not None:
        for org_id in org_ids:
            authorise(scope, org_id)
    elif not scope.everything:
        org_ids = sorted(scope.write_ids)
    q = select(StaffFile).where(StaffFile.dismissed_on.is_(None))
    if org_ids is not None:
        q = q.where(StaffFile.organization_id.in_(org_ids))
    changed = 0
    for f in db.session.scalars(q):
        if f.seniority_as_of is not None and f.seniority_as_of >= on:
            continue
        base = f.seniority_as_of or f.hired_on
        if f.seniority_as_of is None and base is None:
            f.seniority_as_of = on
            continue
        if f.seniority_as_of is None:
            y, m = seniority_on(f.seniority_years or 0, f.seniority_months or 0, base, on)
        else:
            y, m = seniority_on(f.seniority_years, f.seniority_months, f.seniority_as_of, on)
        f.seniority_years, f.seniority_months, f.seniority_as_of = y, m, on
        changed += 1
    db.session.flush()
    return changed


# --- staff file ------------------------------------------------------------------------


def active_staff_membership(person_id: int, org_id: int) -> Membership | None:
    return db.session.scalars(select(Membership).where(
        Membership.person_id == person_id, Membership.organization_id == org_id,
        Membership.end_date.is_(None), Membership.role.in_(STAFF_ROLES))).first()


def check_staff_file(scope: UserScope, f: StaffFile) -> None:
    """The rule for a new or changed staff file: the scope writes its organisation; the
    person is an employee of the organisation; one file per person and organisation; the
    seniority months 0-11; the category belongs to the organisation's country."""
    org_id = f.organization.id if f.organization is not None else f.organization_id
    authorise(scope, org_id)
    person_id = f.person.id if f.person is not None else f.person_id
    if person_id is None:
        raise ValidationError(_l("%(field)s is required", field=_l("Employee")),
                              field="person", code="required")
    if f.id is None and active_staff_membership(person_id, org_id) is None:
        raise ValidationError(_l("Employee: this person has no staff role in the organization"),
                              field="person", code="not_staff")
    q = select(StaffFile.id).where(StaffFile.organization_id == org_id,
                                   StaffFile.person_id == person_id)
    if f.id is not None:
        q = q.where(StaffFile.id != f.id)
    if db.session.execute(q).first() is not None:
        raise ConflictError(_l("Employee: this person already has a staff file here"),
                            field="person", code="staff_file_duplicate")
    if not (0 <= (f.seniority_months or 0) <= 11) or (f.seniority_years or 0) < 0:
        raise ValidationError(_l("Seniority: months from 0 to 11, years not negative"),
                              field="seniority_months", code="seniority_range")
    org = f.organization or db.session.get(Organization, org_id)
    check_category(f.category, org.country if org else None)


@command
def open_staff_file(scope: UserScope, org: Organization, person: Person, **fields) -> StaffFile:
    authorise(scope, org.id)
    f = StaffFile(organization=org, person=person, **fields)
    check_staff_file(scope, f)
    db.session.add(f)
    db.session.flush()
    return f


# --- events ----------------------------------------------------------------------------


def _overlapping(f: StaffFile, kinds, start: dt.date, end: dt.date) -> StaffEvent | None:
    """An absence of the file that overlaps [start, end] (a recalled leave ends the day
    before its recall)."""
    for e in db.session.scalars(select(StaffEvent).where(
            StaffEvent.staff_file_id == f.id, StaffEvent.kind.in_(kinds))):
        e_end = e.end_date or e.start_date
        if e.recalled_on is not None:
            e_end = min(e_end, e.recalled_on - dt.timedelta(days=1))
        if e.start_date <= end and start <= e_end:
            return e
    return None


ABSENCES = (StaffEventKind.leave, StaffEventKind.time_off, StaffEventKind.sick_leave)


def check_staff_part(scope: UserScope, item) -> None:
    """The rule for a new or changed part of a staff file (document, education, award,
    event, course): it names a file of an organisation the scope writes, and takes the
    file's organisation."""
    f = item.staff_file
    if f is None:
        raise ScopeError(_l("%(field)s is required", field=_l("Employee")),
                         field="staff_file", code="required")
    authorise(scope, f.organization_id)
    item.organization_id = f.organization_id


@command
def register_event(scope: UserScope, f: StaffFile, kind: StaffEventKind, start: dt.date | None,
                   end: dt.date | None = None, *, reason: str | None = None,
                   illness: str | None = None, diagnosis: str | None = None,
                   scan: bytes | None = None, scan_name: str | None = None,
                   scan_mime: str | None = None, delegate: StaffFile | None = None,
                   duties: str | None = None) -> StaffEvent:
    """Register an event in a staff file (seed 004 fig. 35-39) after checking its rules:
    dates required and in order; absences (leave, time off, sick leave) do not overlap;
    a recall falls inside a leave; a sick leave has a diagnosis and an optional scan (PDF,
    JPEG or PNG up to 5 MB); a delegation names another employee of the same organisation;
    a dismissal ends every active membership of the person in the organisation. A dismissed
    employee's file takes no new events."""
    authorise(scope, f.organization_id)
    if f.dismissed_on is not None:
        raise ConflictError(_l("This employee is dismissed"), field="staff_file",
                            code="dismissed")
    start = require(start, "start_date", _l("Start date"))
    needs_end = kind in (StaffEventKind.leave, StaffEventKind.time_off,
                         StaffEventKind.sick_leave)
    if needs_end:
        require(end, "end_date", _l("End date"))
    if end is not None and end < start:
        raise ValidationError(_l("End date: before the start date"), field="end_date",
                              code="date_order")
    ev = StaffEvent(staff_file=f, organization_id=f.organization_id, kind=kind,
                    start_date=start, end_date=end, reason=(reason or "").strip() or None)
    if kind in ABSENCES:
        # an absence is a kind that needs an end date: required above
        other = _overlapping(f, ABSENCES, start, cast(dt.date, end))
        if other is not None:
            raise ConflictError(
                _l("Dates: overlap another absence (%(kind)s from %(start)s)",
                   kind=other.kind_label, start=other.start_date.isoformat()),
                field="start_date", code="absence_overlap")
    if kind == StaffEventKind.sick_leave:
        _sick_leave(ev, illness, diagnosis, scan, scan_name, scan_mime)
    elif kind == StaffEventKind.recall:
        _recall(f, ev, start)
    elif kind == StaffEventKind.delegation:
        _delegation(f, ev, delegate, duties)
    elif kind == StaffEventKind.dismissal:
        reason = require(reason, "reason", _l("Reason"))
        ev.end_date = None
        _dismiss(scope, f, start, reason.strip())
    db.session.add(ev)
    db.session.flush()
    return ev


def _sick_leave(ev: StaffEvent, illness, diagnosis, scan, scan_name, scan_mime) -> None:
    diagnosis = require(diagnosis, "diagnosis", _l("Diagnosis"))
    ev.illness, ev.diagnosis = (illness or "").strip() or None, diagnosis.strip()
    if scan:
        if len(scan) > MAX_SCAN_BYTES:
            raise ValidationError(_l("Scan: the file is larger than 5 MB"), field="scan",
                                  code="scan_size")
        if scan_mime not in SCAN_TYPES:
            raise ValidationError(_l("Scan: only PDF, JPEG or PNG"), field="scan",
                                  code="scan_type")
        ev.scan, ev.scan_name, ev.scan_mime = scan, scan_name, scan_mime


def _recall(f: StaffFile, ev: StaffEvent, start: dt.date) -> None:
    leave = _overlapping(f, (StaffEventKind.leave,), start, start)
    if leave is None or leave.start_date == start:
        raise ConflictError(_l("Date: the employee is not on leave on this date"),
                            field="start_date", code="not_on_leave")
    ev.end_date = None
    ev.leave_id = leave.id
    leave.recalled_on = start


def _delegation(f: StaffFile, ev: StaffEvent, delegate: StaffFile | None, duties) -> None:
    delegate = require(delegate, "delegate", _l("Duties delegated to"))
    duties = require(duties, "duties", _l("Duties"))
    if delegate.organization_id != f.organization_id or delegate.id == f.id \
            or delegate.dismissed_on is not None:
        raise ValidationError(
            _l("Duties delegated to: another active employee of the same organization"),
            field="delegate", code="delegate_invalid")
    ev.delegate_file, ev.duties = delegate, duties.strip()


def _dismiss(scope: UserScope, f: StaffFile, on: dt.date, reason: str) -> int:
    """End every active membership of the person in the organisation (and so the access
    its roles gave) and close the file. Returns the number of memberships ended."""
    ended = 0
    for m in db.session.scalars(select(Membership).where(
            Membership.person_id == f.person_id, Membership.organization_id == f.organization_id,
            Membership.end_date.is_(None))):
        people_service.end_membership(scope, m, on=on, reason=reason)
        ended += 1
    f.dismissed_on, f.dismissal_reason = on, reason
    return ended


# --- qualification courses -------------------------------------------------------------


def check_course(scope: UserScope, c: QualificationCourse) -> None:
    """The rule for a new or changed course: a part of a staff file the scope writes
    (:func:`check_staff_part`); title and start date required, dates in order; a completed
    course carries the certificate number and date (seed 004 fig. 44: fields marked *), and
    a category of the organisation's country."""
    check_staff_part(scope, c)
    require(c.title, "title", _l("Course title"))
    require(c.start_date, "start_date", _l("Start date"))
    if c.end_date is not None and c.end_date < c.start_date:
        raise ValidationError(_l("End date: before the start date"), field="end_date",
                              code="date_order")
    if c.status == CourseStatus.completed:
        require(c.certificate_number, "certificate_number", _l("Certificate number"))
        require(c.certificate_date, "certificate_date", _l("Certificate date"))
    org = db.session.get(Organization, c.organization_id)
    check_category(c.category, org.country if org else None)


@command
def complete_course(scope: UserScope, c: QualificationCourse, *, certificate_number: str,
                    certificate_date: dt.date | None, issued_by: str | None = None,
                    category: str | None = None, attestation_date: dt.date | None = None,
                    conclusion: Conclusion | None = None) -> QualificationCourse:
    """Confirm a planned course as completed (seed 004 fig. 43-44); a completed course with a
    category updates the employee's category."""
    authorise(scope, c.organization_id)
    if c.status == CourseStatus.completed:
        raise ConflictError(_l("This course is already completed"), field="status",
                            code="already_completed")
    c.status = CourseStatus.completed
    c.certificate_number = (certificate_number or "").strip() or None
    c.certificate_date, c.issued_by = certificate_date, issued_by
    c.category, c.attestation_date, c.conclusion = category, attestation_date, conclusion
    check_course(scope, c)
    if category and category != "none" and conclusion != Conclusion.not_attested:
        c.staff_file.category = category
    db.session.flush()
    return c


@command
def approve_application(scope: UserScope, c: QualificationCourse) -> None:
    """Move an application to the planned courses."""
    authorise(scope, c.organization_id)
    if c.status != CourseStatus.application:
        raise ConflictError(_l("Only an application can be approved"), field="status",
                            code="not_application")
    c.status = CourseStatus.planned
    db.session.flush()
