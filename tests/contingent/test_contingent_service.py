"""Contingent movements with orders: every movement and every refusal, on the services."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.contingent import Movement, MovementKind, Order
from app.models.people import Membership, Person, Role
from app.models.study import ClassEnrollment, SchoolClass, StudyPeriod
from app.services.contingent import movements as svc
from app.services.contingent import orders, promotion
from app.services.errors import ConflictError, DomainError, ValidationError
from tests import factories
from tests.contingent.helpers import contingent_network, next_year

D = dt.date


@pytest.fixture()
def c(net):
    return contingent_network(net)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _enrollments(person) -> list[ClassEnrollment]:
    return list(db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.person_id == person.id).order_by(ClassEnrollment.from_date,
                                                         ClassEnrollment.id)))


def _student_of(org, person) -> Membership | None:
    return db.session.scalars(select(Membership).where(
        Membership.organization_id == org.id, Membership.person_id == person.id,
        Membership.role == Role.student)).first()


# -- orders --------------------------------------------------------------------------------

def test_order_number_unique_per_school_and_year(c):
    """Is an order number refused when the school already used it that calendar year, and
    allowed in another year or another school?"""
    with pytest.raises(ConflictError) as err:
        orders.create_order(c.admin, c.n.SA1, " 1 ", D(2026, 10, 1), "Again")
    assert err.value.field == "number"
    assert "already has an order with this number in 2026" in str(err.value)
    db.session.rollback()
    assert orders.create_order(c.admin, c.n.SA1, "1", D(2027, 1, 10), "New year").year == 2027
    assert orders.create_order(c.sys, c.n.SB1, "1", D(2026, 10, 1), "Other school").id


def test_order_rules(c):
    """Are a missing number or summary, an order of a district and a bad scan refused?"""
    with pytest.raises(ValidationError) as err:
        orders.create_order(c.admin, c.n.SA1, "", D(2026, 9, 2), "x")
    assert err.value.field == "number"
    with pytest.raises(ValidationError) as err:
        orders.create_order(c.admin, c.n.SA1, "2", D(2026, 9, 2), " ")
    assert err.value.field == "summary"
    with pytest.raises(ValidationError) as err:
        orders.create_order(c.sys, c.n.DA, "2", D(2026, 9, 2), "x")
    assert err.value.field == "organization"
    with pytest.raises(ValidationError) as err:
        orders.create_order(c.admin, c.n.SA1, "2", D(2026, 9, 2), "x",
                            scan=b"x" * (5 * 1024 * 1024 + 1), scan_name="a.pdf",
                            scan_mime="application/pdf")
    assert err.value.code == "scan_size"
    with pytest.raises(ValidationError) as err:
        orders.create_order(c.admin, c.n.SA1, "2", D(2026, 9, 2), "x", scan=b"MZ",
                            scan_name="a.exe", scan_mime="application/octet-stream")
    assert err.value.code == "scan_type"
    o = orders.create_order(c.admin, c.n.SA1, "2", D(2026, 9, 2), "x", scan=b"%PDF",
                            scan_name="a.pdf", scan_mime="application/pdf")
    assert o.scan == b"%PDF"


def test_annulled_order_backs_no_movement(c):
    """Is an annulled order kept (with its reason) and refused for a new movement?"""
    o = orders.create_order(c.admin, c.n.SA1, "7", D(2026, 9, 3), "Wrong")
    with pytest.raises(ValidationError):
        orders.annul_order(c.admin, o, "")
    orders.annul_order(c.admin, o, "Typing error")
    with pytest.raises(ConflictError):
        orders.annul_order(c.admin, o, "Again")
    with pytest.raises(ValidationError) as err:
        svc.enrol(c.admin, c.new, c.s.c5b, D(2026, 9, 5), o)
    assert err.value.field == "order" and "annulled" in str(err.value)
    assert db.session.get(Order, o.id).annul_reason == "Typing error"
    o.summary = "Changed"
    with pytest.raises(ConflictError) as err:
        orders.check_order(c.admin, o)
    assert err.value.code == "order_annulled"


# -- enrolment -----------------------------------------------------------------------------

def test_enrol_pupil_without_class(c):
    """Does enrolling a pupil without a class open an enrolment and write an enrolment
    movement with the order, and take the pupil off "pupils without a class"?"""
    assert [p.id for p in svc.pupils_without_class(c.n.SA1.id)] == [c.new.id]
    mv = svc.enrol(c.admin, c.new, c.s.c5b, D(2026, 9, 10), c.o1, "New in town")
    db.session.commit()
    assert mv.kind == MovementKind.enrolment and mv.to_class_id == c.s.c5b.id
    assert mv.order_id == c.o1.id and mv.reason == "New in town"
    [e] = _enrollments(c.new)
    assert (e.class_id, e.from_date, e.to_date) == (c.s.c5b.id, D(2026, 9, 10), None)
    assert svc.pupils_without_class(c.n.SA1.id) == []


@pytest.mark.parametrize("case,field", [
    ("already_in_class", "person"), ("not_pupil", "person"), ("other_school_order", "order"),
    ("outside_year", "date"), ("no_order", "order"), ("no_class", "to_class")])
def test_enrol_refusals(c, case, field):
    """Is an enrolment refused, naming the field, for a pupil already in a class, a person
    who is not a pupil, an order of another school, a date outside the year, no order and
    no class? Is nothing written?"""
    person, cls, day, order = c.new, c.s.c5b, D(2026, 9, 10), c.o1
    if case == "already_in_class":
        person = c.p1
    elif case == "not_pupil":
        person = c.n.teacher_a.person
    elif case == "other_school_order":
        order = c.o_a2
    elif case == "outside_year":
        day = D(2027, 6, 15)
    elif case == "no_order":
        order = None
    elif case == "no_class":
        cls = None
    before = _count(Movement)
    with pytest.raises(DomainError) as err:
        svc.enrol(c.admin, person, cls, day, order)
    db.session.rollback()
    assert err.value.field == field
    assert _count(Movement) == before


def test_enrol_into_class_of_another_school_refused(c):
    """Can a pupil of School A1 be enrolled into a class of School A2?"""
    with pytest.raises(ValidationError) as err:
        svc.enrol(c.admin2, c.new, c.s2.c5a, D(2026, 9, 10), c.o_a2)
    assert err.value.field == "person"  # not a pupil of A2


# -- transfer to another class ---------------------------------------------------------------

def test_transfer_to_another_class(c):
    """Does a class transfer close the enrolment the day before and open the new class on
    the date, with one movement from -> to?"""
    mv = svc.transfer_class(c.admin, c.p1, c.s.c5b, D(2026, 11, 9), c.o1, "Parents' request")
    db.session.commit()
    old, new = _enrollments(c.p1)
    assert (old.class_id, old.to_date) == (c.s.c5a.id, D(2026, 11, 8))
    assert (new.class_id, new.from_date, new.to_date) == (c.s.c5b.id, D(2026, 11, 9), None)
    assert (mv.kind, mv.from_class_id, mv.to_class_id) == (
        MovementKind.class_transfer, c.s.c5a.id, c.s.c5b.id)


@pytest.mark.parametrize("case,field", [
    ("same_class", "to_class"), ("not_in_class", "person"), ("other_year", "to_class"),
    ("other_school", "to_class"), ("before_entry", "date"), ("other_order", "order")])
def test_transfer_refusals(c, case, field):
    """Is a class transfer refused, naming the field, to the same class, for a pupil in no
    class, to a class of another year or school, on the day of entry, with another school's
    order?"""
    person, cls, day, order = c.p1, c.s.c5b, D(2026, 11, 9), c.o1
    if case == "same_class":
        cls = c.s.c5a
    elif case == "not_in_class":
        person = c.new
    elif case == "other_year":
        y = next_year(c.n.SA1.id)
        cls = SchoolClass(organization_id=c.n.SA1.id, year_id=y.id, parallel=6,
                          letter_ru="А", letter_kk="А", letter_en="A", shift=1)
        db.session.add(cls)
        db.session.flush()
    elif case == "other_school":
        cls = c.s2.c5a
    elif case == "before_entry":
        day = D(2026, 9, 1)
    elif case == "other_order":
        order = c.o_a2
    with pytest.raises(DomainError) as err:
        svc.transfer_class(c.admin, person, cls, day, order)
    db.session.rollback()
    assert err.value.field == field
    assert len(_enrollments(c.p1)) == 1


# -- exclusion -------------------------------------------------------------------------------

def test_exclusion_archives_and_keeps_history(c):
    """Does an exclusion end the class enrolment, archive the Student membership with the
    reason and keep every row (person, enrolment, movement with the quarter)?"""
    q2 = c.s.periods[1]
    mv = svc.exclude(c.admin, c.n.SA1, c.p2, D(2026, 11, 20), c.o1, "Moved abroad", q2)
    db.session.commit()
    [e] = _enrollments(c.p2)
    assert e.to_date == D(2026, 11, 19)
    m = _student_of(c.n.SA1, c.p2)
    assert (m.end_date, m.end_reason) == (D(2026, 11, 20), "Moved abroad")
    assert (mv.kind, mv.period_id, mv.from_class_id) == (MovementKind.exclusion, q2.id,
                                                         c.s.c5a.id)
    assert db.session.get(Person, c.p2.id) is not None


@pytest.mark.parametrize("case,field", [
    ("no_reason", "reason"), ("no_period", "period"), ("other_period", "period"),
    ("not_pupil", "person"), ("outside_year", "date")])
def test_exclusion_refusals(c, case, field):
    """Is an exclusion refused without a reason or quarter, with another school's quarter,
    for a non-pupil, or dated outside the year?"""
    person, reason, period, day = c.p2, "Reason", c.s.periods[1], D(2026, 11, 20)
    if case == "no_reason":
        reason = " "
    elif case == "no_period":
        period = None
    elif case == "other_period":
        period = c.s2.periods[1]
    elif case == "not_pupil":
        person = c.n.teacher_a.person
    elif case == "outside_year":
        day = D(2027, 7, 1)
    with pytest.raises(DomainError) as err:
        svc.exclude(c.admin, c.n.SA1, person, day, c.o1, reason, period)
    db.session.rollback()
    assert err.value.field == field
    assert _student_of(c.n.SA1, c.p2).end_date is None


# -- transfer to another school --------------------------------------------------------------

def test_transfer_to_another_school_keeps_one_person(c):
    """Does a transfer to School A2 keep one Person (found by IIN), end the membership in
    A1, give one in A2 where the pupil is "without a class", and does A2's enrolment record
    an arrival from A1 with all history on the same person?"""
    persons = _count(Person)
    mv = svc.transfer_out(c.admin, c.n.SA1, c.p3, c.n.SA2, D(2026, 12, 1), c.o1, "Family moved")
    db.session.commit()
    assert _count(Person) == persons
    assert _count(Person, Person.national_id == c.p3.national_id) == 1
    assert _student_of(c.n.SA1, c.p3).end_date == D(2026, 12, 1)
    target = _student_of(c.n.SA2, c.p3)
    assert target.end_date is None and target.arrival_date == D(2026, 12, 1)
    assert (mv.kind, mv.other_organization_id) == (MovementKind.transfer_out, c.n.SA2.id)
    assert c.p3.id in [p.id for p in svc.pupils_without_class(c.n.SA2.id)]
    arrival = svc.enrol(c.admin2, c.p3, c.s2.c5b, D(2026, 12, 1), c.o_a2)
    db.session.commit()
    assert (arrival.kind, arrival.other_organization_id) == (MovementKind.transfer_in,
                                                             c.n.SA1.id)
    e_a1, e_a2 = _enrollments(c.p3)
    assert (e_a1.organization_id, e_a1.to_date) == (c.n.SA1.id, D(2026, 11, 30))
    assert (e_a2.organization_id, e_a2.to_date) == (c.n.SA2.id, None)
    assert {m.organization_id for m in db.session.scalars(select(Movement).where(
        Movement.person_id == c.p3.id))} == {c.n.SA1.id, c.n.SA2.id}


def test_transfer_to_another_school_refusals(c):
    """Is a transfer refused to a district, to the same school, to a school of another
    country, to a school where the person already studies, and without a target?"""
    cases = [(c.n.DA, "target_not_school"), (c.n.SA1, "target_not_school"),
             (None, "required")]
    c.n.SB1.country = "KG"
    db.session.commit()
    cases.append((c.n.SB1, "target_not_school"))
    for target, code in cases:
        with pytest.raises(DomainError) as err:
            svc.transfer_out(c.admin, c.n.SA1, c.p3, target, D(2026, 12, 1), c.o1)
        db.session.rollback()
        assert (err.value.field, err.value.code) == ("target", code)
    factories.member(c.n.SA2, Role.student, person=c.p3)
    db.session.commit()
    with pytest.raises(ConflictError) as err:
        svc.transfer_out(c.admin, c.n.SA1, c.p3, c.n.SA2, D(2026, 12, 1), c.o1)
    assert err.value.code == "already_pupil_there"


# -- disbanding a class ---------------------------------------------------------------------

def test_disband_moves_every_pupil(c):
    """Does disbanding 5 А move each pupil to the class chosen for them in one step?"""
    targets = {c.p1.id: c.s.c5b, c.p2.id: c.s.c5b, c.p3.id: c.c11}
    moves = svc.disband(c.admin, c.s.c5a, targets, D(2027, 1, 12), c.o1, "Too few pupils")
    db.session.commit()
    assert len(moves) == 3 and {m.kind for m in moves} == {MovementKind.disband}
    assert svc.class_pupils(c.s.c5a) == []
    assert {e.person_id for e in svc.class_pupils(c.s.c5b)} == {c.p1.id, c.p2.id}


def test_disband_is_all_or_nothing(c):
    """Is disbanding refused, with nothing changed, when one pupil gets no class or a
    class of another school?"""
    for bad in (None, c.s2.c5a):
        targets = {c.p1.id: c.s.c5b, c.p2.id: c.s.c5b, c.p3.id: bad}
        with pytest.raises(ValidationError) as err:
            svc.disband(c.admin, c.s.c5a, targets, D(2027, 1, 12), c.o1)
        db.session.rollback()
        assert err.value.field == f"class_{c.p3.id}"
        assert len(svc.class_pupils(c.s.c5a)) == 3
        assert _count(Movement, Movement.kind == MovementKind.disband) == 0


# -- promotion to the next academic year ----------------------------------------------------

def test_promotion_needs_the_next_year(c):
    """Is a promotion refused with a clear error when the next academic year is missing?"""
    with pytest.raises(ValidationError) as err:
        promotion.promotion_plan(c.s.year)
    assert err.value.field == "next_year" and "2026-2027" in str(err.value)


def test_promotion_plan_changes_nothing(c):
    """Does the plan list who moves where and who graduates, without changing anything?"""
    next_year(c.n.SA1.id)
    before = (_count(ClassEnrollment), _count(SchoolClass), _count(Movement))
    plan = promotion.promotion_plan(c.s.year)
    rows = {r.source.letter_ru and f"{r.source.parallel} {r.source.letter_ru}": r
            for r in plan.rows}
    assert rows["5 А"].target is None and rows["5 А"].target_name in ("6 А", "6 A")
    assert [p.last_name for p in rows["5 А"].pupils] == ["Абаев", "Бекова", "Жумаев"]
    assert rows["11 А"].graduates and [p.id for p in rows["11 А"].pupils] == [c.p4.id]
    assert rows["5 Б"].pupils == []
    db.session.rollback()
    assert (_count(ClassEnrollment), _count(SchoolClass), _count(Movement)) == before


def test_promotion_moves_graduates_and_is_idempotent(c):
    """Does the confirmed promotion move 5 А to a new 6 А (same letters, language, class
    teacher) in the next year, graduate 11 А (membership archived "graduated"), and does
    running it twice change nothing more?"""
    nxt = next_year(c.n.SA1.id)
    order = orders.create_order(c.admin, c.n.SA1, "55", D(2027, 5, 31), "Promotion")
    promoted, graduated, created = promotion.promote(c.admin, c.s.year, order)
    db.session.commit()
    assert (promoted, graduated, created) == (3, 1, 1)
    six = db.session.scalars(select(SchoolClass).where(SchoolClass.year_id == nxt.id)).one()
    assert (six.parallel, six.letter_ru, six.letter_kk, six.letter_en, six.class_teacher_id) \
        == (6, "А", "А", "A", c.s.c5a.class_teacher_id)
    old, new = _enrollments(c.p1)
    assert (old.to_date, new.class_id, new.from_date) == (D(2027, 5, 31), six.id, D(2027, 9, 1))
    m = _student_of(c.n.SA1, c.p4)
    assert (m.end_date, m.end_reason) == (D(2027, 5, 31), promotion.GRADUATED)
    assert _count(Movement, Movement.kind == MovementKind.graduation) == 1
    counts = (_count(ClassEnrollment), _count(SchoolClass), _count(Movement))
    assert promotion.promote(c.admin, c.s.year, order) == (0, 0, 0)
    db.session.commit()
    assert (_count(ClassEnrollment), _count(SchoolClass), _count(Movement)) == counts
    assert promotion.promotion_plan(c.s.year).pending == 0


def test_promotion_uses_existing_class_and_final_parallel(c):
    """Does the promotion reuse a class N+1 that already exists and is 11 the final
    parallel by default?"""
    nxt = next_year(c.n.SA1.id)
    six = SchoolClass(organization_id=c.n.SA1.id, year_id=nxt.id, parallel=6, letter_ru="А",
                      letter_kk="А", letter_en="A", shift=1)
    db.session.add(six)
    db.session.commit()
    assert promotion.final_parallel(c.n.SA1.id) == 11
    promotion.promote(c.admin, c.s.year, c.o1)
    db.session.commit()
    assert {e.person_id for e in svc.class_pupils(six)} == {c.p1.id, c.p2.id, c.p3.id}
    assert _count(SchoolClass, SchoolClass.year_id == nxt.id) == 1


def test_exclusion_period_must_be_a_quarter_of_the_school(c):
    """Is the quarter of another school's year refused for an exclusion?"""
    other = db.session.scalars(select(StudyPeriod).where(
        StudyPeriod.organization_id == c.n.SA2.id)).first()
    with pytest.raises(ValidationError) as err:
        svc.exclude(c.admin, c.n.SA1, c.p1, D(2026, 10, 1), c.o1, "x", other)
    assert err.value.code == "period_other_school"
