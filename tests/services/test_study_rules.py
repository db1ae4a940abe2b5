"""Pure study-process rules on plain values."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.services.study.rules import (
    expand_topics,
    lesson_dates,
    study_weeks,
    times_overlap,
    week_distribution,
    weekly_load,
    weeks_of,
)


def test_weeks_of_partial_first_week():
    """Does a period starting on a Tuesday count four lesson days in its first week?"""
    weeks = weeks_of(dt.date(2026, 9, 1), dt.date(2026, 9, 14), 5)
    assert weeks == [(dt.date(2026, 8, 31), 4), (dt.date(2026, 9, 7), 5),
                     (dt.date(2026, 9, 14), 1)]
    assert weeks_of(dt.date(2026, 9, 1), dt.date(2026, 9, 6), 6)[0][1] == 5


def test_week_distribution_fractional_hours():
    """Are 1.5 weekly hours spread as alternating 1 and 2 lessons, with the right total?"""
    weeks = [(dt.date(2026, 9, 7) + dt.timedelta(weeks=i), 5) for i in range(4)]
    dist = [n for _, n in week_distribution(Decimal("1.5"), weeks, 5)]
    assert dist == [2, 1, 2, 1]
    assert sum(dist) == 6


def test_week_distribution_correction_and_partial_week():
    """Does a partial week get its share and a correction replace a week's number?"""
    weeks = [(dt.date(2026, 8, 31), 4), (dt.date(2026, 9, 7), 5)]
    assert [n for _, n in week_distribution(5, weeks, 5)] == [4, 5]
    assert [n for _, n in week_distribution(5, weeks, 5, {dt.date(2026, 9, 7): 3})] == [4, 3]


def test_weekly_load_two_decimals():
    """Does the weekly load divide the yearly hours by study weeks, to two decimals?"""
    assert weekly_load(68, Decimal("34.8")) == Decimal("1.95")
    assert weekly_load(10, Decimal(0)) == Decimal("0.00")
    assert study_weeks([(dt.date(2026, 8, 31), 4), (dt.date(2026, 9, 7), 5)], 5) == \
        Decimal("1.8")


def test_lesson_dates_and_days():
    """Are a weekly lesson's dates every week in the period, and none on a day off?"""
    days = lesson_dates(dt.date(2026, 9, 1), dt.date(2026, 9, 30), 1, 5)
    assert days == [dt.date(2026, 9, 7), dt.date(2026, 9, 14), dt.date(2026, 9, 21),
                    dt.date(2026, 9, 28)]
    assert lesson_dates(dt.date(2026, 9, 1), dt.date(2026, 9, 30), 6, 5) == []
    assert len(lesson_dates(dt.date(2026, 9, 1), dt.date(2026, 9, 30), 6, 6)) == 4
    assert dt.date(2026, 9, 14) not in lesson_dates(
        dt.date(2026, 9, 1), dt.date(2026, 9, 30), 1, 5, {dt.date(2026, 9, 14)})


def test_times_overlap_and_topics():
    """Do touching lessons not overlap, and does a 2-hour topic take two lessons?"""
    t = dt.time
    assert not times_overlap(t(8), t(8, 45), t(8, 45), t(9, 30))
    assert times_overlap(t(8), t(8, 45), t(8, 30), t(9, 15))
    assert expand_topics([(1, 2), (2, 1), (3, 0)]) == [1, 1, 2]
