"""Operations on a staff file (seed 004 fig. 35-39, 44): register an event, complete a
course, download a sick-leave scan."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import undefer
from wtforms import DateField, FileField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.extensions import db
from app.models.staff import (
    CONCLUSION_LABELS,
    EVENT_LABELS,
    Conclusion,
    CourseStatus,
    QualificationCourse,
    StaffEvent,
    StaffEventKind,
    StaffFile,
)
from app.security.records.scope import can_read_staff_file
from app.security.scopes import current_scope
from app.services.errors import DomainError, ScopeError
from app.services.records import staff as staff_service
from app.services.records.substitutes import lessons_needing_substitute
from app.views.base import form_error
from app.views.widgets import ScopedAjaxField

#: the form fields each kind of event shows
EVENT_FIELDS = {
    StaffEventKind.leave: ["start_date", "end_date", "reason"],
    StaffEventKind.time_off: ["start_date", "end_date", "reason"],
    StaffEventKind.recall: ["start_date", "reason"],
    StaffEventKind.sick_leave: ["illness", "diagnosis", "start_date", "end_date", "scan"],
    StaffEventKind.dismissal: ["start_date", "reason"],
    StaffEventKind.delegation: ["delegate", "duties", "start_date", "end_date"],
}


class EventForm(DynamicForm):
    start_date = DateField(_l("Start date"), [Optional()])
    end_date = DateField(_l("End date"), [Optional()])
    reason = StringField(_l("Reason"), [Optional()])
    illness = StringField(_l("Illness"), [Optional()])
    diagnosis = StringField(_l("Diagnosis"), [Optional()])
    scan = FileField(_l("Scan of the sick-leave certificate"), [Optional()])
    delegate = ScopedAjaxField(_l("Duties delegated to"), [Optional()], lookup="staff_file")
    duties = TextAreaField(_l("Duties"), [Optional()])


class CompleteForm(DynamicForm):
    certificate_number = StringField(_l("Certificate number"), [Optional()])
    certificate_date = DateField(_l("Certificate date"), [Optional()])
    issued_by = StringField(_l("Issuing body"), [Optional()])
    category = SelectField(_l("Qualification category"), [Optional()], choices=[])
    attestation_date = DateField(_l("Attestation date"), [Optional()])
    conclusion = SelectField(
        _l("Attestation commission's conclusion"), [Optional()],
        choices=[("", "")] + [(c.value, CONCLUSION_LABELS[c]) for c in Conclusion],
        coerce=lambda v: Conclusion(v) if v else None)


def _authorised(org_id: int | None) -> None:
    """The records office's write rule (the service's), refused as 403."""
    try:
        staff_service.authorise(current_scope(), org_id)
    except ScopeError:
        abort(403)


def _writable_file(file_id: int) -> StaffFile:
    f = db.session.get(StaffFile, file_id)
    if f is None or not can_read_staff_file(f):
        abort(404)
    _authorised(f.organization_id)
    return f


class StaffOpsView(BaseView):
    route_base = "/staffops"
    default_view = "event"

    @expose("/event/<int:file_id>/<kind>", methods=["GET", "POST"])
    @has_access
    def event(self, file_id: int, kind: str):
        try:
            kind_enum = StaffEventKind(kind)
        except ValueError:
            abort(404)
        f = _writable_file(file_id)
        form = EventForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            upload = request.files.get("scan")
            scan = upload.read() if upload and upload.filename else None
            try:
                ev = staff_service.register_event(
                    current_scope(), f, kind_enum, form.start_date.data, form.end_date.data,
                    reason=form.reason.data, illness=form.illness.data,
                    diagnosis=form.diagnosis.data, scan=scan,
                    scan_name=upload.filename if scan else None,
                    scan_mime=upload.mimetype if scan else None,
                    delegate=db.session.get(StaffFile, form.delegate.data.id)
                    if form.delegate.data is not None else None,
                    duties=form.duties.data)
            except DomainError as err:
                form_error(form, err)
            else:
                flash(gettext("Registered: %(what)s", what=EVENT_LABELS[kind_enum]), "success")
                waiting = lessons_needing_substitute(ev)
                if waiting:
                    flash(ngettext("%(num)d lesson needs a substitute",
                                   "%(num)d lessons need a substitute", len(waiting)),
                          "warning")
                    return redirect(url_for("StaffEventView.show", pk=ev.id))
                return redirect(url_for("StaffFileView.show", pk=f.id))
        fields = [getattr(form, n) for n in EVENT_FIELDS[kind_enum]]
        note = gettext("Dismissal ends every role of the employee in the organization and so "
                       "their access.") if kind_enum == StaffEventKind.dismissal else None
        return self.render_template("records/form.html", fields=fields,
                                    title=str(EVENT_LABELS[kind_enum]), subtitle=f.full_name,
                                    note=note,
                                    back=url_for("StaffFileView.show", pk=f.id))

    @expose("/course/<int:course_id>/complete", methods=["GET", "POST"])
    @has_access
    def complete(self, course_id: int):
        c = db.session.get(QualificationCourse, course_id)
        if c is None or not can_read_staff_file(c.staff_file):
            abort(404)
        _authorised(c.organization_id)
        form = CompleteForm(request.form if request.method == "POST" else None)
        country = c.staff_file.organization.country
        form.category.choices = [("", "")] + [(k, v) for k, v in
                                              staff_service.categories_for(country)]
        if request.method == "POST" and form.validate() and c.status != CourseStatus.completed:
            try:
                staff_service.complete_course(
                    current_scope(), c, certificate_number=form.certificate_number.data,
                    certificate_date=form.certificate_date.data, issued_by=form.issued_by.data,
                    category=form.category.data or None,
                    attestation_date=form.attestation_date.data,
                    conclusion=form.conclusion.data)
            except DomainError as err:
                form_error(form, err)
            else:
                flash(gettext("The course is completed"), "success")
                return redirect(url_for("QualificationCourseView.show", pk=c.id))
        elif c.status == CourseStatus.completed:
            flash(gettext("This course is already completed"), "warning")
        return self.render_template("records/form.html", fields=list(form),
                                    title=gettext("Completed course"),
                                    subtitle=f"{c.staff_file.full_name}: {c.title}",
                                    back=url_for("QualificationCourseView.show", pk=c.id))

    @expose("/scan/<int:event_id>")
    @has_access
    def scan(self, event_id: int):
        ev = db.session.scalars(select(StaffEvent).options(undefer(StaffEvent.scan))
                                .where(StaffEvent.id == event_id)).first()
        if ev is None or ev.scan is None or not can_read_staff_file(ev.staff_file):
            abort(404)
        name = (ev.scan_name or "scan").replace('"', "")
        return Response(ev.scan, mimetype=ev.scan_mime or "application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
