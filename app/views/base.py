"""Base classes for generated views: row scope on read AND write, services' errors shown."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect
from flask_appbuilder import ModelView
from flask_babel import format_date, format_datetime, gettext

from app.extensions import db
from app.security.scopes import current_scope
from app.services.errors import DomainError


def form_error(form, err: DomainError, aliases: dict[str, str] | None = None) -> None:
    """A service refused a form's data: undo the transaction, show the translated rule
    under the field it names (``aliases``: a service field shown on another form field)
    and as a flash message."""
    db.session.rollback()
    name = (aliases or {}).get(err.field, err.field) if err.field else None
    field = getattr(form, name, None) if (form is not None and name) else None
    if field is not None:
        field.errors = list(field.errors) + [str(err)]
    flash(str(err), "danger")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, name: str) -> Response:
    """An XLSX file to download as ``<name>.xlsx`` (the name kept to safe characters)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80] or "export"
    return Response(data, mimetype=XLSX_MIME,
                    headers={"Content-Disposition": f'attachment; filename="{safe}.xlsx"'})


def display_value(value):
    """How a plain cell is shown: nothing for empty, dates by Babel in the user's locale."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return format_datetime(value, "short")
    if isinstance(value, dt.date):
        return format_date(value, "medium")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return value


class ScopedModelView(ModelView):
    """A ModelView whose rows are limited by ``base_filters`` (read) and ``write_filters``
    (edit, delete): a row the user may read but not change gives 404 on edit and delete.

    ``check_write(item)`` is called before add and update so that a new or changed row
    cannot be moved out of the user's scope (e.g. a membership in another school).
    """

    write_filters: list = []
    page_size = 25
    #: extra search filters: ``{"column": [FilterClass, ...]}``; they REPLACE FAB's default
    #: filters of that column in the search form (list the defaults too to keep them).
    #: FAB's ModelView has no such hook (only its REST API has), and it looks request
    #: filters up by index in a second list: both lists are set here.
    search_filters: dict | None = None

    def _init_properties(self):
        super()._init_properties()
        for col, classes in (self.search_filters or {}).items():
            instances = [cls(col, self.datamodel) for cls in classes]
            self._filters._search_filters[col] = instances
            self._filters._all_filters[col] = instances
        columns = set(self.list_columns or []) | set(self.show_columns or [])
        for fs in self.show_fieldsets or []:
            columns.update(fs[1].get("fields", []))
        self.formatters_columns = dict(self.formatters_columns or {})
        for col in columns:
            self.formatters_columns.setdefault(col, display_value)

    def _write_filter_set(self):
        return self.datamodel.get_filters().add_filter_list(self.base_filters + self.write_filters)

    def writable_items(self, items) -> list:
        """The rows among ``items`` that the user may change, decided by ``write_filters``
        in one query (FAB hands actions unfiltered rows)."""
        items = [i for i in (items if isinstance(items, list) else [items]) if i is not None]
        if not items:
            return []
        pk = getattr(self.datamodel.obj, self.datamodel.get_pk_name())
        query = self.datamodel.session.query(pk).filter(
            pk.in_([self.datamodel.get_pk_value(i) for i in items]))
        allowed = {row[0] for row in self._write_filter_set().apply_all(query)}
        return [i for i in items if self.datamodel.get_pk_value(i) in allowed]

    def run_action(self, items, act, done_message: str):
        """Apply the command ``act`` to each writable row, each its own unit of work; a row a
        rule refuses is named in a message, and the others keep their change."""
        done = 0
        for item in self.writable_items(items):
            try:
                act(item)
                done += 1
            except DomainError as err:
                flash(f"{item}: {err}", "danger")
        flash(done_message % {"n": done}, "success")
        return redirect(self.get_redirect())

    def _writable(self, pk) -> bool:
        return self.datamodel.get(pk, self._write_filter_set()) is not None

    def _edit(self, pk):
        if not self._writable(pk):
            abort(404)
        return super()._edit(pk)

    def _delete(self, pk):
        if not self._writable(pk):
            abort(404)
        return super()._delete(pk)

    #: the service's write rule for a new or changed row, ``rule(scope, item)``: the scope
    #: rule and the business rules in one place, shared with the REST resource
    write_rule = None

    def check_write(self, item) -> None:
        """Raise ScopeError when ``item`` falls outside the user's write scope, DomainError
        when a rule refuses it (``write_rule`` with the user's scope)."""
        rule = getattr(type(self), "write_rule", None)
        if rule is not None:
            rule(current_scope(), item)

    def pre_add(self, item):
        self.check_write(item)

    def pre_update(self, item):
        self.check_write(item)


__all__ = ["ScopedModelView", "DomainError"]
