"""The REST API's edge: inputs that answered 500, leaked SQL or answered HTML (issue 16).

Each test is one class of failure found by the schemathesis run and by hand (its cases run
in one test and fail together); every error is a JSON object with ``message`` - a string, or
an object of field -> list of strings.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.study import AcademicYear, Building, Room, StudyPeriod, Subject
from app.models.timetable import LessonPlan, PlanTopic
from tests import factories

HUGE = 99999999999999999999  # above 2**63: no database integer holds it
INT4_OVER = 2**31 + 7  # above PostgreSQL's 32-bit integer
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


def check_all(cases) -> None:
    """Run ``(label, check)`` pairs and report every failing one together (one database
    set-up for a whole class of inputs)."""
    failed = []
    for label, check in cases:
        try:
            check()
        except AssertionError as err:
            failed.append(f"{label}: {str(err).splitlines()[0][:300]}")
    assert not failed, "\n".join(failed)


# -- query string ------------------------------------------------------------------------

def test_malformed_rison_is_400(app, s, admin):
    """Does a malformed or deeply nested rison ``q`` (``1e``, ``(((``) answer 400 JSON on a
    list and on ``_info``, not 500?"""
    client = app.test_client()
    check_all(
        (f"{path}?q={q[:12]}", lambda path=path, q=q: json_error(
            client.get(path, query_string={"q": q}, headers=admin), 400))
        for path in ("/api/v1/subject/", "/api/v1/subject/_info", "/api/v1/journal_mark/")
        for q in ("1e", "(((", "(" * 2000, "(page:1e)", "!x"))


def test_json_query_reaches_the_resource_as_written(app, s, admin):
    """Is a JSON ``q`` read as written - ``&``, ``+``, ``%`` and lone surrogates inside its
    values included - an ``in`` filter given one value taken as a list of one, a number
    searched in a text column taken as its text, and a value that does not fit its column
    refused with 400 naming it (Flask-AppBuilder refused the first, it decodes JSON twice,
    and answered 500 to the others)?"""
    client = app.test_client()
    math = client.get("/api/v1/subject/", headers=admin, query_string={"q": json.dumps(
        {"filters": [{"col": "name", "opr": "eq", "value": "Математика"}]})})
    assert math.status_code == 200 and math.json["count"] == 1, math.get_data(as_text=True)
    for q in ({"filters": [{"col": "name", "opr": "eq", "value": "a&b+c%41"}]},
              {"\udbad\udd67x": 1.5, "page": 0},
              {"filters": [{"col": "name", "opr": "sw", "value": 5}]},
              {"filters": [{"col": "name", "opr": "in", "value": "Математика"}]},
              {"filters": [{"col": "name", "opr": "eq", "value": "x",
                            "\u00ce\n(#6\x01": {"k": 2**40}}], "extra": 2**40}):
        resp = client.get("/api/v1/subject/", headers=admin,
                          query_string={"q": json.dumps(q)})
        assert resp.status_code == 200, (q, resp.get_data(as_text=True)[:300])
    for value in (False, None, [True, 1.5], {"x": 1}):  # FAB computed with them: 500
        json_error(client.get("/api/v1/subject/", headers=admin, query_string={
            "q": json.dumps({"filters": [{"col": "name", "opr": "not_in", "value": value}]})}),
            400, "q.filters[0].value")
    json_error(client.get("/api/v1/subject/", headers=admin, query_string={"q": json.dumps(
        {"filters": [{"col": "archived", "opr": "eq", "value": 2.5}]})}), 400)
    one = client.get("/api/v1/subject/", headers=admin, query_string={"q": json.dumps(
        {"filters": [{"col": "name", "opr": "in", "value": "Математика"}]})})
    assert one.json["count"] == 1


def test_undeclared_method_on_info_is_405_with_allow(app, s, admin):
    """Does ``PUT`` or ``TRACE`` on ``/subject/_info`` answer 405 with ``Allow`` (the path is
    a GET route of its own), not a 404 for an id "_info"?"""
    client = app.test_client()
    for method in ("PUT", "DELETE", "TRACE"):
        resp = client.open("/api/v1/subject/_info", method=method, headers=admin, json={})
        json_error(resp, 405)
        assert "GET" in resp.headers.get("Allow", ""), method
    allow = client.options("/api/v1/subject/_info", headers=admin).headers["Allow"]
    assert "GET" in allow and "PUT" not in allow and "DELETE" not in allow, allow
    allow = client.options(f"/api/v1/subject/{s.ids['math']}", headers=admin).headers["Allow"]
    assert {"GET", "PUT"} <= set(allow.replace(" ", "").split(",")), allow  # no DELETE here


# -- ids ---------------------------------------------------------------------------------

PATH_IDS = [
    ("get", "/api/v1/subject/{id}"),
    ("put", "/api/v1/subject/{id}"),
    ("delete", "/api/v1/study_period/{id}"),
    ("get", "/api/v1/journal/lesson/{id}"),
    ("post", "/api/v1/lesson/{id}/cancel"),
    ("get", "/api/v1/journal_lesson/{id}"),
    ("get", "/api/v1/membership/{id}"),
    ("put", "/api/v1/room/{id}"),
]
BIG_IDS = [
    pytest.param(HUGE, id="above_2_63"),
    # PostgreSQL's integer columns are 32-bit: 2**31 already overflows there (a DataError,
    # 500) while SQLite holds it - found by the fuzz run on PostgreSQL
    pytest.param(INT4_OVER, id="above_2_31"),
]


@pytest.mark.parametrize("big", BIG_IDS)
def test_id_out_of_range_in_path_is_404(app, s, admin, big):
    """Does an id the database's integer cannot hold answer 404 JSON in a path, not an
    overflow (500)?"""
    client = app.test_client()
    check_all(
        (f"{method.upper()} {path}", lambda method=method, path=path: json_error(
            getattr(client, method)(path.format(id=big), headers=admin,
                                    json={"name": "X", "reason": "ill"}), 404))
        for method, path in PATH_IDS)


@pytest.mark.parametrize("big", BIG_IDS)
def test_id_out_of_range_in_query_or_journal_body_is_refused(app, s, admin, api_token, big):
    """Does an id out of range in a query parameter (journal grid) or in a journal cell
    answer 400/422 naming it or 404 (unknown), as JSON, not 500?"""
    client = app.test_client()

    def grid():
        resp = client.get("/api/v1/journal/grid", headers=admin, query_string={
            "class_id": 1, "subject_id": big, "period_id": 1})
        assert resp.status_code in (400, 404), resp.get_data(as_text=True)[:300]
        json_error(resp, resp.status_code, "subject_id" if resp.status_code == 400 else None)

    def cell():
        resp = client.post("/api/v1/journal/cell", headers=api_token("teacher_a"),
                           json={"lesson_id": big, "student_id": 1, "remark": "x"})
        assert resp.status_code in (404, 422), resp.get_data(as_text=True)[:300]
        json_error(resp, resp.status_code, "lesson_id" if resp.status_code == 422 else None)

    check_all([("GET /journal/grid", grid), ("POST /journal/cell", cell)])


@pytest.mark.parametrize("big", BIG_IDS)
def test_id_out_of_range_in_body_is_422(app, s, admin, big):
    """Does a related id the database's integer cannot hold answer 422 naming the field,
    and create nothing?"""
    client = app.test_client()
    rooms, periods = _count(Room), _count(StudyPeriod)
    check_all([
        ("POST /room/", lambda: json_error(client.post(
            "/api/v1/room/", headers=admin, json={"building": big, "number": "901"}),
            422, "building")),
        ("POST /study_period/", lambda: json_error(client.post(
            "/api/v1/study_period/", headers=admin, json={
                "year": big, "kind": "quarter", "name": "Q9", "starts_on": "2026-09-01",
                "ends_on": "2026-10-30"}), 422, "year")),
    ])
    assert (_count(Room), _count(StudyPeriod)) == (rooms, periods)


def test_non_integer_id_is_404_json(app, s, admin):
    """Does a non-integer id in a hand-written route answer 404 JSON, not Werkzeug's HTML
    page?"""
    client = app.test_client()
    check_all(
        (f"{method.upper()} {path}", lambda method=method, path=path: json_error(
            getattr(client, method)(path, headers=admin, json={"reason": "ill"}), 404))
        for method, path in [("get", "/api/v1/journal/lesson/abc"),
                             ("post", "/api/v1/journal/lesson/abc"),
                             ("post", "/api/v1/lesson/abc/cancel"),
                             ("post", "/api/v1/lesson/abc/substitute")])


def test_non_integer_id_on_a_resource_is_404_json(app, s, admin):
    """Does ``GET /subject/abc`` (or ``/subject/-1``) answer 404 JSON, not a 405 from the
    resource's other routes?"""
    client = app.test_client()
    check_all((path, lambda path=path: json_error(client.get(path, headers=admin), 404))
              for path in ("/api/v1/subject/abc", "/api/v1/subject/-1",
                           "/api/v1/organization/-5"))


# -- bodies ------------------------------------------------------------------------------

def test_body_not_an_object_is_400(app, s, admin):
    """Does a JSON body that is an array, a string, a number (or not JSON at all) answer
    400 JSON on POST and PUT, not an HTML 500 page - and create nothing?"""
    client = app.test_client()
    subjects, rooms = _count(Subject), _count(Room)
    cases = [(f"POST {path} {raw}", lambda path=path, raw=raw: json_error(client.post(
        path, data=raw, content_type="application/json", headers=admin), 400))
        for path in ("/api/v1/journal/final", "/api/v1/journal/finals/confirm",
                     "/api/v1/subject/", "/api/v1/room/")
        for raw in ("[null, null]", '"final"', "[]", "17", "{")]
    cases.append(("PUT /subject/<id> [1]", lambda: json_error(client.put(
        f"/api/v1/subject/{s.ids['math']}", data="[1]", content_type="application/json",
        headers=admin), 400)))
    check_all(cases)
    assert (_count(Subject), _count(Room)) == (subjects, rooms)


def test_related_field_as_object_is_422_and_creates_nothing(app, s, admin):
    """Does a related field sent as an object (or a list or a name) answer 422 naming the
    field - without creating a building through the room resource?"""
    client = app.test_client()
    buildings, rooms = _count(Building), _count(Room)
    check_all(
        (f"building={building!r}", lambda building=building: json_error(client.post(
            "/api/v1/room/", headers=admin, json={"building": building, "number": "777"}),
            422, "building"))
        for building in ({"id": 99999, "name": "x"}, {"name": "x"}, {"nonsense": 1}, [1],
                         "Main"))
    assert (_count(Building), _count(Room)) == (buildings, rooms)


def test_period_year_as_object_is_422(app, s, admin):
    """Does ``PUT /study_period/<id>`` with ``"year": {}`` answer 422 naming ``year``, and
    leave the period and the academic years as they were?"""
    client = app.test_client()
    years = _count(AcademicYear)
    check_all(
        (f"year={year!r}", lambda year=year: json_error(client.put(
            f"/api/v1/study_period/{s.ids['q1']}", headers=admin,
            json={"year": year, "name": "Changed"}), 422, "year"))
        for year in ({}, {"id": 99999, "name": "2099-2100"}))
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

def test_malformed_bearer_token_is_401(app, s):
    """Does a malformed token answer 401 JSON, not 422 "Not enough segments"?"""
    client = app.test_client()
    check_all(
        (value, lambda value=value: json_error(client.get(
            "/api/v1/subject/", headers={"Authorization": value}), 401))
        for value in ("Bearer abc", "Bearer a.b.c", "Bearer ", "Basic abc"))


def test_login_without_provider_is_not_a_server_error(app, s):
    """Does a login body without ``provider`` answer a JSON 400 or 401, not FAB's
    ``KeyError: 'provider'`` (500)?"""
    client = app.test_client()

    def login(body):
        resp = client.post("/api/v1/security/login", json=body)
        assert resp.status_code in (400, 401), resp.get_data(as_text=True)[:300]
        json_error(resp, resp.status_code)

    check_all((repr(body), lambda body=body: login(body))
              for body in ({"username": "0", "password": "x"},
                           {"username": "school_a_admin", "password": "x"}))


def test_browser_put_without_csrf_token_is_400(app, s, login):
    """With CSRF protection on, is a PUT or DELETE carried by the browser's session cookie
    without an ``X-CSRFToken`` header refused (400), and the rows left unchanged?"""
    client = login("school_a_admin")
    old = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        check_all([
            ("PUT /subject/<id>", lambda: json_error(client.put(
                f"/api/v1/subject/{s.ids['math']}", json={"name": "Hacked"}), 400)),
            ("DELETE /room/<id>", lambda: json_error(client.delete(
                f"/api/v1/room/{s.ids['room']}"), 400)),
        ])
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


def test_info_descriptions_hold_no_catalogue_header(app, s, api_token):
    """In every language, does no column ``description`` of any resource's ``_info`` carry
    the translation catalogue's header ("Project-Id-Version ...", the translation of an
    empty string)?"""
    headers = api_token("superadmin")
    client = app.test_client()
    resources = _rest_resources(app)
    assert len(resources) > 20
    leaks = []
    for lang in ("en", "ru", "kk", "ky"):
        for name in resources:
            resp = client.get(f"/api/v1/{name}/_info", query_string={"_l_": lang},
                              headers=headers)
            assert resp.status_code == 200, f"{name}: {resp.status_code}"
            body = resp.get_json()
            for key in ("add_columns", "edit_columns"):
                for col in body.get(key) or []:
                    if "Project-Id-Version" in str(col.get("description", "")):
                        leaks.append(f"{lang} {name}.{key}.{col.get('name')}")
    assert not leaks, leaks


def test_nul_characters_and_negative_pages_are_refused(app, s, admin):
    """Is a NUL character in a body refused (PostgreSQL's text cannot hold it: a 500 there,
    in the login audit too) and dropped from a search, and a negative page of ``q`` refused
    (PostgreSQL refuses a negative OFFSET)?"""
    client = app.test_client()
    json_error(client.post("/api/v1/security/login", json={
        "username": "a\u0000b", "password": "x", "provider": "db"}), 422, "username")
    json_error(client.put(f"/api/v1/subject/{s.ids['math']}", json={"name": "M\u0000"},
                          headers=admin), 422, "name")
    # no stored text holds a NUL: a search for one is a search without it
    assert client.get("/api/v1/lookup/person/", query_string={"q": "a\u0000"},
                      headers=admin).status_code == 200
    found = client.get("/api/v1/subject/", headers=admin, query_string={"q": json.dumps(
        {"filters": [{"col": "name", "opr": "eq", "value": "Математика\u0000"}]})})
    assert found.status_code == 200 and found.json["count"] == 1, found.get_data(as_text=True)
    json_error(client.get("/api/v1/subject/", headers=admin,
                          query_string={"q": json.dumps({"page": -1})}), 400, "q.page")
    assert client.get("/api/v1/subject/", headers=admin,
                      query_string={"q": json.dumps({"page": 0})}).status_code == 200
