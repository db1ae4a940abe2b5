"""The diary (week view) for pupils, parents and school staff, and the summary sheet a class
teacher prints for parents who declined electronic access (issue 4).

Who opens whose diary: ``app.security.journal.scope.can_read_diary`` (the pupil, their
parents, the class teacher of the pupil's class, the school's administration, district
staff); the summary sheet: ``can_open_diary_as_staff``. Anything else answers 404.
"""
from __future__ import annotations

import datetime as dt

from flask import abort, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import or_, select

from app import clock
from app.extensions import db
from app.i18n import format_date
from app.models.org import Organization
from app.models.people import ParentLink, Person
from app.models.study import ClassEnrollment, SchoolClass
from app.security.journal import scope as js
from app.security.printing import print_stamp
from app.security.scopes import current_scope
from app.services.journal import diary as diary_service
from app.services.pupils.files import declined_electronic_clause


def _staff_classes(scope) -> list[SchoolClass]:
    """Classes whose pupils' diaries the user opens as staff (class teacher or staff)."""
    return db.session.scalars(
        select(SchoolClass).where(js.diary_staff_class_clause(scope))
        .order_by(SchoolClass.organization_id, SchoolClass.year_id.desc(),
                  SchoolClass.parallel, SchoolClass.letter_ru).limit(500)).all()


def _class_pupils(class_id: int, day: dt.date, until: dt.date | None = None) -> list[dict]:
    """Pupils enrolled in the class on ``day`` (or on some day up to ``until``), with
    whether a parent declined electronic access (two queries)."""
    rows = db.session.execute(
        select(Person.id, Person.last_name, Person.first_name, Person.middle_name)
        .join(ClassEnrollment, ClassEnrollment.person_id == Person.id)
        .where(ClassEnrollment.class_id == class_id,
               ClassEnrollment.from_date <= (until or day),
               or_(ClassEnrollment.to_date.is_(None), ClassEnrollment.to_date >= day))
        .distinct().order_by(Person.last_name, Person.first_name, Person.id)).all()
    ids = [r[0] for r in rows]
    declined = set(db.session.scalars(
        select(ParentLink.student_id).where(ParentLink.student_id.in_(ids),
                                            declined_electronic_clause()))
    ) if ids else set()
    return [{"id": pid, "name": " ".join(x for x in (a, b, c) if x),
             "declined": pid in declined} for pid, a, b, c in rows]


class DiaryView(BaseView):
    route_base = "/diary"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """A pupil or parent goes straight to the (first) child's week; staff pick a class
        and a pupil."""
        scope = current_scope()
        own = js.readable_student_ids(scope)
        if own and not request.args.get("class_id"):
            names = diary_service.pupil_names(own)
            first = sorted(own, key=lambda i: (names.get(i, ""), i))[0]
            return redirect(url_for("DiaryView.week", student_id=first))
        classes = _staff_classes(scope)
        selected = None
        pupils: list[dict] = []
        class_id = request.args.get("class_id", type=int)
        if class_id:
            selected = next((c for c in classes if c.id == class_id), None)
            if selected is None:
                abort(404)
            pupils = _class_pupils(selected.id, clock.today())
        return self.render_template("journal/diary_index.html", classes=classes,
                                    selected=selected, pupils=pupils,
                                    title=gettext("Diary"))

    @expose("/<int:student_id>")
    @has_access
    def week(self, student_id: int):
        scope = current_scope()
        if not js.can_read_diary(student_id, scope):
            abort(404)
        today = clock.today()
        monday = diary_service.parse_week(request.args.get("week"), today)
        days = diary_service.diary_week(student_id, monday)
        own = js.readable_student_ids(scope)
        names = diary_service.pupil_names(own | {student_id})
        children = sorted(((i, names.get(i, "")) for i in own), key=lambda x: (x[1], x[0]))
        return self.render_template(
            "journal/diary_week.html", days=days, monday=monday,
            sunday=monday + dt.timedelta(days=6),
            prev_week=(monday - dt.timedelta(days=7)).isoformat(),
            next_week=(monday + dt.timedelta(days=7)).isoformat(),
            this_week=diary_service.week_start(today).isoformat(), today=today,
            student_id=student_id, student_name=names.get(student_id, ""),
            children=children if len(children) > 1 else [],
            staff=student_id not in own,
            format_date=format_date, title=gettext("Diary"))

    @expose("/summary/<int:student_id>")
    @has_access
    def summary(self, student_id: int):
        """The summary sheet of lessons, marks, lateness and absences for a date range."""
        scope = current_scope()
        if not js.can_open_diary_as_staff(student_id, scope):
            abort(404)
        start, end, error = _range_from_request()
        lessons = diary_service.pupil_lessons(student_id, start, end)
        totals = diary_service.summary_totals(lessons)
        info = db.session.execute(
            select(Person.last_name, Person.first_name, Person.middle_name,
                   SchoolClass, Organization.short_name)
            .select_from(ClassEnrollment)
            .join(Person, Person.id == ClassEnrollment.person_id)
            .join(SchoolClass, SchoolClass.id == ClassEnrollment.class_id)
            .join(Organization, Organization.id == ClassEnrollment.organization_id)
            .where(ClassEnrollment.person_id == student_id)
            .order_by(ClassEnrollment.from_date.desc()).limit(1)).first()
        name = " ".join(x for x in info[:3] if x) if info else ""
        org_name = info[4] if info else ""
        printing = request.args.get("format") == "print"
        return self.render_template(
            "journal/summary_sheet.html", lessons=lessons, totals=totals, start=start,
            end=end, error=error, student_id=student_id, student_name=name,
            school_class=info[3] if info else None, org={"short_name": org_name},
            printing=printing, stamp=print_stamp(org_name), format_date=format_date,
            title=gettext("Summary sheet of marks and attendance"))

    @expose("/summary/class/<int:class_id>")
    @has_access
    def class_summary(self, class_id: int):
        """The summary sheets of a class for a date range, one per page when printed: of
        the pupils whose parents declined electronic access (seed 002 §2.15), or of all
        pupils. Same readers as one pupil's sheet; a fixed number of queries."""
        school_class = db.session.scalars(
            select(SchoolClass).where(SchoolClass.id == class_id,
                                      js.diary_staff_class_clause(current_scope()))).first()
        if school_class is None:
            abort(404)
        start, end, error = _range_from_request()
        which = "all" if request.args.get("pupils") == "all" else "declined"
        pupils = [p for p in _class_pupils(class_id, start, end)
                  if which == "all" or p["declined"]]
        lessons = diary_service.pupils_lessons([p["id"] for p in pupils], start, end)
        sheets = [{"name": p["name"], "lessons": lessons[p["id"]],
                   "totals": diary_service.summary_totals(lessons[p["id"]])} for p in pupils]
        org_name = school_class.year.organization.short_name
        return self.render_template(
            "journal/summary_sheets.html", sheets=sheets, school_class=school_class,
            start=start, end=end, error=error, which=which,
            printing=request.args.get("format") == "print", stamp=print_stamp(org_name),
            org={"short_name": org_name}, format_date=format_date,
            title=gettext("Summary sheets of marks and attendance"))


def _range_from_request() -> tuple[dt.date, dt.date, str | None]:
    """The date range of a summary sheet (``from``, ``to``; the past school week by
    default), and the error naming the rule when it is refused."""
    today = clock.today()
    try:
        start, end = diary_service.parse_range(request.args.get("from"),
                                               request.args.get("to"), today)
    except ValueError:
        start, end = diary_service.parse_range(None, None, today)
        return start, end, gettext(
            "Date range: enter two dates, the first not after the second, at most %(days)d "
            "days apart.", days=diary_service.MAX_RANGE_DAYS)
    return start, end, None
