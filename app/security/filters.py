"""Flask-AppBuilder filters wrapping the scope rules of ``app.security.scopes``.

Use them in ``base_filters`` (list, show, edit, delete and REST), in
``*_form_query_rel_fields`` and ``search_form_query_rel_fields`` (selects), and as
``write_filters`` of ``ScopedModelView`` / ``ScopedModelRestApi`` (edit, delete).
The column name given with the filter is the organisation id (or person id) column.
"""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter

from app.security.scopes import current_scope, org_clause, person_clause


class _ScopeFilter(BaseFilter):
    name = "Scope"
    arg_name = "scope"
    write = False

    def _column(self):
        return getattr(self.model, self.column_name)


class OrgReadFilter(_ScopeFilter):
    """Rows whose organisation the user may read."""

    def apply(self, query, value):
        return query.filter(org_clause(self._column(), current_scope(), write=False))


class OrgWriteFilter(_ScopeFilter):
    """Rows whose organisation the user may change."""

    write = True

    def apply(self, query, value):
        return query.filter(org_clause(self._column(), current_scope(), write=True))


class PersonReadFilter(_ScopeFilter):
    """Persons with a membership (active or archived) in a readable organisation."""

    def apply(self, query, value):
        return query.filter(person_clause(self._column(), current_scope(), write=False))


class PersonWriteFilter(_ScopeFilter):
    """Persons with a membership in an organisation the user may change."""

    write = True

    def apply(self, query, value):
        return query.filter(person_clause(self._column(), current_scope(), write=True))
