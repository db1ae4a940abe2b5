"""The class journal pages: the section picker and the grid (a FAB BaseView, not a CRUD).

The grid's data comes from :func:`app.services.journal.grid.build_grid` (a fixed number of
queries) embedded as JSON; ``app/static/js/journal.js`` draws it and saves each cell through
``POST /api/v1/journal/cell``."""
from __future__ import annotations

from flask import abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app import clock
from app.i18n import current_locale
from app.models.journal import (
    ATTENDANCE_LABELS,
    MARK_CATEGORY_LABELS,
    WORK_TYPE_LABELS,
)
from app.security.scopes import current_scope
from app.services.journal.grid import build_grid, readable_sections


def js_strings() -> dict:
    """Every text journal.js shows, translated here (the script holds none)."""
    return {
        "saved": gettext("Saved"),
        "pending": gettext("Waiting to be sent"),
        "error": gettext("Not saved"),
        "conflict": gettext("Changed by someone else"),
        "offline": gettext("Offline: entries are kept on this device and sent when the "
                           "connection is back"),
        "online": gettext("Online"),
        "queue": gettext("Entries waiting to be sent: %(n)s", n="{n}"),
        "not_enrolled": gettext("The pupil was not in the class or group on this date"),
        "closed": gettext("Closed: the period grade is set"),
        "window_closed": gettext("The edit window closed on %(date)s", date="{date}"),
        "read_only": gettext("Read only"),
        "yours": gettext("Yours"),
        "server": gettext("On the server"),
        "keep_mine": gettext("Keep mine"),
        "take_server": gettext("Take the server's"),
        "fill_down": gettext("Fill down"),
        "fill_prompt": gettext("Value to put into every empty cell of this lesson "
                               "(a mark or н, у, б, о15):"),
        "filled": gettext("Cells filled: %(n)s", n="{n}"),
        "reason_prompt": gettext("This cell is closed; you have a temporary access grant. "
                                 "Why do you change it?"),
        "lesson_panel": gettext("Lesson"),
        "topic": gettext("Topic"),
        "suggested": gettext("Suggested from the plan"),
        "use_suggested": gettext("Use"),
        "homework": gettext("Homework"),
        "homework_due": gettext("Due date"),
        "homework_minutes": gettext("Time for homework, minutes"),
        "work_type": gettext("Work type"),
        "category": gettext("Category"),
        "max_score": gettext("Maximum score"),
        "save": gettext("Save"),
        "close": gettext("Close"),
        "pupil": gettext("Pupil"),
        "computed": gettext("Computed"),
        "final": gettext("Period grade"),
        "set_final": gettext("Set the period grade"),
        "final_prompt": gettext("Period grade (2-5, na, ex):"),
        "no_lessons": gettext("There are no lessons in this period yet."),
        "help": gettext("Type a mark (5, or 4 5 for several) or an attendance code: н/n "
                        "absent, у/e excused, б/i ill, о15/l15 late 15 minutes. Enter, Tab "
                        "and the arrows move; Delete clears the cell."),
        "grant_until": gettext("Temporary access until %(date)s", date="{date}"),
        "network_error": gettext("No connection"),
        "unreadable": gettext("%(text)s is not a mark or an attendance code (н, у, б, о15)",
                              text="{text}"),
        "attendance": {k.value: str(v) for k, v in ATTENDANCE_LABELS.items()},
        "att_short": {"absent": gettext("abs"), "excused": gettext("exc"),
                      "ill": gettext("ill"), "late": gettext("late")},
        "categories": {k.value: str(v) for k, v in MARK_CATEGORY_LABELS.items()},
        "work_types": {k.value: str(v) for k, v in WORK_TYPE_LABELS.items()},
        "locale": current_locale(),
    }


class JournalView(BaseView):
    route_base = "/journal"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        sections = readable_sections(current_scope())
        return self.render_template("journal/index.html", sections=sections,
                                    title=gettext("Class journal"))

    @expose("/grid/<int:class_id>/<int:subject_id>/<int:period_id>")
    @has_access
    def grid(self, class_id: int, subject_id: int, period_id: int):
        subgroup = request.args.get("subgroup", type=int)
        data = build_grid(class_id, subject_id, period_id, subgroup, current_scope(),
                          clock.today())
        if data is None:
            abort(404)
        title = gettext("Class journal: %(cls)s, %(subject)s, %(period)s",
                        cls=data["class"]["name"], subject=data["subject"]["name"],
                        period=data["period"]["name"])
        return self.render_template("journal/grid.html", data=data, strings=js_strings(),
                                    title=title)
