"""Strict-report blanks and issued documents (seed 004 fig. 47-53): generated lists (read),
and the operation forms (receive, issue, spoilage or loss, issue a document, annul, export,
print) that call ``app.services.records.blanks``."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Optional

from app.extensions import db
from app.i18n import format_date
from app.models.blanks import (
    BLANK_STATUS_LABELS,
    CERTIFICATE_TYPES,
    DOC_STATUS_LABELS,
    DOC_TYPE_LABELS,
    Blank,
    BlankHistory,
    BlankStatus,
    DocType,
    IssuedDocument,
)
from app.models.org import Organization
from app.security.filters import OrgReadFilter, OrgWriteFilter
from app.security.printing import print_stamp
from app.security.scopes import current_scope, org_clause
from app.services.errors import DomainError, ScopeError
from app.services.records import blanks as blank_service
from app.views.base import ScopedModelView, form_error
from app.views.fields import label_of
from app.views.records.reports import rows_xlsx_response
from app.views.widgets import ScopedAjaxField

BLANK_LABELS = {
    "doc_type": _l("Document type"), "number": _l("Blank number"), "status": _l("Status"),
    "recipient": _l("Recipient"), "purpose": _l("Purpose"), "reason": _l("Reason"),
    "received_on": _l("Received on"), "organization_id": _l("Organization"),
    "at": _l("Time"), "action": _l("Action"), "person": _l("Person"), "note": _l("Note"),
    "blank": _l("Blank number"), "pupil": _l("Pupil"), "blank_number": _l("Blank number"),
    "issued_on": _l("Date of issue"), "annulled_on": _l("Annulled on"),
    "annul_reason": _l("Reason for annulment")}

#: document groups: the list "Issued certificates" and the list "Issued commendation letters"
GROUPS = {
    "certificates": (CERTIFICATE_TYPES, _l("Issued certificates")),
    "commendations": ((DocType.commendation_letter,), _l("Issued commendation letters"))}

ACTION_LABELS = {"received": _l("Received"), "issued": _l("Issued"), "used": _l("Filled in"),
                 "spoiled": _l("Spoiled"), "lost": _l("Lost"), "annulled": _l("Annulled")}


class BlankHistoryView(ScopedModelView):
    datamodel = SQLAInterface(BlankHistory)
    route_base = "/blankhistory"
    list_title = _l("History of blanks")
    show_title = _l("History of blanks")
    label_columns = BLANK_LABELS
    list_columns = ["at", "blank", "action", "status", "person", "note"]
    search_columns = ["at", "action", "status", "note"]
    base_order = ("at", "desc")
    base_filters = [["organization_id", OrgReadFilter, None]]
    base_permissions = ["can_list", "can_show"]
    formatters_columns = {"action": label_of(ACTION_LABELS),
                          "status": label_of(BLANK_STATUS_LABELS)}


class BlankView(ScopedModelView):
    """The stock of blanks. Nothing is added, changed or deleted here: the operation forms
    do it and write the history."""

    datamodel = SQLAInterface(Blank)
    route_base = "/blanks"
    list_title = _l("Strict-report blanks")
    show_title = _l("Blank")
    label_columns = BLANK_LABELS
    list_columns = ["doc_type", "number", "status", "recipient", "purpose", "reason",
                    "received_on"]
    show_columns = list_columns
    order_columns = ["number", "status", "received_on"]
    search_columns = ["doc_type", "number", "status", "purpose", "reason", "received_on"]
    base_order = ("number", "asc")
    base_filters = [["organization_id", OrgReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    base_permissions = ["can_list", "can_show"]
    related_views = [BlankHistoryView]
    list_template = "records/blank_list.html"
    formatters_columns = {"doc_type": label_of(DOC_TYPE_LABELS),
                          "status": label_of(BLANK_STATUS_LABELS)}


class DocGroupFilter(BaseFilter):
    name = "Group"
    arg_name = "group"

    def apply(self, query, value):
        return query.filter(IssuedDocument.doc_type.in_(list(GROUPS[value][0])))


class _IssuedDocView(ScopedModelView):
    datamodel = SQLAInterface(IssuedDocument)
    show_title = _l("Issued document")
    label_columns = BLANK_LABELS
    list_columns = ["pupil", "doc_type", "blank_number", "issued_on", "status",
                    "annul_reason"]
    show_columns = ["pupil", "doc_type", "blank_number", "issued_on", "status", "annulled_on",
                    "annul_reason"]
    search_columns = ["doc_type", "blank_number", "issued_on", "status"]
    base_order = ("issued_on", "desc")
    write_filters = [["organization_id", OrgWriteFilter, None]]
    base_permissions = ["can_list", "can_show"]
    list_template = "records/issued_list.html"
    formatters_columns = {"doc_type": label_of(DOC_TYPE_LABELS),
                          "status": label_of(DOC_STATUS_LABELS)}

    @action("annul", _l("Annul"), "", "fa-ban", multiple=False)
    def annul(self, item):
        return redirect(url_for("BlankOpsView.annul", doc_id=item.id))


class IssuedCertificateView(_IssuedDocView):
    route_base = "/issuedcertificates"
    list_title = _l("Issued certificates")
    base_filters = [["organization_id", OrgReadFilter, None], ["id", DocGroupFilter,
                                                                "certificates"]]
    extra_args = {"group": "certificates"}


class IssuedCommendationView(_IssuedDocView):
    route_base = "/issuedcommendations"
    list_title = _l("Issued commendation letters")
    base_filters = [["organization_id", OrgReadFilter, None], ["id", DocGroupFilter,
                                                                "commendations"]]
    extra_args = {"group": "commendations"}


# --- operation forms -------------------------------------------------------------------


def _org_field():
    return ScopedAjaxField(_l("Organization"), [DataRequired()], lookup="writable_organization")


def _doc_type_field(types=tuple(DocType)):
    return SelectField(_l("Document type"), choices=[(t.value, DOC_TYPE_LABELS[t]) for t in types],
                       coerce=DocType)


class ReceiveForm(DynamicForm):
    organization = _org_field()
    doc_type = _doc_type_field()
    number = StringField(_l("Blank number"), [DataRequired()],
                         description=_l("The first number when a range is registered"))
    last_number = StringField(_l("Last number of the range"), [Optional()],
                              description=_l("Leave empty to register one blank"))
    received_on = DateField(_l("Received on"), [Optional()], default=dt.date.today)


class IssueForm(DynamicForm):
    organization = _org_field()
    doc_type = _doc_type_field()
    number = StringField(_l("Blank number"), [DataRequired()])
    recipient = ScopedAjaxField(_l("Recipient"), [Optional()], lookup="school_staff")
    purpose = StringField(_l("Purpose"), [Optional()])


class WriteOffForm(DynamicForm):
    organization = _org_field()
    doc_type = _doc_type_field()
    number = StringField(_l("Blank number"), [DataRequired()])
    status = SelectField(_l("Status"), choices=[
        (s.value, BLANK_STATUS_LABELS[s]) for s in (BlankStatus.spoiled, BlankStatus.lost)],
        coerce=BlankStatus)
    reason = StringField(_l("Reason"), [Optional()])


class DocumentForm(DynamicForm):
    organization = _org_field()
    doc_type = _doc_type_field()
    pupil = ScopedAjaxField(_l("Pupil"), [Optional()], lookup="school_student")
    blank_number = StringField(_l("Blank number"), [DataRequired()])
    issued_on = DateField(_l("Date of issue"), [Optional()], default=dt.date.today)


class AnnulForm(DynamicForm):
    reason = StringField(_l("Reason for annulment"), [Optional()])


def _prefill_org(form) -> None:
    """A user who changes exactly one organisation gets it filled in."""
    scope = current_scope()
    if request.method == "GET" and not scope.everything and len(scope.write_ids) == 1:
        form.organization.data = db.session.get(Organization, next(iter(scope.write_ids)))


#: the service's "first_number" of a range is the form's "number"
_FIELDS = {"first_number": "number"}


def _writable(org: Organization | None) -> None:
    """The blanks' write rule (the service's) for the form's organisation, refused as 403
    before anything is looked up in it."""
    if org is None:
        abort(403)
    try:
        blank_service.authorise(current_scope(), org.id)
    except ScopeError:
        abort(403)


class BlankOpsView(BaseView):
    route_base = "/blankops"
    default_view = "receive"

    def _form_page(self, form, title, back):
        return self.render_template("records/form.html", fields=list(form), title=title,
                                    back=back)

    @expose("/receive", methods=["GET", "POST"])
    @has_access
    def receive(self):
        form = ReceiveForm(request.form if request.method == "POST" else None)
        _prefill_org(form)
        if request.method == "POST" and form.validate():
            org = form.organization.data
            _writable(org)
            try:
                if form.last_number.data:
                    n = len(blank_service.receive_range(current_scope(), org,
                                                        form.doc_type.data, form.number.data,
                                                        form.last_number.data,
                                                        form.received_on.data))
                else:
                    blank_service.receive_blank(current_scope(), org, form.doc_type.data,
                                                form.number.data, form.received_on.data)
                    n = 1
            except DomainError as err:
                form_error(form, err, _FIELDS)
            else:
                flash(gettext("Blanks registered: %(n)s", n=n), "success")
                return redirect(url_for("BlankView.list"))
        return self._form_page(form, gettext("Register received blanks"),
                               url_for("BlankView.list"))

    def _blank_op(self, form_cls, title, op):
        form = form_cls(request.form if request.method == "POST" else None)
        _prefill_org(form)
        if request.method == "POST" and form.validate():
            org = form.organization.data
            _writable(org)
            try:
                blank = blank_service.find_blank(org.id, form.doc_type.data, form.number.data)
                op(blank, form)
            except DomainError as err:
                form_error(form, err, _FIELDS)
            else:
                flash(gettext("Saved"), "success")
                return redirect(url_for("BlankView.list"))
        return self._form_page(form, title, url_for("BlankView.list"))

    @expose("/issue", methods=["GET", "POST"])
    @has_access
    def issue(self):
        return self._blank_op(IssueForm, gettext("Register issue"), lambda b, f:
                              blank_service.issue_blank(current_scope(), b, f.recipient.data,
                                                        f.purpose.data))

    @expose("/writeoff", methods=["GET", "POST"])
    @has_access
    def writeoff(self):
        return self._blank_op(WriteOffForm, gettext("Register spoilage or loss"), lambda b, f:
                              blank_service.write_off(current_scope(), b, f.status.data,
                                                      f.reason.data))

    @expose("/document/<group>/add", methods=["GET", "POST"])
    @has_access
    def add_document(self, group: str):
        if group not in GROUPS:
            abort(404)
        types, title = GROUPS[group]
        form = DocumentForm(request.form if request.method == "POST" else None)
        form.doc_type.choices = [(t.value, DOC_TYPE_LABELS[t]) for t in types]
        _prefill_org(form)
        back = url_for(_list_endpoint(group))
        if request.method == "POST" and form.validate():
            org = form.organization.data
            _writable(org)
            try:
                blank_service.issue_document(current_scope(), org, form.doc_type.data,
                                             form.pupil.data, form.blank_number.data,
                                             form.issued_on.data)
            except DomainError as err:
                form_error(form, err, _FIELDS)
            else:
                flash(gettext("Saved"), "success")
                return redirect(back)
        return self._form_page(form, str(title), back)

    @expose("/document/<int:doc_id>/annul", methods=["GET", "POST"])
    @has_access
    def annul(self, doc_id: int):
        doc = db.session.scalars(select(IssuedDocument).where(
            IssuedDocument.id == doc_id,
            org_clause(IssuedDocument.organization_id, current_scope()))).first()
        if doc is None:
            abort(404)
        _writable(db.session.get(Organization, doc.organization_id))
        form = AnnulForm(request.form if request.method == "POST" else None)
        group = "certificates" if doc.doc_type in CERTIFICATE_TYPES else "commendations"
        back = url_for(_list_endpoint(group))
        if request.method == "POST" and form.validate():
            try:
                blank_service.annul_document(current_scope(), doc, form.reason.data)
            except DomainError as err:
                form_error(form, err, _FIELDS)
            else:
                flash(gettext("Annulled"), "success")
                return redirect(back)
        return self.render_template(
            "records/form.html", fields=list(form), title=gettext("Annul the document"),
            subtitle=f"{doc.pupil.full_name}: {DOC_TYPE_LABELS[doc.doc_type]} "
                     f"{doc.blank_number}", back=back)

    def _documents(self, group: str):
        if group not in GROUPS:
            abort(404)
        q = select(IssuedDocument).where(
            IssuedDocument.doc_type.in_(list(GROUPS[group][0])),
            org_clause(IssuedDocument.organization_id, current_scope()))
        org = None
        if request.args.get("org"):
            org = db.session.get(Organization, int(request.args["org"]))
            q = q.where(IssuedDocument.organization_id == (org.id if org else -1))
        docs = db.session.scalars(q.order_by(IssuedDocument.issued_on,
                                             IssuedDocument.blank_number)).unique().all()
        headers = ["№", gettext("Pupil"), gettext("Document type"), gettext("Blank number"),
                   gettext("Date of issue"), gettext("Status"), gettext("Reason for annulment")]
        rows = [[i, d.pupil.full_name, str(DOC_TYPE_LABELS[d.doc_type]), d.blank_number,
                 d.issued_on, str(DOC_STATUS_LABELS[d.status]), d.annul_reason or ""]
                for i, d in enumerate(docs, 1)]
        return str(GROUPS[group][1]), headers, rows, org

    @expose("/documents/<group>/xlsx")
    @has_access
    def export(self, group: str):
        title, headers, rows, _org = self._documents(group)
        return rows_xlsx_response(title, headers, rows)

    @expose("/documents/<group>/print")
    @has_access
    def print_list(self, group: str):
        title, headers, rows, org = self._documents(group)
        from app.services.records.staff_reports import Report

        return self.render_template(
            "records/report.html", rep=Report(title, headers, rows), org=org or _Blank(),
            orgs=[], name=group, year=None, reports={}, printing=True,
            cell=lambda v: format_date(v) if isinstance(v, dt.date) else ("" if v is None
                                                                          else v),
            stamp=print_stamp(org.short_name if org else None))


class _Blank:
    short_name = full_name = ""
    id = None


def _list_endpoint(group: str) -> str:
    return "IssuedCertificateView.list" if group == "certificates" else \
        "IssuedCommendationView.list"
