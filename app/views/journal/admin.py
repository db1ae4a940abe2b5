"""The journal's administration pages: temporary access grants (seed 003 §15) and the
journal settings of a school (grading policy, edit window, criteria weights)."""
from __future__ import annotations

from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from app.models.journal import (
    GRADING_POLICY_LABELS,
    GRANT_STATE_LABELS,
    AccessGrant,
    GradingPolicyName,
    JournalSettings,
)
from app.security.journal.filters import (
    GrantAdminFilter,
    GrantReadFilter,
    SettingsReadFilter,
    SettingsWriteFilter,
)
from app.security.scopes import current_scope
from app.services.journal import grants, settings
from app.services.journal.edit_window import EditWindow
from app.views.base import ScopedModelView
from app.views.fields import enum_field, label_of
from app.views.widgets import ScopedAjaxField

LABELS = {
    "grantee": _l("Teacher"), "school_class": _l("Class"), "subject": _l("Subject"),
    "period": _l("Period"), "until": _l("Last day of access"), "reason": _l("Reason"),
    "state": _l("State"), "granted_by": _l("Granted by"), "revoked_at": _l("Revoked at"),
    "organization": _l("Organization"), "created_at": _l("Created at"),
    "grading_policy": _l("Grading policy"), "edit_window": _l("Mark edit window"),
    "weight_formative": _l("Weight of formative assessment, %"),
    "weight_section": _l("Weight of summative assessment for sections, %"),
    "weight_term": _l("Weight of summative assessment for the term, %"),
}


class AccessGrantView(ScopedModelView):
    """Grants are given by the school's administration, read by the school's staff and
    district staff; a teacher sees their own grants. Never edited or deleted: revoked."""

    datamodel = SQLAInterface(AccessGrant)
    route_base = "/journalgrants"
    list_title = _l("Access grants")
    show_title = _l("Access grant")
    add_title = _l("Grant temporary access to a closed section")
    label_columns = LABELS
    list_columns = ["grantee", "school_class", "subject", "period", "until", "state",
                    "granted_by", "reason"]
    show_columns = ["organization", "grantee", "school_class", "subject", "period", "until",
                    "state", "reason", "granted_by", "created_at", "revoked_at"]
    add_columns = ["grantee", "school_class", "subject", "period", "until", "reason"]
    search_columns = ["until", "reason"]
    order_columns = ["until"]
    base_order = ("until", "desc")
    base_permissions = ["can_list", "can_show", "can_add"]
    base_filters = [["id", GrantReadFilter, None]]
    write_filters = [["organization_id", GrantAdminFilter, None]]
    formatters_columns = {"state": label_of(GRANT_STATE_LABELS)}
    add_form_extra_fields = {
        "grantee": ScopedAjaxField(_l("Teacher"), [DataRequired()], lookup="grant_teacher"),
        "school_class": ScopedAjaxField(_l("Class"), [DataRequired()], lookup="grant_class"),
        "subject": ScopedAjaxField(_l("Subject"), [DataRequired()], lookup="grant_subject"),
        "period": ScopedAjaxField(_l("Period"), [DataRequired()], lookup="grant_period"),
        "reason": TextAreaField(_l("Reason"), [DataRequired()]),
    }
    description_columns = {
        "until": _l("The grant works up to and including this day (at most %(days)s days "
                    "ahead)", days=grants.MAX_GRANT_DAYS),
    }

    write_rule = grants.check_grant

    @action("revoke", _l("Revoke"), _l("Revoke the selected grants?"), "fa-ban")
    def revoke(self, items):
        scope = current_scope()
        return self.run_action(items, lambda g: grants.revoke_grant(scope, g),
                               gettext("Grants revoked: %(n)s"))


def _window_field():
    return SelectField(_l("Mark edit window"),
                       choices=[(w.value, settings.EDIT_WINDOW_LABELS[w]) for w in EditWindow],
                       default=EditWindow.TWO_WEEKS.value)


def _weight(label):
    return IntegerField(label, [InputRequired(), NumberRange(0, 100)])


class JournalSettingsView(ScopedModelView):
    """One row per school: created by the school's writers (coordinator-administrator) on
    first save, read by the director, deputies and district staff. Without a row the
    country's defaults apply (services.journal.settings.effective_settings)."""

    datamodel = SQLAInterface(JournalSettings)
    route_base = "/journalsettings"
    list_title = _l("Journal settings")
    show_title = _l("Journal settings")
    add_title = _l("Journal settings of a school")
    edit_title = _l("Journal settings")
    label_columns = LABELS
    list_columns = ["organization", "grading_policy", "edit_window", "weight_formative",
                    "weight_section", "weight_term"]
    show_columns = list_columns
    add_columns = list_columns
    edit_columns = list_columns[1:]
    search_columns = ["grading_policy", "edit_window"]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    base_filters = [["organization_id", SettingsReadFilter, None]]
    write_filters = [["organization_id", SettingsWriteFilter, None]]
    formatters_columns = {"grading_policy": label_of(GRADING_POLICY_LABELS),
                          "edit_window": label_of(settings.EDIT_WINDOW_LABELS)}
    add_form_extra_fields = {
        "organization": ScopedAjaxField(_l("Organization"), [DataRequired()],
                                        lookup="writable_organization"),
        "grading_policy": enum_field(_l("Grading policy"), GradingPolicyName,
                                     GRADING_POLICY_LABELS),
        "edit_window": _window_field(),
        "weight_formative": _weight(LABELS["weight_formative"]),
        "weight_section": _weight(LABELS["weight_section"]),
        "weight_term": _weight(LABELS["weight_term"]),
    }
    edit_form_extra_fields = {k: v for k, v in add_form_extra_fields.items()
                              if k != "organization"}
    description_columns = {
        "weight_term": _l("Criteria-based assessment: the three weights add up to 100"),
        "edit_window": _l("How long after the lesson a teacher may still change its marks"),
    }
    write_rule = settings.check_settings
