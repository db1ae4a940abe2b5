"""REST resources organization, person, membership with the views' scopes."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import fields

from app.api.base import ScopedModelRestApi
from app.models.org import Organization
from app.models.people import Membership, Person
from app.security.filters import (
    OrgReadFilter,
    OrgWriteFilter,
    PersonReadFilter,
    PersonWriteFilter,
)
from app.services import orgs as org_service
from app.services import people as people_service

ORG_COLUMNS = ["id", "kind", "org_type_id", "short_name", "full_name", "parent_id", "territory",
               "country", "legal_address", "actual_address", "phones", "fax", "email", "website",
               "timezone", "language", "feature_forums", "feature_documents",
               "feature_structure", "feature_pages", "feature_feedback", "feature_site",
               "closed_on"]


class OrganizationApi(ScopedModelRestApi):
    resource_name = "organization"
    datamodel = SQLAInterface(Organization)
    related_lookups = {"parent": "parent_organization"}
    list_columns = ["id", "short_name", "kind", "org_type_id", "parent_id", "territory",
                    "closed_on"]
    show_columns = ORG_COLUMNS
    # relations are written by id: {"parent": 3, "org_type": 2}
    add_columns = ["parent" if c == "parent_id" else "org_type" if c == "org_type_id" else c
                   for c in ORG_COLUMNS if c not in ("id", "closed_on")]
    edit_columns = add_columns
    search_columns = ["short_name", "kind", "territory", "org_type_id", "parent_id"]
    order_columns = ["id", "short_name", "kind"]
    base_filters = [["id", OrgReadFilter, None]]
    write_filters = [["id", OrgWriteFilter, None]]
    write_rule = org_service.check_organization

    def pre_delete(self, item: Organization) -> None:
        org_service.check_can_delete(item)


PERSON_COLUMNS = ["id", "last_name", "first_name", "middle_name", "birth_date", "sex",
                  "country", "national_id", "phone", "email", "address"]


class PersonApi(ScopedModelRestApi):
    """Persons. The identifier is exposed as ``national_id`` (IIN or PIN)."""

    resource_name = "person"
    datamodel = SQLAInterface(Person)
    list_columns = ["id", "last_name", "first_name", "middle_name", "birth_date", "national_id",
                    "user_id"]
    show_columns = PERSON_COLUMNS + ["user_id", "registered_at"]
    edit_columns = PERSON_COLUMNS[1:]
    search_columns = ["last_name", "first_name", "national_id"]
    order_columns = ["id", "last_name", "first_name"]
    base_filters = [["id", PersonReadFilter, None]]
    write_filters = [["id", PersonWriteFilter, None]]
    # people come through memberships: no POST; nobody is deleted
    exclude_route_methods = {"post", "delete"}
    write_rule = people_service.check_person


class MembershipApi(ScopedModelRestApi):
    resource_name = "membership"
    datamodel = SQLAInterface(Membership)
    related_lookups = {"person": "person", "organization": "writable_organization"}
    list_columns = ["id", "person_id", "organization_id", "role", "position", "arrival_date",
                    "end_date"]
    show_columns = list_columns + ["public_title", "is_admin", "is_moderator", "is_editor",
                                   "end_reason"]
    add_columns = ["person", "organization", "role", "position", "public_title",
                   "is_admin", "is_moderator", "is_editor", "arrival_date"]
    edit_columns = ["role", "position", "public_title", "is_admin", "is_moderator",
                    "is_editor", "arrival_date", "end_date", "end_reason"]
    search_columns = ["person_id", "organization_id", "role", "end_date"]
    order_columns = ["id", "arrival_date", "role"]
    base_filters = [["organization_id", OrgReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    exclude_route_methods = {"delete"}
    write_rule = people_service.check_membership


__all__ = ["OrganizationApi", "PersonApi", "MembershipApi", "fields"]
