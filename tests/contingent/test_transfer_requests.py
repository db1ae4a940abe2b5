"""Transfer requests started by the receiving school (app/services/contingent/requests.py):
the pupil found by IIN/PIN and last name only, one waiting request, the leaving school
accepts with its order (the same transfer as when it starts it) or refuses with a reason,
the requester withdraws; per role through the real routes."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.contingent import Movement, MovementKind, TransferRequest
from app.models.contingent import TransferRequestStatus as Status
from app.services.contingent import movements as svc
from app.services.contingent import requests as req_svc
from app.services.errors import DomainError
from tests.contingent.helpers import contingent_network

D = dt.date


@pytest.fixture()
def c(net):
    return contingent_network(net)


def _refused(fn, *args) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(*args)
    db.session.rollback()
    return info.value


def test_pupil_found_only_by_identifier_and_last_name(c):
    """Is the pupil found by IIN/PIN and last name (any case), and is a wrong last name, an
    unknown IIN/PIN, a pupil of this school or a second waiting request refused?"""
    a2 = c.n.SA2
    person, source = req_svc.find_pupil(a2, c.p1.national_id, "абаев")
    assert (person.id, source.id) == (c.p1.id, c.n.SA1.id)
    assert _refused(req_svc.find_pupil, a2, c.p1.national_id, "Бекова").code == \
        "pupil_not_found"
    assert _refused(req_svc.find_pupil, a2, "000000000000", "Абаев").code == "pupil_not_found"
    assert _refused(req_svc.find_pupil, c.n.SA1, c.p1.national_id, "Абаев").code == \
        "already_pupil_here"
    req_svc.request_transfer(c.admin2, a2, c.p1.national_id, "Абаев", D(2026, 10, 1), "Moved house")
    db.session.commit()
    assert _refused(req_svc.request_transfer, c.admin2, a2, c.p1.national_id, "Абаев",
                    D(2026, 10, 2)).code == "request_open"
    assert _refused(req_svc.request_transfer, c.admin2, a2, c.p2.national_id, "Бекова",
                    None).field == "arrival_date"


def test_accept_transfers_with_the_leaving_schools_order(c):
    """Does accepting perform the transfer out (movement with the order, the pupil a pupil
    of the requesting school, in its pupils without a class), link the movement, and refuse
    a second decision?"""
    req = req_svc.request_transfer(c.admin2, c.n.SA2, c.p2.national_id, "Бекова", D(2026, 10, 1))
    db.session.commit()
    assert _refused(req_svc.accept, c.admin, req, None).field == "order"
    assert req.status == Status.requested
    mv = req_svc.accept(c.admin, req, c.o1)
    db.session.commit()
    assert (mv.kind, mv.date, mv.other_organization_id) == (
        MovementKind.transfer_out, D(2026, 10, 1), c.n.SA2.id)
    assert (req.status, req.movement_id) == (Status.accepted, mv.id)
    assert svc.student_membership(c.n.SA2.id, c.p2.id) is not None
    assert svc.student_membership(c.n.SA1.id, c.p2.id) is None
    assert c.p2.id in {p.id for p in svc.pupils_without_class(c.n.SA2.id)}
    assert _refused(req_svc.refuse, c.admin, req, "late").code == "request_decided"


def test_refuse_needs_a_reason_and_withdraw_keeps_the_row(c):
    """Does a refusal need a reason and keep it; is a withdrawn request kept (never
    deleted) and no longer open?"""
    req = req_svc.request_transfer(c.admin2, c.n.SA2, c.p3.national_id, "Жумаев", D(2026, 10, 1))
    db.session.commit()
    assert _refused(req_svc.refuse, c.admin, req, " ").field == "decision_reason"
    req_svc.refuse(c.admin, req, "The parents did not apply")
    db.session.commit()
    assert (req.status, req.decision_reason) == (Status.refused, "The parents did not apply")
    again = req_svc.request_transfer(c.admin2, c.n.SA2, c.p3.national_id, "Жумаев", D(2026, 10, 5))
    req_svc.withdraw(c.admin2, again)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(TransferRequest)) == 2
    assert _refused(req_svc.withdraw, c.admin2, again).code == "request_decided"


def test_request_and_decide_through_the_pages(c, login):
    """Does A2's administrator ask for a pupil through the form, A1's administrator see it
    with the actions and accept it with an order; the director of A1 and A2's administrator
    cannot accept (403), district B sees nothing (404), a teacher has no access?"""
    a2 = login("school_a2_admin")
    page = a2.get("/contingent/transfer_requests/new")
    assert page.status_code == 200 and "IIN / PIN" in page.get_data(as_text=True)
    html = a2.post("/contingent/transfer_requests/new", data={
        "school": c.n.SA2.id, "national_id": c.p1.national_id, "last_name": "Петров",
        "arrival_date": "2026-10-01"}).get_data(as_text=True)
    assert "no pupil of another school" in html
    resp = a2.post("/contingent/transfer_requests/new", data={
        "school": c.n.SA2.id, "national_id": c.p1.national_id, "last_name": "Абаев",
        "arrival_date": "2026-10-01", "note": "Moved house"})
    assert resp.status_code == 302
    req = db.session.scalars(select(TransferRequest)).one()
    admin = login("school_a_admin")
    html = admin.get("/contingent/transfer_requests").get_data(as_text=True)
    assert "Абаев" in html and "Accept and transfer" in html and "Moved house" in html
    assert "Withdraw" not in html
    url = f"/contingent/transfer_requests/{req.id}/accept"
    assert login("director_a").post(url, data={"order": c.o1.id}).status_code in (302, 403)
    assert a2.post(url, data={"order": c.o_a2.id}).status_code == 403
    assert login("dist_b_admin").post(url, data={"order": c.o1.id}).status_code in (
        302, 403, 404)
    assert login("teacher_a").get("/contingent/transfer_requests").status_code in (302, 403)
    db.session.expire_all()
    assert db.session.get(TransferRequest, req.id).status == Status.requested
    assert admin.post(url, data={"order": c.o1.id, "date": "2026-10-02"}).status_code == 302
    db.session.expire_all()
    req = db.session.get(TransferRequest, req.id)
    assert req.status == Status.accepted
    assert db.session.get(Movement, req.movement_id).date == D(2026, 10, 2)
    html = a2.get("/contingent/transfer_requests?_l_=ru").get_data(as_text=True)
    assert "Абаев" in html and "Accepted: transferred" not in html


def test_notices_by_mail_in_each_recipients_language(c, login):
    """Does a request send a notice to the leaving school's administrator (in their
    language, with the pupil and the school), and the decision one to the person who asked,
    both kept in the outbox?"""
    from app.models.org import OutboxMessage
    from app.models.people import Person

    admin_a = db.session.get(Person, c.n.school_a_admin.person_id)
    admin_a.email, admin_a.preferred_locale = "admin.a1@school.kz", "kk"
    admin_a2 = db.session.get(Person, c.n.school_a2_admin.person_id)
    admin_a2.email, admin_a2.preferred_locale = "admin.a2@school.kz", "en"
    db.session.commit()
    assert login("school_a2_admin").post("/contingent/transfer_requests/new", data={
        "school": c.n.SA2.id, "national_id": c.p1.national_id, "last_name": "Абаев",
        "arrival_date": "2026-10-01"}).status_code == 302
    sent = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "admin.a1@school.kz")).one()
    assert "Абаев" in sent.subject and "Transfer request" not in sent.subject  # in Kazakh
    assert c.n.SA2.short_name in sent.body
    req = db.session.scalars(select(TransferRequest)).one()
    assert login("school_a_admin").post(
        f"/contingent/transfer_requests/{req.id}/refuse",
        data={"reason": "No application from the parents"}).status_code == 302
    answer = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "admin.a2@school.kz")).one()
    assert "Refused" in answer.subject and "No application from the parents" in answer.body
