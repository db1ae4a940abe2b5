"""Audit pages: logins and changes, read-only, within the administrator's scope."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.models.people import AuditRecord, LoginEvent, Person
from app.security.filters import OrgReadFilter, _ScopeFilter
from app.security.scopes import current_scope, person_clause
from app.views.base import ScopedModelView as ModelView


class LoginScopeFilter(_ScopeFilter):
    """Logins of users who are persons in the user's scope."""

    def apply(self, query, value):
        scope = current_scope()
        if scope.everything:
            return query
        users = select(Person.user_id).where(person_clause(Person.id, scope),
                                             Person.user_id.is_not(None))
        return query.filter(LoginEvent.user_id.in_(users))


class AuditRecordView(ModelView):
    datamodel = SQLAInterface(AuditRecord)
    route_base = "/audit"
    list_title = _l("Change log")
    label_columns = {"at": _l("Time"), "user": _l("User"), "action": _l("Action"),
                     "table_name": _l("Table"), "record_id": _l("Record"),
                     "changes": _l("Old and new values"), "organization_id": _l("Organization")}
    list_columns = ["at", "user", "action", "table_name", "record_id", "changes"]
    search_columns = ["at", "action", "table_name", "record_id"]
    base_order = ("at", "desc")
    base_permissions = ["can_list", "can_show"]
    base_filters = [["organization_id", OrgReadFilter, None]]
    page_size = 50


class LoginEventView(ModelView):
    datamodel = SQLAInterface(LoginEvent)
    route_base = "/logins"
    list_title = _l("Logins")
    label_columns = {"at": _l("Time"), "username": _l("Login"), "ip": _l("IP address"),
                     "success": _l("Success")}
    list_columns = ["at", "username", "ip", "success"]
    search_columns = ["at", "username", "ip", "success"]
    base_order = ("at", "desc")
    base_permissions = ["can_list", "can_show"]
    base_filters = [["user_id", LoginScopeFilter, None]]
    page_size = 50
