"""Calendar-thematic plan pages: plans with their ordered topics, XLSX import and export,
copy to another class or to the next year."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.study import SchoolClass, StudyPeriod
from app.models.timetable import LessonPlan, PlanTopic
from app.security.filters import PlanTopicReadFilter
from app.security.scopes import can_plan_org, current_scope, plan_clause
from app.services.errors import DomainError, ValidationError
from app.services.study import plans as svc
from app.views.base import xlsx_response
from app.views.study.base import StudyModelView, person_field, plan_rel, read_rel


class PlanTopicView(StudyModelView):
    datamodel = SQLAInterface(PlanTopic)
    route_base = "/plantopics"
    list_title = _l("Plan topics")
    show_title = _l("Topic")
    list_columns = ["plan", "position", "title", "hours"]
    add_columns = edit_columns = ["plan", "position", "title", "hours", "notes"]
    show_columns = add_columns
    search_columns = ["plan", "title"]
    base_order = ("position", "asc")
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("plan")
    write_rule = svc.check_topic


PlanTopicView.base_filters = [["organization_id", PlanTopicReadFilter, None]]


class LessonPlanView(StudyModelView):
    datamodel = SQLAInterface(LessonPlan)
    route_base = "/lessonplans"
    list_title = _l("Calendar-thematic plans")
    show_title = _l("Calendar-thematic plan")
    add_title = _l("Add calendar-thematic plan")
    edit_title = _l("Edit calendar-thematic plan")
    own_columns = ("teacher_id",)
    list_columns = ["name", "period", "subject", "parallel", "school_class", "teacher",
                    "total_hours"]
    add_columns = edit_columns = ["name", "period", "subject", "parallel", "school_class",
                                  "teacher"]
    show_columns = add_columns + ["total_hours"]
    search_columns = ["name", "period", "subject", "parallel", "school_class"]
    related_views = [PlanTopicView]
    show_template = "study/plan_show.html"
    add_form_extra_fields = edit_form_extra_fields = {
        "teacher": person_field(_l("Teacher"), "teacher", LessonPlan, "teacher_id")}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("period", "subject",
                                                                      "school_class")
    search_form_query_rel_fields = read_rel("period", "subject", "school_class")
    write_rule = svc.check_plan

    def _readable(self, pk) -> LessonPlan:
        plan = self.datamodel.get(pk, self._base_filters)
        if plan is None:
            abort(404)
        return plan

    def _plannable(self, pk) -> LessonPlan:
        if not self._writable(pk):
            abort(404)
        return db.session.get(LessonPlan, pk)

    @expose("/export/<int:pk>")
    @has_access
    def export_topics(self, pk):
        plan = self._readable(pk)
        return xlsx_response(svc.export_plan(plan), f"plan-{pk}")

    @expose("/import/<int:pk>", methods=["GET", "POST"])
    @has_access
    def import_topics(self, pk):
        plan = self._plannable(pk)
        if request.method == "POST":
            upload = request.files.get("file")
            try:
                if upload is None or not upload.filename:
                    raise ValidationError(gettext("Choose a file"), field="file")
                n = svc.import_topics(current_scope(), plan, upload.read())
                flash(gettext("Topics imported: %(n)s", n=n), "success")
                return redirect(url_for(".show", pk=pk))
            except DomainError as err:
                flash(str(err), "danger")
        return self.render_template("study/plan_import.html", plan=plan,
                                    title=gettext("Import topics from XLSX"))

    @expose("/copy/<int:pk>", methods=["GET", "POST"])
    @has_access
    def copy_plan(self, pk):
        plan = self._plannable(pk)
        scope = current_scope()
        periods = db.session.scalars(select(StudyPeriod).where(
            StudyPeriod.organization_id == plan.organization_id)
            .order_by(StudyPeriod.starts_on)).all()
        classes = db.session.scalars(select(SchoolClass).where(
            SchoolClass.organization_id == plan.organization_id,
            plan_clause(SchoolClass.organization_id, scope))
            .order_by(SchoolClass.year_id, SchoolClass.parallel, SchoolClass.letter_ru)).all()
        if request.method == "POST":
            period = db.session.get(StudyPeriod, request.form.get("period", type=int) or 0)
            cls = db.session.get(SchoolClass, request.form.get("school_class", type=int) or 0)
            parallel = request.form.get("parallel", type=int)
            try:
                if period is None or not can_plan_org(period.organization_id, scope):
                    raise ValidationError(gettext("Choose a period"), field="period")
                new = svc.copy_plan(scope, plan, period, cls, parallel)
                flash(gettext("The plan is copied"), "success")
                return redirect(url_for(".show", pk=new.id))
            except DomainError as err:
                flash(str(err), "danger")
        return self.render_template("study/plan_copy.html", plan=plan, periods=periods,
                                    classes=classes, title=gettext("Copy the plan"))
