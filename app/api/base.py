"""Base class for REST resources: same scopes as the views, typed errors as 4xx."""
from __future__ import annotations

from flask import jsonify, make_response, request
from flask_appbuilder.api import ModelRestApi

from app.services.errors import DomainError, ScopeError


class ScopedModelRestApi(ModelRestApi):
    """``base_filters`` restrict every route; ``write_filters`` restrict PUT and DELETE;
    ``check_write(item)`` guards POST and PUT; services' DomainErrors become 422/403."""

    write_filters: list = []
    allow_browser_login = True
    page_size = 25

    def _write_filter_set(self):
        return self.datamodel.get_filters().add_filter_list(self.base_filters + self.write_filters)

    def check_write(self, item) -> None:  # pragma: no cover - overridden
        pass

    def _domain_error(self, err: DomainError):
        status = 403 if isinstance(err, ScopeError) else 422
        # ``self.response(status, code=...)`` clashes with its own ``code`` argument
        return make_response(jsonify(message={err.field or "_": [str(err)]}, code=err.code),
                             status)

    def pre_add(self, item):
        self.check_write(item)

    def pre_update(self, item):
        self.check_write(item)

    def post_headless(self):
        try:
            return super().post_headless()
        except DomainError as err:
            self.datamodel.session.rollback()
            return self._domain_error(err)

    def put_headless(self, pk):
        if request.is_json and self.datamodel.get(pk, self._base_filters) is not None \
                and self.datamodel.get(pk, self._write_filter_set()) is None:
            return self.response_403()
        try:
            return super().put_headless(pk)
        except DomainError as err:
            self.datamodel.session.rollback()
            return self._domain_error(err)

    def delete_headless(self, pk):
        if self.datamodel.get(pk, self._base_filters) is not None \
                and self.datamodel.get(pk, self._write_filter_set()) is None:
            return self.response_403()
        try:
            return super().delete_headless(pk)
        except DomainError as err:
            self.datamodel.session.rollback()
            return self._domain_error(err)
