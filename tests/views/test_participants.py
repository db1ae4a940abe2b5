"""People from the outside: "Add participant", identifiers, invitations, first login."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models.people import Membership, Person, Role
from tests.helpers import action, field_error, person_by_iin, person_form

VALID_IIN = "900101300017"
VALID_PIN = "21503198512345"


@pytest.mark.parametrize("country,value,rule", [
    ("KZ", "900101300018", "check digit"),
    ("KZ", "90010130001", "12 digits"),
    ("KZ", "901301300017", "real birth date"),
    ("KZ", "900101700017", "7th digit"),
    ("KZ", "90O101300017", "digits only"),
    ("KG", "31503198512345", "1st digit"),
    ("KG", "23113198512345", "real past birth date"),
    ("KG", "2150319851234", "14 digits"),
])
def test_add_participant_invalid_identifier(net, login, country, value, rule):
    """Is an invalid IIN/PIN refused on "Add participant" with the rule shown at the field?"""
    client = login("school_a_admin")
    resp = client.post("/participants/add",
                       data=person_form(net.SA1.id, country=country, national_id=value))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert rule in field_error(html, "national_id"), field_error(html, "national_id")
    assert person_by_iin(value) is None


def test_add_participant_duplicate_identifier(net, login):
    """Is a second person with an identifier already in use refused, naming the field?"""
    client = login("school_a_admin")
    taken = net.teacher_b.person.national_id  # a person of another school
    resp = client.post("/participants/add", data=person_form(net.SA1.id, national_id=taken))
    html = resp.get_data(as_text=True)
    assert "IIN / PIN" in field_error(html, "national_id")
    assert db.session.query(Person).filter_by(national_id=taken).count() == 1


def test_add_participant_valid_kz_and_kg_middle_name_optional(net, login):
    """Does a valid IIN and a valid PIN create a person without a middle name?"""
    client = login("school_a_admin")
    resp = client.post("/participants/add", data=person_form(net.SA1.id))
    assert resp.status_code == 302
    p = person_by_iin(VALID_IIN)
    assert p is not None and p.middle_name is None
    assert p.birth_date.isoformat() == "1990-01-01" and p.sex.value == "M"
    assert resp.headers["Location"].endswith(f"/persons/show/{p.id}")
    resp = client.post("/participants/add", data=person_form(
        net.SA1.id, country="KG", national_id=VALID_PIN, last_name="Асанов",
        middle_name="Бакытович"))
    assert resp.status_code == 302
    kg = person_by_iin(VALID_PIN)
    assert kg.middle_name == "Бакытович" and kg.sex.value == "M"
    m = db.session.query(Membership).filter_by(person_id=kg.id).one()
    assert m.organization_id == net.SA1.id and m.role == Role.teacher


def test_add_participant_birth_date_must_match_identifier(net, login):
    """Is a birth date that contradicts the IIN refused with the birth date field named?"""
    client = login("school_a_admin")
    resp = client.post("/participants/add",
                       data=person_form(net.SA1.id, birth_date="1991-01-01"))
    assert "IIN" in field_error(resp.get_data(as_text=True), "birth_date")
    assert person_by_iin(VALID_IIN) is None


def test_add_participant_names_required(net, login):
    """Are last and first name required for a new person?"""
    client = login("school_a_admin")
    resp = client.post("/participants/add", data=person_form(net.SA1.id, last_name=""))
    assert "Last name" in field_error(resp.get_data(as_text=True), "last_name")
    assert person_by_iin(VALID_IIN) is None


def test_create_and_add_another_returns_to_form(net, login):
    """Does "Create and add another" come back to an empty form for the same organization?"""
    client = login("school_a_admin")
    data = person_form(net.SA1.id)
    data["another"] = "1"
    resp = client.post("/participants/add", data=data)
    assert resp.status_code == 302
    assert f"/participants/add?org={net.SA1.id}" in resp.headers["Location"]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f'<option value="{net.SA1.id}" selected>School A1</option>' in page
    assert 'value="Новиков"' not in page


def test_attach_existing_user_by_login(net, login):
    """Can an administrator attach an existing registered user by their login?"""
    client = login("school_a2_admin")
    before = db.session.query(Person).count()
    resp = client.post("/participants/add", data=person_form(
        net.SA2.id, login="teacher_a", last_name="", first_name="", national_id="",
        role="Class teacher"))
    assert resp.status_code == 302
    person = net.teacher_a.person
    db.session.expire_all()
    roles = {(m.organization_id, m.role) for m in
             db.session.query(Membership).filter_by(person_id=person.id)}
    assert (net.SA2.id, Role.class_teacher) in roles and (net.SA1.id, Role.teacher) in roles
    assert db.session.query(Person).count() == before  # nobody new


def test_attach_unknown_login_refused(net, login):
    """Is an unknown login refused at the login field?"""
    client = login("school_a_admin")
    resp = client.post("/participants/add", data=person_form(net.SA1.id, login="nobody"))
    assert "Login" in field_error(resp.get_data(as_text=True), "login")


def test_add_participant_outside_scope_refused(net, login):
    """Can a school administrator add a participant to another school (id typed by hand)?"""
    client = login("school_a_admin")
    resp = client.post("/participants/add", data=person_form(net.SB1.id))
    assert resp.status_code == 200
    assert field_error(resp.get_data(as_text=True), "organization")
    assert person_by_iin(VALID_IIN) is None


def test_add_form_offers_only_writable_organization(net, login):
    """Does the organization picker of "Add participant" offer only writable organizations?"""
    client = login("dist_a_admin")
    data = client.get("/api/v1/lookup/writable_organization/?q=").json
    assert {r["text"] for r in data["results"]} == {"District A"}


def test_ministry_role_refused_in_school(net, login):
    """Is a ministry role refused for a school's participant?"""
    client = login("school_a_admin")
    resp = client.post("/participants/add",
                       data=person_form(net.SA1.id, role="Ministry administrator"))
    assert field_error(resp.get_data(as_text=True), "role")
    assert person_by_iin(VALID_IIN) is None


def _register(client, person_id):
    return action(client, "/persons", "register", person_id)


def test_register_and_print_invitations(net, login):
    """Does registering issue an invitation printable for one person and for the school?"""
    client = login("school_a_admin")
    pid = net.teacher_a_plain.person.id
    page = _register(client, pid).get_data(as_text=True)
    assert "Registered: 1" in page
    p = db.session.get(Person, pid)
    db.session.refresh(p)
    assert p.user_id is not None and p.must_change_password and p.temp_password
    one = client.get(f"/participants/invitations?person={pid}").get_data(as_text=True)
    assert p.temp_password in one and p.national_id in one
    assert "kd-print-stamp" in one
    whole = client.get(f"/participants/invitations?org={net.SA1.id}").get_data(as_text=True)
    assert p.temp_password in whole and "School A1" in whole


def test_invitations_only_within_scope(net, login):
    """Can an administrator of school B print school A's invitations?"""
    login("school_a_admin")
    a = login("school_a_admin")
    _register(a, net.teacher_a_plain.person.id)
    p = db.session.get(Person, net.teacher_a_plain.person.id)
    db.session.refresh(p)
    b = login("school_b_admin")
    one = b.get(f"/participants/invitations?person={p.id}").get_data(as_text=True)
    assert p.temp_password not in one
    assert b.get(f"/participants/invitations?org={net.SA1.id}").status_code == 404
    # and B's register action does nothing to A's person
    _register(b, net.teacher_a.person.id)


def test_register_foreign_person_refused(net, login):
    """Does the register action ignore a person outside the administrator's scope?"""
    client = login("school_b_admin")
    _register(client, net.teacher_a_plain.person.id)
    db.session.expire_all()
    assert db.session.get(Person, net.teacher_a_plain.person.id).user_id is None


def test_first_login_forces_password_change(net, login, app):
    """Does the first login with the temporary password force a new password until set?"""
    admin = login("school_a_admin")
    pid = net.teacher_a_plain.person.id
    _register(admin, pid)
    p = db.session.get(Person, pid)
    db.session.refresh(p)
    client = login(p.national_id, p.temp_password)
    resp = client.get("/organizations/list/")
    assert resp.status_code == 302 and "/resetmypassword/form" in resp.headers["Location"]
    assert client.get("/").status_code == 302
    resp = client.post("/resetmypassword/form",
                       data={"password": "My-own-pass-9", "conf_password": "My-own-pass-9"})
    assert resp.status_code == 302
    assert client.get("/organizations/list/").status_code == 200
    db.session.expire_all()
    p = db.session.get(Person, pid)
    assert not p.must_change_password and p.temp_password is None
    fresh = app.test_client()
    fresh.post("/login/", data={"username": p.national_id, "password": "My-own-pass-9"})
    assert fresh.get("/organizations/list/").status_code == 200


def test_add_form_defaults(net, login):
    """Is the only writable school preselected, Teacher the default role, and no ministry
    role offered to a school administrator?"""
    html = login("school_a_admin").get("/participants/add").get_data(as_text=True)
    assert f'<option value="{net.SA1.id}" selected>School A1</option>' in html
    assert '<option selected value="Teacher">' in html
    assert 'value="Ministry administrator"' not in html
    html = login("ministry").get("/participants/add").get_data(as_text=True)
    assert 'value="Ministry administrator"' in html
