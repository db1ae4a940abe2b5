"""The served OpenAPI document (``GET /api/v1/_openapi``), true to what the API answers.

Our own endpoints declare their bodies and answers in their docstrings (YAML after ``---``).
FAB writes the operations of every ``ModelRestApi`` (list, get, post, put, delete, _info) from
its own docstrings, which disagree with the answers. One step, applied to the whole document
when it is served (:func:`document`), corrects them all alike:

- one error schema, ``Error`` (``message``: a text or ``{field: [texts]}``, optional
  ``code``, other keys allowed), and the error responses 400 401 403 404 405 409 422 500 in
  components; every error answer of every operation refers to it;
- the error answers each operation can give: a protected operation 400 (malformed token, JSON
  body or rison ``q``), 401 and 403; an operation with a path parameter 404 and 405 (a
  non-integer id can reach another route); a writing operation 422;
- ids as integers (FAB declares ``id``/``ids`` strings and foreign keys as any value);
  decimals as the strings they are sent as; an optional enum of a row as possibly null;
- ``_info`` as FAB returns it (``add_columns``/``edit_columns`` are lists of field
  descriptions);
- the Rison/JSON ``q`` of a resource's list as FAB checks it (:func:`_list_q`): each resource
  its own ``<Class>.get_list_q`` with its filter columns, their operators and its order
  columns; whole numbers in any ``q`` within 32 bits (the edge refuses others, app/api/http.py);
  ``columns`` and ``select_columns`` not both (FAB refuses that, and drops unknown names).

FAB registers its own ``OpenApi`` view unless ``FAB_ADD_OPENAPI_VIEWS`` is off (config.py);
:func:`register_openapi` registers this one (same name, same permission) and the Swagger page.
"""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.api.manager import OpenApi as FabOpenApi
from flask_appbuilder.api.manager import SwaggerView, resolver
from flask_appbuilder.api.schemas import get_list_schema
from flask_appbuilder.models.filters import map_args_filter
from marshmallow import fields

from app.api.filter_values import INT_MAX, column_kind, enum_names, value_schema

ERROR = {"$ref": "#/components/schemas/Error"}

SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "description": "Every error answer of the API. Some carry more keys (``conflict``, "
                       "``server``, ``field``).",
        "required": ["message"],
        "properties": {
            "message": {"oneOf": [
                {"type": "string"},
                {"type": "object", "description": "field name (``_`` for the whole "
                                                  "request) -> messages",
                 "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            ]},
            "code": {"type": "string", "description": "a stable code of the refused rule"},
        },
        "additionalProperties": True,
    },
    "FieldInfo": {
        "type": "object",
        "required": ["name", "label", "description", "type", "required", "unique"],
        "properties": {
            "name": {"type": "string"},
            "label": {"type": "string"},
            "description": {"type": "string"},
            "type": {"type": "string"},
            "required": {"type": "boolean"},
            "unique": {"type": "boolean"},
            "count": {"type": "integer"},
            "values": {"type": "array", "items": {
                "type": "object", "properties": {"id": {"type": "integer"},
                                                 "value": {"type": "string"}}}},
            "validate": {"type": "array", "items": {"type": "string"}},
            "lookup": {"type": "string",
                       "description": "the scoped look-up that offers a related field's values"},
        },
    },
    "Info": {
        "type": "object",
        "properties": {
            "add_columns": {"type": "array", "items": {"$ref": "#/components/schemas/FieldInfo"}},
            "edit_columns": {"type": "array",
                             "items": {"$ref": "#/components/schemas/FieldInfo"}},
            "add_title": {"type": "string"},
            "edit_title": {"type": "string"},
            "filters": {"type": "object", "additionalProperties": {
                "type": "array", "items": {"type": "object", "properties": {
                    "name": {"type": "string"}, "operator": {"type": "string"}}}}},
            "permissions": {"type": "array", "items": {"type": "string"}},
        },
    },
    "JournalMark": {
        "type": "object",
        "properties": {"value": {"type": "string"},
                       "max_score": {"type": "integer", "nullable": True},
                       "category": {"type": "string", "nullable": True},
                       "work_type": {"type": "string", "nullable": True}},
    },
    "JournalCell": {
        "type": "object",
        "properties": {
            "lesson_id": {"type": "integer"},
            "student_id": {"type": "integer"},
            "version": {"type": "integer"},
            "marks": {"type": "array", "items": {"$ref": "#/components/schemas/JournalMark"}},
            "attendance": {"type": "object", "nullable": True, "properties": {
                "code": {"type": "string"}, "minutes": {"type": "integer", "nullable": True}}},
            "remark": {"type": "string", "nullable": True},
        },
    },
    "LessonPanel": {
        "type": "object",
        "properties": {
            "lesson_id": {"type": "integer"},
            "date": {"type": "string", "format": "date"},
            "number": {"type": "integer"},
            "topic": {"type": "string", "nullable": True},
            "plan_topic_id": {"type": "integer", "nullable": True},
            "homework": {"type": "string", "nullable": True},
            "homework_due": {"type": "string", "format": "date", "nullable": True},
            "homework_minutes": {"type": "integer", "nullable": True},
            "work_type": {"type": "string", "nullable": True},
            "category": {"type": "string", "nullable": True},
            "max_score": {"type": "integer", "nullable": True},
            "version": {"type": "integer"},
        },
    },
    "FinalGrade": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "student_id": {"type": "integer"},
            "class_id": {"type": "integer"},
            "subject_id": {"type": "integer"},
            "period_id": {"type": "integer", "nullable": True},
            "kind": {"type": "string"},
            "value": {"type": "string", "nullable": True},
            "computed": {"type": "string", "nullable": True},
            "bonus": {"type": "string", "nullable": True},
            "version": {"type": "integer"},
        },
    },
}

ERROR_RESPONSES = {
    code: {"description": text, "content": {"application/json": {"schema": ERROR}}}
    for code, text in {
        "400": "Bad request: malformed token, JSON body (or a body that is not an object) "
               "or rison ``q``",
        "401": "No valid token or session",
        "403": "No permission for this operation, or the row is outside what the user "
               "may change",
        "404": "No such row, or not one the user may read",
        "405": "Method not allowed (a non-integer id can reach another route)",
        "414": "The HTTP server refuses a request line over its limit (not JSON)",
        "409": "The data changed meanwhile; ``server`` holds the current version",
        "422": "A rule refused the data; ``message`` names the field",
        "500": "Server error",
    }.items()
}
ERROR_RESPONSES["414"].pop("content")

_PATH_PARAM = re.compile(r"{([^}]+)}")
#: what FAB's own request bodies require but its docstrings do not declare
BODY_SCHEMA_FIXES = {
    ("/security/login", "post"): {
        "required": ["username", "password", "provider"],
        "additionalProperties": False,
        "properties": {"username": {"minLength": 1}, "password": {"minLength": 1},
                       "provider": {"enum": ["db"]}},
    },
}

#: a whole number of ``q`` (any deeper integer outside these is refused with 400 too)
Q_INTEGER = {"type": "integer", "minimum": -INT_MAX - 1, "maximum": INT_MAX}
#: any other value of ``q``: FAB ignores keys it does not know, and so does the edge
Q_VALUE = {"nullable": True, "anyOf": [
    {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "boolean"}]},
    {"type": "array", "items": {"$ref": "#/components/schemas/QValue"}},
    {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/QValue"}}]}
LIST_OPERATORS = ("in", "not_in")
#: FAB refuses ``columns`` and ``select_columns`` together ("Cannot use both ...")
NOT_BOTH_COLUMNS = {"not": {"required": ["columns", "select_columns"], "properties": {
    "columns": {"minItems": 1}, "select_columns": {"minItems": 1}}}}


def _merge(target: dict, patch: dict) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _error_codes(path: str, method: str, op: dict) -> set[str]:
    """The error answers an operation can give, whatever its docstring says."""
    codes = set()
    schemes = {name for req in op.get("security", []) for name in req}
    if schemes or "requestBody" in op:
        codes |= {"400", "401"}
    if schemes & {"jwt", "api_key"}:
        codes.add("403")
    if _PATH_PARAM.search(path):
        codes |= {"404", "405"}
    if method in ("post", "put", "delete"):
        codes.add("422")
    return codes


def _nullable_enums(schema: dict) -> None:
    """FAB's marshmallow ``Enum`` of a nullable column is declared without null, and dumps
    null (a row's schema: ``*.get``, ``*.get_list``)."""
    required = set(schema.get("required", ()))
    for name, prop in (schema.get("properties") or {}).items():
        if "enum" in prop and name not in required and None not in prop["enum"]:
            prop["enum"] = [*prop["enum"], None]
            prop["nullable"] = True


def _integer_ids(schema: Any, foreign_keys: bool = False) -> None:
    """``id``/``ids`` declared strings become integers; with ``foreign_keys`` a ``*_id``
    declared as any value (FAB's foreign keys) becomes a nullable integer."""
    if not isinstance(schema, dict):
        return
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        if name == "id" and prop.get("type") == "string":
            prop["type"] = "integer"
        elif name == "ids" and prop.get("items", {}).get("type") == "string":
            prop["items"]["type"] = "integer"
        elif foreign_keys and name.endswith("_id") and not prop:
            prop.update(type="integer", nullable=True)
        _integer_ids(prop, foreign_keys)
    _integer_ids(schema.get("items"), foreign_keys)


def _operation(path: str, method: str, op: dict) -> None:
    responses = op.setdefault("responses", {})
    codes = _error_codes(path, method, op)
    for param in op.get("parameters", []):  # the edge refuses others with 400
        if param.get("in") == "query" and param.get("schema", {}).get("type") == "integer":
            param["schema"] = {**Q_INTEGER, **param["schema"]}
    if any(p.get("in") == "query" for p in op.get("parameters", [])):
        codes.add("414")
    for code in codes:
        responses.setdefault(code, {"$ref": f"#/components/responses/{code}"})
    for code, answer in list(responses.items()):
        code = str(code)
        if code[0] in "45" and code != "414" and "$ref" not in answer:
            answer["content"] = {"application/json": {"schema": ERROR}}
        for body in (answer.get("content") or {}).values():
            _integer_ids(body.get("schema"))
    for (suffix, verb), patch in BODY_SCHEMA_FIXES.items():
        if method == verb and path.endswith(suffix):
            _merge(op["requestBody"]["content"]["application/json"]["schema"], patch)
    if method == "get" and path.endswith("/_info") and "200" in responses:
        responses["200"]["content"] = {
            "application/json": {"schema": {"$ref": "#/components/schemas/Info"}}}


def _bound_integers(schema: Any) -> None:
    """Whole numbers of ``q`` within 32 bits, in the keys FAB reads and in any other (not
    inside a ``not``: "a number that is no integer" must stay that)."""
    if isinstance(schema, dict):
        if schema.get("type") == "integer":
            schema.update({**Q_INTEGER, **schema})
        if schema.get("type") == "object" and "additionalProperties" not in schema:
            schema["additionalProperties"] = {"$ref": "#/components/schemas/QValue"}
        for key, value in schema.items():
            if key != "not":
                _bound_integers(value)
    elif isinstance(schema, list):
        for value in schema:
            _bound_integers(value)


def _filter(cols: list[str], oprs: Any, value: dict) -> dict:
    return {"type": "object", "required": ["col", "opr", "value"], "properties": {
        "col": {"type": "string", "enum": cols}, "opr": {"type": "string", **oprs},
        "value": value}}


def _list_q(api: ModelRestApi) -> dict:
    """FAB's ``get_list_schema`` for one resource. A filter names a search column and one of
    its operators (FAB answers 400 "Filter operation ... not allowed" to any other; an
    operator FAB does not know at all is ignored on a search column); ``order_column`` is
    one of the order columns (or empty: the default order)."""
    schema = _copy({**get_list_schema, **NOT_BOTH_COLUMNS})
    search = api._filters.get_search_filters()
    known = sorted({*map_args_filter, *(f.arg_name for fs in search.values() for f in fs)})
    alternatives = []
    for col in api.search_columns:
        operators = [flt.arg_name for flt in search.get(col, ())]
        if not operators:
            continue
        kind = column_kind(api.datamodel, col)
        value = value_schema(kind, enum_names(api.datamodel, col) if kind == "enum" else None)
        one_or_list = {"anyOf": [{"type": "array", "items": value}, value]}
        for oprs, val in (([o for o in operators if o not in LIST_OPERATORS], value),
                          ([o for o in operators if o in LIST_OPERATORS], one_or_list)):
            if oprs:
                alternatives.append(_filter([col], {"enum": oprs}, val))
        # an operator FAB does not know is ignored; the value must still fit the column
        alternatives.append(_filter([col], {"not": {"enum": known}}, value))
    props = schema["properties"]
    props["filters"] = ({"type": "array", "items": {"anyOf": alternatives}} if alternatives
                        else {"type": "array", "maxItems": 0})
    if api.order_columns:
        props["order_column"] = {"type": "string", "enum": [*api.order_columns, ""]}
    max_size = api.max_page_size or current_app.config.get("FAB_API_MAX_PAGE_SIZE")
    props["page_size"]["description"] = (
        f"rows per page, {api.page_size} if not given; above {max_size} or below 1: "
        f"{max_size}")
    props["page"].update(description="page index from 0", minimum=0)
    return schema


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return [_copy(v) for v in value] if isinstance(value, list) else value


def _q_schemas(spec: dict, schemas: dict) -> None:
    """Each resource's list ``q`` (``<Class>.get_list_q``), referred to by its list
    operation; FAB's shared ``q`` schemas bounded as the edge bounds them."""
    for name in ("get_list_schema", "get_item_schema", "get_info_schema"):
        if name in schemas:  # a copy: FAB validates ``q`` with these very dicts
            schemas[name] = _copy(schemas[name])
            if name != "get_info_schema":  # its column pages are not read: no bound
                _bound_integers(schemas[name])
    if "get_item_schema" in schemas:  # show reads ``select_columns`` too
        schemas["get_item_schema"]["properties"].setdefault(
            "select_columns", {"type": "array", "items": {"type": "string"}})
        schemas["get_item_schema"].update(_copy(NOT_BOTH_COLUMNS))
    if "get_list_schema" in schemas:
        schemas["get_list_schema"].update(_copy(NOT_BOTH_COLUMNS))
    paths = spec.get("paths", {})
    for api in current_app.appbuilder.baseviews:
        op = paths.get(f"{getattr(api, 'route_base', None)}/", {}).get("get")
        if not isinstance(api, ModelRestApi) or op is None:
            continue
        name = f"{type(api).__name__}.get_list_q"
        schemas[name] = _list_q(api)
        _bound_integers(schemas[name])
        for param in op.get("parameters", []):
            if param.get("name") == "q" and param.get("in") == "query":
                param["content"]["application/json"]["schema"] = {
                    "$ref": f"#/components/schemas/{name}"}


def document(spec: dict) -> dict:
    """Correct the document FAB built (see the module's docstring); changes it in place."""
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    _q_schemas(spec, schemas)
    for name, schema in schemas.items():
        _integer_ids(schema, foreign_keys=True)
        if name.endswith((".get", ".get_list")):
            _nullable_enums(schema)
    schemas.update(SCHEMAS, QValue=Q_VALUE)
    components["responses"] = {**components.get("responses", {}), **ERROR_RESPONSES}
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                _operation(path, method, op)
    return spec


def _decimal_as_string(self, field, ret=None, **kwargs) -> dict:
    """An apispec attribute function: a ``Decimal`` travels as a JSON string ("4.00")."""
    if isinstance(field, fields.Decimal):
        return {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}
    return {}


class _Spec(APISpec):
    def to_dict(self) -> dict:
        return document(super().to_dict())


class OpenApi(FabOpenApi):
    """FAB's ``/api/<version>/_openapi`` with :func:`document` applied (same class name:
    same permission ``can_get on OpenApi``)."""

    @staticmethod
    def _create_api_spec(version):
        """As FAB's, but the document's ``to_dict`` applies :func:`document`."""
        plugin = MarshmallowPlugin(schema_name_resolver=resolver)
        spec = _Spec(
            title=current_app.appbuilder.app_name, version=version, openapi_version="3.0.2",
            info={"description": current_app.appbuilder.app_name}, plugins=[plugin],
            servers=current_app.config.get("FAB_OPENAPI_SERVERS", [{"url": request.host_url}]))
        plugin.converter.add_attribute_function(_decimal_as_string)
        return spec


def register_openapi(appbuilder) -> None:
    """Serve this document (config.py turns FAB's own view off: ``FAB_ADD_OPENAPI_VIEWS``)."""
    config = current_app.config
    if config.get("FAB_ADD_OPENAPI_VIEWS", True):
        return
    appbuilder.add_api(OpenApi)
    if config.get("FAB_API_SWAGGER_UI", False):
        appbuilder.add_view_no_menu(SwaggerView)
