"""Organisations from the outside: the tree without cycles, deletion rules, closing."""
from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models.org import Organization, OrgKind
from tests import factories
from tests.helpers import action, reload


def _edit_data(org: Organization, **over) -> dict:
    data = {"kind": org.kind.value, "short_name": org.short_name, "full_name": org.full_name,
            "parent": str(org.parent_id or ""), "territory": org.territory or "",
            "country": org.country, "language": org.language, "timezone": org.timezone}
    data.update(over)
    return data


def test_cycle_refused_in_edit_form(net, login):
    """Is moving the region under its own district refused on the edit page, saying why?"""
    client = login("ministry")
    resp = client.post(f"/organizations/edit/{net.R.id}",
                       data=_edit_data(net.R, parent=str(net.DA.id), kind="region"),
                       follow_redirects=True)
    assert "under itself or under one of its own subordinate" in resp.get_data(as_text=True)
    r = reload(Organization, net.R.id)
    assert r.parent_id == net.M.id and r.path == f"/{net.M.id}/{net.R.id}/"


def test_parent_itself_refused(net, login):
    """Is an organization refused as its own parent?"""
    client = login("ministry")
    resp = client.post(f"/organizations/edit/{net.DA.id}",
                       data=_edit_data(net.DA, parent=str(net.DA.id)), follow_redirects=True)
    assert "under itself" in resp.get_data(as_text=True)
    assert reload(Organization, net.DA.id).parent_id == net.R.id


def test_cycle_refused_by_api(net, api_token, app):
    """Is a PUT making the region a child of its district refused with 422 on parent?"""
    headers = api_token("ministry")
    resp = app.test_client().put(f"/api/v1/organization/{net.R.id}",
                                 json={"parent": net.SA1.id}, headers=headers)
    assert resp.status_code == 422
    assert resp.json["code"] in ("parent_cycle", "parent_kind")
    assert "parent" in resp.json["message"]
    resp = app.test_client().put(f"/api/v1/organization/{net.R.id}",
                                 json={"parent": net.DA.id}, headers=headers)
    assert resp.status_code == 422 and resp.json["code"] == "parent_cycle"
    assert reload(Organization, net.R.id).parent_id == net.M.id


def test_move_keeps_paths(net, login):
    """Does moving a school to another district recompute its path (and scope)?"""
    client = login("ministry")
    resp = client.post(f"/organizations/edit/{net.SA2.id}",
                       data=_edit_data(net.SA2, parent=str(net.DB.id)))
    assert resp.status_code == 302
    sa2 = reload(Organization, net.SA2.id)
    assert sa2.path == f"{net.DB.path}{net.SA2.id}/"
    b = login("dist_b_admin")
    assert b.get(f"/organizations/show/{net.SA2.id}").status_code == 200


def test_delete_refused_with_children_or_members(net, login):
    """Is deleting a district with schools, or a school with members, refused with the reason?"""
    client = login("ministry")
    page = client.post(f"/organizations/delete/{net.DA.id}", follow_redirects=True)
    assert "it has subordinate organizations" in page.get_data(as_text=True)
    page = client.post(f"/organizations/delete/{net.SB1.id}", follow_redirects=True)
    assert "it has members" in page.get_data(as_text=True)
    assert reload(Organization, net.DA.id) is not None
    assert reload(Organization, net.SB1.id) is not None


def test_delete_empty_organization(net, login, api_token, app):
    """Can an organization created by mistake (no children, no members) be deleted?"""
    empty = factories.org(OrgKind.school, "Mistake", net.DB)
    other = factories.org(OrgKind.school, "Mistake 2", net.DB)
    db.session.commit()
    client = login("ministry")
    client.post(f"/organizations/delete/{empty.id}")
    assert reload(Organization, empty.id) is None
    resp = app.test_client().delete(f"/api/v1/organization/{other.id}",
                                    headers=api_token("ministry"))
    assert resp.status_code == 200
    resp = app.test_client().delete(f"/api/v1/organization/{net.DB.id}",
                                    headers=api_token("ministry"))
    assert resp.status_code == 422 and resp.json["code"] == "org_not_empty"


def test_close_and_reopen(net, login):
    """Does closing keep the school and take its members' access away; reopening restore it?"""
    client = login("dist_b_admin")
    page = action(client, "/organizations", "close", net.SB1.id).get_data(as_text=True)
    assert "Closed: 0" in page  # a district administrator reads but does not change schools
    ministry = login("ministry")
    page = action(ministry, "/organizations", "close", net.SB1.id).get_data(as_text=True)
    assert "Closed: 1" in page
    assert reload(Organization, net.SB1.id).closed_on == dt.date.today()
    b = login("school_b_admin")
    assert b.get(f"/organizations/show/{net.SB1.id}").status_code != 200
    action(ministry, "/organizations", "reopen", net.SB1.id)
    assert reload(Organization, net.SB1.id).closed_on is None
    assert login("school_b_admin").get(f"/organizations/show/{net.SB1.id}").status_code == 200


def test_school_admin_cannot_add_organizations(net, login):
    """Can a school administrator create an organization?"""
    client = login("school_a_admin")
    client.post("/organizations/add", data={"kind": "school", "short_name": "Rogue",
                                            "full_name": "Rogue", "parent": str(net.DA.id),
                                            "country": "KZ", "language": "ru",
                                            "timezone": "Asia/Almaty"})
    assert db.session.query(Organization).filter_by(short_name="Rogue").count() == 0


def test_district_admin_adds_school_below(net, login):
    """Can a district administrator add a school under their district only?"""
    client = login("dist_a_admin")
    form = {"kind": "school", "short_name": "New A3", "full_name": "New A3",
            "parent": str(net.DA.id), "country": "KZ", "language": "kk",
            "timezone": "Asia/Almaty"}
    assert client.post("/organizations/add", data=form).status_code == 302
    new = db.session.query(Organization).filter_by(short_name="New A3").one()
    assert new.path.startswith(net.DA.path)
    form.update(short_name="New B2", parent=str(net.DB.id))
    client.post("/organizations/add", data=form)
    assert db.session.query(Organization).filter_by(short_name="New B2").count() == 0
