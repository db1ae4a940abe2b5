"""Contingent movements with orders (seed 004 section 2, "Контингент"; issue 5).

Each movement is one command (``scope`` first): it checks that the user writes in the
school, then every rule, then changes the pupil's class enrolments (``ClassEnrollment``) and
school memberships (``Membership``) and writes a ``Movement`` row, as one unit of work
(committed when the command returns, rolled back on a ``DomainError``). Nothing is deleted:
enrolments get an end date, memberships go to the archive with a reason.

Dates: a movement's ``date`` is the first day of the new state. A class transfer closes
the old enrolment the day before and opens the new one on the date; a pupil who leaves
(exclusion, transfer to another school) is in the class until the day before and no longer
a pupil of the school from the date. Graduation is dated the last day of the academic year.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, select

from app.extensions import db
from app.models.contingent import Movement, MovementKind, Order
from app.models.org import Organization
from app.models.people import Membership, Person, Role
from app.models.study import (
    AcademicYear,
    ClassEnrollment,
    SchoolClass,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
)
from app.security.scopes import UserScope, can_write_org
from app.services import people as people_service
from app.services.contingent.orders import SCHOOL_KINDS, check_order_for
from app.services.errors import ConflictError, ScopeError, ValidationError, require
from app.services.unit_of_work import command

# -- the write rule ------------------------------------------------------------------------

def check_contingent_writer(scope: UserScope, org_id: int | None) -> None:
    """Refuse a user who does not write in the school whose contingent changes."""
    if not can_write_org(org_id, scope):
        raise ScopeError(_l("You may not change the contingent of this organization"),
                         code="scope")


# -- look-ups ------------------------------------------------------------------------------

def student_membership(org_id: int, person_id: int) -> Membership | None:
    """The active Student membership of the person in the school."""
    return db.session.scalars(select(Membership).where(
        Membership.organization_id == org_id, Membership.person_id == person_id,
        Membership.role == Role.student, Membership.end_date.is_(None))).first()


def open_enrollment(org_id: int, person_id: int) -> ClassEnrollment | None:
    """The pupil's current class enrolment in the school (no end date)."""
    return db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.organization_id == org_id, ClassEnrollment.person_id == person_id,
        ClassEnrollment.to_date.is_(None)).order_by(ClassEnrollment.from_date.desc())).first()


def pupils_without_class(org_id: int) -> list[Person]:
    """Active pupils of the school with no open class enrolment (new, arrived from another
    school, or whose class ended), alphabetically. One query."""
    in_class = select(ClassEnrollment.person_id).where(
        ClassEnrollment.organization_id == org_id, ClassEnrollment.to_date.is_(None))
    return list(db.session.scalars(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.organization_id == org_id, Membership.role == Role.student,
               Membership.end_date.is_(None), Person.id.not_in(in_class))
        .order_by(Person.last_name, Person.first_name, Person.id)).unique())


def _active_student(org_id: int, person: Person | None) -> Membership:
    person = require(person, "person", _l("Pupil"))
    m = student_membership(org_id, person.id)
    if m is None:
        raise ValidationError(_l("Pupil: the person is not an active pupil of this school"),
                              field="person", code="not_student")
    return m


def _class_of(org_id: int, cls: SchoolClass | None, field_name: str = "to_class") \
        -> SchoolClass:
    cls = require(cls, field_name, _l("Class"))
    if cls.organization_id != org_id:
        raise ValidationError(_l("Class: the class belongs to another school"),
                              field=field_name, code="class_other_school")
    return cls


def _date_in_year(year: AcademicYear, day: dt.date | None, field_name: str = "date") -> None:
    day = require(day, field_name, _l("Date"))
    if not year.starts_on <= day <= year.ends_on:
        raise ValidationError(_l("Date: outside the academic year %(year)s (%(start)s - "
                                 "%(end)s)", year=year.name, start=year.starts_on,
                                 end=year.ends_on), field=field_name, code="date_outside_year")


def open_subgroup_members(class_ids, person_id: int | None = None) -> dict:
    """Open subgroup memberships of classes: (person id, class id) -> rows (one query)."""
    q = (select(SubgroupMember, Subgroup.class_id)
         .join(Subgroup, Subgroup.id == SubgroupMember.subgroup_id)
         .where(Subgroup.class_id.in_(list(class_ids)), SubgroupMember.to_date.is_(None)))
    if person_id is not None:
        q = q.where(SubgroupMember.person_id == person_id)
    out: dict[tuple[int, int], list[SubgroupMember]] = {}
    for sm, class_id in db.session.execute(q).unique():
        out.setdefault((sm.person_id, class_id), []).append(sm)
    return out


def close_enrollment(e: ClassEnrollment, last_day: dt.date,
                     subgroups: dict | None = None) -> None:
    """End an enrolment on ``last_day`` and the pupil's open subgroup memberships of that
    class with it (``subgroups``: preloaded by ``open_subgroup_members``)."""
    if last_day < e.from_date:
        raise ValidationError(_l("Date: the pupil entered the class %(cls)s on %(day)s; the "
                                 "movement must be dated later", cls=e.school_class,
                                 day=e.from_date), field="date", code="date_before_enrollment")
    e.to_date = last_day
    if subgroups is None:
        subgroups = open_subgroup_members([e.class_id], e.person_id)
    for sm in subgroups.get((e.person_id, e.class_id), []):
        sm.to_date = max(last_day, sm.from_date)


def add_movement(org_id: int, person: Person, kind: MovementKind, day: dt.date,
                 order: Order, **kw) -> Movement:
    mv = Movement(organization_id=org_id, person_id=person.id, kind=kind, date=day,
                  order_id=order.id, **kw)
    db.session.add(mv)
    return mv


def start_enrollment(cls: SchoolClass, person: Person, day: dt.date) -> ClassEnrollment:
    e = ClassEnrollment(organization_id=cls.organization_id, class_id=cls.id,
                        person_id=person.id, from_date=day)
    db.session.add(e)
    return e


def _reason(reason: str | None) -> str | None:
    return (reason or "").strip() or None


# -- movements -----------------------------------------------------------------------------

def arrived_from(org_id: int, person_id: int) -> int | None:
    """The school the pupil came from when the last movement that concerns this school is
    a transfer from that school to this one (then the enrolment is an arrival)."""
    last_out = db.session.execute(
        select(Movement.organization_id, Movement.date, Movement.id)
        .where(Movement.person_id == person_id, Movement.kind == MovementKind.transfer_out,
               Movement.other_organization_id == org_id)
        .order_by(Movement.date.desc(), Movement.id.desc())).first()
    if last_out is None:
        return None
    later = db.session.execute(select(Movement.id).where(
        Movement.person_id == person_id, Movement.organization_id == org_id,
        Movement.kind.in_([MovementKind.enrolment, MovementKind.transfer_in]),
        Movement.id > last_out.id)).first()
    return None if later else last_out.organization_id


@command
def enrol(scope: UserScope, person: Person, to_class: SchoolClass, day: dt.date,
          order: Order, reason: str | None = None) -> Movement:
    """Enrol an active pupil of the school who is in no class into a class of the school.
    A pupil who arrived by a transfer from another school in the system is recorded as an
    arrival (kind ``transfer_in``, with the source school)."""
    require(to_class, "to_class", _l("Class"))
    org_id = to_class.organization_id
    check_contingent_writer(scope, org_id)
    _active_student(org_id, person)
    check_order_for(org_id, order)
    _date_in_year(to_class.year, day)
    current = open_enrollment(org_id, person.id)
    if current is not None:
        raise ConflictError(_l("Pupil: already in the class %(cls)s; use a transfer to "
                               "another class", cls=current.school_class), field="person",
                            code="already_in_class")
    later = db.session.execute(select(ClassEnrollment.id).where(
        ClassEnrollment.organization_id == org_id, ClassEnrollment.person_id == person.id,
        ClassEnrollment.to_date >= day)).first()
    if later is not None:
        raise ConflictError(_l("Date: the pupil was in a class on this date"), field="date",
                            code="enrollment_overlap")
    source = arrived_from(org_id, person.id)
    start_enrollment(to_class, person, day)
    kind = MovementKind.transfer_in if source else MovementKind.enrolment
    mv = add_movement(org_id, person, kind, day, order, to_class_id=to_class.id,
                      other_organization_id=source, reason=_reason(reason))
    db.session.flush()
    return mv


def _check_transfer_target(current: ClassEnrollment, to_class: SchoolClass | None,
                           field_name: str = "to_class") -> SchoolClass:
    to_class = _class_of(current.organization_id, to_class, field_name)
    if to_class.id == current.class_id:
        raise ValidationError(_l("Class: the pupil is already in this class"),
                              field=field_name, code="same_class")
    if to_class.year_id != current.school_class.year_id:
        raise ValidationError(_l("Class: the class belongs to another academic year"),
                              field=field_name, code="class_other_year")
    return to_class


def _transfer(current: ClassEnrollment, to_class: SchoolClass, day: dt.date, order: Order,
              kind: MovementKind, reason: str | None, subgroups: dict | None = None) \
        -> Movement:
    close_enrollment(current, day - dt.timedelta(days=1), subgroups)
    person = current.person
    start_enrollment(to_class, person, day)
    return add_movement(current.organization_id, person, kind, day, order,
                        from_class_id=current.class_id, to_class_id=to_class.id,
                        reason=_reason(reason))


@command
def transfer_class(scope: UserScope, person: Person, to_class: SchoolClass, day: dt.date,
                   order: Order, reason: str | None = None) -> Movement:
    """Transfer a pupil to another class of the same school and academic year: the old
    enrolment ends the day before ``day``, the new one starts on ``day``."""
    require(person, "person", _l("Pupil"))
    require(to_class, "to_class", _l("Class"))
    current = db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.person_id == person.id, ClassEnrollment.to_date.is_(None))
        .order_by(ClassEnrollment.from_date.desc())).first()
    org_id = current.organization_id if current is not None else to_class.organization_id
    check_contingent_writer(scope, org_id)
    if current is None or student_membership(org_id, person.id) is None:
        raise ValidationError(_l("Pupil: not in a class of this school; use an enrolment"),
                              field="person", code="not_in_class")
    _check_transfer_target(current, to_class)
    check_order_for(org_id, order)
    _date_in_year(to_class.year, day)
    mv = _transfer(current, to_class, day, order, MovementKind.class_transfer, reason)
    db.session.flush()
    return mv


@command
def exclude(scope: UserScope, org: Organization, person: Person, day: dt.date, order: Order,
            reason: str, period: StudyPeriod | None) -> Movement:
    """Exclusion (seed 004 fig. 26: reason, order, date, quarter): the class enrolment ends
    the day before, the Student membership goes to the archive with the reason."""
    check_contingent_writer(scope, org.id)
    m = _active_student(org.id, person)
    check_order_for(org.id, order)
    require(day, "date", _l("Date"))
    require(_reason(reason), "reason", _l("Reason"))
    period = require(period, "period", _l("Quarter"))
    if period.organization_id != org.id:
        raise ValidationError(_l("Quarter: the period belongs to another school"),
                              field="period", code="period_other_school")
    _date_in_year(period.year, day)
    current = open_enrollment(org.id, person.id)
    if current is not None:
        close_enrollment(current, day - dt.timedelta(days=1))
    people_service.end_membership(scope, m, day, _reason(reason))
    mv = add_movement(org.id, person, MovementKind.exclusion, day, order,
                      from_class_id=current.class_id if current else None,
                      reason=_reason(reason), period_id=period.id)
    db.session.flush()
    return mv


def transfer_schools(org: Organization) -> ColumnElement[bool]:
    """SQL condition on ``Organization``: schools a pupil of ``org`` may be transferred to
    (open schools of the same country, other than ``org``)."""
    return and_(Organization.kind.in_(list(SCHOOL_KINDS)), Organization.closed_on.is_(None),
                Organization.country == org.country, Organization.id != org.id)


@command
def transfer_out(scope: UserScope, org: Organization, person: Person,
                 target: Organization | None, day: dt.date, order: Order,
                 reason: str | None = None) -> Movement:
    """Transfer to another school in the system. The same ``Person`` (one per IIN/PIN) gets
    a Student membership in the target school from ``day`` and loses the one here; the
    class enrolment here ends the day before. All history stays on the person; the target
    school finds the pupil in "pupils without a class" and enrols them (an arrival)."""
    check_contingent_writer(scope, org.id)
    m = _active_student(org.id, person)
    check_order_for(org.id, order)
    require(day, "date", _l("Date"))
    target = require(target, "target", _l("Target school"))
    if db.session.execute(select(Organization.id).where(
            Organization.id == target.id, transfer_schools(org))).first() is None:
        raise ValidationError(_l("Target school: choose another open school of the same "
                                 "country"), field="target", code="target_not_school")
    if student_membership(target.id, person.id) is not None:
        raise ConflictError(_l("Target school: the person is already a pupil there"),
                            field="target", code="already_pupil_there")
    current = open_enrollment(org.id, person.id)
    if current is not None:
        close_enrollment(current, day - dt.timedelta(days=1))
    people_service.end_membership(scope, m, day, _reason(reason) or str(
        _l("Transferred to %(school)s", school=target.short_name)))
    db.session.add(Membership(person_id=person.id, organization_id=target.id,
                              role=Role.student, arrival_date=day))
    db.session.flush()
    db.session.refresh(person, ["memberships"])
    people_service.sync_user_roles(person)
    mv = add_movement(org.id, person, MovementKind.transfer_out, day, order,
                      from_class_id=current.class_id if current else None,
                      other_organization_id=target.id, reason=_reason(reason))
    db.session.flush()
    return mv


def class_pupils(cls: SchoolClass) -> list[ClassEnrollment]:
    """Open enrolments of a class, pupils alphabetically (one query)."""
    return list(db.session.scalars(
        select(ClassEnrollment).join(Person, Person.id == ClassEnrollment.person_id)
        .where(ClassEnrollment.class_id == cls.id, ClassEnrollment.to_date.is_(None))
        .order_by(Person.last_name, Person.first_name, Person.id)).unique())


@command
def disband(scope: UserScope, cls: SchoolClass, targets: dict[int, SchoolClass | None],
            day: dt.date, order: Order, reason: str | None = None) -> list[Movement]:
    """Disband a class: every pupil of it moves to the class chosen for them, all or
    nothing (every pupil must get a class of the same school and year). ``targets``: person
    id -> class. Errors name the field ``class_<person id>``."""
    org_id = cls.organization_id
    check_contingent_writer(scope, org_id)
    check_order_for(org_id, order)
    _date_in_year(cls.year, day)
    pupils = class_pupils(cls)
    if not pupils:
        raise ValidationError(_l("Class: there are no pupils in the class"), field="school_class",
                              code="class_empty")
    out = []
    chosen: dict[int, SchoolClass] = {}  # person id -> the checked target class
    for e in pupils:
        fld = f"class_{e.person_id}"
        target = targets.get(e.person_id)
        if target is None:
            raise ValidationError(_l("%(pupil)s: choose the new class", pupil=e.person),
                                  field=fld, code="class_missing")
        _check_transfer_target(e, target, fld)
        chosen[e.person_id] = target
    subgroups = open_subgroup_members([cls.id])
    for e in pupils:
        out.append(_transfer(e, chosen[e.person_id], day, order, MovementKind.disband,
                             reason, subgroups))
    db.session.flush()
    return out


def count_movements(org_id: int) -> int:
    # COUNT(*) always returns one row: ``or 0`` only narrows the Optional of scalar()
    return db.session.scalar(
        select(func.count()).where(Movement.organization_id == org_id)) or 0
