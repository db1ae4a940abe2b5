"""Contingent reports: the book of pupil movement and the alphabetical book of pupils
(seed 004 fig. 21 "Книга движения учащихся"; the alphabetical book of a school). Each
builder runs a fixed number of queries whatever the number of pupils; XLSX through
``app.services.xlsx``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.i18n import current_locale, format_date
from app.models.contingent import (
    ARRIVALS,
    DEPARTURES,
    MOVEMENT_KIND_LABELS,
    Movement,
    MovementKind,
    Order,
)
from app.models.org import Organization
from app.models.people import Membership, Person, Role
from app.models.study import ClassEnrollment, SchoolClass
from app.services.contingent.promotion import GRADUATED
from app.services.xlsx import table_xlsx


def _full(last, first, middle) -> str:
    return " ".join(x for x in (last, first, middle) if x)


def _class_name(parallel, l_ru, l_kk, l_en, loc: str) -> str:
    if parallel is None:
        return ""
    letter = {"kk": l_kk, "en": l_en}.get(loc) or l_ru
    return f"{parallel} {letter}"


def cell(v):
    if isinstance(v, dt.date):
        return format_date(v)
    return "" if v is None else v


# -- book of pupil movement ----------------------------------------------------------------

@dataclass
class MovementLine:
    pupil: str
    national_id: str
    date: dt.date
    direction: str  # "arrival" / "departure" / "inside"
    kind: MovementKind
    from_text: str
    to_text: str
    order_number: str
    order_date: dt.date
    reason: str

    @property
    def kind_label(self) -> str:
        return str(MOVEMENT_KIND_LABELS[self.kind])


def direction_of(kind: MovementKind) -> str:
    if kind in ARRIVALS:
        return "arrival"
    if kind in DEPARTURES:
        return "departure"
    return "inside"


def movement_book(org_id: int, start: dt.date, end: dt.date, inside: bool = False) \
        -> list[MovementLine]:
    """Arrivals and departures of the school from ``start`` to ``end`` (and movements
    inside the school when ``inside``), by date: pupil, date, kind, from, to, order number
    and date. One query."""
    fc, tc, other = aliased(SchoolClass), aliased(SchoolClass), aliased(Organization)
    kinds = list(ARRIVALS) + list(DEPARTURES)
    q = (select(Movement.kind, Movement.date, Movement.reason, Person.last_name,
                Person.first_name, Person.middle_name, Person.national_id,
                fc.parallel, fc.letter_ru, fc.letter_kk, fc.letter_en,
                tc.parallel, tc.letter_ru, tc.letter_kk, tc.letter_en,
                other.short_name, Order.number, Order.date)
         .join(Person, Person.id == Movement.person_id)
         .join(Order, Order.id == Movement.order_id)
         .outerjoin(fc, fc.id == Movement.from_class_id)
         .outerjoin(tc, tc.id == Movement.to_class_id)
         .outerjoin(other, other.id == Movement.other_organization_id)
         .where(Movement.organization_id == org_id, Movement.date >= start,
                Movement.date <= end)
         .order_by(Movement.date, Person.last_name, Person.first_name, Movement.id))
    if not inside:
        q = q.where(Movement.kind.in_(kinds))
    loc = current_locale()
    out = []
    for (kind, day, reason, last, first, middle, iin, fp, f1, f2, f3, tp, t1, t2, t3, other_name,
         number, odate) in db.session.execute(q):
        kind = MovementKind(kind)
        src = _class_name(fp, f1, f2, f3, loc)
        dst = _class_name(tp, t1, t2, t3, loc)
        if kind == MovementKind.transfer_in:
            src = other_name or ""
        elif kind == MovementKind.transfer_out:
            dst = other_name or ""
        out.append(MovementLine(_full(last, first, middle), iin or "", day, direction_of(kind),
                                kind, src, dst, number, odate, reason or ""))
    return out


def movement_book_headers() -> list[str]:
    return ["№", gettext("Pupil"), gettext("IIN / PIN"), gettext("Date"),
            gettext("Arrival / departure"), gettext("Movement"), gettext("From"),
            gettext("To"), gettext("Order number"), gettext("Order date"), gettext("Reason")]




def direction_label(direction: str) -> str:
    return {"arrival": gettext("Arrival"), "departure": gettext("Departure"),
            "inside": gettext("Inside the school")}[direction]


def movement_book_rows(lines: list[MovementLine]) -> list[list]:
    return [[i, ln.pupil, ln.national_id, ln.date, direction_label(ln.direction),
             ln.kind_label, ln.from_text, ln.to_text, ln.order_number, ln.order_date,
             ln.reason] for i, ln in enumerate(lines, 1)]


def movement_book_xlsx(org_name: str, start: dt.date, end: dt.date,
                       lines: list[MovementLine]) -> bytes:
    rows = [[cell(v) for v in row] for row in movement_book_rows(lines)]
    return table_xlsx(gettext("Book of pupil movement"), movement_book_headers(), rows,
                      caption=[org_name, gettext("Book of pupil movement"),
                               f"{format_date(start)} - {format_date(end)}"])


# -- alphabetical book of pupils -----------------------------------------------------------

@dataclass
class BookLine:
    person_id: int
    pupil: str
    national_id: str
    birth_date: dt.date | None
    school_class: str = ""
    arrival_date: dt.date | None = None
    arrival_order: str = ""
    departure_date: dt.date | None = None
    departure_order: str = ""
    departure_reason: str = ""


def _order_text(number, day) -> str:
    return f"№ {number} ({format_date(day)})" if number else ""


def alphabetical_book(org_id: int) -> list[BookLine]:
    """Every pupil the school ever had (a Student membership, active or archived),
    alphabetically: the class (current, or the last one), arrival date and order, departure
    date, order and reason. Three queries."""
    loc = current_locale()
    lines: dict[int, BookLine] = {}
    for pid, last, first, middle, iin, born, arrival, end, end_reason in db.session.execute(
            select(Person.id, Person.last_name, Person.first_name, Person.middle_name,
                   Person.national_id, Person.birth_date, Membership.arrival_date,
                   Membership.end_date, Membership.end_reason)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.organization_id == org_id, Membership.role == Role.student)
            .order_by(Person.last_name, Person.first_name, Person.middle_name, Person.id,
                      Membership.arrival_date)):
        line = lines.get(pid)
        if line is None:
            line = lines[pid] = BookLine(pid, _full(last, first, middle), iin or "", born)
            line.arrival_date = arrival
        if end is None:
            line.departure_date, line.departure_reason = None, ""
        else:
            line.departure_date, line.departure_reason = end, end_reason or ""
    for pid, par, l1, l2, l3 in db.session.execute(
            select(ClassEnrollment.person_id, SchoolClass.parallel, SchoolClass.letter_ru,
                   SchoolClass.letter_kk, SchoolClass.letter_en)
            .join(SchoolClass, SchoolClass.id == ClassEnrollment.class_id)
            .where(ClassEnrollment.organization_id == org_id)
            .order_by(ClassEnrollment.from_date, ClassEnrollment.id)):
        if pid in lines:
            lines[pid].school_class = _class_name(par, l1, l2, l3, loc)
    first_arrival: set[int] = set()
    for pid, kind, day, number, odate, reason in db.session.execute(
            select(Movement.person_id, Movement.kind, Movement.date, Order.number,
                   Order.date, Movement.reason)
            .join(Order, Order.id == Movement.order_id)
            .where(Movement.organization_id == org_id,
                   Movement.kind.in_(list(ARRIVALS) + list(DEPARTURES)))
            .order_by(Movement.date, Movement.id)):
        line = lines.get(pid)
        if line is None:
            continue
        if MovementKind(kind) in ARRIVALS:
            if pid not in first_arrival:
                first_arrival.add(pid)
                line.arrival_order = _order_text(number, odate)
                line.arrival_date = line.arrival_date or day
        else:
            line.departure_date = day
            line.departure_order = _order_text(number, odate)
            line.departure_reason = reason or line.departure_reason
    return list(lines.values())


def alphabetical_headers() -> list[str]:
    return ["№", gettext("Pupil"), gettext("IIN / PIN"), gettext("Birth date"),
            gettext("Class"), gettext("Arrival date"), gettext("Arrival order"),
            gettext("Departure date"), gettext("Departure order"),
            gettext("Reason for departure")]


def alphabetical_rows(lines: list[BookLine]) -> list[list]:
    return [[i, ln.pupil, ln.national_id, ln.birth_date, ln.school_class, ln.arrival_date,
             ln.arrival_order, ln.departure_date, ln.departure_order,
             reason_label(ln.departure_reason)] for i, ln in enumerate(lines, 1)]


def reason_label(reason: str) -> str:
    return gettext("Graduated") if reason == GRADUATED else reason


def alphabetical_xlsx(org_name: str, lines: list[BookLine]) -> bytes:
    rows = [[cell(v) for v in row] for row in alphabetical_rows(lines)]
    return table_xlsx(gettext("Alphabetical book of pupils"), alphabetical_headers(), rows,
                      caption=[org_name, gettext("Alphabetical book of pupils")])
