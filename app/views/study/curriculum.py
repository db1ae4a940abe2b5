"""Working curriculum pages: subjects of a class per period, subgroup teachers, per-week
corrections, and copying a class's curriculum to a parallel class."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.study import (
    CurriculumItem,
    CurriculumSubgroupTeacher,
    SchoolClass,
    StudyPeriod,
    WeekCorrection,
)
from app.security.scopes import can_plan_org, current_scope, plan_clause
from app.services.errors import DomainError
from app.services.study import curriculum as svc
from app.views.study.base import (
    StudyModelView,
    bools,
    person_field,
    plan_rel,
    read_rel,
    split_field,
)


class CurriculumItemView(StudyModelView):
    datamodel = SQLAInterface(CurriculumItem)
    route_base = "/curriculum"
    list_title = _l("Working curriculum")
    show_title = _l("Curriculum subject")
    add_title = _l("Add a subject to the curriculum")
    edit_title = _l("Edit curriculum subject")
    own_columns = ("teacher_id",)
    list_columns = ["school_class", "period", "subject", "weekly_hours", "variative", "split",
                    "teacher", "lesson_minutes"]
    add_columns = edit_columns = ["school_class", "period", "subject", "weekly_hours",
                                  "variative", "lesson_minutes", "split", "teacher"]
    show_columns = add_columns
    search_columns = ["school_class", "period", "subject", "variative", "split"]
    order_columns = ["weekly_hours", "lesson_minutes"]
    add_form_extra_fields = edit_form_extra_fields = {
        "teacher": person_field(_l("Teacher"), "teacher", CurriculumItem, "teacher_id"),
        "split": split_field(), **bools("variative")}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("school_class", "period",
                                                                      "subject")
    search_form_query_rel_fields = read_rel("school_class", "period", "subject")
    write_rule = svc.check_curriculum_item


class CurriculumSubgroupTeacherView(StudyModelView):
    datamodel = SQLAInterface(CurriculumSubgroupTeacher)
    route_base = "/subgroupteachers"
    list_title = _l("Subgroup teachers")
    own_columns = ("teacher_id",)
    list_columns = add_columns = edit_columns = show_columns = ["item", "subgroup", "teacher"]
    search_columns = ["subgroup"]
    add_form_extra_fields = edit_form_extra_fields = {
        "teacher": person_field(_l("Teacher"), "teacher", CurriculumSubgroupTeacher,
                                "teacher_id")}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("item", "subgroup")
    search_form_query_rel_fields = read_rel("subgroup")
    write_rule = svc.check_subgroup_teacher


class WeekCorrectionView(StudyModelView):
    datamodel = SQLAInterface(WeekCorrection)
    route_base = "/weekcorrections"
    list_title = _l("Graph of the study process: corrections")
    list_columns = add_columns = edit_columns = show_columns = ["item", "week_start",
                                                                "lessons"]
    search_columns = ["week_start"]
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("item")
    write_rule = svc.check_week_correction


def _class_or_404(class_id) -> SchoolClass:
    cls = db.session.get(SchoolClass, class_id) if class_id else None
    if cls is None or not can_plan_org(cls.organization_id):
        abort(404)
    return cls


class CurriculumCopyView(BaseView):
    """Copy a class's curriculum to a parallel class, choosing the subjects (seed 004
    fig. 9-11)."""

    route_base = "/curriculumcopy"
    default_view = "copy"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def copy(self):
        args = request.form if request.method == "POST" else request.args
        classes = db.session.scalars(
            select(SchoolClass).where(plan_clause(SchoolClass.organization_id, current_scope()))
            .order_by(SchoolClass.year_id.desc(), SchoolClass.parallel,
                      SchoolClass.letter_ru)).all()
        source = _class_or_404(args.get("source", type=int)) if args.get("source") else None
        items, targets, periods = [], [], []
        if source is not None:
            items = db.session.scalars(select(CurriculumItem).where(
                CurriculumItem.class_id == source.id).order_by(CurriculumItem.period_id)).all()
            targets = [c for c in classes if c.parallel == source.parallel and
                       c.year_id == source.year_id and c.id != source.id]
            periods = db.session.scalars(select(StudyPeriod).where(
                StudyPeriod.year_id == source.year_id).order_by(StudyPeriod.starts_on)).all()
        if request.method == "POST" and source is not None:
            target = _class_or_404(args.get("target", type=int))
            try:
                copied, skipped = svc.copy_curriculum(
                    current_scope(), source, target, [int(i) for i in args.getlist("periods")],
                    [int(i) for i in args.getlist("subjects")])
                flash(gettext("Copied: %(n)s, already present: %(m)s", n=copied, m=skipped),
                      "success")
                return redirect(url_for("CurriculumItemView.list"))
            except DomainError as err:
                flash(str(err), "danger")
        subjects = {i.subject_id: i for i in items}
        return self.render_template("study/curriculum_copy.html", classes=classes,
                                    source=source, targets=targets, periods=periods,
                                    subjects=list(subjects.values()),
                                    title=gettext("Copy the curriculum to a parallel class"))
