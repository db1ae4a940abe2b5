"""Staff file pages: the file (employment and seniority), its documents, education, awards,
events and qualification courses. Events and course completion are registered on the forms
of ``app.views.records.staff_ops``."""
from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from app.models.staff import (
    CONCLUSION_LABELS,
    COURSE_STATUS_LABELS,
    COURSE_TYPE_LABELS,
    EVENT_LABELS,
    ID_DOC_LABELS,
    Award,
    CourseStatus,
    CourseType,
    Education,
    IdentityDocType,
    IdentityDocument,
    QualificationCourse,
    StaffEvent,
    StaffFile,
)
from app.security.filters import OrgWriteFilter
from app.security.records.scope import StaffFileReadFilter, StaffPartReadFilter
from app.security.scopes import current_scope
from app.services.records import staff as staff_service
from app.services.records.substitutes import lessons_needing_substitute
from app.views.base import ScopedModelView, display_value
from app.views.fields import enum_field, label_of
from app.views.widgets import ScopedAjaxField

STAFF_LABELS = {
    "person": _l("Employee"), "full_name": _l("Full name"), "organization": _l("Organization"),
    "birth_date": _l("Birth date"), "contract_number": _l("Contract number"),
    "contract_date": _l("Contract date"), "unit": _l("Unit"), "position": _l("Position"),
    "hired_on": _l("Hired on"), "seniority_years": _l("Seniority, years"),
    "seniority_months": _l("Seniority, months"), "seniority_as_of": _l("Seniority as of"),
    "seniority": _l("Seniority (years / months)"), "category": _l("Qualification category"),
    "dismissed_on": _l("Dismissed on"), "dismissal_reason": _l("Dismissal reason"),
    "staff_file": _l("Employee"), "doc_type": _l("Document type"), "number": _l("Number"),
    "issued_by": _l("Issued by"), "issued_on": _l("Issued on"),
    "valid_until": _l("Valid until"), "level": _l("Level of education"),
    "institution": _l("Educational institution"), "specialty": _l("Specialty"),
    "qualification": _l("Qualification"), "graduated_year": _l("Year of graduation"),
    "diploma_number": _l("Diploma number"), "name": _l("Award"),
    "awarded_on": _l("Awarded on"), "awarded_by": _l("Awarded by"), "note": _l("Note"),
    "kind": _l("Event"), "kind_label": _l("Event"), "start_date": _l("Start date"),
    "end_date": _l("End date"), "reason": _l("Reason"), "illness": _l("Illness"),
    "diagnosis": _l("Diagnosis"), "delegate_file": _l("Duties delegated to"),
    "duties": _l("Duties"), "recalled_on": _l("Recalled on"), "scan_name": _l("Scan"),
    "days": _l("Days"), "status": _l("Status"), "course_type": _l("Type"),
    "title": _l("Course title"), "direction": _l("Course direction"), "place": _l("Place"),
    "description": _l("Description"), "certificate_number": _l("Certificate number"),
    "certificate_date": _l("Certificate date"), "attestation_date": _l("Attestation date"),
    "conclusion": _l("Attestation commission's conclusion")}

FILE_FIELDS = ["contract_number", "contract_date", "unit", "position", "hired_on",
               "seniority_years", "seniority_months", "seniority_as_of", "category"]


def _category_field():
    choices = [("", "")]
    seen = set()
    for cats in staff_service.CATEGORIES.values():
        for code, label in cats:
            if code not in seen:
                seen.add(code)
                choices.append((code, label))
    return SelectField(_l("Qualification category"), choices=choices,
                       coerce=lambda v: v or None)


def _staff_file_field():
    return ScopedAjaxField(_l("Employee"), lookup="staff_file")


class _PartView(ScopedModelView):
    """A part of a staff file: read with the file's scope, changed by the school's
    administrator."""

    base_filters = [["staff_file_id", StaffPartReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    label_columns = STAFF_LABELS
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    add_title = _l("Add a record")
    edit_title = _l("Edit the record")
    write_rule = staff_service.check_staff_part


class IdentityDocumentView(_PartView):
    datamodel = SQLAInterface(IdentityDocument)
    route_base = "/staffdocuments"
    list_title = _l("Identity documents")
    show_title = _l("Identity document")
    list_columns = ["staff_file", "doc_type", "number", "issued_by", "issued_on", "valid_until"]
    search_columns = ["doc_type", "number", "issued_on", "valid_until"]
    add_columns = ["staff_file", "doc_type", "number", "issued_by", "issued_on", "valid_until"]
    edit_columns = add_columns[1:]
    add_form_extra_fields = edit_form_extra_fields = {
        "staff_file": _staff_file_field(),
        "doc_type": enum_field(_l("Document type"), IdentityDocType, ID_DOC_LABELS)}
    formatters_columns = {"doc_type": label_of(ID_DOC_LABELS)}


class EducationView(_PartView):
    datamodel = SQLAInterface(Education)
    route_base = "/staffeducation"
    list_title = _l("Education")
    show_title = _l("Education")
    list_columns = ["staff_file", "level", "institution", "specialty", "graduated_year"]
    search_columns = ["level", "institution", "specialty", "graduated_year"]
    add_columns = ["staff_file", "level", "institution", "specialty", "qualification",
                   "graduated_year", "diploma_number"]
    edit_columns = add_columns[1:]
    add_form_extra_fields = edit_form_extra_fields = {"staff_file": _staff_file_field()}


class AwardView(_PartView):
    datamodel = SQLAInterface(Award)
    route_base = "/staffawards"
    list_title = _l("Awards")
    show_title = _l("Award")
    list_columns = ["staff_file", "name", "awarded_on", "awarded_by"]
    search_columns = ["name", "awarded_on", "awarded_by"]
    add_columns = ["staff_file", "name", "awarded_on", "awarded_by", "note"]
    edit_columns = add_columns[1:]
    add_form_extra_fields = edit_form_extra_fields = {"staff_file": _staff_file_field()}


class StaffEventView(_PartView):
    """Events are registered on their own forms (rules per kind) and never edited."""

    @action("scan", _l("Download the scan"), "", "fa-download", multiple=False)
    def download_scan(self, item):
        return redirect(url_for("StaffOpsView.scan", event_id=item.id))

    datamodel = SQLAInterface(StaffEvent)
    route_base = "/staffevents"
    list_title = _l("Staff events")
    show_title = _l("Staff event")
    list_columns = ["staff_file", "kind", "start_date", "end_date", "recalled_on", "reason",
                    "delegate_file"]
    show_columns = ["staff_file", "kind", "start_date", "end_date", "days", "recalled_on",
                    "reason", "illness", "diagnosis", "delegate_file", "duties", "scan_name"]
    search_columns = ["kind", "start_date", "end_date", "reason"]
    base_order = ("start_date", "desc")
    base_permissions = ["can_list", "can_show"]
    formatters_columns = {"kind": label_of(EVENT_LABELS)}
    show_template = "staff_event_show.html"

    def render_template(self, template, **kwargs):
        """The show page of an absence also lists the lessons that need a substitute."""
        if template == self.show_template and kwargs.get("pk") is not None:
            event = self.datamodel.get(kwargs["pk"], self._base_filters)
            kwargs["substitute_lessons"] = (
                lessons_needing_substitute(event) if event is not None else [])
            kwargs["fmt"] = display_value
        return super().render_template(template, **kwargs)


class QualificationCourseView(_PartView):
    datamodel = SQLAInterface(QualificationCourse)
    route_base = "/courses"
    list_title = _l("Qualification courses")
    show_title = _l("Qualification course")
    list_columns = ["staff_file", "status", "title", "direction", "start_date", "end_date",
                    "place", "course_type", "certificate_number", "category", "conclusion"]
    show_columns = ["staff_file", "status", "course_type", "title", "direction", "start_date",
                    "end_date", "place", "description", "certificate_number",
                    "certificate_date", "issued_by", "category", "attestation_date",
                    "conclusion"]
    search_columns = ["status", "course_type", "title", "direction", "start_date", "place"]
    add_columns = ["staff_file", "status", "course_type", "title", "direction", "start_date",
                   "end_date", "place", "description"]
    edit_columns = ["course_type", "title", "direction", "start_date", "end_date", "place",
                    "description"]
    base_order = ("start_date", "desc")
    add_form_extra_fields = {
        "staff_file": _staff_file_field(),
        "status": SelectField(_l("Status"), choices=[
            (CourseStatus.planned.value, COURSE_STATUS_LABELS[CourseStatus.planned]),
            (CourseStatus.application.value, COURSE_STATUS_LABELS[CourseStatus.application])],
            coerce=CourseStatus),
        "course_type": enum_field(_l("Type"), CourseType, COURSE_TYPE_LABELS)}
    edit_form_extra_fields = {"course_type": add_form_extra_fields["course_type"]}
    formatters_columns = {"status": label_of(COURSE_STATUS_LABELS),
                          "course_type": label_of(COURSE_TYPE_LABELS),
                          "conclusion": label_of(CONCLUSION_LABELS),
                          "category": staff_service.category_label}
    write_rule = staff_service.check_course

    @action("complete", _l("Register completion"), "", "fa-graduation-cap", multiple=False)
    def complete(self, item):
        return redirect(url_for("StaffOpsView.complete", course_id=item.id))

    @action("approve", _l("Approve the application"),
            _l("Move the selected applications to the planned courses?"), "fa-check")
    def approve(self, items):
        scope = current_scope()
        return self.run_action(
            items, lambda c: staff_service.approve_application(scope, c),
            gettext("Approved: %(n)s"))


class StaffFileView(ScopedModelView):
    """The staff list and each employee's file (seed 004 fig. 33-34)."""

    datamodel = SQLAInterface(StaffFile)
    route_base = "/staff"
    list_title = _l("Staff")
    show_title = _l("Staff file")
    add_title = _l("Open a staff file")
    edit_title = _l("Edit staff file")
    label_columns = STAFF_LABELS
    list_columns = ["person", "birth_date", "organization", "position", "unit", "hired_on",
                    "category", "seniority", "dismissed_on"]
    order_columns = ["position", "unit", "hired_on", "dismissed_on"]
    search_columns = ["position", "unit", "contract_number", "hired_on", "category",
                      "dismissed_on"]
    show_columns = ["person", "organization", "birth_date"] + FILE_FIELDS + [
        "dismissed_on", "dismissal_reason"]
    add_columns = ["organization", "person"] + FILE_FIELDS
    edit_columns = FILE_FIELDS
    base_filters = [["organization_id", StaffFileReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    show_template = "staff_file_show.html"
    related_views = [IdentityDocumentView, EducationView, AwardView, StaffEventView,
                     QualificationCourseView]
    add_form_extra_fields = {
        "organization": ScopedAjaxField(_l("Organization"), lookup="writable_organization"),
        "person": ScopedAjaxField(_l("Employee"), lookup="school_staff"),
        "category": _category_field()}
    edit_form_extra_fields = {"category": _category_field()}
    formatters_columns = {"category": staff_service.category_label}
    write_rule = staff_service.check_staff_file

    extra_args = {"event_kinds": EVENT_LABELS}
