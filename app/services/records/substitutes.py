"""Lessons left without a teacher by an employee's absence (seed 004 section 2: a sick leave
"shows the lessons that will need a substitute")."""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models.staff import StaffEvent, StaffEventKind
from app.models.timetable import Lesson, LessonStatus

#: events during which the employee does not teach
ABSENCE_KINDS = (StaffEventKind.leave, StaffEventKind.time_off, StaffEventKind.sick_leave)


def lessons_needing_substitute(event: StaffEvent) -> list[Lesson]:
    """Dated lessons of the absent employee's school from the first to the last day of the
    absence (a recall has already shortened ``end_date``) that nobody else teaches yet: the
    employee's own lessons without a substitute, and lessons the employee was to take as a
    substitute. Cancelled lessons need nobody. Ordered by date and lesson number; one query.
    Other events (dismissal, delegation, recall) need no substitute here: an empty list."""
    if event.kind not in ABSENCE_KINDS or event.start_date is None:
        return []
    person_id = event.staff_file.person_id
    end = event.end_date or event.start_date
    return list(db.session.scalars(
        select(Lesson).where(
            Lesson.organization_id == event.staff_file.organization_id,
            Lesson.date >= event.start_date, Lesson.date <= end,
            Lesson.status != LessonStatus.cancelled,
            or_(and_(Lesson.teacher_id == person_id, Lesson.substitute_teacher_id.is_(None)),
                Lesson.substitute_teacher_id == person_id))
        .order_by(Lesson.date, Lesson.number)).unique())
