"""People pages: persons (personal data), memberships (participants and the archive)."""
from __future__ import annotations

from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import (
    FilterContains,
    FilterEqual,
    FilterNotEqual,
    FilterStartsWith,
)
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.models.people import ROLE_LABELS, SEX_LABELS, Membership, Person, Role
from app.security.filters import (
    OrgReadFilter,
    OrgWriteFilter,
    PersonReadFilter,
    PersonWriteFilter,
)
from app.security.scopes import current_scope, org_clause
from app.services import people as people_service
from app.views.base import ScopedModelView
from app.views.fields import (
    bool_fields,
    country_field,
    label_of,
    role_field,
    sex_field,
)

PERSON_LABELS = {
    "last_name": _l("Last name"), "first_name": _l("First name"),
    "middle_name": _l("Middle name"), "birth_date": _l("Birth date"), "sex": _l("Sex"),
    "country": _l("Country"), "national_id": _l("IIN / PIN"), "phone": _l("Phone"),
    "email": _l("E-mail"), "address": _l("Address"), "is_registered": _l("Registered"),
    "full_name": _l("Full name"), "registered_at": _l("Registered on"),
    "preferred_locale": _l("Interface language")}

MEMBERSHIP_LABELS = {
    "person": _l("Person"), "organization": _l("Organization"), "role": _l("Role"),
    "position": _l("Position"), "public_title": _l("Public position title"),
    "is_admin": _l("Administrator"), "is_moderator": _l("Moderator"), "is_editor": _l("Editor"),
    "arrival_date": _l("Arrival date"), "end_date": _l("Excluded on"),
    "end_reason": _l("Reason"), "role_label": _l("Role")}


class PersonRoleFilter(BaseFilter):
    """Persons holding a role (active membership) in an organisation the user reads."""

    name = _l("Has the role")
    arg_name = "role"

    def apply(self, query, value):
        try:
            role = Role(value)
        except ValueError:
            return query
        members = select(Membership.person_id).where(
            Membership.role == role, Membership.end_date.is_(None),
            org_clause(Membership.organization_id))
        return query.filter(Person.id.in_(members))


class PersonNameFilter(BaseFilter):
    """Every word found in the last, first or middle name ("Ахметов Ерлан")."""

    name = _l("Name contains")
    arg_name = "name"

    def apply(self, query, value):
        words = [w for w in (value or "").lower().split() if w]
        conds = [or_(func.lower(Person.last_name).like(f"%{w}%"),
                     func.lower(Person.first_name).like(f"%{w}%"),
                     func.lower(Person.middle_name).like(f"%{w}%")) for w in words]
        return query.filter(and_(*conds)) if conds else query


class PersonView(ScopedModelView):
    """Personal data of people in the user's scope. New people come through
    "Add participant"; nobody is deleted."""

    datamodel = SQLAInterface(Person)
    route_base = "/persons"
    list_title = _l("Persons and users")
    show_title = _l("Person")
    edit_title = _l("Edit person")
    label_columns = dict(PERSON_LABELS, id=_l("Role"))
    list_columns = ["last_name", "first_name", "middle_name", "national_id", "birth_date",
                    "is_registered"]
    order_columns = ["last_name", "first_name", "birth_date"]
    # "id" is the role filter (persons holding a role in the user's organisations)
    search_columns = ["last_name", "first_name", "middle_name", "national_id", "birth_date",
                      "registered_at", "id"]
    search_filters = {
        "last_name": [PersonNameFilter, FilterStartsWith, FilterContains, FilterEqual],
        "id": [PersonRoleFilter]}
    search_form_extra_fields = {"id": role_field(label=_l("Role"), render_kw={"class": "form-control"})}
    show_columns = ["last_name", "first_name", "middle_name", "birth_date", "sex", "country",
                    "national_id", "phone", "email", "address", "is_registered", "registered_at"]
    edit_columns = ["last_name", "first_name", "middle_name", "birth_date", "sex", "country",
                    "national_id", "phone", "email", "address"]
    base_filters = [["id", PersonReadFilter, None]]
    write_filters = [["id", PersonWriteFilter, None]]
    base_order = ("last_name", "asc")
    base_permissions = ["can_list", "can_show", "can_edit"]
    edit_form_extra_fields = {"sex": sex_field(), "country": country_field()}
    formatters_columns = {"sex": label_of(SEX_LABELS)}
    write_rule = people_service.check_person

    @action("register", _l("Register"),
            _l("Register the selected persons and issue invitations?"), "fa-user-plus")
    def register(self, items):
        scope = current_scope()
        return self.run_action(items, lambda person: people_service.register(scope, person),
                               gettext("Registered: %(n)s"))


class MembershipView(ScopedModelView):
    """Participants: person x organisation x role. Exclusion moves to the archive."""

    datamodel = SQLAInterface(Membership)
    route_base = "/memberships"
    list_title = _l("Participants")
    show_title = _l("Participant")
    edit_title = _l("Edit participant")
    label_columns = MEMBERSHIP_LABELS
    list_columns = ["person", "organization", "role", "position", "arrival_date"]
    order_columns = ["role", "arrival_date"]
    search_columns = ["role", "position", "arrival_date", "is_admin"]
    show_columns = ["person", "organization", "role", "position", "public_title", "is_admin",
                    "is_moderator", "is_editor", "arrival_date", "end_date", "end_reason"]
    edit_columns = ["role", "position", "public_title", "is_admin", "is_moderator",
                    "is_editor", "arrival_date"]
    base_filters = [["organization_id", OrgReadFilter, None],
                    ["end_date", FilterEqual, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    base_permissions = ["can_list", "can_show", "can_edit"]
    edit_form_extra_fields = {"role": role_field(),
                              **bool_fields(MEMBERSHIP_LABELS,
                                            ["is_admin", "is_moderator", "is_editor"])}
    formatters_columns = {"role": label_of(ROLE_LABELS)}
    write_rule = people_service.check_membership

    @action("exclude", _l("Exclude from the organization"),
            _l("Exclude the selected participants? They move to the archive."), "fa-archive")
    def exclude(self, items):
        scope = current_scope()
        return self.run_action(items, lambda m: people_service.end_membership(scope, m),
                               gettext("Moved to the archive: %(n)s"))


class ArchiveView(ScopedModelView):
    """Excluded participants, with the date; they can be restored."""

    datamodel = SQLAInterface(Membership)
    route_base = "/archive"
    list_title = _l("Archive")
    show_title = _l("Participant")
    label_columns = MEMBERSHIP_LABELS
    list_columns = ["person", "organization", "role", "end_date", "end_reason"]
    search_columns = ["role", "end_date", "end_reason"]
    show_columns = MembershipView.show_columns
    base_filters = [["organization_id", OrgReadFilter, None],
                    ["end_date", FilterNotEqual, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    base_permissions = ["can_list", "can_show"]
    formatters_columns = MembershipView.formatters_columns

    @action("restore", _l("Restore"), _l("Restore the selected participants?"), "fa-undo")
    def restore(self, items):
        scope = current_scope()
        return self.run_action(items, lambda m: people_service.restore_membership(scope, m),
                               gettext("Restored: %(n)s"))
