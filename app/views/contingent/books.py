"""The two books of the contingent (seed 004 fig. 21): the book of pupil movement and the
alphabetical book of pupils, on screen, as XLSX and for print."""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.i18n import format_date
from app.security.printing import print_stamp
from app.security.scopes import current_scope
from app.services.contingent import queries
from app.services.contingent import reports as rep
from app.views.base import xlsx_response
from app.views.contingent.common import date_arg, org_param


class ContingentBookView(BaseView):
    route_base = "/contingent"
    default_view = "book"

    def _report(self, template: str, org, **kw):
        printing = request.args.get("format") == "print"
        return self.render_template(template, org=org, printing=printing,
                                    schools=queries.staff_schools(current_scope()),
                                    stamp=print_stamp(org.short_name if org else None),
                                    cell=rep.cell, **kw)

    @expose("/book")
    @has_access
    def book(self):
        org = org_param()
        today = dt.date.today()
        start = date_arg("start", dt.date(today.year if today.month >= 9 else today.year - 1,
                                          9, 1))
        end = date_arg("end", today)
        inside = request.args.get("inside") == "1"
        lines = rep.movement_book(org.id, start, end, inside) if org is not None else []
        if org is not None and request.args.get("format") == "xlsx":
            return xlsx_response(rep.movement_book_xlsx(org.short_name, start, end, lines),
                                 f"movement-book-{org.id}")
        return self._report("contingent/book.html", org, start=start, end=end, inside=inside,
                            headers=rep.movement_book_headers(),
                            rows=rep.movement_book_rows(lines),
                            title=gettext("Book of pupil movement"),
                            period_text=f"{format_date(start)} - {format_date(end)}")

    @expose("/alphabetical")
    @has_access
    def alphabetical(self):
        org = org_param()
        lines = rep.alphabetical_book(org.id) if org is not None else []
        if org is not None and request.args.get("format") == "xlsx":
            return xlsx_response(rep.alphabetical_xlsx(org.short_name, lines),
                                 f"alphabetical-book-{org.id}")
        return self._report("contingent/book.html", org, headers=rep.alphabetical_headers(),
                            rows=rep.alphabetical_rows(lines),
                            title=gettext("Alphabetical book of pupils"), period_text="")
