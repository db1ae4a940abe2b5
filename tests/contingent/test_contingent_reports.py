"""The book of pupil movement and the alphabetical book of pupils: content, XLSX and a
fixed number of queries whatever the number of pupils."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models.study import AcademicYear
from app.services.contingent import movements as svc
from app.services.contingent import promotion
from app.services.contingent import reports as rep
from app.services.unit_of_work import unit_of_work
from tests import factories
from tests.contingent.helpers import contingent_network, next_year

D = dt.date


@pytest.fixture()
def en(app):
    """Reports read the user's language: English here, as on the pages of the tests."""
    with app.test_request_context("/"):
        yield


@pytest.fixture()
def c(net, en):
    c = contingent_network(net)
    svc.transfer_class(c.admin, c.p1, c.s.c5b, D(2026, 10, 1), c.o1)
    svc.exclude(c.admin, c.n.SA1, c.p2, D(2026, 11, 20), c.o1, "Moved abroad", c.s.periods[1])
    svc.transfer_out(c.admin, c.n.SA1, c.p3, c.n.SA2, D(2026, 12, 1), c.o1, "Family moved")
    svc.enrol(c.admin2, c.p3, c.s2.c5a, D(2026, 12, 2), c.o_a2)
    db.session.commit()
    return c


def test_movement_book_lists_arrivals_and_departures(c):
    """Does the book of movement list arrivals and departures by date with from/to and the
    order, and the movements inside the school only when asked?"""
    lines = rep.movement_book(c.n.SA1.id, D(2026, 9, 1), D(2027, 5, 31))
    kinds = [(ln.pupil, ln.kind.value, ln.direction) for ln in lines]
    assert ("Бекова Дана", "exclusion", "departure") in kinds
    assert ("Жумаев Ерлан", "transfer_out", "departure") in kinds
    assert all(k != "class_transfer" for _, k, _ in kinds)
    out = next(ln for ln in lines if ln.kind.value == "transfer_out")
    assert (out.from_text, out.to_text, out.order_number, out.order_date) == (
        "5 A", "School A2", "1", D(2026, 9, 1))
    inside = rep.movement_book(c.n.SA1.id, D(2026, 9, 1), D(2027, 5, 31), inside=True)
    assert any(ln.kind.value == "class_transfer" for ln in inside)
    arrival = rep.movement_book(c.n.SA2.id, D(2026, 9, 1), D(2027, 5, 31))
    assert [(ln.kind.value, ln.from_text, ln.to_text) for ln in arrival] == [
        ("transfer_in", "School A1", "5 A")]
    assert rep.movement_book(c.n.SA1.id, D(2027, 1, 1), D(2027, 2, 1)) == []


def test_alphabetical_book(c):
    """Does the alphabetical book list every pupil ever in the school, alphabetically, with
    the class, arrival and departure (date, order, reason)?"""
    lines = rep.alphabetical_book(c.n.SA1.id)
    names = [ln.pupil for ln in lines]
    assert names == sorted(names)
    assert {"Абаев Алмас", "Бекова Дана", "Жумаев Ерлан", "Новенький Тимур"} <= set(names)
    by = {ln.pupil: ln for ln in lines}
    assert by["Абаев Алмас"].school_class == "5 B"
    assert by["Абаев Алмас"].arrival_order == "№ 1 (Sep 1, 2026)"
    assert by["Абаев Алмас"].departure_date is None
    assert (by["Бекова Дана"].departure_date, by["Бекова Дана"].departure_reason) == (
        D(2026, 11, 20), "Moved abroad")
    assert by["Жумаев Ерлан"].departure_order == "№ 1 (Sep 1, 2026)"
    a2 = {ln.pupil: ln for ln in rep.alphabetical_book(c.n.SA2.id)}
    assert a2["Жумаев Ерлан"].arrival_date == D(2026, 12, 1)
    assert a2["Жумаев Ерлан"].school_class == "5 A"


def test_books_xlsx_content(c):
    """Do the XLSX files hold the caption, the header and one row per line?"""
    lines = rep.movement_book(c.n.SA1.id, D(2026, 9, 1), D(2027, 5, 31))
    wb = load_workbook(io.BytesIO(rep.movement_book_xlsx("School A1", D(2026, 9, 1),
                                                          D(2027, 5, 31), lines)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "School A1" and rows[3][1] == "Pupil"
    assert len(rows) == 4 + len(lines)
    assert any(r[1] == "Бекова Дана" and r[4] == "Departure" and r[10] == "Moved abroad"
               for r in rows[4:])
    lines = rep.alphabetical_book(c.n.SA1.id)
    rows = list(load_workbook(io.BytesIO(rep.alphabetical_xlsx("School A1", lines)))
                .active.iter_rows(values_only=True))
    assert rows[2][1] == "Pupil" and len(rows) == 3 + len(lines)


def _more_pupils(c, k: int) -> None:
    for i in range(k):
        p = factories.student(c.n.SA1, last=f"Добавлен{i:02d}", first="Тест")
        svc.enrol(c.admin, p, c.s.c5a, D(2026, 9, 2), c.o1)
        if i % 2:
            svc.exclude(c.admin, c.n.SA1, p, D(2026, 10, 2), c.o1, "Left", c.s.q1)
    db.session.commit()


def test_books_run_a_fixed_number_of_queries(c, count_queries):
    """Do both books, the list of pupils without a class and the promotion plan run the same
    number of queries for 4 pupils and for 24?"""
    next_year(c.n.SA1.id)
    org_id, year_id = c.n.SA1.id, c.s.year.id

    def measure():
        db.session.expire_all()
        year = db.session.get(AcademicYear, year_id)
        with count_queries() as q1:
            rep.movement_book(org_id, D(2026, 9, 1), D(2027, 5, 31), inside=True)
        with count_queries() as q2:
            rep.alphabetical_book(org_id)
        with count_queries() as q3:
            svc.pupils_without_class(org_id)
        with count_queries() as q4:
            promotion.promotion_plan(year)
        return q1.count, q2.count, q3.count, q4.count

    before = measure()
    _more_pupils(c, 20)
    after = measure()
    assert before == after
    assert before[:3] == (1, 3, 2)


def test_book_pages_fixed_queries(c, login, app, count_queries):
    """Do the book pages run the same number of queries for 4 pupils and for 24?"""
    client = login("school_a_admin")
    urls = [f"/contingent/book?org={c.n.SA1.id}&start=2026-09-01&end=2027-05-31&inside=1",
            f"/contingent/alphabetical?org={c.n.SA1.id}",
            f"/contingent/without_class?org={c.n.SA1.id}", "/movements/list/"]

    def measure():
        out = []
        for url in urls:
            with count_queries() as q:
                assert client.get(url).status_code == 200
            out.append(q.count)
        return out

    client.get(urls[0])
    before = measure()
    _more_pupils(c, 20)
    assert measure() == before


class _Undo(Exception):
    pass


def _undone(run) -> None:
    """Run a command inside an outer unit of work that is rolled back: the command joins
    it, so nothing it did is committed."""
    try:
        with unit_of_work():
            run()
            raise _Undo
    except _Undo:
        pass


def test_promotion_and_disband_queries_do_not_grow_per_pupil(c, count_queries):
    """Do the promotion and the disbanding read with about the same number of SELECTs for
    4 pupils and for 14 active ones (no look-up per pupil; only the written rows grow; the
    tolerance covers reloads of rows expired by the rollback between the runs)?"""
    def selects(q):
        return sum(1 for s in q.statements if s.lstrip().upper().startswith("SELECT"))

    from app.models.study import SchoolClass

    next_year(c.n.SA1.id)
    y = db.session.get(AcademicYear, c.s.year.id)
    with count_queries() as small:
        _undone(lambda: promotion.promote(c.admin, y, c.o1))
    _more_pupils(c, 20)
    y = db.session.get(AcademicYear, c.s.year.id)
    with count_queries() as big:
        _undone(lambda: promotion.promote(c.admin, y, c.o1))
    assert selects(big) <= selects(small) + 3, (selects(small), selects(big))
    c5c = SchoolClass(organization_id=c.n.SA1.id, year_id=c.s.year.id, parallel=5,
                      letter_ru="В", letter_kk="В", letter_en="C", shift=1)
    db.session.add(c5c)
    db.session.commit()
    pupils = svc.class_pupils(c.s.c5a)
    with count_queries() as q:
        svc.disband(c.admin, c.s.c5a, {e.person_id: c5c for e in pupils}, D(2027, 1, 12),
                    c.o1)
    assert selects(q) <= 8, q.statements  # 14 pupils moved
