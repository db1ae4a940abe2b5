"""Contingent pages and REST per role, through the real routes: the school's coordinator-
administrator performs movements, the director reads, the district reads its schools and
changes nothing, a teacher has no access."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models.contingent import Movement, MovementKind, Order
from app.models.people import Person
from app.models.study import ClassEnrollment, SchoolClass
from app.services.contingent import movements as svc
from tests.contingent.helpers import contingent_network, next_year

D = dt.date


@pytest.fixture()
def c(net):
    return contingent_network(net)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def test_admin_enrols_pupil_without_class(c, login):
    """Does the coordinator-administrator see the pupil in "pupils without a class" and
    enrol them through the form?"""
    client = login("school_a_admin")
    page = _text(client.get(f"/contingent/without_class?org={c.n.SA1.id}"))
    assert "Новенький" in page and "Абаев" not in page
    assert client.get(f"/contingent/enrol?person={c.new.id}").status_code == 200
    resp = client.post("/contingent/enrol", data={
        "person": c.new.id, "to_class": c.s.c5b.id, "date": "2026-09-15",
        "order": c.o1.id, "reason": ""})
    assert resp.status_code == 302
    mv = db.session.scalars(select(Movement).where(Movement.person_id == c.new.id)).one()
    assert (mv.kind, mv.to_class_id) == (MovementKind.enrolment, c.s.c5b.id)


def test_form_shows_the_rule_that_refused(c, login):
    """Does a refused enrolment show the translated rule and change nothing?"""
    client = login("school_a_admin")
    html = _text(client.post("/contingent/enrol", data={
        "person": c.p1.id, "to_class": c.s.c5b.id, "date": "2026-09-15",
        "order": c.o1.id}))
    assert "already in the class 5 A" in html
    assert _count(Movement) == 4


def test_admin_transfers_excludes_and_transfers_out(c, login):
    """Do the transfer, exclusion and transfer-out forms perform their movements?"""
    client = login("school_a_admin")
    assert client.post("/contingent/transfer", data={
        "person": c.p1.id, "to_class": c.s.c5b.id, "date": "2026-10-01",
        "order": c.o1.id}).status_code == 302
    assert client.post("/contingent/exclude", data={
        "person": c.p2.id, "date": "2026-10-05", "order": c.o1.id, "reason": "Moved abroad",
        "period": c.s.q1.id}).status_code == 302
    assert client.post("/contingent/transfer_out", data={
        "person": c.p3.id, "target": c.n.SA2.id, "date": "2026-10-06",
        "order": c.o1.id}).status_code == 302
    kinds = set(db.session.scalars(select(Movement.kind).where(
        Movement.organization_id == c.n.SA1.id)))
    assert {MovementKind.class_transfer, MovementKind.exclusion,
            MovementKind.transfer_out} <= kinds
    a2 = login("school_a2_admin")
    assert "Жумаев" in _text(a2.get(f"/contingent/without_class?org={c.n.SA2.id}"))


def test_admin_adds_order_with_scan_and_downloads_it(c, login):
    """Can the coordinator-administrator add an order with a scan, download the scan, and
    is a duplicate number refused on the form?"""
    client = login("school_a_admin")
    data = {"organization": c.n.SA1.id, "number": "12", "date": "2026-09-20", "kind": "",
            "summary": "Transfer of pupils",
            "scan_file": (io.BytesIO(b"%PDF-1.4 order"), "order12.pdf", "application/pdf")}
    resp = client.post("/orders/add", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    order = db.session.scalars(select(Order).where(Order.number == "12")).one()
    assert order.scan_name == "order12.pdf"
    assert client.get(f"/contingent/orders/{order.id}/scan").data == b"%PDF-1.4 order"
    dup = dict(data, scan_file=(io.BytesIO(b"%PDF"), "x.pdf", "application/pdf"))
    html = _text(client.post("/orders/add", data=dup, content_type="multipart/form-data",
                             follow_redirects=True))
    assert "already has an order with this number in 2026" in html
    assert _count(Order, Order.number == "12") == 1


def test_orders_are_never_deleted_but_annulled(c, login):
    """Is there no delete of an order, and does annulment keep it with its reason?"""
    client = login("school_a_admin")
    assert client.post(f"/orders/delete/{c.o1.id}").status_code in (302, 403, 404, 405)
    assert db.session.get(Order, c.o1.id) is not None
    assert client.post(f"/contingent/orders/{c.o1.id}/annul",
                       data={"reason": "Mistake"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, c.o1.id).annul_reason == "Mistake"


def test_director_reads_but_does_not_change(c, login):
    """Does the director read orders, movements and books of the school but cannot
    perform a movement or add an order?"""
    client = login("director_a")
    assert "Enrolment of pupils" in _text(client.get("/orders/list/"))
    assert "Абаев" in _text(client.get("/movements/list/"))
    assert client.get(f"/contingent/book?org={c.n.SA1.id}&start=2026-09-01"
                      "&end=2027-05-31").status_code == 200
    assert client.get("/contingent/enrol").status_code in (302, 403)
    client.post("/contingent/enrol", data={"person": c.new.id, "to_class": c.s.c5b.id,
                                           "date": "2026-09-15", "order": c.o1.id})
    client.post("/orders/add", data={"organization": c.n.SA1.id, "number": "99",
                                     "date": "2026-09-20", "summary": "x"})
    assert client.get(f"/orders/edit/{c.o1.id}").status_code in (302, 403, 404)
    assert _count(Movement, Movement.person_id == c.new.id) == 0
    assert _count(Order, Order.number == "99") == 0


def test_district_reads_its_schools_and_changes_nothing(c, login):
    """Does district A read School A1's movements and books, district B not, and is every
    change refused to both?"""
    head = login("dist_a_head")
    assert "Абаев" in _text(head.get("/movements/list/"))
    assert head.get(f"/contingent/alphabetical?org={c.n.SA1.id}").status_code == 200
    assert head.get(f"/contingent/disband/{c.s.c5a.id}").status_code in (302, 403, 404)
    assert head.get(f"/contingent/promote/{c.s.year.id}").status_code in (302, 403, 404)
    head.post("/contingent/exclude", data={"person": c.p1.id, "date": "2026-10-05",
                                           "order": c.o1.id, "reason": "x",
                                           "period": c.s.q1.id})
    admin_b = login("dist_b_admin")
    assert admin_b.get(f"/contingent/book?org={c.n.SA1.id}").status_code == 404
    assert "Абаев" not in _text(admin_b.get("/movements/list/"))
    assert admin_b.get(f"/orders/show/{c.o1.id}").status_code == 404
    assert _count(Movement, Movement.kind == MovementKind.exclusion) == 0


def test_other_school_admin_cannot_touch(c, login):
    """Can the coordinator-administrator of School A2 disband or promote A1's classes?"""
    a2 = login("school_a2_admin")
    assert a2.get(f"/contingent/disband/{c.s.c5a.id}").status_code == 404
    assert a2.post(f"/contingent/promote/{c.s.year.id}", data={"confirm": "1",
                                                                "order": c.o1.id}
                   ).status_code == 404
    assert a2.get(f"/orders/edit/{c.o1.id}").status_code == 404
    assert len(svc.class_pupils(c.s.c5a)) == 3


def test_teacher_has_no_access(c, login):
    """Does a teacher get nothing of the contingent pages?"""
    client = login("teacher_a")
    for url in ("/orders/list/", "/movements/list/", "/contingent/",
                f"/contingent/book?org={c.n.SA1.id}", f"/contingent/without_class?org={c.n.SA1.id}"):
        resp = client.get(url)
        assert resp.status_code in (302, 403), url
        assert "Абаев" not in _text(resp)


def test_disband_form(c, login):
    """Does the disband form list every pupil with a class select and move them all in one
    submit, and refuse (changing nothing) when one pupil has no class?"""
    client = login("school_a_admin")
    page = _text(client.get(f"/contingent/disband/{c.s.c5a.id}"))
    assert all(n in page for n in ("Абаев", "Бекова", "Жумаев"))
    form = {"order": c.o1.id, "date": "2027-01-12", "reason": "Few pupils",
            f"class_{c.p1.id}": c.s.c5b.id, f"class_{c.p2.id}": c.s.c5b.id}
    html = _text(client.post(f"/contingent/disband/{c.s.c5a.id}", data=form))
    assert "Жумаев Ерлан: choose the new class" in html
    assert len(svc.class_pupils(c.s.c5a)) == 3
    form[f"class_{c.p3.id}"] = c.c11.id
    assert client.post(f"/contingent/disband/{c.s.c5a.id}", data=form).status_code == 302
    assert svc.class_pupils(c.s.c5a) == []


def test_promotion_confirmation_then_confirm(c, login):
    """Does the promotion page show who moves where and who graduates before anything
    changes, and does the confirmation perform it?"""
    client = login("school_a_admin")
    html = _text(client.get(f"/contingent/promote/{c.s.year.id}"))
    assert "create the academic year that follows 2026-2027 first" in html
    nxt = next_year(c.n.SA1.id)
    before = _count(ClassEnrollment)
    html = _text(client.get(f"/contingent/promote/{c.s.year.id}"))
    assert "6 A" in html and "Graduation" in html and "Выпускник" in html
    assert _count(ClassEnrollment) == before
    assert _count(SchoolClass, SchoolClass.year_id == nxt.id) == 0
    html = _text(client.post(f"/contingent/promote/{c.s.year.id}", data={"confirm": "1"},
                             follow_redirects=True))
    assert "Order is required" in html and _count(ClassEnrollment) == before
    resp = client.post(f"/contingent/promote/{c.s.year.id}",
                       data={"confirm": "1", "order": c.o1.id}, follow_redirects=True)
    assert "Promoted: 3, graduated: 1, classes created: 1" in _text(resp)
    assert _count(SchoolClass, SchoolClass.year_id == nxt.id) == 1


def test_books_xlsx_and_print(c, login):
    """Do the books give XLSX with the pupils and a print view with the stamp?"""
    svc.exclude(c.admin, c.n.SA1, c.p2, D(2026, 11, 20), c.o1, "Moved abroad", c.s.periods[1])
    db.session.commit()
    client = login("school_a_admin")
    resp = client.get(f"/contingent/book?org={c.n.SA1.id}&start=2026-09-01&end=2027-05-31"
                      "&format=xlsx")
    rows = [r for r in load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True)]
    assert any(r[1] == "Бекова Дана" and r[5] == "Exclusion" for r in rows)
    resp = client.get(f"/contingent/alphabetical?org={c.n.SA1.id}&format=xlsx")
    rows = [r for r in load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True)]
    names = [r[1] for r in rows[3:]]
    assert names == sorted(names) and "Бекова Дана" in names
    html = _text(client.get(f"/contingent/alphabetical?org={c.n.SA1.id}&format=print"))
    assert "Printed" in html and "Админов" in html


def test_rest_reads_and_performs(c, api_token, app):
    """Does the REST API list the school's movements to the director, perform a movement
    for the coordinator-administrator, and refuse the district (403) and bad data (422)?"""
    client = app.test_client()
    director = api_token("director_a")
    resp = client.get("/api/v1/movement/", headers=director)
    assert resp.status_code == 200 and resp.json["count"] == 4
    assert client.get("/api/v1/order/", headers=director).json["count"] == 1
    admin = api_token("school_a_admin")
    body = {"kind": "enrolment", "person_id": c.new.id, "to_class_id": c.s.c5b.id,
            "date": "2026-09-20", "order_id": c.o1.id}
    assert client.post("/api/v1/movement/perform", json=body, headers=director
                       ).status_code in (401, 403)
    head = api_token("dist_a_head")
    assert client.post("/api/v1/movement/perform", json=body, headers=head
                       ).status_code in (401, 403)
    bad = client.post("/api/v1/movement/perform", json=dict(body, person_id=c.p1.id),
                      headers=admin)
    assert bad.status_code == 422 and "person" in bad.json["message"]
    ok = client.post("/api/v1/movement/perform", json=body, headers=admin)
    assert ok.status_code == 201 and ok.json["kind"] == "enrolment"
    a2 = api_token("school_a2_admin")
    assert client.post("/api/v1/movement/perform", json=dict(
        body, kind="class_transfer", to_class_id=c.s.c5a.id, date="2026-10-01"),
        headers=a2).status_code == 403
    dup = client.post("/api/v1/order/", json={"organization": c.n.SA1.id, "number": "1",
                                              "date": "2026-10-01", "summary": "x"},
                      headers=admin)
    assert dup.status_code == 422 and "number" in dup.json["message"]
    assert client.delete(f"/api/v1/order/{c.o1.id}", headers=admin).status_code in (404, 405)
    made = client.post("/api/v1/order/", json={"organization": c.n.SA1.id, "number": "2",
                                               "date": "2026-10-01", "summary": "Transfer",
                                               "kind": "transfer"}, headers=admin)
    assert made.status_code == 201, made.json
    assert client.put(f"/api/v1/order/{made.json['id']}", json={"summary": "x"},
                      headers=director).status_code in (401, 403)
    assert client.post("/api/v1/order/", json={"organization": c.n.SA1.id, "number": "3",
                                               "date": "2026-10-01", "summary": "x"},
                       headers=a2).status_code == 403
    assert _count(Person, Person.national_id == c.new.national_id) == 1


def test_admin_opens_every_page(c, login):
    """Does every contingent page open for the coordinator-administrator?"""
    client = login("school_a_admin")
    mv = db.session.scalars(select(Movement)).first()
    for url in ("/contingent/", "/contingent/enrol", "/contingent/transfer",
                "/contingent/exclude", "/contingent/transfer_out", "/orders/list/",
                "/orders/add", f"/orders/edit/{c.o1.id}", f"/orders/show/{c.o1.id}",
                "/movements/list/", f"/movements/show/{mv.id}",
                f"/contingent/orders/{c.o1.id}/annul", "/contingent/without_class",
                "/contingent/book", "/contingent/alphabetical",
                f"/contingent/promote/{c.s.year.id}", f"/contingent/disband/{c.s.c5a.id}"):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/lookup/transfer_school/?q=School").status_code == 200


def test_menu_per_role(c, login):
    """Does the Contingent menu show its pages to the administrator and the director (books,
    lists), and nothing to a teacher?"""
    admin = _text(login("school_a_admin").get("/orders/list/"))
    for entry in ("Contingent movements", "Orders", "Movements", "Pupils without a class",
                  "Book of pupil movement", "Alphabetical book of pupils"):
        assert entry in admin, entry
    director = _text(login("director_a").get("/orders/list/"))
    assert "Book of pupil movement" in director and "Alphabetical book of pupils" in director
    teacher = _text(login("teacher_a").get("/"))
    assert "Book of pupil movement" not in teacher and "Contingent movements" not in teacher


def test_rest_disbands_a_class(c, api_token, app):
    """Does POST /api/v1/movement/disband move every pupil (all or nothing), refuse a pupil
    without a class naming them (nothing moved), and refuse the director (403) and another
    school's administrator (404)?"""
    client = app.test_client()
    admin = api_token("school_a_admin")
    body = {"class_id": c.s.c5a.id, "date": "2027-01-12", "order_id": c.o1.id,
            "reason": "Few pupils", "targets": {str(c.p1.id): c.s.c5b.id,
                                                str(c.p2.id): c.s.c5b.id}}
    assert client.post("/api/v1/movement/disband", json=body,
                       headers=api_token("director_a")).status_code in (401, 403)
    assert client.post("/api/v1/movement/disband", json=body,
                       headers=api_token("school_a2_admin")).status_code == 404
    bad = client.post("/api/v1/movement/disband", json=body, headers=admin)
    assert bad.status_code == 422 and f"class_{c.p3.id}" in bad.json["message"]
    assert len(svc.class_pupils(c.s.c5a)) == 3
    body["targets"][str(c.p3.id)] = c.c11.id
    ok = client.post("/api/v1/movement/disband", json=body, headers=admin)
    assert ok.status_code == 201 and ok.json["moved"] == 3
    assert svc.class_pupils(c.s.c5a) == []


def test_rest_promotion_plan_then_promote(c, api_token, app):
    """Does GET /api/v1/movement/promotion show the plan without changing anything (422
    without a next year), and does POST /promote perform it once (a second call promotes
    nobody), for the school's administrator only?"""
    client = app.test_client()
    admin = api_token("school_a_admin")
    url = f"/api/v1/movement/promotion?year_id={c.s.year.id}"
    assert client.get(url, headers=admin).json["code"] == "no_next_year"
    nxt = next_year(c.n.SA1.id)
    before = _count(ClassEnrollment)
    plan = client.get(url, headers=admin)
    assert plan.status_code == 200, plan.json
    assert plan.json["next_year_id"] == nxt.id and plan.json["pending"] == 4
    rows = {r["name"]: r for r in plan.json["classes"]}
    assert any(r["graduates"] for r in rows.values())
    assert _count(ClassEnrollment) == before
    assert client.get(url, headers=api_token("director_a")).status_code in (401, 403)
    assert client.get(url, headers=api_token("school_a2_admin")).status_code == 404
    body = {"year_id": c.s.year.id, "order_id": c.o1.id}
    done = client.post("/api/v1/movement/promote", json=body, headers=admin)
    assert done.status_code == 201, done.json
    assert (done.json["promoted"], done.json["graduated"], done.json["classes_created"]) == \
        (3, 1, 1)
    again = client.post("/api/v1/movement/promote", json=body, headers=admin)
    assert (again.json["promoted"], again.json["graduated"]) == (0, 0)
