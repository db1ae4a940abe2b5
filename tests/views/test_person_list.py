"""The persons list: who is registered, filter by role, search by name."""
from __future__ import annotations

import re

from app.extensions import db
from app.models.people import Role
from tests import factories


def _rows(html: str) -> str:
    """The rows of the list table (after the first row check box)."""
    i = html.find('class="action_check"')
    return html[i:] if i >= 0 else ""


def test_registered_column(net, login):
    """Does the persons list say who is registered and who is not?"""
    html = login("school_a_admin").get("/persons/list/?psize_PersonView=100") \
        .get_data(as_text=True)
    assert "Registered" in html
    rows = _rows(html)
    registered = re.search(r"Учителев.*?</tr>", rows, re.S).group(0)
    plain = re.search(r"Незарегов.*?</tr>", rows, re.S).group(0)
    assert ">Yes<" in registered.replace(" ", "").replace("\n", "") or "Yes" in registered
    assert "No" in plain
    assert "<td>None</td>" not in rows  # no middle name shows as empty


def test_filter_by_role(net, login):
    """Does the role filter list the school's teachers and not its director?"""
    client = login("school_a_admin")
    rows = _rows(client.get("/persons/list/?_flt_0_id=Teacher").get_data(as_text=True))
    assert "Учителев" in rows and "Незарегов" in rows
    assert "Директоров" not in rows and "Админов" not in rows
    rows = _rows(client.get("/persons/list/?_flt_0_id=Director").get_data(as_text=True))
    assert "Директоров" in rows and "Учителев" not in rows


def test_role_filter_stays_in_scope(net, login):
    """Does the role filter of a district list only its own schools' teachers?"""
    rows = _rows(login("dist_a_admin").get("/persons/list/?_flt_0_id=Teacher")
                 .get_data(as_text=True))
    assert "Учителев" in rows and "Бэучитель" not in rows


def test_role_filter_offered_with_translated_roles(net, login):
    """Does the search form offer the role filter with the role names?"""
    html = login("school_a_admin").get("/persons/list/").get_data(as_text=True)
    assert "Has the role" in html or "role" in html
    assert "School coordinator-administrator" in html


def test_search_by_name_words(net, login):
    """Does the name search find a person by last, first or middle name words?"""
    p = factories.person(last="Серикбаева", first="Айгерим", middle_name="Маратовна",
                         born=factories.dt.date(1990, 5, 5), sex=factories.Sex.F)
    factories.member(net.SA1, Role.teacher, person=p)
    db.session.commit()
    client = login("school_a_admin")
    for q in ("серикбаева", "Айгерим", "маратовна", "Серикбаева Айгерим"):
        rows = _rows(client.get(f"/persons/list/?_flt_0_last_name={q}").get_data(as_text=True))
        assert "Серикбаева" in rows and "Учителев" not in rows, q
    rows = _rows(client.get("/persons/list/?_flt_1_last_name=Сер").get_data(as_text=True))
    assert "Серикбаева" in rows  # "starts with" still offered
