"""The REST API's HTTP policy, applied once at its edge (every request under ``/api/``)
before any resource runs, so that no resource has to repeat it:

- every error answer is JSON ``{"message": <text> | {<field>: [<text>]}, "code": <code>}``,
  including Flask-AppBuilder's and Werkzeug's own 404/405/400 and a refused token (401);
- malformed input is refused before it reaches a resource: a path id that is not a whole
  number or lies beyond the database's 32-bit integers (404), a Rison ``q`` that does not
  parse (400), a body that is not a JSON object (400), a whole number beyond 32 bits in a
  body (422 naming the field) or a query (400 naming it);
- a write carried by the browser's session cookie needs the CSRF token (``X-CSRFToken``),
  like the pages' forms; token clients (``Authorization: Bearer``) need none.
"""
from __future__ import annotations

import json
import sys
import urllib.parse

import prison
from flask import Flask, current_app, jsonify, make_response, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from app.api.filter_values import INT_MAX, column_kind, enum_names, fits

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: endpoints that take no session cookie to write (they create the session or the token)
CSRF_EXEMPT_PATHS = ("/api/v1/security/login", "/api/v1/security/refresh")


def error_response(status: int, message, code: str | None = None, **extra):
    """The API's one error body."""
    body = {"message": message}
    if code:
        body["code"] = code
    body.update(extra)
    return make_response(jsonify(body), status)


def field_error(status: int, field: str, message, code: str):
    return error_response(status, {field: [str(message)]}, code)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _bad_path_id(args: dict | None = None) -> bool:
    """A path argument that must be an id but is not one the database can hold."""
    for name, value in ((request.view_args if args is None else args) or {}).items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and not 0 <= value <= INT_MAX:
            return True
        if isinstance(value, str) and (name == "pk" or name.endswith("_id")):
            if not value.isdigit() or int(value) > INT_MAX:
                return True
    return False


class BadQuery(ValueError):
    pass


def parse_q(value: str):
    """``q`` as Flask-AppBuilder reads it - Rison, else JSON - but refusing what its parser
    does not catch (a deeply nested value raises RecursionError there: a 500). Returns the
    value and whether Flask-AppBuilder itself would read the text as it is."""
    try:
        return prison.loads(value), True
    except prison.decoder.ParserException:
        pass  # not Rison: JSON is accepted too
    except Exception as err:  # noqa: BLE001 - RecursionError, ValueError, IndexError...
        raise BadQuery(value) from err
    try:
        return json.loads(value), False
    except (ValueError, RecursionError) as err:
        raise BadQuery(value) from err


def _normalise_q(value: str):
    """A 400 response for a ``q`` that does not parse, holds a number the database cannot
    hold or a filter value that does not fit its column; a JSON ``q`` (or one whose filters
    were normalised) is handed on so that Flask-AppBuilder reads exactly it (it decodes the
    JSON form a second time as a query string, which broke on ``&``, ``+`` and ``%``)."""
    try:
        data, as_is = parse_q(value)
    except BadQuery:
        return field_error(400, "q", gettext("Not a valid Rison or JSON query"), "bad_query")
    changed, unusable = normalise_filters(data, _resource())
    if unusable is not None:
        return field_error(400, unusable, gettext("This value does not fit the column"),
                           "filter_value")
    if changed:
        as_is = False
    field = _q_out_of_range(data)
    if field is not None:
        return field_error(400, field, gettext("The number is too large"), "out_of_range")
    page = data.get("page") if isinstance(data, dict) else None
    if isinstance(page, int) and not isinstance(page, bool) and page < 0:
        # a negative offset: PostgreSQL refuses it
        return field_error(400, "q.page", gettext("A whole number from 0 is required"), "page")
    if not as_is:
        # FAB reads a q that is not Rison as JSON after decoding it once more as a query
        # string: hand it JSON encoded once more (a leading "{" keeps it from being Rison)
        args = request.args.copy()
        args["q"] = urllib.parse.quote(json.dumps(data), safe="{")
        request.args = ImmutableMultiDict(args)
    return None


def _q_out_of_range(data) -> str | None:
    """A page, page size or filter value of ``q`` beyond the database's whole numbers (a
    float compares as a float; other keys are not read)."""
    if not isinstance(data, dict):
        return None
    for key in ("page", "page_size"):  # _info's column pages are not read (no values)
        found = out_of_range(data.get(key), f"q.{key}", floats=False)
        if found is not None:
            return found
    filters = data.get("filters")
    for i, flt in enumerate(filters if isinstance(filters, list) else []):
        if isinstance(flt, dict):
            found = out_of_range(flt.get("value"), f"q.filters[{i}].value", floats=False)
            if found is not None:
                return found
    return None


LIST_OPERATORS = ("in", "not_in")


def normalise_filters(data, api) -> tuple[bool, str | None]:
    """Filter values as Flask-AppBuilder's filters can use them (it computes with the value:
    a 500 otherwise): an ``in`` / ``not_in`` given one value takes it as a list of one; each
    value must fit its column (``app.api.filter_values``; a number searched in a text column
    is its text). Returns whether ``data`` changed and the field of a value that does not
    fit."""
    changed = False
    filters = data.get("filters") if isinstance(data, dict) else None
    for i, flt in enumerate(filters if isinstance(filters, list) else []):
        if not isinstance(flt, dict):
            continue
        col, opr, value = flt.get("col"), flt.get("opr"), flt.get("value")
        if opr in LIST_OPERATORS and not isinstance(value, list):
            flt["value"], value, changed = [value], [value], True
        if not isinstance(col, str) or col not in (api.search_columns or []):
            continue
        kind = column_kind(api.datamodel, col)
        names = enum_names(api.datamodel, col) if kind == "enum" else None
        values = value if opr in LIST_OPERATORS else [value]
        fitted = []
        for one in values:
            if isinstance(one, str):  # no stored text holds a NUL (PostgreSQL cannot)
                one = one.replace("\x00", "")
            ok, use = fits(kind, one, names)
            if not ok:
                return changed, f"q.filters[{i}].value"
            fitted.append(use)
        new = fitted if opr in LIST_OPERATORS else fitted[0]
        if new != value or type(new) is not type(value):
            flt["value"], changed = new, True
    return changed, None


def _resource():
    """The generated REST resource (a ``ModelRestApi``) this request goes to, if any."""
    from flask_appbuilder.api import ModelRestApi

    view_name = (request.endpoint or "").split(".", 1)[0]
    for view in current_app.appbuilder.baseviews:
        if type(view).__name__ == view_name and isinstance(view, ModelRestApi):
            return view
    return None


def _reads_rison() -> bool:
    """Is this one of Flask-AppBuilder's own list, show or ``_info`` routes, whose ``q`` is
    Rison (a look-up's ``q`` is the text typed in a picker)?"""
    return request.method == "GET" and _resource() is not None


def _allowed_methods() -> set[str]:
    """The methods that really serve this path: a route that would take a ``pk`` that is no
    id (``PUT /subject/_info``) does not count. Empty when nothing serves it."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    found = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            _endpoint, args = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if not _bad_path_id(args):
            found.add(method)
    if "GET" in found:
        found.add("HEAD")
    return found | {"OPTIONS"} if found else set()


def _method_refused(allowed: set[str]):
    response = error_response(405, gettext("Method not allowed"), "method_not_allowed")
    response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def nul_character(data, path: str = "") -> str | None:
    """The first field of a JSON document whose text (or key) holds a NUL character."""
    if isinstance(data, str):
        return path or "_" if "\x00" in data else None
    items = data.items() if isinstance(data, dict) else enumerate(data) \
        if isinstance(data, list) else ()
    for key, value in items:
        name = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
        if isinstance(key, str) and "\x00" in key:
            return path or "_"
        found = nul_character(value, name)
        if found is not None:
            return found
    return None


def out_of_range(data, path: str = "", floats: bool = True) -> str | None:
    """The first field of a JSON document holding a whole number the database cannot hold
    (with ``floats``, a whole float too: marshmallow reads ``3e10`` as an integer)."""
    if isinstance(data, bool):
        return None
    if isinstance(data, int) or floats and isinstance(data, float) and data.is_integer():
        return path if not -INT_MAX - 1 <= data <= INT_MAX else None
    if isinstance(data, dict):
        for key, value in data.items():
            found = out_of_range(value, str(key) if not path else f"{path}.{key}", floats)
            if found is not None:
                return found
    if isinstance(data, list):
        for i, value in enumerate(data):
            found = out_of_range(value, f"{path}[{i}]" if path else f"[{i}]", floats)
            if found is not None:
                return found
    return None


def _csrf_refused():
    if request.method not in WRITE_METHODS or request.path in CSRF_EXEMPT_PATHS:
        return None
    if request.headers.get("Authorization") or not current_app.config.get(
            "WTF_CSRF_ENABLED", True):
        return None
    if current_app.config.get("SESSION_COOKIE_NAME", "session") not in request.cookies:
        return None  # no session: the resource answers 401
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except (CSRFError, Exception):  # noqa: BLE001 - wtforms raises its ValidationError
        return error_response(400, {"_": [gettext("The page has expired; reload it")]}, "csrf")
    return None


def _check_path():
    if request.method == "OPTIONS":
        allowed = _allowed_methods()
        if not allowed:
            return error_response(404, gettext("Not found"), "not_found")
        response = make_response("", 200)
        response.headers["Allow"] = ", ".join(sorted(allowed))
        return response
    if not _bad_path_id():
        return None
    allowed = _allowed_methods()
    if allowed:
        return _method_refused(allowed)
    return error_response(404, gettext("Not found"), "not_found")


def _check_args():
    if any("\x00" in name or "\x00" in value for name, value in request.args.items(multi=True)):
        # no stored text holds a NUL (PostgreSQL cannot): searching for one is searching
        # without it
        request.args = ImmutableMultiDict([(n.replace("\x00", ""), v.replace("\x00", ""))
                                           for n, v in request.args.items(multi=True)])
    for name, value in request.args.items(multi=True):
        digits = value.strip().lstrip("+-")
        if digits.isdigit() and not -INT_MAX - 1 <= int(value) <= INT_MAX:
            if name == "pk" or name.endswith("_id"):  # no row has such an id
                return error_response(404, gettext("Not found"), "not_found")
            return field_error(400, name, gettext("The number is too large"), "out_of_range")
    q = request.args.get("q")
    return _normalise_q(q) if q and _reads_rison() else None


def _check_body():
    if request.method not in ("POST", "PUT", "PATCH") or request.content_length == 0 or not (
            request.is_json or request.get_data(cache=True)):
        return None
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        return error_response(400, {"_": [gettext("Send a JSON object")]}, "not_json")
    field = nul_character(data)
    if field is not None:  # PostgreSQL's text cannot hold it
        return field_error(422, field, gettext("The text holds a NUL character"), "nul")
    field = out_of_range(data)
    if field is not None:
        return field_error(422, field, gettext("The number is too large"), "out_of_range")
    if request.path == "/api/v1/security/login" and not data.get("provider"):
        # Flask-AppBuilder reads it unchecked (KeyError: a 500)
        return field_error(400, "provider", gettext("%(field)s is required",
                                                    field="provider"), "required")
    return None


def check_request():
    """``before_request``: refuse what no resource can answer properly."""
    if not is_api_request():
        return None
    for check in (_check_path, _check_args, _csrf_refused, _check_body):
        refused = check()
        if refused is not None:
            return refused
    return None


def _http_error(err: HTTPException):
    """Werkzeug's and Flask-AppBuilder's own errors under ``/api/`` as JSON; pages keep
    their usual answer."""
    if not is_api_request():
        return err
    messages = {404: gettext("Not found"), 405: gettext("Method not allowed"),
                400: gettext("Bad request"), 413: gettext("The request is too large"),
                401: gettext("Log in first")}
    if err.code == 405:  # Werkzeug counts a route whose pk would be no id (GET /subject/abc)
        allowed = _allowed_methods()
        return _method_refused(allowed) if allowed else \
            error_response(404, gettext("Not found"), "not_found")
    message = messages.get(err.code, err.name)
    return error_response(err.code or 500, message, err.name.lower().replace(" ", "_"))


def _server_error(err):
    if not is_api_request():
        return err
    return error_response(500, gettext("Internal error"), "internal")


def token_refused(reason: str = ""):
    """A missing, malformed, expired or revoked token: 401 (flask-jwt-extended answers a
    malformed one with 422 "Not enough segments")."""
    return error_response(401, gettext("Log in first"), "token")


def register_api_policy(app: Flask) -> None:
    app.before_request(check_request)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))


def register_token_errors(jwt_manager) -> None:
    for loader in (jwt_manager.invalid_token_loader, jwt_manager.unauthorized_loader,
                   jwt_manager.expired_token_loader, jwt_manager.revoked_token_loader,
                   jwt_manager.needs_fresh_token_loader,
                   jwt_manager.token_verification_failed_loader):
        loader(lambda *args: token_refused())
    jwt_manager.user_lookup_error_loader(lambda *args: token_refused())
