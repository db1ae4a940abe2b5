"""Timetable pages: bell schedules, the weekly timetable, dated lessons with substitutions
and cancellations."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import TimeField
from wtforms.validators import DataRequired

from app.extensions import db
from app.models.timetable import BellSchedule, BellSlot, Lesson, TimetableEntry
from app.security.lookups import lookup_allows
from app.security.scopes import current_scope
from app.services.errors import DomainError
from app.services.study import timetable as svc
from app.views.study.base import (
    StudyModelView,
    org_field,
    person_field,
    plan_rel,
    read_rel,
    shift_field,
    weekday_field,
)


class BellScheduleView(StudyModelView):
    datamodel = SQLAInterface(BellSchedule)
    route_base = "/bellschedules"
    list_title = _l("Bell schedules")
    show_title = _l("Bell schedule")
    list_columns = ["name", "shift", "organization"]
    add_columns = ["organization", "name", "shift"]
    edit_columns = ["name", "shift"]
    show_columns = list_columns
    search_columns = ["name", "shift"]
    add_form_extra_fields = {"organization": org_field(BellSchedule), "shift": shift_field()}
    edit_form_extra_fields = {"shift": shift_field()}
    write_rule = svc.check_schedule


class BellSlotView(StudyModelView):
    datamodel = SQLAInterface(BellSlot)
    route_base = "/bellslots"
    list_title = _l("Bells")
    list_columns = add_columns = edit_columns = show_columns = ["schedule", "number",
                                                                "starts_at", "ends_at"]
    search_columns = ["schedule", "number"]
    base_order = ("number", "asc")
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("schedule")
    search_form_query_rel_fields = read_rel("schedule")
    add_form_extra_fields = edit_form_extra_fields = {
        "starts_at": TimeField(_l("Starts at"), validators=[DataRequired()]),
        "ends_at": TimeField(_l("Ends at"), validators=[DataRequired()])}
    write_rule = svc.check_slot


class TimetableEntryView(StudyModelView):
    datamodel = SQLAInterface(TimetableEntry)
    route_base = "/timetable"
    list_title = _l("Weekly timetable")
    show_title = _l("Timetable lesson")
    add_title = _l("Add a lesson to the timetable")
    edit_title = _l("Edit timetable lesson")
    own_columns = ("teacher_id",)
    list_columns = ["period", "school_class", "subgroup", "weekday", "slot", "subject",
                    "teacher", "room"]
    add_columns = edit_columns = ["period", "school_class", "subgroup", "weekday", "slot",
                                  "subject", "teacher", "room"]
    show_columns = add_columns
    search_columns = ["period", "school_class", "weekday", "subject", "room"]
    order_columns = ["weekday"]
    add_form_extra_fields = edit_form_extra_fields = {
        "teacher": person_field(_l("Teacher"), "teacher", TimetableEntry, "teacher_id"),
        "weekday": weekday_field()}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel(
        "period", "school_class", "subgroup", "slot", "subject", "room")
    search_form_query_rel_fields = read_rel("period", "school_class", "subject", "room")
    write_rule = svc.check_entry


class LessonView(StudyModelView):
    """Dated lessons. Generated from the timetable (periods' action); changed only by a
    substitution or a cancellation."""

    datamodel = SQLAInterface(Lesson)
    route_base = "/lessons"
    list_title = _l("Lessons")
    show_title = _l("Lesson")
    own_columns = ("teacher_id", "substitute_teacher_id")
    list_columns = ["date", "number", "school_class", "subgroup", "subject", "teacher",
                    "room", "status", "substitute_teacher", "topic"]
    show_columns = list_columns + ["starts_at", "ends_at", "reason", "period"]
    search_columns = ["date", "school_class", "subject", "period"]
    order_columns = ["date", "number"]
    base_order = ("date", "asc")
    base_permissions = ["can_list", "can_show", "can_substitute", "can_cancel"]
    add_columns = edit_columns = ["reason"]  # no generated add/edit: see substitute, cancel
    search_form_query_rel_fields = read_rel("period", "school_class", "subject")
    show_template = "study/lesson_show.html"

    def _lesson(self, pk) -> Lesson:
        if not self._writable(pk):
            abort(404)
        return db.session.get(Lesson, pk)

    @expose("/substitute/<int:pk>", methods=["GET", "POST"])
    @has_access
    def substitute(self, pk):
        lesson = self._lesson(pk)
        if request.method == "POST":
            teacher_id = request.form.get("teacher", type=int)
            try:
                if teacher_id and not lookup_allows("teacher", teacher_id):
                    raise DomainError(gettext("Not a valid choice"), field="teacher")
                svc.substitute(current_scope(), lesson, teacher_id, request.form.get("reason"))
                flash(gettext("The substitution is saved"), "success")
                return redirect(url_for(".show", pk=pk))
            except DomainError as err:
                flash(str(err), "danger")
        return self.render_template("study/lesson_change.html", lesson=lesson,
                                    substitute=True, title=gettext("Substitution"))

    @expose("/cancel/<int:pk>", methods=["GET", "POST"])
    @has_access
    def cancel(self, pk):
        lesson = self._lesson(pk)
        if request.method == "POST":
            try:
                svc.cancel(current_scope(), lesson, request.form.get("reason"))
                flash(gettext("The lesson is cancelled"), "success")
                return redirect(url_for(".show", pk=pk))
            except DomainError as err:
                flash(str(err), "danger")
        return self.render_template("study/lesson_change.html", lesson=lesson,
                                    substitute=False, title=gettext("Cancel the lesson"))

