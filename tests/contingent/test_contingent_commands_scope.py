"""The contingent's commands authorise themselves: called with the scope of another school's
coordinator-administrator (or an empty scope, as outside a request), each refuses with a
ScopeError and changes nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.contingent import Movement, Order, TransferRequest
from app.models.contingent import TransferRequestStatus as Status
from app.models.study import ClassEnrollment
from app.security.scopes import UserScope
from app.services.contingent import movements, orders, promotion
from app.services.contingent import requests as req_svc
from app.services.errors import ScopeError
from tests.contingent.helpers import contingent_network, next_year

D = dt.date


@pytest.fixture()
def c(net):
    return contingent_network(net)


def _state() -> tuple:
    """What a refused command must leave as it was."""
    def count(model):
        return db.session.scalar(select(func.count()).select_from(model))

    return (count(Order), count(Movement), count(ClassEnrollment),
            db.session.scalar(select(func.count()).select_from(ClassEnrollment)
                              .where(ClassEnrollment.to_date.is_(None))),
            tuple(db.session.execute(select(Order.id, Order.annulled_on, Order.scan_name)
                                     .order_by(Order.id)).all()))


def _refused(run) -> None:
    before = _state()
    with pytest.raises(ScopeError) as err:
        run()
    db.session.rollback()
    assert err.value.code == "scope"
    assert _state() == before


@pytest.mark.parametrize("who", ["other_school", "empty"])
def test_order_commands_refuse_another_school(c, who):
    """Can School A2's administrator (or nobody) add, annul or scan an order of School A1?"""
    scope = c.admin2 if who == "other_school" else UserScope()
    _refused(lambda: orders.create_order(scope, c.n.SA1, "9", D(2026, 9, 2), "x"))
    _refused(lambda: orders.annul_order(scope, c.o1, "Mistake"))
    _refused(lambda: orders.set_scan(scope, c.o1, b"%PDF", "a.pdf", "application/pdf"))
    _refused(lambda: orders.check_order(scope, c.o1))


@pytest.mark.parametrize("who", ["other_school", "empty"])
def test_movement_commands_refuse_another_school(c, who):
    """Can School A2's administrator (or nobody) enrol, transfer, exclude, transfer out,
    disband or promote in School A1?"""
    scope = c.admin2 if who == "other_school" else UserScope()
    _refused(lambda: movements.enrol(scope, c.new, c.s.c5b, D(2026, 9, 10), c.o1))
    _refused(lambda: movements.transfer_class(scope, c.p1, c.s.c5b, D(2026, 11, 9), c.o1))
    _refused(lambda: movements.exclude(scope, c.n.SA1, c.p2, D(2026, 11, 20), c.o1, "x",
                                       c.s.periods[1]))
    _refused(lambda: movements.transfer_out(scope, c.n.SA1, c.p3, c.n.SA2, D(2026, 12, 1),
                                            c.o1))
    _refused(lambda: movements.disband(scope, c.s.c5a, {c.p1.id: c.s.c5b, c.p2.id: c.s.c5b,
                                                        c.p3.id: c.c11}, D(2027, 1, 12), c.o1))
    next_year(c.n.SA1.id)
    _refused(lambda: promotion.promote(scope, c.s.year, c.o1))


def test_transfer_request_commands_refuse_the_wrong_school(c):
    """Can a school ask for a pupil in another school's name, or accept, refuse or withdraw
    a request that is not its to decide?"""
    _refused(lambda: req_svc.request_transfer(c.admin, c.n.SA2, c.p1.national_id, "Абаев",
                                              D(2026, 10, 1)))
    _refused(lambda: req_svc.request_transfer(UserScope(), c.n.SA2, c.p1.national_id,
                                              "Абаев", D(2026, 10, 1)))
    req = req_svc.request_transfer(c.admin2, c.n.SA2, c.p1.national_id, "Абаев",
                                   D(2026, 10, 1))
    _refused(lambda: req_svc.accept(c.admin2, req, c.o1))  # the leaving school accepts
    _refused(lambda: req_svc.refuse(c.admin2, req, "No"))
    _refused(lambda: req_svc.withdraw(c.admin, req))  # the requesting school withdraws
    _refused(lambda: req_svc.accept(UserScope(), req, c.o1))
    assert db.session.get(TransferRequest, req.id).status == Status.requested
