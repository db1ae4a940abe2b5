"""Exclusion, archive and restore: nothing is deleted, an excluded user loses the data."""
from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models.people import Membership, Person, Role
from tests import factories
from tests.helpers import action, reload


def test_exclude_moves_to_archive_with_date(net, login):
    """Does excluding a participant move them to the archive with today's date?"""
    client = login("school_a_admin")
    mid = net.teacher_a.id
    page = action(client, "/memberships", "exclude", mid).get_data(as_text=True)
    assert "Moved to the archive: 1" in page
    m = reload(Membership, mid)
    assert m.end_date == dt.date.today()
    listing = client.get("/memberships/list/?psize_MembershipView=100").get_data(as_text=True)
    assert "Учителев" not in listing
    archive = client.get("/archive/list/").get_data(as_text=True)
    assert "Учителев" in archive


def test_excluded_user_keeps_account_but_loses_data(net, login, api_token, app):
    """Does an excluded teacher keep the account but see nothing of the school any more?"""
    teacher = login("teacher_a")
    assert "School A1" in teacher.get("/organizations/list/").get_data(as_text=True)
    admin = login("school_a_admin")
    action(admin, "/memberships", "exclude", net.teacher_a.id)
    person = reload(Person, net.teacher_a.person.id)
    assert person.user is not None and person.user.active
    # a new session of the same user: logs in, sees nothing of the school
    again = app.test_client()
    again.post("/login/", data={"username": "teacher_a", "password": factories.PASSWORD})
    resp = again.get("/organizations/list/")
    assert "School A1" not in resp.get_data(as_text=True)
    assert again.get(f"/organizations/show/{net.SA1.id}").status_code != 200
    token = again.post("/api/v1/security/login", json={
        "username": "teacher_a", "password": factories.PASSWORD, "provider": "db"})
    assert token.status_code == 200  # the account still works
    headers = {"Authorization": f"Bearer {token.json['access_token']}"}
    resp = again.get(f"/api/v1/organization/{net.SA1.id}", headers=headers)
    assert resp.status_code in (401, 403, 404)


def test_excluded_from_one_school_keeps_the_other(net, login, api_token, app):
    """Does a user excluded from school A1 but teaching in A2 see A2 and not A1?"""
    factories.member(net.SA2, Role.teacher, person=net.teacher_a.person)
    db.session.commit()
    admin = login("school_a_admin")
    action(admin, "/memberships", "exclude", net.teacher_a.id)
    client = login("teacher_a")
    listing = client.get("/organizations/list/").get_data(as_text=True)
    assert "School A2" in listing and "School A1" not in listing
    headers = api_token("teacher_a")
    c = app.test_client()
    assert c.get(f"/api/v1/organization/{net.SA1.id}", headers=headers).status_code == 404
    ids = {r["id"] for r in c.get("/api/v1/organization/", headers=headers).json["result"]}
    assert ids == {net.SA2.id}


def test_restore_gives_access_back(net, login):
    """Does restoring from the archive give the user their school back?"""
    admin = login("school_a_admin")
    action(admin, "/memberships", "exclude", net.teacher_a.id)
    page = action(admin, "/archive", "restore", net.teacher_a.id).get_data(as_text=True)
    assert "Restored: 1" in page
    assert reload(Membership, net.teacher_a.id).end_date is None
    client = login("teacher_a")
    assert "School A1" in client.get("/organizations/list/").get_data(as_text=True)


def test_exclude_and_restore_foreign_refused(net, login):
    """Can an administrator of school B exclude or restore school A's participants?"""
    b = login("school_b_admin")
    page = action(b, "/memberships", "exclude", net.teacher_a.id).get_data(as_text=True)
    assert "Moved to the archive: 0" in page
    assert reload(Membership, net.teacher_a.id).end_date is None
    a = login("school_a_admin")
    action(a, "/memberships", "exclude", net.teacher_a.id)
    action(b, "/archive", "restore", net.teacher_a.id)
    assert reload(Membership, net.teacher_a.id).end_date is not None


def test_nothing_is_deleted(net, login, api_token, app):
    """Are there no delete routes for persons and memberships (UI and REST)?"""
    admin = login("ministry")
    pid, mid = net.teacher_a.person.id, net.teacher_a.id
    admin.post(f"/persons/delete/{pid}")
    admin.post(f"/memberships/delete/{mid}")
    admin.post(f"/archive/delete/{mid}")
    headers = api_token("ministry")
    c = app.test_client()
    assert c.delete(f"/api/v1/person/{pid}", headers=headers).status_code in (404, 405)
    assert c.delete(f"/api/v1/membership/{mid}", headers=headers).status_code in (404, 405)
    assert c.post("/api/v1/person/", json={"last_name": "X", "first_name": "Y"},
                  headers=headers).status_code in (404, 405)
    assert reload(Person, pid) is not None and reload(Membership, mid) is not None
    html = admin.get("/persons/list/").get_data(as_text=True)
    assert "/persons/delete/" not in html


def test_membership_end_date_by_api_is_an_exclusion(net, api_token, app):
    """Does a PUT with end_date through the REST API archive the membership?"""
    headers = api_token("school_a_admin")
    c = app.test_client()
    resp = c.put(f"/api/v1/membership/{net.teacher_a.id}",
                 json={"end_date": "2025-10-01", "end_reason": "moved"}, headers=headers)
    assert resp.status_code == 200, resp.json
    m = reload(Membership, net.teacher_a.id)
    assert m.end_date == dt.date(2025, 10, 1)
    user_roles = {r.name for r in m.person.user.roles}
    assert "Teacher" not in user_roles
