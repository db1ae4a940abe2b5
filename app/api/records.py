"""Read-only REST resources of the records office (staff files and their events and
courses, strict-report blanks and issued documents) with the pages' scopes: the same
FAB filters as the generated views (``app.security.records.scope``, ``OrgReadFilter``).
Changes go through the pages' operations (events, issue, write-off, annul), whose rules
live in the services; no resource here accepts POST, PUT or DELETE. Scans are never
served here (the sick-leave scan has its own download with its own rule)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import ScopedModelRestApi
from app.models.blanks import Blank, IssuedDocument
from app.models.staff import QualificationCourse, StaffEvent, StaffFile
from app.security.filters import OrgReadFilter
from app.security.records.scope import StaffFileReadFilter, StaffPartReadFilter

READ_ONLY = {"get", "get_list", "info"}


class _ReadOnlyApi(ScopedModelRestApi):
    include_route_methods = READ_ONLY
    page_size = 50


class StaffFileApi(_ReadOnlyApi):
    resource_name = "staff_file"
    datamodel = SQLAInterface(StaffFile)
    base_filters = [["organization_id", StaffFileReadFilter, None]]
    list_columns = show_columns = [
        "id", "organization_id", "person_id", "person.last_name", "person.first_name",
        "person.middle_name", "contract_number", "contract_date", "unit", "position",
        "hired_on", "seniority_years", "seniority_months", "seniority_as_of", "category",
        "dismissed_on", "dismissal_reason"]
    order_columns = ["hired_on", "position", "unit", "dismissed_on"]
    search_columns = ["organization_id", "person_id", "position", "unit", "dismissed_on"]


class StaffEventApi(_ReadOnlyApi):
    resource_name = "staff_event"
    datamodel = SQLAInterface(StaffEvent)
    base_filters = [["staff_file_id", StaffPartReadFilter, None]]
    list_columns = show_columns = [
        "id", "organization_id", "staff_file_id", "kind", "start_date", "end_date", "reason",
        "illness", "diagnosis", "recalled_on", "delegate_file_id", "duties", "scan_name"]
    order_columns = ["start_date", "end_date"]
    search_columns = ["staff_file_id", "kind", "start_date", "end_date"]


class QualificationCourseApi(_ReadOnlyApi):
    resource_name = "qualification_course"
    datamodel = SQLAInterface(QualificationCourse)
    base_filters = [["staff_file_id", StaffPartReadFilter, None]]
    list_columns = show_columns = [
        "id", "organization_id", "staff_file_id", "status", "course_type", "title",
        "direction", "start_date", "end_date", "place", "certificate_number",
        "certificate_date", "issued_by", "category", "attestation_date", "conclusion"]
    order_columns = ["start_date", "end_date", "certificate_date"]
    search_columns = ["staff_file_id", "status", "start_date"]


class BlankApi(_ReadOnlyApi):
    resource_name = "blank"
    datamodel = SQLAInterface(Blank)
    base_filters = [["organization_id", OrgReadFilter, None]]
    list_columns = show_columns = ["id", "organization_id", "doc_type", "number", "status",
                                   "recipient_id", "purpose", "reason", "received_on"]
    order_columns = ["number", "received_on", "status"]
    search_columns = ["organization_id", "doc_type", "number", "status"]


class IssuedDocumentApi(_ReadOnlyApi):
    resource_name = "issued_document"
    datamodel = SQLAInterface(IssuedDocument)
    base_filters = [["organization_id", OrgReadFilter, None]]
    list_columns = show_columns = [
        "id", "organization_id", "doc_type", "pupil_id", "pupil.last_name",
        "pupil.first_name", "blank_number", "issued_on", "status", "annulled_on",
        "annul_reason"]
    order_columns = ["issued_on", "blank_number", "status"]
    search_columns = ["organization_id", "doc_type", "pupil_id", "status", "issued_on"]


RECORDS_APIS = [StaffFileApi, StaffEventApi, QualificationCourseApi, BlankApi,
                IssuedDocumentApi]
