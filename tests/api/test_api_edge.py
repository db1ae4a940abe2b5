"""The REST API's edge: inputs that answered 500, leaked SQL or answered HTML (issue 16).

Each test is one class of failure found by the schemathesis run and by hand; every error is
a JSON object with ``message`` - a string, or an object of field -> list of strings.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.study import AcademicYear, Building, Room, StudyPeriod, Subject
from app.models.timetable import LessonPlan, PlanTopic
from tests import factories

HUGE = 99999999999999999999  # above 2**63: no database integer holds it
BEING_FIXED = pytest.mark.xfail(strict=False, reason="issue 16: being fixed")
SQL_WORDS = ("INSERT", "UPDATE ", "DELETE FROM", "SELECT", "sqlalchemy", "[SQL:")


@pytest.fixture()
def s(net):
    """School A1's study process and journal, and a lesson plan with two topics."""
    s = factories.journal_school(net)
    s.plan = LessonPlan(organization_id=net.SA1.id, name="Mathematics 5", period_id=s.q1.id,
                        subject_id=s.math.id, parallel=5, teacher_id=s.t1.id)
    db.session.add(s.plan)
    db.session.flush()
    db.session.add_all([
        PlanTopic(organization_id=net.SA1.id, plan_id=s.plan.id, position=1, title="Numbers"),
        PlanTopic(organization_id=net.SA1.id, plan_id=s.plan.id, position=2, title="Fractions"),
    ])
    db.session.commit()
    s.ids = {"plan": s.plan.id, "q1": s.q1.id, "math": s.math.id, "lang": s.lang.id,
             "lesson": s.lessons[0].id, "room": s.room1.id}
    return s


@pytest.fixture()
def admin(api_token):
    return api_token("school_a_admin")


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def json_error(resp, status: int, field: str | None = None) -> dict:
    """The response is ``status`` with the API's JSON error body (naming ``field``)."""
    text = resp.get_data(as_text=True)
    assert resp.status_code == status, f"{resp.status_code}: {text[:500]}"
    assert resp.mimetype == "application/json", f"{resp.mimetype}: {text[:300]}"
    body = resp.get_json()
    assert isinstance(body, dict) and "message" in body, text[:500]
    message = body["message"]
    if isinstance(message, dict):
        assert all(isinstance(v, list) and all(isinstance(x, str) for x in v)
                   for v in message.values()), text[:500]
    else:
        assert isinstance(message, str), text[:500]
    if field is not None:
        assert isinstance(message, dict) and field in message, text[:500]
    for word in SQL_WORDS:
        assert word not in text, f"SQL in the answer: {text[:500]}"
    return body


# -- query string ------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["1e", "(((", "(" * 2000, "(page:1e)", "!x"])
@pytest.mark.parametrize("path", ["/api/v1/subject/", "/api/v1/subject/_info"])
def test_malformed_rison_is_400(app, s, admin, path, q):
    """Does a malformed or deeply nested rison ``q`` (``1e``, ``(((``) answer 400 JSON on a
    list and on ``_info``, not 500?"""
    resp = app.test_client().get(path, query_string={"q": q}, headers=admin)
    json_error(resp, 400)


# -- ids ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("get", f"/api/v1/subject/{HUGE}"),
    ("put", f"/api/v1/subject/{HUGE}"),
    ("delete", f"/api/v1/study_period/{HUGE}"),
    ("get", f"/api/v1/journal/lesson/{HUGE}"),
    ("post", f"/api/v1/lesson/{HUGE}/cancel"),
])
def test_id_above_2_63_in_path_is_404(app, s, admin, method, path):
    """Does an id no database integer holds answer 404 JSON, not an overflow (500)?"""
    resp = getattr(app.test_client(), method)(path, headers=admin,
                                              json={"name": "X", "reason": "ill"})
    json_error(resp, 404)


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/room/", {"building": HUGE, "number": "901"}, "building"),
    ("/api/v1/study_period/", {"year": HUGE, "kind": "quarter", "name": "Q9",
                               "starts_on": "2026-09-01", "ends_on": "2026-10-30"}, "year"),
])
def test_id_above_2_63_in_body_is_422(app, s, admin, path, body, field):
    """Does a related id no database integer holds answer 422 naming the field?"""
    rooms, periods = _count(Room), _count(StudyPeriod)
    json_error(app.test_client().post(path, json=body, headers=admin), 422, field)
    assert (_count(Room), _count(StudyPeriod)) == (rooms, periods)


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/journal/lesson/abc"),
    ("post", "/api/v1/journal/lesson/abc"),
    ("post", "/api/v1/lesson/abc/cancel"),
    ("post", "/api/v1/lesson/abc/substitute"),
    pytest.param("get", "/api/v1/subject/abc", marks=BEING_FIXED),
    pytest.param("get", "/api/v1/subject/-1", marks=BEING_FIXED),
])
def test_non_integer_id_is_404_json(app, s, admin, method, path):
    """Does a non-integer id in a path answer 404 JSON, not Werkzeug's HTML page (or a
    405 from another route)?"""
    resp = getattr(app.test_client(), method)(path, headers=admin, json={"reason": "ill"})
    json_error(resp, 404)


# -- bodies ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["[null, null]", '"final"', "[]", "17", "{"])
@pytest.mark.parametrize("path", ["/api/v1/journal/final", "/api/v1/journal/finals/confirm",
                                  "/api/v1/subject/", "/api/v1/room/"])
def test_body_not_an_object_is_400(app, s, admin, path, raw):
    """Does a JSON body that is an array, a string, a number (or not JSON at all) answer
    400 JSON, not an HTML 500 page?"""
    subjects = _count(Subject)
    resp = app.test_client().post(path, data=raw, content_type="application/json",
                                  headers=admin)
    json_error(resp, 400)
    assert _count(Subject) == subjects


def test_body_not_an_object_on_put_is_400(app, s, admin):
    """Does a PUT with an array body answer 400 JSON?"""
    resp = app.test_client().put(f"/api/v1/subject/{s.ids['math']}", data="[1]",
                                 content_type="application/json", headers=admin)
    json_error(resp, 400)


@pytest.mark.parametrize("building", [{"id": 99999, "name": "x"}, {"name": "x"},
                                      {"nonsense": 1}, [1], "Main"])
def test_related_field_as_object_is_422_and_creates_nothing(app, s, admin, building):
    """Does a related field sent as an object (or a list or a name) answer 422 naming the
    field - without creating a building through the room resource?"""
    buildings, rooms = _count(Building), _count(Room)
    resp = app.test_client().post("/api/v1/room/", headers=admin,
                                  json={"building": building, "number": "777"})
    json_error(resp, 422, "building")
    assert (_count(Building), _count(Room)) == (buildings, rooms)


@pytest.mark.parametrize("year", [{}, {"id": 99999, "name": "2099-2100"}])
def test_period_year_as_object_is_422(app, s, admin, year):
    """Does ``PUT /study_period/<id>`` with ``"year": {}`` answer 422 naming ``year``, and
    leave the period and the academic years as they were?"""
    years = _count(AcademicYear)
    resp = app.test_client().put(f"/api/v1/study_period/{s.ids['q1']}", headers=admin,
                                 json={"year": year, "name": "Changed"})
    json_error(resp, 422, "year")
    assert _count(AcademicYear) == years
    assert db.session.get(StudyPeriod, s.ids["q1"]).name == "1 четверть"


# -- rules the database enforces ----------------------------------------------------------

def test_duplicate_subject_name_is_422_on_name(app, s, admin):
    """Does renaming a subject to another subject's name of the same school answer 422
    naming ``name``, not an IntegrityError?"""
    resp = app.test_client().put(f"/api/v1/subject/{s.ids['lang']}", headers=admin,
                                 json={"name": "Математика"})
    json_error(resp, 422, "name")
    db.session.expire_all()
    assert db.session.get(Subject, s.ids["lang"]).name == "Казахский язык"


def test_refused_delete_names_no_sql(app, s, admin):
    """Does a DELETE the database refuses (a lesson plan that has topics) answer 422 whose
    body holds no SQL, and keep the plan?"""
    resp = app.test_client().delete(f"/api/v1/lesson_plan/{s.ids['plan']}", headers=admin)
    json_error(resp, 422)
    db.session.expire_all()
    assert db.session.get(LessonPlan, s.ids["plan"]) is not None


# -- authentication ----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["Bearer abc", "Bearer a.b.c", "Bearer ", "Basic abc"])
def test_malformed_bearer_token_is_401(app, s, value):
    """Does a malformed token answer 401 JSON, not 422 "Not enough segments"?"""
    resp = app.test_client().get("/api/v1/subject/", headers={"Authorization": value})
    json_error(resp, 401)


def test_browser_put_without_csrf_token_is_400(app, s, login):
    """With CSRF protection on, is a PUT carried by the browser's session cookie without an
    ``X-CSRFToken`` header refused (400) and the subject left unchanged?"""
    client = login("school_a_admin")
    old = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.put(f"/api/v1/subject/{s.ids['math']}", json={"name": "Hacked"})
        json_error(resp, 400)
        resp = client.delete(f"/api/v1/room/{s.ids['room']}")
        json_error(resp, 400)
    finally:
        app.config["WTF_CSRF_ENABLED"] = old
    db.session.expire_all()
    assert db.session.get(Subject, s.ids["math"]).name == "Математика"
    assert db.session.get(Room, s.ids["room"]) is not None


# -- _info -------------------------------------------------------------------------------

def _rest_resources(app) -> list[str]:
    """Every resource that serves ``/api/v1/<name>/_info``, from the app's own routes."""
    return sorted({r.rule.split("/")[3] for r in app.url_map.iter_rules()
                   if r.rule.startswith("/api/v1/") and r.rule.endswith("/_info")})


@pytest.mark.parametrize("lang", ["en", "ru", "kk", "ky"])
def test_info_descriptions_hold_no_catalogue_header(app, s, api_token, lang):
    """Does no column ``description`` of any resource's ``_info`` carry the translation
    catalogue's header ("Project-Id-Version ...", the translation of an empty string)?"""
    headers = api_token("superadmin")
    client = app.test_client()
    resources = _rest_resources(app)
    assert len(resources) > 20
    leaks = []
    for name in resources:
        resp = client.get(f"/api/v1/{name}/_info", query_string={"_l_": lang},
                          headers=headers)
        assert resp.status_code == 200, f"{name}: {resp.status_code}"
        body = resp.get_json()
        for key in ("add_columns", "edit_columns"):
            for col in body.get(key) or []:
                if "Project-Id-Version" in str(col.get("description", "")):
                    leaks.append(f"{name}.{key}.{col.get('name')}")
    assert not leaks, leaks
