"""The person and membership REST resources: identifiers, errors and their JSON shape."""
from __future__ import annotations

from app.models.people import Person
from tests.helpers import reload


def test_put_invalid_iin_refused_with_field(net, api_token, app):
    """Is an invalid IIN refused by PUT /api/v1/person/ with 422 naming national_id?"""
    headers = api_token("school_a_admin")
    pid = net.teacher_a.person.id
    old = net.teacher_a.person.national_id
    resp = app.test_client().put(f"/api/v1/person/{pid}", json={"national_id": "900101300018"},
                                 headers=headers)
    assert resp.status_code == 422
    assert resp.json["code"] == "iin_checksum"
    assert "check digit" in resp.json["message"]["national_id"][0]
    assert reload(Person, pid).national_id == old


def test_put_duplicate_identifier_refused(net, api_token, app):
    """Is an identifier of another person refused by PUT with 422 naming national_id?"""
    headers = api_token("school_a_admin")
    pid = net.teacher_a.person.id
    taken = net.teacher_b.person.national_id
    resp = app.test_client().put(f"/api/v1/person/{pid}", json={"national_id": taken},
                                 headers=headers)
    assert resp.status_code == 422
    assert resp.json["code"] == "national_id_duplicate"
    assert "IIN / PIN" in resp.json["message"]["national_id"][0]


def test_put_valid_pin_and_no_middle_name(net, api_token, app):
    """Does a Kyrgyz PIN pass when the country is KG, and is the middle name optional?"""
    headers = api_token("school_a_admin")
    pid = net.teacher_a_plain.person.id
    resp = app.test_client().put(f"/api/v1/person/{pid}", json={
        "country": "KG", "national_id": "21503198512345", "birth_date": "1985-03-15",
        "sex": "M", "middle_name": None}, headers=headers)
    assert resp.status_code == 200, resp.json
    p = reload(Person, pid)
    assert p.national_id == "21503198512345" and p.middle_name is None
    assert p.birth_date.isoformat() == "1985-03-15"


def test_person_resource_exposes_national_id(net, api_token, app):
    """Does GET /api/v1/person/<id> show the identifier as national_id?"""
    headers = api_token("school_a_admin")
    resp = app.test_client().get(f"/api/v1/person/{net.teacher_a.person.id}", headers=headers)
    assert resp.json["result"]["national_id"] == net.teacher_a.person.national_id


def test_api_errors_shape(net, api_token, app):
    """Do 401, 404 and 422 answers carry a JSON message?"""
    c = app.test_client()
    assert c.get("/api/v1/person/1").status_code == 401
    headers = api_token("school_a_admin")
    resp = c.get("/api/v1/person/999999", headers=headers)
    assert resp.status_code == 404 and "message" in resp.json
    resp = c.put(f"/api/v1/person/{net.teacher_a.person.id}", json={"nope": 1}, headers=headers)
    assert resp.status_code == 422 and "nope" in resp.json["message"]
    resp = c.put(f"/api/v1/person/{net.teacher_b.person.id}", json={"phone": "1"},
                 headers=headers)
    assert resp.status_code == 404


def test_membership_post_role_must_fit(net, api_token, app):
    """Is a district role for a school refused by POST /api/v1/membership/ with 422?"""
    headers = api_token("school_a_admin")
    resp = app.test_client().post("/api/v1/membership/", json={
        "person": net.teacher_a.person.id, "organization": net.SA1.id,
        "role": "District administrator"}, headers=headers)
    assert resp.status_code == 422
    assert resp.json["code"] == "role_kind" and "role" in resp.json["message"]


def test_openapi_and_swagger(net, app, api_token, login):
    """Are the OpenAPI spec and the Swagger UI served?"""
    c = app.test_client()
    spec = c.get("/api/v1/_openapi", headers=api_token("ministry"))
    assert spec.status_code == 200
    paths = spec.json["paths"]
    for path in ("/api/v1/person/", "/api/v1/organization/", "/api/v1/membership/",
                 "/api/v1/security/login", "/api/v1/lookup/{name}/"):
        assert path in paths
    assert login("ministry").get("/swagger/v1").status_code == 200
