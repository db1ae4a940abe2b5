"""FAB filters over the journal's row rules (app/security/journal_scope.py), for
``base_filters`` / ``write_filters`` of the journal's views and REST resources."""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter

from app.security import journal_scope
from app.security.scopes import current_scope, org_clause, staff_read_clause


class _JournalFilter(BaseFilter):
    name = "Scope"
    arg_name = "scope"


class FinalGradeReadFilter(_JournalFilter):
    """Final grades the user reads (section readers; pupils and parents their own)."""

    def apply(self, query, value):
        return query.filter(journal_scope.final_read_clause(current_scope()))


class GrantReadFilter(_JournalFilter):
    """Access grants: the school's staff and district staff; teachers their own."""

    def apply(self, query, value):
        return query.filter(journal_scope.grant_read_clause(current_scope()))


class GrantAdminFilter(_JournalFilter):
    """Access grants the user may revoke: those of schools where they grant access."""

    def apply(self, query, value):
        return query.filter(journal_scope.grant_admin_clause(
            getattr(self.model, self.column_name), current_scope()))


class SettingsReadFilter(_JournalFilter):
    """Journal settings: read by the school's staff and district staff."""

    def apply(self, query, value):
        return query.filter(staff_read_clause(getattr(self.model, self.column_name),
                                              current_scope()))


class SettingsWriteFilter(_JournalFilter):
    """Journal settings: changed by the school's writers (coordinator-administrator)."""

    def apply(self, query, value):
        return query.filter(org_clause(getattr(self.model, self.column_name), current_scope(),
                                       write=True))
