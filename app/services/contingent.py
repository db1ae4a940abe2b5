"""Contingent movements with orders (seed 004 section 2, "Контингент"; issue 5).

Each movement is one service call that checks every rule first, then changes the pupil's
class enrolments (``ClassEnrollment``) and school memberships (``Membership``) and writes
a ``Movement`` row, all in the caller's transaction (the view or API commits once, or rolls
back on a ``DomainError``). Nothing is deleted: enrolments get an end date, memberships
go to the archive with a reason.

Dates: a movement's ``date`` is the first day of the new state. A class transfer closes
the old enrolment the day before and opens the new one on the date; a pupil who leaves
(exclusion, transfer to another school) is in the class until the day before and no longer
a pupil of the school from the date. Graduation is dated the last day of the academic year.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models.contingent import Movement, MovementKind, Order, OrderKind
from app.models.org import Organization, OrgKind
from app.models.people import Membership, Person, Role
from app.models.study import (
    AcademicYear,
    ClassEnrollment,
    SchoolClass,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
)
from app.services import people as people_service
from app.services.errors import ConflictError, ValidationError, require

MAX_SCAN_BYTES = 5 * 1024 * 1024
SCAN_TYPES = {"application/pdf", "image/jpeg", "image/png"}
#: the reason written on the archived membership of a graduate
GRADUATED = "graduated"
#: default final parallel (grade 11 in Kazakhstan and Kyrgyzstan)
DEFAULT_FINAL_PARALLEL = 11
SCHOOL_KINDS = (OrgKind.school,)


# -- orders --------------------------------------------------------------------------------

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


def check_order(order: Order) -> None:
    """Number, date and summary required; the organisation is a school; the number is
    unique within the school and the calendar year of the order's date."""
    org = order.organization or (db.session.get(Organization, order.organization_id)
                                 if order.organization_id else None)
    require(org, "organization", _l("Organization"))
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


def create_order(org: Organization, number: str, date: dt.date, summary: str,
                 kind: OrderKind | None = None, scan: bytes | None = None,
                 scan_name: str | None = None, scan_mime: str | None = None) -> Order:
    order = Order(organization=org, organization_id=org.id, number=number, date=date,
                  summary=summary, kind=kind)
    check_order(order)
    set_scan(order, scan, scan_name, scan_mime)
    db.session.add(order)
    db.session.flush()
    return order


def set_scan(order: Order, scan: bytes | None, name: str | None, mime: str | None) -> None:
    if scan:
        check_scan(scan, mime)
        order.scan, order.scan_name, order.scan_mime = scan, name, mime


def annul_order(order: Order, reason: str | None, on: dt.date | None = None) -> None:
    """A wrong order is annulled with a reason (never deleted); its movements stay, it backs
    no new movement."""
    if order.annulled_on is not None:
        raise ConflictError(_l("The order is already annulled"), field="id",
                            code="order_annulled")
    require(reason, "reason", _l("Reason for annulment"))
    order.annulled_on = on or dt.date.today()
    order.annul_reason = reason.strip()
    db.session.flush()


def check_order_for(org_id: int, order: Order | None) -> Order:
    """The order backing a movement: required, of the same school, not annulled."""
    require(order, "order", _l("Order"))
    if order.organization_id != org_id:
        raise ValidationError(_l("Order: the order belongs to another school"),
                              field="order", code="order_other_school")
    if order.annulled_on is not None:
        raise ValidationError(_l("Order: the order is annulled"), field="order",
                              code="order_annulled")
    return order


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
    require(person, "person", _l("Pupil"))
    m = student_membership(org_id, person.id)
    if m is None:
        raise ValidationError(_l("Pupil: the person is not an active pupil of this school"),
                              field="person", code="not_student")
    return m


def _class_of(org_id: int, cls: SchoolClass | None, field_name: str = "to_class") \
        -> SchoolClass:
    require(cls, field_name, _l("Class"))
    if cls.organization_id != org_id:
        raise ValidationError(_l("Class: the class belongs to another school"),
                              field=field_name, code="class_other_school")
    return cls


def _date_in_year(year: AcademicYear, day: dt.date | None, field_name: str = "date") -> None:
    require(day, field_name, _l("Date"))
    if not year.starts_on <= day <= year.ends_on:
        raise ValidationError(_l("Date: outside the academic year %(year)s (%(start)s - "
                                 "%(end)s)", year=year.name, start=year.starts_on,
                                 end=year.ends_on), field=field_name, code="date_outside_year")


def _open_subgroup_members(class_ids, person_id: int | None = None) -> dict:
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


def _close(e: ClassEnrollment, last_day: dt.date, subgroups: dict | None = None) -> None:
    """End an enrolment on ``last_day`` and the pupil's open subgroup memberships of that
    class with it (``subgroups``: preloaded by ``_open_subgroup_members``)."""
    if last_day < e.from_date:
        raise ValidationError(_l("Date: the pupil entered the class %(cls)s on %(day)s; the "
                                 "movement must be dated later", cls=e.school_class,
                                 day=e.from_date), field="date", code="date_before_enrollment")
    e.to_date = last_day
    if subgroups is None:
        subgroups = _open_subgroup_members([e.class_id], e.person_id)
    for sm in subgroups.get((e.person_id, e.class_id), []):
        sm.to_date = max(last_day, sm.from_date)


def _movement(org_id: int, person: Person, kind: MovementKind, day: dt.date, order: Order,
              **kw) -> Movement:
    mv = Movement(organization_id=org_id, person_id=person.id, kind=kind, date=day,
                  order_id=order.id, **kw)
    db.session.add(mv)
    return mv


def _open(cls: SchoolClass, person: Person, day: dt.date) -> ClassEnrollment:
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


def enrol(person: Person, to_class: SchoolClass, day: dt.date, order: Order,
          reason: str | None = None) -> Movement:
    """Enrol an active pupil of the school who is in no class into a class of the school.
    A pupil who arrived by a transfer from another school in the system is recorded as an
    arrival (kind ``transfer_in``, with the source school)."""
    require(to_class, "to_class", _l("Class"))
    org_id = to_class.organization_id
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
    _open(to_class, person, day)
    kind = MovementKind.transfer_in if source else MovementKind.enrolment
    mv = _movement(org_id, person, kind, day, order, to_class_id=to_class.id,
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
    _close(current, day - dt.timedelta(days=1), subgroups)
    person = current.person
    _open(to_class, person, day)
    return _movement(current.organization_id, person, kind, day, order,
                     from_class_id=current.class_id, to_class_id=to_class.id,
                     reason=_reason(reason))


def transfer_class(person: Person, to_class: SchoolClass, day: dt.date, order: Order,
                   reason: str | None = None) -> Movement:
    """Transfer a pupil to another class of the same school and academic year: the old
    enrolment ends the day before ``day``, the new one starts on ``day``."""
    require(person, "person", _l("Pupil"))
    require(to_class, "to_class", _l("Class"))
    current = db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.person_id == person.id, ClassEnrollment.to_date.is_(None))
        .order_by(ClassEnrollment.from_date.desc())).first()
    org_id = current.organization_id if current is not None else to_class.organization_id
    if current is None or student_membership(org_id, person.id) is None:
        raise ValidationError(_l("Pupil: not in a class of this school; use an enrolment"),
                              field="person", code="not_in_class")
    _check_transfer_target(current, to_class)
    check_order_for(org_id, order)
    _date_in_year(to_class.year, day)
    mv = _transfer(current, to_class, day, order, MovementKind.class_transfer, reason)
    db.session.flush()
    return mv


def exclude(org: Organization, person: Person, day: dt.date, order: Order, reason: str,
            period: StudyPeriod | None) -> Movement:
    """Exclusion (seed 004 fig. 26: reason, order, date, quarter): the class enrolment ends
    the day before, the Student membership goes to the archive with the reason."""
    m = _active_student(org.id, person)
    check_order_for(org.id, order)
    require(day, "date", _l("Date"))
    require(_reason(reason), "reason", _l("Reason"))
    require(period, "period", _l("Quarter"))
    if period.organization_id != org.id:
        raise ValidationError(_l("Quarter: the period belongs to another school"),
                              field="period", code="period_other_school")
    _date_in_year(period.year, day)
    current = open_enrollment(org.id, person.id)
    if current is not None:
        _close(current, day - dt.timedelta(days=1))
    people_service.end_membership(m, day, _reason(reason))
    mv = _movement(org.id, person, MovementKind.exclusion, day, order,
                   from_class_id=current.class_id if current else None,
                   reason=_reason(reason), period_id=period.id)
    db.session.flush()
    return mv


def transfer_schools(org: Organization) -> object:
    """SQL condition on ``Organization``: schools a pupil of ``org`` may be transferred to
    (open schools of the same country, other than ``org``)."""
    return and_(Organization.kind.in_(list(SCHOOL_KINDS)), Organization.closed_on.is_(None),
                Organization.country == org.country, Organization.id != org.id)


def transfer_out(org: Organization, person: Person, target: Organization | None,
                 day: dt.date, order: Order, reason: str | None = None) -> Movement:
    """Transfer to another school in the system. The same ``Person`` (one per IIN/PIN) gets
    a Student membership in the target school from ``day`` and loses the one here; the
    class enrolment here ends the day before. All history stays on the person; the target
    school finds the pupil in "pupils without a class" and enrols them (an arrival)."""
    m = _active_student(org.id, person)
    check_order_for(org.id, order)
    require(day, "date", _l("Date"))
    require(target, "target", _l("Target school"))
    if db.session.execute(select(Organization.id).where(
            Organization.id == target.id, transfer_schools(org))).first() is None:
        raise ValidationError(_l("Target school: choose another open school of the same "
                                 "country"), field="target", code="target_not_school")
    if student_membership(target.id, person.id) is not None:
        raise ConflictError(_l("Target school: the person is already a pupil there"),
                            field="target", code="already_pupil_there")
    current = open_enrollment(org.id, person.id)
    if current is not None:
        _close(current, day - dt.timedelta(days=1))
    people_service.end_membership(m, day, _reason(reason) or str(
        _l("Transferred to %(school)s", school=target.short_name)))
    db.session.add(Membership(person_id=person.id, organization_id=target.id,
                              role=Role.student, arrival_date=day))
    db.session.flush()
    db.session.refresh(person, ["memberships"])
    people_service.sync_user_roles(person)
    mv = _movement(org.id, person, MovementKind.transfer_out, day, order,
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


def disband(cls: SchoolClass, targets: dict[int, SchoolClass | None], day: dt.date,
            order: Order, reason: str | None = None) -> list[Movement]:
    """Disband a class: every pupil of it moves to the class chosen for them, all or
    nothing (every pupil must get a class of the same school and year). ``targets``: person
    id -> class. Errors name the field ``class_<person id>``."""
    org_id = cls.organization_id
    check_order_for(org_id, order)
    _date_in_year(cls.year, day)
    pupils = class_pupils(cls)
    if not pupils:
        raise ValidationError(_l("Class: there are no pupils in the class"), field="school_class",
                              code="class_empty")
    out = []
    for e in pupils:
        fld = f"class_{e.person_id}"
        target = targets.get(e.person_id)
        if target is None:
            raise ValidationError(_l("%(pupil)s: choose the new class", pupil=e.person),
                                  field=fld, code="class_missing")
        _check_transfer_target(e, target, fld)
    subgroups = _open_subgroup_members([cls.id])
    for e in pupils:
        out.append(_transfer(e, targets[e.person_id], day, order, MovementKind.disband,
                             reason, subgroups))
    db.session.flush()
    return out


# -- promotion to the next academic year ---------------------------------------------------

def final_parallel(org_id: int) -> int:
    """The parallel whose pupils graduate at the end of the year. The organisation's
    settings have no final-grade field yet, so it is 11 (general secondary education ends
    with grade 11 in Kazakhstan and in Kyrgyzstan)."""
    return DEFAULT_FINAL_PARALLEL


def next_year_of(year: AcademicYear) -> AcademicYear | None:
    return db.session.scalars(select(AcademicYear).where(
        AcademicYear.organization_id == year.organization_id,
        AcademicYear.starts_on > year.ends_on).order_by(AcademicYear.starts_on)).first()


@dataclass
class PromotionRow:
    """One class of the year: who moves where (or graduates)."""

    source: SchoolClass
    parallel: int
    letter: str
    target: SchoolClass | None  # None: to be created (or graduation)
    graduates: bool
    pupils: list[Person] = field(default_factory=list)
    done: list[Person] = field(default_factory=list)  # already promoted / graduated

    @property
    def target_name(self) -> str:
        if self.target is not None:
            return str(self.target)
        from app.i18n import current_locale

        src = self.source
        letter = {"kk": src.letter_kk, "en": src.letter_en}.get(current_locale()) or self.letter
        return f"{self.parallel} {letter}"


@dataclass
class PromotionPlan:
    year: AcademicYear
    next_year: AcademicYear
    final: int
    rows: list[PromotionRow]

    @property
    def pending(self) -> int:
        return sum(len(r.pupils) for r in self.rows)


def promotion_plan(year: AcademicYear) -> PromotionPlan:
    """What a promotion of every class of ``year`` would do, without changing anything:
    pupils in a class on the year's last day move to class N+1 with the same letter in the
    next academic year (created if missing), pupils of the final parallel graduate. Pupils
    already promoted (an enrolment in the next year) or already graduated are listed as
    done. A fixed number of queries."""
    nxt = next_year_of(year)
    if nxt is None:
        raise ValidationError(_l("Academic year: create the academic year that follows "
                                 "%(year)s first", year=year.name), field="next_year",
                              code="no_next_year")
    final = final_parallel(year.organization_id)
    classes = db.session.scalars(select(SchoolClass).where(SchoolClass.year_id == year.id)
                                 .order_by(SchoolClass.parallel, SchoolClass.letter_ru)).all()
    existing = {(c.parallel, c.letter_ru): c for c in db.session.scalars(
        select(SchoolClass).where(SchoolClass.year_id == nxt.id))}
    rows_by_class: dict[int, PromotionRow] = {}
    rows = []
    for c in classes:
        graduates = c.parallel >= final
        row = PromotionRow(c, c.parallel + 1, c.letter_ru,
                           None if graduates else existing.get((c.parallel + 1, c.letter_ru)),
                           graduates)
        rows_by_class[c.id] = row
        rows.append(row)
    promoted = select(ClassEnrollment.person_id).join(
        SchoolClass, SchoolClass.id == ClassEnrollment.class_id).where(
        SchoolClass.year_id == nxt.id)
    active = select(Membership.person_id).where(
        Membership.organization_id == year.organization_id, Membership.role == Role.student,
        Membership.end_date.is_(None))
    q = (select(ClassEnrollment.class_id, Person,
                Person.id.in_(promoted).label("promoted"),
                Person.id.in_(active).label("active"))
         .join(Person, Person.id == ClassEnrollment.person_id)
         .join(SchoolClass, SchoolClass.id == ClassEnrollment.class_id)
         .where(SchoolClass.year_id == year.id, ClassEnrollment.from_date <= year.ends_on,
                or_(ClassEnrollment.to_date.is_(None),
                    ClassEnrollment.to_date >= year.ends_on))
         .order_by(Person.last_name, Person.first_name, Person.id))
    graduated = set(db.session.scalars(select(Movement.person_id).where(
        Movement.organization_id == year.organization_id,
        Movement.kind == MovementKind.graduation, Movement.date == year.ends_on)))
    for class_id, person, is_promoted, is_active in db.session.execute(q).unique():
        row = rows_by_class[class_id]
        done = (person.id in graduated) if row.graduates else bool(is_promoted)
        if done or not is_active:
            row.done.append(person)
        else:
            row.pupils.append(person)
    return PromotionPlan(year, nxt, final, rows)


def _target_class(row: PromotionRow, nxt: AcademicYear) -> SchoolClass:
    if row.target is not None:
        return row.target
    src = row.source
    teacher_id = src.class_teacher_id
    if teacher_id is not None and db.session.execute(select(SchoolClass.id).where(
            SchoolClass.year_id == nxt.id, SchoolClass.class_teacher_id == teacher_id)).first():
        teacher_id = None  # the teacher already leads a class of the next year
    cls = SchoolClass(organization_id=src.organization_id, year_id=nxt.id,
                      parallel=row.parallel, letter_ru=src.letter_ru, letter_kk=src.letter_kk,
                      letter_en=src.letter_en, language=src.language, profile=src.profile,
                      shift=src.shift, home_room_id=src.home_room_id,
                      class_teacher_id=teacher_id, home_schooling=src.home_schooling)
    db.session.add(cls)
    db.session.flush()
    row.target = cls
    return cls


def promote(year: AcademicYear, order: Order) -> tuple[int, int, int]:
    """Promote every class of ``year`` as ``promotion_plan`` shows it, in one transaction:
    old enrolments end on the year's last day, new ones start on the next year's first day
    (promotion movements); graduates' enrolments end, their Student memberships go to the
    archive with the reason "graduated" (graduation movements, dated the year's last day).
    Pupils already done are skipped, so running it twice changes nothing the second time.
    Returns (promoted, graduated, classes created)."""
    plan = promotion_plan(year)
    check_order_for(year.organization_id, order)
    org_id = year.organization_id
    open_rows = {(e.person_id, e.class_id): e for e in db.session.scalars(
        select(ClassEnrollment).join(SchoolClass, SchoolClass.id == ClassEnrollment.class_id)
        .where(SchoolClass.year_id == year.id, ClassEnrollment.to_date.is_(None)))}
    members = {m.person_id: m for m in db.session.scalars(select(Membership).where(
        Membership.organization_id == org_id, Membership.role == Role.student,
        Membership.end_date.is_(None)))}
    subgroups = _open_subgroup_members([r.source.id for r in plan.rows])
    promoted = graduated = created = 0
    for row in plan.rows:
        if not row.pupils:
            continue
        target = None
        if not row.graduates:
            created += row.target is None
            target = _target_class(row, plan.next_year)
        for person in row.pupils:
            e = open_rows.get((person.id, row.source.id))
            if e is not None:
                _close(e, year.ends_on, subgroups)
            if row.graduates:
                m = members[person.id]
                m.end_date, m.end_reason = year.ends_on, GRADUATED
                _movement(org_id, person, MovementKind.graduation, year.ends_on, order,
                          from_class_id=row.source.id, reason=GRADUATED)
                graduated += 1
            else:
                _open(target, person, plan.next_year.starts_on)
                _movement(org_id, person, MovementKind.promotion, plan.next_year.starts_on,
                          order, from_class_id=row.source.id, to_class_id=target.id)
                promoted += 1
    db.session.flush()
    if graduated:
        for person in {p for r in plan.rows if r.graduates for p in r.pupils}:
            if person.user is not None:
                db.session.refresh(person, ["memberships"])
                people_service.sync_user_roles(person)
    return promoted, graduated, created


def count_movements(org_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Movement.organization_id == org_id))
