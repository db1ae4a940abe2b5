"""The "journal change history" report: on screen (paginated) and as XLSX with the same
filters; rows scoped by ``security.journal.scope.section_read_clause`` (app/services/journal/history.py)."""
from __future__ import annotations

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.i18n import format_date, format_datetime
from app.services.journal import history as hist
from app.views.base import xlsx_response


class JournalHistoryView(BaseView):
    route_base = "/journalhistory"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        f = hist.HistoryFilter.from_args(request.args)
        if request.args.get("format") == "xlsx":
            return xlsx_response(hist.history_xlsx(f), "journal-history")
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        rows, total = hist.history_page(f, page)
        pages = max((total + hist.PAGE_SIZE - 1) // hist.PAGE_SIZE, 1)
        return self.render_template(
            "journal/history.html", rows=rows, total=total, page=page, pages=pages,
            flt=f, args=f.as_args(), choices=hist.filter_choices(),
            format_date=format_date, format_datetime=format_datetime,
            title=gettext("Journal change history"))
