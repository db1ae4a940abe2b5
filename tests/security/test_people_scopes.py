"""Scope tests for persons and memberships from the outside, per role (pages and REST)."""
from __future__ import annotations

import pytest

from app.models.people import Membership, Person
from tests.helpers import reload

# (user, member attribute readable, member attribute foreign)
READ_CASES = [
    ("school_a_admin", "teacher_a", "teacher_b"),
    ("school_a_admin", "teacher_a", "school_a2_admin"),
    ("school_b_admin", "teacher_b", "teacher_a"),
    ("dist_a_admin", "teacher_a", "teacher_b"),
    ("dist_a_admin", "school_a2_admin", "dist_b_admin"),
    ("dist_b_admin", "teacher_b", "teacher_a"),
    ("director_a", "teacher_a", "teacher_b"),
]

# (user, writable member, readable-but-not-writable member or None, foreign member)
WRITE_CASES = [
    ("school_a_admin", "teacher_a", None, "teacher_b"),
    ("school_b_admin", "teacher_b", None, "teacher_a"),
    ("dist_a_admin", "dist_a_head", "teacher_a", "teacher_b"),
    ("dist_b_admin", "dist_b_admin", "teacher_b", "dist_a_head"),
]


def _names(client, url):
    return client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("user,own,foreign", READ_CASES)
def test_person_read_scope(net, login, user, own, foreign):
    """Does a user list and open persons of their scope and get 404 for the others?"""
    client = login(user)
    own_p, foreign_p = getattr(net, own).person, getattr(net, foreign).person
    listing = _names(client, "/persons/list/?psize_PersonView=100")
    assert own_p.last_name in listing and foreign_p.last_name not in listing
    assert client.get(f"/persons/show/{own_p.id}").status_code == 200
    assert client.get(f"/persons/show/{foreign_p.id}").status_code == 404


@pytest.mark.parametrize("user,own,foreign", READ_CASES)
def test_membership_read_scope(net, login, user, own, foreign):
    """Does a user list and open participants of their scope and get 404 for the others?"""
    client = login(user)
    own_m, foreign_m = getattr(net, own), getattr(net, foreign)
    listing = _names(client, "/memberships/list/?psize_MembershipView=100")
    assert own_m.person.last_name in listing and foreign_m.person.last_name not in listing
    assert client.get(f"/memberships/show/{own_m.id}").status_code == 200
    assert client.get(f"/memberships/show/{foreign_m.id}").status_code == 404


@pytest.mark.parametrize("user,own,foreign", READ_CASES)
def test_person_and_membership_api_read_scope(net, api_token, app, user, own, foreign):
    """Does the REST API give a user their scope's persons and memberships and 404 others?"""
    headers = api_token(user)
    c = app.test_client()
    own_m, foreign_m = getattr(net, own), getattr(net, foreign)
    assert c.get(f"/api/v1/person/{own_m.person.id}", headers=headers).status_code == 200
    assert c.get(f"/api/v1/person/{foreign_m.person.id}", headers=headers).status_code == 404
    assert c.get(f"/api/v1/membership/{own_m.id}", headers=headers).status_code == 200
    assert c.get(f"/api/v1/membership/{foreign_m.id}", headers=headers).status_code == 404
    ids = {r["id"] for r in c.get("/api/v1/person/?q=(page_size:100)",
                                   headers=headers).json["result"]}
    assert own_m.person.id in ids and foreign_m.person.id not in ids
    ids = {r["id"] for r in c.get("/api/v1/membership/?q=(page_size:100)",
                                   headers=headers).json["result"]}
    assert own_m.id in ids and foreign_m.id not in ids


@pytest.mark.parametrize("user,own,readonly,foreign", WRITE_CASES)
def test_person_edit_scope(net, login, user, own, readonly, foreign):
    """Does an administrator edit their own people, and get 404 on others' (even by POST)?"""
    client = login(user)
    own_p = getattr(net, own).person
    assert client.get(f"/persons/edit/{own_p.id}").status_code == 200
    resp = client.post(f"/persons/edit/{own_p.id}", data={
        "last_name": own_p.last_name, "first_name": own_p.first_name,
        "country": "KZ", "national_id": own_p.national_id, "phone": "+7 700 000 00 01",
        "sex": own_p.sex.value, "birth_date": own_p.birth_date.isoformat()})
    assert resp.status_code == 302
    assert reload(Person, own_p.id).phone == "+7 700 000 00 01"
    for other in filter(None, (readonly, foreign)):
        p = getattr(net, other).person
        assert client.get(f"/persons/edit/{p.id}").status_code == 404
        resp = client.post(f"/persons/edit/{p.id}", data={
            "last_name": "Hacked", "first_name": "X", "country": "KZ"})
        assert resp.status_code == 404
        assert reload(Person, p.id).last_name != "Hacked"


@pytest.mark.parametrize("user,own,readonly,foreign", WRITE_CASES)
def test_membership_edit_scope(net, login, user, own, readonly, foreign):
    """Does an administrator edit their own participants and get 404 on others'?"""
    client = login(user)
    own_m = getattr(net, own)
    assert client.get(f"/memberships/edit/{own_m.id}").status_code == 200
    resp = client.post(f"/memberships/edit/{own_m.id}", data={
        "role": own_m.role.value, "position": "Checked", "arrival_date": "2024-09-01"})
    assert resp.status_code == 302
    assert reload(Membership, own_m.id).position == "Checked"
    for other in filter(None, (readonly, foreign)):
        m = getattr(net, other)
        assert client.get(f"/memberships/edit/{m.id}").status_code == 404
        resp = client.post(f"/memberships/edit/{m.id}", data={
            "role": m.role.value, "position": "Hacked"})
        assert resp.status_code == 404
        assert reload(Membership, m.id).position != "Hacked"


@pytest.mark.parametrize("user,own,readonly,foreign", WRITE_CASES)
def test_person_and_membership_api_write_scope(net, api_token, app, user, own, readonly,
                                               foreign):
    """Does PUT work on own people and give 403 (readable) or 404 (foreign) otherwise?"""
    headers = api_token(user)
    c = app.test_client()
    own_m = getattr(net, own)
    resp = c.put(f"/api/v1/person/{own_m.person.id}", json={"phone": "+7 1"}, headers=headers)
    assert resp.status_code == 200, resp.json
    resp = c.put(f"/api/v1/membership/{own_m.id}", json={"position": "API"}, headers=headers)
    assert resp.status_code == 200, resp.json
    for other, status in ((readonly, 403), (foreign, 404)):
        if other is None:
            continue
        m = getattr(net, other)
        resp = c.put(f"/api/v1/person/{m.person.id}", json={"phone": "X"}, headers=headers)
        assert resp.status_code == status
        resp = c.put(f"/api/v1/membership/{m.id}", json={"position": "X"}, headers=headers)
        assert resp.status_code == status
        assert reload(Person, m.person.id).phone != "X"
        assert reload(Membership, m.id).position != "X"


def test_membership_api_post_foreign_refused(net, api_token, app):
    """Can a school administrator add their teacher to another school by POST?"""
    headers = api_token("school_a_admin")
    resp = app.test_client().post("/api/v1/membership/", json={
        "person": net.teacher_a.person.id, "organization": net.SB1.id, "role": "Teacher"},
        headers=headers)
    assert resp.status_code == 403
    assert not [m for m in reload(Person, net.teacher_a.person.id).memberships
                if m.organization_id == net.SB1.id]
    resp = app.test_client().post("/api/v1/membership/", json={
        "person": net.teacher_b.person.id, "organization": net.SA1.id, "role": "Teacher"},
        headers=headers)
    assert resp.status_code == 403


def test_director_reads_but_does_not_edit(net, login, api_token, app):
    """Can a director read their school's people but not change them?"""
    client = login("director_a")
    pid, mid = net.teacher_a.person.id, net.teacher_a.id
    assert client.get(f"/persons/edit/{pid}").status_code in (302, 403)
    assert client.get(f"/memberships/edit/{mid}").status_code in (302, 403)
    headers = api_token("director_a")
    c = app.test_client()
    assert c.put(f"/api/v1/person/{pid}", json={"phone": "X"}, headers=headers).status_code \
        in (401, 403)
    assert reload(Person, pid).phone != "X"


def test_teacher_has_no_persons_list(net, login, api_token, app):
    """Is a teacher refused the persons and participants pages and their REST resources?"""
    client = login("teacher_a")
    for url in ("/persons/list/", f"/persons/show/{net.teacher_a.person.id}",
                "/memberships/list/", "/archive/list/", "/participants/add"):
        resp = client.get(url)
        assert resp.status_code in (302, 403), url
        assert "Незарегов" not in resp.get_data(as_text=True)
    headers = api_token("teacher_a")
    c = app.test_client()
    assert c.get("/api/v1/person/", headers=headers).status_code in (401, 403)
    assert c.get("/api/v1/membership/", headers=headers).status_code in (401, 403)
    assert c.get("/api/v1/lookup/person/?q=", headers=headers).json["results"] == []


def test_person_lookup_scope(net, login):
    """Does the person picker offer only persons of the user's scope?"""
    client = login("school_a_admin")
    names = {r["text"] for r in client.get("/api/v1/lookup/person/?q=").json["results"]}
    assert any("Учителев" in n for n in names)
    assert not any("Бэучитель" in n or "Второй" in n for n in names)


def test_ministry_reads_and_edits_everyone(net, login):
    """Does the ministry administrator read and edit persons everywhere?"""
    client = login("ministry")
    listing = _names(client, "/persons/list/?psize_PersonView=100")
    assert "Бэучитель" in listing and "Учителев" in listing
    assert client.get(f"/persons/edit/{net.teacher_b.person.id}").status_code == 200


def test_forbidden_page_in_layout(net, login):
    """Does a refused page say so in the product's layout (not a bare server page)?"""
    resp = login("teacher_a").get("/persons/list/")
    if resp.status_code == 403:
        html = resp.get_data(as_text=True)
        assert "Access denied" in html and "navbar" in html
