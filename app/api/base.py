"""Base class for REST resources: same scopes as the views, typed errors as 4xx.

What every generated resource adds to Flask-AppBuilder's ``ModelRestApi``:
- ``base_filters`` restrict every route, ``write_filters`` PUT and DELETE (read but not
  writable: 403); ``check_write(item)`` guards POST and PUT;
- related fields take ids only (a nested object would make the ORM build, and insert, a
  new related row); a value already used where the table holds it unique is refused
  with 422 naming the field; a database refusal never shows its SQL;
- ``_info`` lists no related values (they would come unscoped): a field names the scoped
  look-up (``/api/v1/lookup/<name>/``) that the pages' pickers use, where there is one.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.exceptions import FABException
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as MarshmallowError
from sqlalchemy.exc import SQLAlchemyError

from app.api.http import error_response, field_error
from app.extensions import db
from app.security.scopes import current_scope
from app.services.errors import DomainError, ScopeError
from app.services.unique import check_unique


class ScopedModelRestApi(ModelRestApi):
    """``base_filters`` restrict every route; ``write_filters`` restrict PUT and DELETE;
    ``check_write(item)`` guards POST and PUT; services' DomainErrors become 422/403."""

    write_filters: list = []
    #: related field -> name of the scoped look-up that offers its values
    related_lookups: dict[str, str] = {}
    allow_browser_login = True
    page_size = 25

    def _write_filter_set(self):
        return self.datamodel.get_filters().add_filter_list(self.base_filters + self.write_filters)

    #: the service's write rule for a new or changed row, ``rule(scope, item)`` (the same
    #: as the page's, see ``app.views.base.ScopedModelView.write_rule``)
    write_rule = None

    def check_write(self, item) -> None:
        rule = getattr(type(self), "write_rule", None)
        if rule is not None:
            rule(current_scope(), item)

    def _domain_error(self, err: DomainError):
        """``{"message": {"<field>": ["<translated rule>"]}, "code": "<stable code>"}``
        with 403 (scope) or 422 (a rule refused the data)."""
        status = 403 if isinstance(err, ScopeError) else 422
        return field_error(status, err.field or "_", err, err.code or "rule")

    # -- _info: no unscoped related values, no catalogue header as a description --------

    def _get_list_related_field(self, field, filter_rel_field, page=None, page_size=None):
        return 0, []

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        info = super()._get_field_info(field, filter_rel_field, page, page_size)
        described = self.description_columns.get(field.name)
        info["description"] = str(described) if described else ""
        if "values" in info:
            del info["count"], info["values"]
            lookup = self.related_lookups.get(field.name)
            if lookup:
                info["lookup"] = f"/api/v1/lookup/{lookup}/"
        return info

    # -- writes ------------------------------------------------------------------------

    def _related_refused(self, columns):
        """422 when a related field is given as anything but an id (or a list of ids)."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None
        for name in columns:
            if name not in body or not self.datamodel.is_relation(name):
                continue
            value = body[name]
            many = self.datamodel.is_relation_many_to_many(name) or \
                self.datamodel.is_relation_one_to_many(name)
            values = value if many and isinstance(value, list) else [value]
            if (many and not isinstance(value, list)) or not all(
                    v is None and not many or isinstance(v, int) and not isinstance(v, bool)
                    for v in values):
                return field_error(422, name, _l("Give the id (a whole number)"), "related_id")
        return None

    def pre_add(self, item):
        self.check_write(item)
        check_unique(item)

    def pre_update(self, item):
        self.check_write(item)
        check_unique(item)

    def _database_refused(self):
        db.session.rollback()
        return error_response(422, {"_": [str(_l(
            "The database refused the change: the record is in use or breaks a rule"))]},
            "database")

    def _write(self, item, store, status: int, schema):
        """Check, store and answer one item; any refusal rolls the whole action back."""
        try:
            with db.session.no_autoflush:
                (self.pre_add if status == 201 else self.pre_update)(item)
            store(item)
            (self.post_add if status == 201 else self.post_update)(item)
        except DomainError as err:
            db.session.rollback()
            return self._domain_error(err)
        except (SQLAlchemyError, FABException):
            return self._database_refused()
        body = {"result": schema.dump(item, many=False)}
        if status == 201:
            body["id"] = self.datamodel.get_pk_value(item)
        return self.response(status, **body)

    def _load(self, schema, data, instance=None):
        with db.session.no_autoflush:
            return schema.load(data, instance=instance) if instance is not None \
                else schema.load(data)

    def post_headless(self):
        if not request.is_json:
            return error_response(400, {"_": [str(_l("Send a JSON object"))]}, "not_json")
        refused = self._related_refused(self.add_columns)
        if refused is not None:
            return refused
        try:
            item = self._load(self.add_model_schema, request.get_json(silent=True))
        except MarshmallowError as err:
            db.session.rollback()
            return error_response(422, err.messages, "invalid")
        return self._write(item, self.datamodel.add, 201, self.add_model_schema)

    def put_headless(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        if self.datamodel.get(pk, self._write_filter_set()) is None:
            return self.response_403()
        if not request.is_json:
            return error_response(400, {"_": [str(_l("Send a JSON object"))]}, "not_json")
        refused = self._related_refused(self.edit_columns)
        if refused is not None:
            return refused
        try:
            data = self._merge_update_item(item, request.get_json(silent=True))
            item = self._load(self.edit_model_schema, data, instance=item)
        except MarshmallowError as err:
            db.session.rollback()
            return error_response(422, err.messages, "invalid")
        return self._write(item, self.datamodel.edit, 200, self.edit_model_schema)

    def delete_headless(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        if self.datamodel.get(pk, self._write_filter_set()) is None:
            return self.response_403()
        try:
            self.pre_delete(item)
            self.datamodel.delete(item)
            self.post_delete(item)
        except DomainError as err:
            db.session.rollback()
            return self._domain_error(err)
        except (SQLAlchemyError, FABException):
            return self._database_refused()
        return self.response(200, message="OK")
