"""Organisation pages: the generated CRUD of the tree."""
from __future__ import annotations

from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models.org import LANGUAGE_LABELS, ORG_KIND_LABELS, Organization, OrgType
from app.security.filters import OrgReadFilter, OrgWriteFilter
from app.security.scopes import current_scope
from app.services import orgs as org_service
from app.views.base import ScopedModelView
from app.views.fields import (
    bool_fields,
    country_field,
    kind_field,
    label_of,
    language_field,
)
from app.views.widgets import ScopedAjaxField

ORG_LABELS = {
    "kind": _l("Kind"),
    "org_type": _l("Organization type"),
    "short_name": _l("Short name"),
    "full_name": _l("Full name"),
    "parent": _l("Parent organization"),
    "territory": _l("Territory"),
    "country": _l("Country"),
    "legal_address": _l("Legal address"),
    "actual_address": _l("Actual address"),
    "phones": _l("Phones"),
    "fax": _l("Fax"),
    "email": _l("E-mail"),
    "website": _l("Web site"),
    "timezone": _l("Time zone"),
    "language": _l("Language of instruction"),
    "licence_number": _l("Licence number"),
    "licence_date": _l("Licence date"),
    "accreditation": _l("Accreditation"),
    "feature_forums": _l("Forums"),
    "feature_documents": _l("Documents"),
    "feature_structure": _l("Structure"),
    "feature_pages": _l("Pages"),
    "feature_feedback": _l("Feedback"),
    "feature_site": _l("Public site"),
    "appeals_email": _l("E-mail for appeals"),
    "subordination_excluded": _l("Excluded from the subordinate list"),
    "closed_on": _l("Closed on"),
    "kind_label": _l("Kind")}

CONTACTS = ["legal_address", "actual_address", "phones", "fax", "email", "website"]
FEATURES = ["feature_forums", "feature_documents", "feature_structure", "feature_pages",
            "feature_feedback", "feature_site"]
MAIN = ["kind", "org_type", "short_name", "full_name", "parent", "territory", "country"]
LOCAL = ["timezone", "language"]
LICENCE = ["licence_number", "licence_date", "accreditation"]


class OrganizationView(ScopedModelView):
    datamodel = SQLAInterface(Organization)
    route_base = "/organizations"
    list_title = _l("Organizations")
    show_title = _l("Organization")
    add_title = _l("Add organization")
    edit_title = _l("Edit organization")
    label_columns = ORG_LABELS
    list_columns = ["short_name", "kind", "org_type", "parent", "territory", "closed_on"]
    order_columns = ["short_name", "kind", "territory", "closed_on"]
    search_columns = ["short_name", "full_name", "kind", "org_type", "territory", "closed_on"]
    show_fieldsets = [
        (_l("Organization"), {"fields": MAIN + ["closed_on"]}),
        (_l("Contacts"), {"fields": CONTACTS + ["appeals_email"]}),
        (_l("Functions"), {"fields": FEATURES}),
        (_l("Localization"), {"fields": LOCAL}),
        (_l("Licence and accreditation"), {"fields": LICENCE}),
    ]
    add_columns = MAIN + LOCAL
    edit_fieldsets = [
        (_l("Organization"), {"fields": MAIN}),
        (_l("Contacts"), {"fields": CONTACTS}),
        (_l("Functions"), {"fields": FEATURES}),
        (_l("Localization"), {"fields": LOCAL}),
        (_l("Licence and accreditation"), {"fields": LICENCE}),
    ]
    base_filters = [["id", OrgReadFilter, None]]
    write_filters = [["id", OrgWriteFilter, None]]
    base_order = ("short_name", "asc")
    add_form_extra_fields = {
        "parent": ScopedAjaxField(
            _l("Parent organization"), lookup="parent_organization",
            current_value=lambda pk: getattr(db.session.get(Organization, pk), "parent_id", None)),
        "kind": kind_field(),
        "country": country_field(),
        "language": language_field(),
        **bool_fields(ORG_LABELS, FEATURES)}
    formatters_columns = {"kind": label_of(ORG_KIND_LABELS), "language": label_of(LANGUAGE_LABELS)}
    edit_form_extra_fields = add_form_extra_fields
    write_rule = org_service.check_organization

    def pre_delete(self, item: Organization) -> None:
        org_service.check_can_delete(item)

    @action("close", _l("Close"), _l("Close the selected organizations? Nothing is deleted."),
            "fa-lock")
    def close(self, items):
        scope = current_scope()
        return self.run_action(items, lambda org: org_service.close_organization(scope, org),
                               gettext("Closed: %(n)s"))

    @action("reopen", _l("Reopen"), _l("Reopen the selected organizations?"), "fa-unlock")
    def reopen(self, items):
        scope = current_scope()
        return self.run_action(items, lambda org: org_service.reopen_organization(scope, org),
                               gettext("Reopened: %(n)s"))


class OrgTypeView(ScopedModelView):
    datamodel = SQLAInterface(OrgType)
    route_base = "/orgtypes"
    list_title = _l("Organization types")
    label_columns = {"code": _l("Code"), "kind": _l("Kind"), "name_ru": _l("Name (Russian)"),
                     "name_kk": _l("Name (Kazakh)"), "name_ky": _l("Name (Kyrgyz)"),
                     "name_en": _l("Name (English)")}
    list_columns = ["code", "kind", "name_ru", "name_kk", "name_ky"]
    search_columns = ["code", "kind", "name_ru", "name_kk", "name_ky", "name_en"]
    add_columns = edit_columns = ["code", "kind", "name_ru", "name_kk", "name_ky", "name_en"]
    add_form_extra_fields = edit_form_extra_fields = {"kind": kind_field()}
    formatters_columns = {"kind": label_of(ORG_KIND_LABELS)}
    write_rule = org_service.check_org_type
