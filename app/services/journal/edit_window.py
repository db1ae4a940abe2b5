"""Mark edit window: how long after the lesson a teacher may still change a mark.

Source: 002_a7c7dc13548a3ce9.txt §2.14. The coordinator-administrator of the school
picks one of «Никогда», «Через неделю», «Через 2 недели», «Через 3 недели»,
«Через месяц». Closed periods and temporary access: 003_f6fbeccaf212fa4b.txt §15.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l

from app.services.errors import ValidationError


class EditWindow(StrEnum):
    """Organisation setting for editing marks after the lesson date (seed 002 §2.14)."""

    NEVER = "never"
    ONE_WEEK = "1w"
    TWO_WEEKS = "2w"
    THREE_WEEKS = "3w"
    ONE_MONTH = "1m"


_LENGTH: dict[EditWindow, timedelta | relativedelta] = {
    EditWindow.ONE_WEEK: timedelta(weeks=1),
    EditWindow.TWO_WEEKS: timedelta(weeks=2),
    EditWindow.THREE_WEEKS: timedelta(weeks=3),
    EditWindow.ONE_MONTH: relativedelta(months=1),
}


class EditWindowClosedError(ValidationError):
    """The edit window has passed; ``closed_on`` is the last day editing was allowed.

    The message carries ``closed_on`` as an ISO date; a view that wants a localised
    date formats ``closed_on`` itself (e.g. ``flask_babel.format_date``).
    """

    def __init__(self, closed_on: date) -> None:
        super().__init__(
            _l(
                "Marks of this lesson could be edited until %(date)s; the edit window "
                "has closed",
                date=closed_on.isoformat(),
            ),
            field="lesson_date",
            code="edit_window_closed",
        )
        self.closed_on = closed_on


def window_closes_on(lesson_date: date, window: EditWindow | str) -> date | None:
    """Last day on which a mark of ``lesson_date`` may be edited, or None for no limit.

    Rule (002_a7c7dc13548a3ce9.txt §2.14): "1w"/"2w"/"3w" allow editing "в течение
    недели / 2 недель / 3 недель после даты проведения урока", "1m" "в течение месяца".
    The last day is included: lesson date + 7 / 14 / 21 days, or the same day next
    month (31 January -> 28/29 February, dateutil clamps to the month end).
    "never" reads «Никогда» literally as *the window never closes*: the seed says the
    mark can be edited "в течение неограниченного периода времени, до истечения
    текущего учебного года" - so it returns None, and the year end is enforced by the
    caller through a closed period (``period_closed`` in :func:`check_can_edit`).
    Any other value: code ``edit_window_unknown``.
    """
    try:
        window = EditWindow(window)
    except ValueError:
        raise ValidationError(
            _l(
                "Unknown edit window %(window)s; use never, 1w, 2w, 3w or 1m",
                window=str(window),
            ),
            field="edit_window",
            code="edit_window_unknown",
        ) from None
    if window is EditWindow.NEVER:
        return None
    return lesson_date + _LENGTH[window]


def check_can_edit(
    lesson_date: date,
    today: date,
    window: EditWindow | str,
    period_closed: bool,
    grant_until: date | None = None,
) -> None:
    """Refuse editing a mark when the period is closed or the edit window has passed.

    Rules: a closed period refuses the edit (code ``period_closed``, field ``period``;
    003_f6fbeccaf212fa4b.txt §15 "закрытые для редактирования разделы"). Otherwise,
    after :func:`window_closes_on` the edit is refused with
    :class:`EditWindowClosedError` (code ``edit_window_closed``, ``closed_on`` set;
    002_a7c7dc13548a3ce9.txt §2.14). A temporary access grant still valid today
    (``grant_until >= today``, 003 §15 "временный доступ ... на установленный срок")
    lifts both refusals.
    """
    if grant_until is not None and grant_until >= today:
        return
    if period_closed:
        raise ValidationError(
            _l("The period is closed; marks can no longer be edited"),
            field="period",
            code="period_closed",
        )
    closes_on = window_closes_on(lesson_date, window)
    if closes_on is not None and today > closes_on:
        raise EditWindowClosedError(closes_on)
