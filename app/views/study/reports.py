"""Study-process reports on screen, as XLSX and as a print view with the print stamp:
working curriculum of a class, graph of the study process, pedagogical load,
substitutions and cancellations."""
from __future__ import annotations

from flask import abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models.org import Organization
from app.models.study import AcademicYear, SchoolClass, StudyPeriod
from app.models.timetable import LESSON_STATUS_LABELS
from app.security.printing import print_stamp
from app.security.scopes import (
    can_read_org,
    can_staff_read_org,
    current_scope,
    org_clause,
    staff_read_clause,
)
from app.services.study import reports as rep
from app.views.base import xlsx_response


def _staff_or_404(org_id: int) -> None:
    if not can_staff_read_org(org_id):
        abort(404)


def _teacher_ids(org_id: int) -> set[int] | None:
    """None: the user reads the whole school; else only their own rows (a teacher)."""
    if can_staff_read_org(org_id):
        return None
    if can_read_org(org_id) and current_scope().person_ids:
        return set(current_scope().person_ids)
    abort(404)


class StudyReportView(BaseView):
    route_base = "/studyreports"
    default_view = "index"

    def _render(self, template: str, org: Organization, **kw):
        fmt = request.args.get("format")
        return self.render_template(template, org=org, printing=fmt == "print",
                                    stamp=print_stamp(org.short_name), **kw)

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        classes = db.session.scalars(
            select(SchoolClass).where(staff_read_clause(SchoolClass.organization_id, scope))
            .order_by(SchoolClass.organization_id, SchoolClass.year_id.desc(),
                      SchoolClass.parallel, SchoolClass.letter_ru).limit(500)).all()
        years = db.session.scalars(
            select(AcademicYear).where(org_clause(AcademicYear.organization_id, scope))
            .order_by(AcademicYear.starts_on.desc()).limit(200)).all()
        periods = db.session.scalars(
            select(StudyPeriod).where(org_clause(StudyPeriod.organization_id, scope))
            .order_by(StudyPeriod.starts_on.desc()).limit(200)).all()
        return self.render_template("study/reports_index.html", classes=classes, years=years,
                                    periods=periods, title=gettext("Study process reports"))

    @expose("/curriculum/<int:class_id>")
    @has_access
    def curriculum(self, class_id: int):
        cls = db.session.get(SchoolClass, class_id) or abort(404)
        _staff_or_404(cls.organization_id)
        if request.args.get("format") == "xlsx":
            return xlsx_response(rep.class_curriculum_xlsx(cls), f"curriculum-{class_id}")
        periods, rows, total = rep.class_curriculum(cls)
        org = db.session.get(Organization, cls.organization_id)
        return self._render("study/report_curriculum.html", org, cls=cls, periods=periods,
                            rows=rows, total=total,
                            title=gettext("Working curriculum of class %(cls)s", cls=cls))

    @expose("/graph/<int:class_id>/<int:period_id>")
    @has_access
    def graph(self, class_id: int, period_id: int):
        cls = db.session.get(SchoolClass, class_id) or abort(404)
        period = db.session.get(StudyPeriod, period_id) or abort(404)
        _staff_or_404(cls.organization_id)
        if period.organization_id != cls.organization_id:
            abort(404)
        weeks, rows = rep.study_graph(cls, period)
        org = db.session.get(Organization, cls.organization_id)
        return self._render("study/report_graph.html", org, cls=cls, period=period,
                            weeks=weeks, rows=rows, hours_text=rep.hours_text,
                            title=gettext("Graph of the study process"))

    @expose("/load/<int:year_id>")
    @has_access
    def load(self, year_id: int):
        year = db.session.get(AcademicYear, year_id) or abort(404)
        teacher_ids = _teacher_ids(year.organization_id)
        rows, totals = rep.pedagogical_load(year.organization_id, year.id, teacher_ids)
        org = db.session.get(Organization, year.organization_id)
        if request.args.get("format") == "xlsx":
            return xlsx_response(rep.pedagogical_load_xlsx(org.short_name, year.name, rows, totals),
                         f"load-{year_id}")
        return self._render("study/report_load.html", org, year=year, rows=rows,
                            totals=totals, title=gettext("Pedagogical load (extended)"))

    @expose("/changes/<int:period_id>")
    @has_access
    def changes(self, period_id: int):
        period = db.session.get(StudyPeriod, period_id) or abort(404)
        teacher_ids = _teacher_ids(period.organization_id)
        lessons = rep.lesson_changes(period.organization_id, period.id, teacher_ids)
        org = db.session.get(Organization, period.organization_id)
        if request.args.get("format") == "xlsx":
            return xlsx_response(rep.lesson_changes_xlsx(org.short_name, str(period), lessons),
                         f"changes-{period_id}")
        return self._render("study/report_changes.html", org, period=period, lessons=lessons,
                            status_labels=LESSON_STATUS_LABELS,
                            title=gettext("Substitutions and cancellations"))
