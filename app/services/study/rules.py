"""Pure rules of the study process with numbers in them (no database, no web).

Sources: seed 004 (Russian part, section 1: periods, working curriculum, graph of the study
process, pedagogical load) and its Appendix 1 (the extended pedagogical-load form).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


def ranges_overlap(a_start, a_end, b_start, b_end) -> bool:
    """Two closed ranges [a_start, a_end] and [b_start, b_end] share at least one point."""
    return a_start <= b_end and b_start <= a_end


def times_overlap(a_start: dt.time, a_end: dt.time, b_start: dt.time, b_end: dt.time) -> bool:
    """Two lessons overlap when one starts before the other ends (touching ends do not)."""
    return a_start < b_end and b_start < a_end


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weeks_of(starts_on: dt.date, ends_on: dt.date, lesson_days: int) -> list[tuple[dt.date, int]]:
    """The study weeks of a period: (Monday, number of lesson days of that week inside the
    period). A school works ``lesson_days`` days a week (5: Monday-Friday, 6: to Saturday);
    the first and last weeks of a period are usually partial."""
    out = []
    week = monday(starts_on)
    while week <= ends_on:
        days = sum(1 for i in range(lesson_days)
                   if starts_on <= week + dt.timedelta(days=i) <= ends_on)
        if days:
            out.append((week, days))
        week += dt.timedelta(days=7)
    return out


def _round(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def week_distribution(weekly_hours, weeks: list[tuple[dt.date, int]], lesson_days: int,
                      corrections: dict[dt.date, int] | None = None) -> list[tuple[dt.date, int]]:
    """Graph of the study process of one subject (seed 004 §1, figure 13): lessons per week.

    A full week gets ``weekly_hours`` lessons, a partial week its share (days / lesson days);
    fractional hours (1.5 a week) are spread by cumulative rounding half up, so the total is
    the rounded exact total and weeks alternate 1, 2, 1, 2. A per-week correction replaces
    the computed number of that week.
    """
    corrections = corrections or {}
    hours = Decimal(str(weekly_hours))
    out, exact, done = [], Decimal(0), 0
    for week, days in weeks:
        exact += hours * Decimal(days) / Decimal(lesson_days)
        n = _round(exact) - done
        done += n
        out.append((week, corrections.get(week, n)))
    return out


def study_weeks(weeks: list[tuple[dt.date, int]], lesson_days: int) -> Decimal:
    """Number of study weeks, partial weeks counted by their share of lesson days."""
    return sum((Decimal(d) / Decimal(lesson_days) for _, d in weeks), Decimal(0))


def weekly_load(yearly_hours: int, weeks: Decimal) -> Decimal:
    """Weekly load of the extended pedagogical-load report (seed 004 Appendix 1): the yearly
    hours divided by the study weeks of the year, to two decimals (68 h over 34.8 weeks give
    1.95)."""
    if not weeks:
        return Decimal("0.00")
    return (Decimal(yearly_hours) / weeks).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expand_topics(topics: list[tuple[int, int]]) -> list[int]:
    """Calendar-thematic plan: a topic of N hours takes N consecutive lessons. Given
    ``(topic_id, hours)`` in plan order, return one topic id per lesson."""
    out: list[int] = []
    for topic_id, hours in topics:
        out.extend([topic_id] * max(int(hours or 0), 0))
    return out


def lesson_dates(starts_on: dt.date, ends_on: dt.date, weekday: int, lesson_days: int,
                 holidays: set[dt.date] | None = None) -> list[dt.date]:
    """Dates of a weekly lesson (weekday 1 = Monday) within a period; a weekday beyond the
    school's lesson days gives no dates."""
    if weekday < 1 or weekday > lesson_days:
        return []
    holidays = holidays or set()
    first = starts_on + dt.timedelta(days=(weekday - 1 - starts_on.weekday()) % 7)
    out = []
    day = first
    while day <= ends_on:
        if day not in holidays:
            out.append(day)
        day += dt.timedelta(days=7)
    return out
