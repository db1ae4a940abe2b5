"""Languages: the switcher remembered per user, the organization's language by default,
dates formatted by Babel in the user's locale."""
from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from app.extensions import db
from app.models.people import Person
from app.security.scopes import system_scope
from app.services import people as people_service
from tests import factories
from tests.helpers import reload


def test_switch_language_is_remembered(net, login, app):
    """Does /lang/kk store the choice so that a new session of the same user gets it back?"""
    client = login("school_a_admin")
    client.get("/lang/kk")
    assert reload(Person, net.school_a_admin.person.id).preferred_locale == "kk"
    fresh = app.test_client()
    fresh.post("/login/", data={"username": "school_a_admin", "password": factories.PASSWORD})
    fresh.get("/persons/list/")
    with fresh.session_transaction() as session:
        assert session["locale"] == "kk"


def test_organization_language_is_the_default(net, app):
    """Does a user without a stored choice get the language of their organization?"""
    net.SA1.language = "ky"
    db.session.commit()
    client = app.test_client()
    client.post("/login/", data={"username": "teacher_a", "password": factories.PASSWORD})
    client.get("/organizations/list/")
    with client.session_transaction() as session:
        assert session["locale"] == "ky"
    assert reload(Person, net.teacher_a.person.id).preferred_locale is None


def test_dates_formatted_per_locale(net, login):
    """Are dates on the archive page formatted by Babel in the user's locale?"""
    people_service.end_membership(system_scope(), db.session.get(type(net.teacher_a), net.teacher_a.id),
                                  on=dt.date(2025, 9, 1))
    db.session.commit()
    client = login("school_a_admin")
    for loc in ("kk", "ru", "ky"):
        client.get(f"/lang/{loc}")
        page = client.get("/archive/list/").get_data(as_text=True)
        expected = format_date(dt.date(2025, 9, 1), "medium", locale=loc)
        assert expected in page, (loc, expected)


def test_stored_choice_beats_organization_language(net, app):
    """Does a stored choice win over the organization's language?"""
    net.SA1.language = "ky"
    net.teacher_a.person.preferred_locale = "ru"
    db.session.commit()
    client = app.test_client()
    client.post("/login/", data={"username": "teacher_a", "password": factories.PASSWORD})
    client.get("/organizations/list/")
    with client.session_transaction() as session:
        assert session["locale"] == "ru"
