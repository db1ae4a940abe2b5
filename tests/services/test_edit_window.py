"""Mark edit window (app/services/edit_window.py, seed 002 §2.14)."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.errors import ValidationError
from app.services.journal.edit_window import (
    EditWindow,
    EditWindowClosedError,
    check_can_edit,
    window_closes_on,
)

LESSON = date(2025, 3, 3)


@pytest.mark.parametrize(
    ("window", "last_day"),
    [
        (EditWindow.ONE_WEEK, date(2025, 3, 10)),
        (EditWindow.TWO_WEEKS, date(2025, 3, 17)),
        (EditWindow.THREE_WEEKS, date(2025, 3, 24)),
        (EditWindow.ONE_MONTH, date(2025, 4, 3)),
    ],
)
def test_window_boundaries(window: EditWindow, last_day: date) -> None:
    """Is editing allowed on the window's last day and refused the day after?"""
    assert window_closes_on(LESSON, window) == last_day
    check_can_edit(LESSON, LESSON, window, period_closed=False)
    check_can_edit(LESSON, last_day, window, period_closed=False)
    with pytest.raises(EditWindowClosedError) as info:
        check_can_edit(
            LESSON, date.fromordinal(last_day.toordinal() + 1), window, False
        )
    assert (info.value.code, info.value.field) == ("edit_window_closed", "lesson_date")
    assert info.value.closed_on == last_day


def test_window_accepts_plain_strings() -> None:
    """Are the stored setting strings ("1w", ...) accepted as well as the enum?"""
    assert window_closes_on(LESSON, "2w") == date(2025, 3, 17)


@pytest.mark.parametrize(
    ("lesson", "last_day"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2025, 3, 31), date(2025, 4, 30)),
        (date(2025, 12, 31), date(2026, 1, 31)),
        (date(2025, 2, 28), date(2025, 3, 28)),
    ],
)
def test_one_month_at_month_ends(lesson: date, last_day: date) -> None:
    """Does "1 month" from a month end clamp to the last day of the next month?"""
    assert window_closes_on(lesson, EditWindow.ONE_MONTH) == last_day


def test_never_means_no_limit() -> None:
    """Does "never" (seed: editable until the school year ends) leave the window open?"""
    assert window_closes_on(LESSON, EditWindow.NEVER) is None
    check_can_edit(LESSON, date(2025, 6, 30), EditWindow.NEVER, period_closed=False)


def test_closed_period_is_refused_even_within_window() -> None:
    """Is editing refused when the period is closed, even inside the window?"""
    with pytest.raises(ValidationError) as info:
        check_can_edit(LESSON, LESSON, EditWindow.NEVER, period_closed=True)
    assert (info.value.code, info.value.field) == ("period_closed", "period")


@pytest.mark.parametrize("period_closed", [False, True])
def test_valid_grant_lifts_refusals(period_closed: bool) -> None:
    """Does a grant valid until today or later lift the window and the closed period?"""
    late = date(2025, 5, 1)
    check_can_edit(LESSON, late, EditWindow.ONE_WEEK, period_closed, grant_until=late)
    check_can_edit(LESSON, late, "1w", period_closed, grant_until=date(2025, 5, 2))


def test_expired_grant_does_not_help() -> None:
    """Is an edit refused when the grant ended yesterday?"""
    with pytest.raises(EditWindowClosedError):
        check_can_edit(
            LESSON, date(2025, 5, 1), "1w", False, grant_until=date(2025, 4, 30)
        )
    with pytest.raises(ValidationError) as info:
        check_can_edit(
            LESSON, date(2025, 5, 1), "1w", True, grant_until=date(2025, 4, 30)
        )
    assert info.value.code == "period_closed"


def test_unknown_window_is_refused() -> None:
    """Is an unknown window setting refused with a stable code?"""
    with pytest.raises(ValidationError) as info:
        window_closes_on(LESSON, "2m")
    assert (info.value.code, info.value.field) == ("edit_window_unknown", "edit_window")
