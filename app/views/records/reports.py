"""Staff reports on screen, in print (with the print stamp) and as XLSX, and the printed
certificate of employment (seed 004 fig. 33)."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.i18n import format_date
from app.models.org import Organization, OrgKind
from app.models.staff import StaffFile
from app.security.printing import print_stamp
from app.security.records.scope import can_read_staff_file, staff_orgs_clause
from app.services.records.staff_reports import REPORTS
from app.services.xlsx import rows_to_xlsx
from app.views.base import xlsx_response


def report_orgs() -> list[Organization]:
    """Organisations whose staff reports the user may read."""
    return db.session.scalars(select(Organization).where(
        Organization.kind.not_in([OrgKind.ministry, OrgKind.region]),
        staff_orgs_clause(Organization.id)).order_by(Organization.short_name)).all()


def _cell(v):
    if isinstance(v, dt.date):
        return format_date(v)
    return "" if v is None else v


def _numeric_date(v):
    """DD.MM.YYYY: a date inside a sentence of a printed certificate."""
    if isinstance(v, dt.date):
        return v.strftime("%d.%m.%Y")
    return "" if v is None else v


def rows_xlsx_response(title: str, headers, rows) -> Response:
    return xlsx_response(rows_to_xlsx(title, headers, rows), title[:60])


class StaffReportsView(BaseView):
    route_base = "/staffreports"
    default_view = "report"

    @expose("/")
    @expose("/<name>")
    @has_access
    def report(self, name: str = "staff_list"):
        if name not in REPORTS:
            abort(404)
        orgs = report_orgs()
        org = None
        if request.args.get("org"):
            org = next((o for o in orgs if str(o.id) == request.args["org"]), None)
            if org is None:
                abort(404)
        elif orgs:
            org = orgs[0]
        try:
            year = int(request.args.get("year", dt.date.today().year))
        except ValueError:
            year = dt.date.today().year
        rep = REPORTS[name](org.id, year=year) if org else None
        fmt = request.args.get("format", "html")
        if fmt == "xlsx" and rep is not None:
            return rows_xlsx_response(rep.title, rep.headers, rep.rows)
        return self.render_template(
            "records/report.html", rep=rep, org=org, orgs=orgs, name=name, year=year,
            reports=REPORT_TITLES, cell=_cell, printing=fmt == "print",
            stamp=print_stamp(org.short_name if org else None))

    @expose("/certificate/<int:file_id>")
    @has_access
    def certificate(self, file_id: int):
        f = db.session.get(StaffFile, file_id)
        if f is None or not can_read_staff_file(f):
            abort(404)
        return self.render_template("records/certificate.html", f=f, cell=_numeric_date,
                                    today=dt.date.today(),
                                    stamp=print_stamp(f.organization.short_name))


def _titles():
    return {"staff_list": gettext("Staff list"), "staffing_table": gettext("Staffing table"),
            "personnel_book": gettext("Book of personnel"),
            "leave_schedule": gettext("Leave schedule")}


class _Titles:
    """Report titles translated when the page is rendered."""

    def items(self):
        return _titles().items()


REPORT_TITLES = _Titles()
