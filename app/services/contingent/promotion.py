"""Promotion of every class of a school to the next academic year (seed 004 section 2,
"Контингент"; issue 5): ``promotion_plan`` shows who moves where and who graduates without
changing anything, the ``promote`` command performs it as one unit of work."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.extensions import db
from app.models.contingent import Movement, MovementKind, Order
from app.models.people import Membership, Person, Role
from app.models.study import AcademicYear, ClassEnrollment, SchoolClass
from app.security.scopes import UserScope
from app.services import people as people_service
from app.services.contingent.movements import (
    add_movement,
    check_contingent_writer,
    close_enrollment,
    open_subgroup_members,
    start_enrollment,
)
from app.services.contingent.orders import check_order_for
from app.services.errors import ValidationError
from app.services.unit_of_work import command

#: the reason written on the archived membership of a graduate
GRADUATED = "graduated"
#: default final parallel (grade 11 in Kazakhstan and Kyrgyzstan)
DEFAULT_FINAL_PARALLEL = 11


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


@command
def promote(scope: UserScope, year: AcademicYear, order: Order) -> tuple[int, int, int]:
    """Promote every class of ``year`` as ``promotion_plan`` shows it, in one transaction:
    old enrolments end on the year's last day, new ones start on the next year's first day
    (promotion movements); graduates' enrolments end, their Student memberships go to the
    archive with the reason "graduated" (graduation movements, dated the year's last day).
    Pupils already done are skipped, so running it twice changes nothing the second time.
    Returns (promoted, graduated, classes created)."""
    check_contingent_writer(scope, year.organization_id)
    plan = promotion_plan(year)
    check_order_for(year.organization_id, order)
    org_id = year.organization_id
    open_rows = {(e.person_id, e.class_id): e for e in db.session.scalars(
        select(ClassEnrollment).join(SchoolClass, SchoolClass.id == ClassEnrollment.class_id)
        .where(SchoolClass.year_id == year.id, ClassEnrollment.to_date.is_(None)))}
    members = {m.person_id: m for m in db.session.scalars(select(Membership).where(
        Membership.organization_id == org_id, Membership.role == Role.student,
        Membership.end_date.is_(None)))}
    subgroups = open_subgroup_members([r.source.id for r in plan.rows])
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
                close_enrollment(e, year.ends_on, subgroups)
            if row.graduates:
                m = members[person.id]
                m.end_date, m.end_reason = year.ends_on, GRADUATED
                add_movement(org_id, person, MovementKind.graduation, year.ends_on, order,
                             from_class_id=row.source.id, reason=GRADUATED)
                graduated += 1
            else:
                # set above for every row that does not graduate
                target = cast(SchoolClass, target)
                start_enrollment(target, person, plan.next_year.starts_on)
                add_movement(org_id, person, MovementKind.promotion,
                             plan.next_year.starts_on, order, from_class_id=row.source.id,
                             to_class_id=target.id)
                promoted += 1
    db.session.flush()
    if graduated:
        for person in {p for r in plan.rows if r.graduates for p in r.pupils}:
            if person.user is not None:
                db.session.refresh(person, ["memberships"])
                people_service.sync_user_roles(person)
    return promoted, graduated, created
