"""Shared set-up of the contingent tests: two study schools of district A, orders, pupils."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from app.extensions import db
from app.models.study import AcademicYear, SchoolClass
from app.security.scopes import build_scope, system_scope
from app.services.contingent import movements as svc
from app.services.contingent import orders
from tests import factories

D = dt.date


def contingent_network(n: SimpleNamespace) -> SimpleNamespace:
    """School A1 (year 2026-2027, classes 5 А, 5 Б, 11 А) with pupils ``p1``-``p3`` in 5 А,
    ``p4`` in 11 А, ``new`` in no class; School A2 (classes 5 А, 5 Б) as a transfer target.
    Orders ``o1`` (A1, № 1) and ``o_a2`` (A2, № 1). Scopes: ``sys`` (the set-up's, for
    everything), ``admin`` and ``admin2`` (the coordinator-administrators of A1 and A2)."""
    c = SimpleNamespace(n=n)
    system = c.sys = system_scope()
    c.s = factories.study_school(n)
    c.s2 = factories.study_school(n, n.SA2, prefix="A2")
    c.c11 = SchoolClass(organization_id=n.SA1.id, year_id=c.s.year.id, parallel=11,
                        letter_ru="А", letter_kk="А", letter_en="A", shift=1)
    db.session.add(c.c11)
    db.session.flush()
    c.o1 = orders.create_order(system, n.SA1, "1", D(2026, 9, 1), "Enrolment of pupils")
    c.o_a2 = orders.create_order(system, n.SA2, "1", D(2026, 9, 1), "Enrolment of pupils")
    c.p1 = factories.student(n.SA1, last="Абаев", first="Алмас")
    c.p2 = factories.student(n.SA1, last="Бекова", first="Дана")
    c.p3 = factories.student(n.SA1, last="Жумаев", first="Ерлан")
    c.p4 = factories.student(n.SA1, last="Выпускник", first="Арман")
    c.new = factories.student(n.SA1, last="Новенький", first="Тимур")
    for p in (c.p1, c.p2, c.p3):
        svc.enrol(system, p, c.s.c5a, D(2026, 9, 1), c.o1)
    svc.enrol(system, c.p4, c.c11, D(2026, 9, 1), c.o1)
    db.session.commit()
    c.admin = build_scope(n.school_a_admin.person.user)
    c.admin2 = build_scope(n.school_a2_admin.person.user)
    return c


def next_year(school_id: int) -> AcademicYear:
    y = AcademicYear(organization_id=school_id, name="2027-2028", starts_on=D(2027, 9, 1),
                     ends_on=D(2028, 5, 31))
    db.session.add(y)
    db.session.commit()
    return y
