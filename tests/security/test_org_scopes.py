"""Scope tests from the outside: real logins, real routes, for each role."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models.org import Organization


def _get(client, url):
    return client.get(url, follow_redirects=False)


@pytest.mark.parametrize("user,own,foreign", [
    ("school_a_admin", "SA1", "SB1"),
    ("school_a_admin", "SA1", "SA2"),
    ("director_a", "SA1", "SB1"),
    ("dist_a_admin", "SA1", "SB1"),
    ("dist_a_head", "SA2", "SB1"),
    ("dist_b_admin", "SB1", "SA1"),
])
def test_org_show_own_and_foreign(net, login, user, own, foreign):
    """Can a user open their own organization's page but not one outside their scope?"""
    client = login(user)
    own_id, foreign_id = getattr(net, own).id, getattr(net, foreign).id
    assert _get(client, f"/organizations/show/{own_id}").status_code == 200
    assert _get(client, f"/organizations/show/{foreign_id}").status_code == 404
    listing = _get(client, "/organizations/list/").get_data(as_text=True)
    assert getattr(net, own).short_name in listing
    assert getattr(net, foreign).short_name not in listing


@pytest.mark.parametrize("user,foreign", [
    ("school_a_admin", "SB1"), ("dist_a_admin", "DB"), ("dist_a_admin", "SB1"),
])
def test_org_edit_foreign_refused(net, login, user, foreign):
    """Can an administrator edit or delete an organization of another school or district?"""
    client = login(user)
    org_id = getattr(net, foreign).id
    assert _get(client, f"/organizations/edit/{org_id}").status_code == 404
    resp = client.post(f"/organizations/edit/{org_id}", data={"short_name": "Hacked"})
    assert resp.status_code == 404
    assert client.post(f"/organizations/delete/{org_id}").status_code in (403, 404)
    db.session.expire_all()
    org = db.session.get(Organization, org_id)
    assert org.short_name != "Hacked"
    assert org is not None


def test_district_reads_subordinate_but_cannot_edit(net, login):
    """Does a district administrator read a subordinate school but not change it?"""
    client = login("dist_a_admin")
    assert _get(client, f"/organizations/show/{net.SA1.id}").status_code == 200
    assert _get(client, f"/organizations/edit/{net.SA1.id}").status_code == 404
    assert _get(client, f"/organizations/edit/{net.DA.id}").status_code == 200


def test_school_admin_edits_own_school(net, login):
    """Can a school coordinator-administrator change their own school's contacts?"""
    client = login("school_a_admin")
    page = _get(client, f"/organizations/edit/{net.SA1.id}")
    assert page.status_code == 200
    resp = client.post(f"/organizations/edit/{net.SA1.id}", data={
        "kind": "school", "short_name": "School A1", "full_name": "School A1 full",
        "parent": str(net.DA.id), "country": "KZ", "language": "kk",
        "timezone": "Asia/Almaty", "phones": "+7 727 000 00 00"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, net.SA1.id).phones == "+7 727 000 00 00"


@pytest.mark.parametrize("user,own,foreign", [
    ("school_a_admin", "SA1", "SB1"),
    ("dist_a_admin", "SA2", "SB1"),
    ("dist_b_admin", "DB", "DA"),
])
def test_api_org_scope(net, api_token, app, user, own, foreign):
    """Does the REST API refuse another school's or district's organization?"""
    headers = api_token(user)
    client = app.test_client()
    own_id, foreign_id = getattr(net, own).id, getattr(net, foreign).id
    assert client.get(f"/api/v1/organization/{own_id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/organization/{foreign_id}", headers=headers).status_code == 404
    ids = {r["id"] for r in client.get("/api/v1/organization/?q=(page_size:100)",
                                         headers=headers).json["result"]}
    assert own_id in ids and foreign_id not in ids
    resp = client.put(f"/api/v1/organization/{foreign_id}", json={"phones": "1"},
                      headers=headers)
    assert resp.status_code == 404
    assert client.delete(f"/api/v1/organization/{foreign_id}", headers=headers).status_code \
        == 404


def test_api_district_cannot_change_subordinate(net, api_token, app):
    """Is a PUT on a readable but not writable organization refused with 403?"""
    headers = api_token("dist_a_admin")
    client = app.test_client()
    resp = client.put(f"/api/v1/organization/{net.SA1.id}", json={"phones": "1"},
                      headers=headers)
    assert resp.status_code == 403
    resp = client.put(f"/api/v1/organization/{net.DA.id}", json={"phones": "+7 1"},
                      headers=headers)
    assert resp.status_code == 200, resp.json
    assert resp.json["result"]["phones"] == "+7 1"


def test_ministry_sees_everything(net, login):
    """Does the ministry administrator see every organization?"""
    client = login("ministry")
    listing = _get(client, "/organizations/list/?psize_OrganizationView=100").get_data(
        as_text=True)
    for name in ("School A1", "School A2", "School B1", "District A", "District B"):
        assert name in listing


def test_lookup_offers_only_scope(net, login):
    """Does the organization picker offer only organizations in the user's scope?"""
    client = login("dist_a_admin")
    data = client.get("/api/v1/lookup/organization/?q=School").json
    names = {r["text"] for r in data["results"]}
    assert names == {"School A1", "School A2"}


def test_search_form_has_no_foreign_options(net, login):
    """Does the list page's search form leak names of organizations outside the scope?"""
    client = login("school_a_admin")
    html = _get(client, "/organizations/list/").get_data(as_text=True)
    assert "School B1" not in html
    assert "District B" not in html


def test_get_delete_refused(net, login):
    """Does a GET on a delete URL change nothing (CSRF protection)?"""
    client = login("ministry")
    empty = Organization(kind="other", short_name="Empty", full_name="Empty", parent_id=net.R.id)
    from app.services.orgs import place

    place(empty)
    db.session.commit()
    client.get(f"/organizations/delete/{empty.id}")
    db.session.expire_all()
    assert db.session.get(Organization, empty.id) is not None
