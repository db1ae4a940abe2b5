"""The section's period grades page: pupils with the computed value, the suggested mark and
the grade set, and the teacher's "Confirm all computed grades" button (one transaction).
Read by the section's readers (security.journal.scope.section_read_clause); confirmed only by the
section's teacher (app/services/journal/commands.py)."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models.people import Person
from app.models.study import SchoolClass, StudyPeriod, Subject
from app.security.journal.scope import final_writer, section_read_clause
from app.security.scopes import current_scope
from app.services.errors import DomainError
from app.services.journal import commands, queries


def _section_or_404(class_id: int, subject_id: int, period_id: int):
    """The class, subject and period if the user reads the section (else 404). One query
    for the scope, the rows from the identity map or one query each."""
    school_class = db.session.get(SchoolClass, class_id)
    subject = db.session.get(Subject, subject_id)
    period = db.session.get(StudyPeriod, period_id)
    if school_class is None or subject is None or period is None or \
            subject.organization_id != school_class.organization_id or \
            period.year_id != school_class.year_id:
        abort(404)
    readable = db.session.execute(
        select(SchoolClass.id).where(
            SchoolClass.id == class_id,
            section_read_clause(SchoolClass.id, subject_id, SchoolClass.organization_id,
                                current_scope()))).first()
    if readable is None:
        abort(404)
    return school_class, subject, period


class JournalFinalsView(BaseView):
    route_base = "/journalfinals"
    default_view = "section"

    @expose("/<int:class_id>/<int:subject_id>/<int:period_id>")
    @has_access
    def section(self, class_id: int, subject_id: int, period_id: int):
        school_class, subject, period = _section_or_404(class_id, subject_id, period_id)
        ids = queries.section_pupil_ids(class_id, period)
        names = dict(db.session.execute(
            select(Person.id, Person.last_name + " " + Person.first_name)
            .where(Person.id.in_(ids))).all()) if ids else {}
        rows = queries.section_finals(class_id, subject_id, period_id, ids)
        pupils = sorted(ids, key=lambda i: names.get(i, ""))
        can_set = final_writer(class_id, subject_id, [period_id], current_scope()) is not None
        return self.render_template(
            "journal/finals.html", school_class=school_class, subject=subject, period=period,
            pupils=pupils, names=names, rows=rows, can_set=can_set,
            title=gettext("Period grades: %(cls)s, %(subject)s, %(period)s",
                          cls=school_class.name(), subject=subject.name, period=period.name))

    @expose("/<int:class_id>/<int:subject_id>/<int:period_id>/confirm", methods=["POST"])
    @has_access
    def confirm(self, class_id: int, subject_id: int, period_id: int):
        _section_or_404(class_id, subject_id, period_id)
        try:
            done, left = commands.confirm_section(current_scope(), class_id=class_id,
                                                subject_id=subject_id, period_id=period_id)
        except DomainError as err:  # the command rolled its unit of work back
            flash(str(err), "danger")
        else:
            flash(gettext("Grades confirmed: %(done)s; pupils without marks left: %(left)s",
                          done=done, left=left), "success")
        return redirect(url_for("JournalFinalsView.section", class_id=class_id,
                                subject_id=subject_id, period_id=period_id))

