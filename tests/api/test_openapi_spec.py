"""The served OpenAPI document (``GET /api/v1/_openapi``): valid, and saying what the API
does (app/api/openapi.py, the endpoints' docstrings)."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

METHODS = ("get", "post", "put", "delete", "patch")


@pytest.fixture()
def spec(app, net, api_token):
    resp = app.test_client().get("/api/v1/_openapi", headers=api_token("school_a_admin"))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def _resolve(spec, obj):
    while isinstance(obj, dict) and "$ref" in obj:
        node = spec
        for part in obj["$ref"].lstrip("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def _json_schema(spec, answer):
    return _resolve(spec, _resolve(spec, answer)["content"]["application/json"]["schema"])


def test_document_is_valid_openapi(spec):
    """Does the document an administrator is served pass openapi-spec-validator?"""
    validate(spec)


def test_every_operation_declares_its_error_answers(spec):
    """Does every operation declare 401 (and, when it takes a token, 400 and 403), with the
    one error schema?"""
    for path, method, op in _operations(spec):
        codes = set(op.get("responses", {}))
        assert "401" in codes, (method, path)
        if op.get("security"):
            assert {"400", "401"} <= codes, (method, path)
        for code in codes - {"200", "201", "414"}:
            schema = _resolve(spec, op["responses"][code])["content"]["application/json"]
            assert schema["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path)
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["message"]
    assert error["additionalProperties"] is True
    kinds = [alt.get("type") for alt in error["properties"]["message"]["oneOf"]]
    assert sorted(kinds) == ["object", "string"]


def test_conflicts_are_declared(spec):
    """Do the journal's writes declare 409 for a changed cell, lesson or final grade?"""
    paths = spec["paths"]
    for path in ("/api/v1/journal/cell", "/api/v1/journal/lesson/{pk}",
                 "/api/v1/journal/final"):
        assert "409" in paths[path]["post"]["responses"], path


def test_every_path_parameter_is_declared_as_integer_id(spec):
    """Is every ``{name}`` of a path template declared, ids (``pk``, ``*_id``) as integers,
    and does every id path answer 404?"""
    for path, method, op in _operations(spec):
        declared = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "path"}
        for name in re.findall(r"{([^}]+)}", path):
            assert name in declared, (method, path, name)
            assert declared[name]["required"] is True
            if name == "pk" or name.endswith("_id"):
                assert declared[name]["schema"]["type"] == "integer", (method, path)
                assert "404" in op["responses"], (method, path)


def test_every_write_declares_a_json_object_body(spec):
    """Does every POST and PUT (but the token refresh) declare a JSON object body?"""
    for path, method, op in _operations(spec):
        if method not in ("post", "put") or path.endswith("/security/refresh"):
            continue
        schema = _resolve(spec, op["requestBody"]["content"]["application/json"]["schema"])
        assert schema.get("type") == "object", (method, path)


def test_ids_are_integers(spec):
    """Are the ids the API returns (a row's ``id``, a list's ``ids``, the new row's ``id``,
    foreign keys) declared integers, as they are returned?"""
    schemas = spec["components"]["schemas"]
    assert schemas["SubjectApi.get"]["properties"]["id"]["type"] == "integer"
    assert schemas["SubjectApi.get"]["properties"]["organization_id"]["type"] == "integer"
    paths = spec["paths"]
    created = _json_schema(spec, paths["/api/v1/subject/"]["post"]["responses"]["201"])
    assert created["properties"]["id"]["type"] == "integer"
    listed = _json_schema(spec, paths["/api/v1/subject/"]["get"]["responses"]["200"])
    assert listed["properties"]["ids"]["items"]["type"] == "integer"
    one = _json_schema(spec, paths["/api/v1/subject/{pk}"]["get"]["responses"]["200"])
    assert one["properties"]["id"]["type"] == "integer"
    for _path, _method, op in _operations(spec):
        for answer in op["responses"].values():
            for body in (answer.get("content") or {}).values():
                props = _resolve(spec, body.get("schema", {})).get("properties", {})
                assert props.get("id", {}).get("type") in (None, "integer")


def test_info_declares_lists_of_fields(spec):
    """Does ``_info`` declare add/edit columns as lists of field descriptions, as FAB
    returns them?"""
    info = _json_schema(spec, spec["paths"]["/api/v1/subject/_info"]["get"]["responses"]["200"])
    assert info["properties"]["add_columns"]["type"] == "array"
    field = _resolve(spec, info["properties"]["edit_columns"]["items"])
    assert {"name", "label", "description", "type", "required", "unique"} <= set(
        field["required"])
    assert info["properties"]["permissions"]["items"]["type"] == "string"


def test_list_query_names_the_resources_filters_and_order(app, spec):
    """Does a list's ``q`` enumerate its resource's filter columns with their operators and
    its order columns (FAB answers 400 to others), and a login only the ``db`` provider?"""
    api = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "SubjectApi")
    param = next(p for p in spec["paths"]["/api/v1/subject/"]["get"]["parameters"]
                 if p["name"] == "q")
    assert param["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SubjectApi.get_list_q"}
    q = _json_schema(spec, param)
    assert set(q["properties"]["order_column"]["enum"]) == {*api.order_columns, ""}
    declared: dict[str, set] = {}
    for alternative in q["properties"]["filters"]["items"]["anyOf"]:
        props = alternative["properties"]
        for col in props["col"]["enum"]:
            declared.setdefault(col, set()).update(props["opr"].get("enum", ()))
    with app.app_context():
        search = api._filters.get_search_filters()
        expected = {col: {flt.arg_name for flt in search[col]}
                    for col in api.search_columns if search.get(col)}
    assert declared == expected
    login = _resolve(spec, spec["paths"]["/api/v1/security/login"]["post"]["requestBody"]
                     ["content"]["application/json"]["schema"])
    assert login["properties"]["provider"]["enum"] == ["db"]
    assert "provider" in login["required"]
