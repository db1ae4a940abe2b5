"""Bell schedules, the weekly timetable with conflict detection (write rules
``check_<row>(scope, item)``), and the commands on dated lessons: generation from the
timetable, substitutions and cancellations (the actor's scope first, the planning scope of
the school checked, one unit of work)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, insert, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.mixins import utcnow
from app.models.org import Organization
from app.models.study import SchoolClass, StudyPeriod, Subgroup
from app.models.timetable import BellSchedule, BellSlot, Lesson, LessonStatus, TimetableEntry
from app.security.scopes import UserScope, can_write_org
from app.services.errors import ConflictError, ScopeError, ValidationError, require
from app.services.study.plans import assign_topics, assign_topics_for
from app.services.study.rules import lesson_dates, times_overlap
from app.services.study.setup import (
    check_teacher,
    get_by_id,
    org_of,
    planner_first,
    related_id,
    require_planner,
    same_org,
    settings_of,
)
from app.services.unit_of_work import command


def check_schedule(scope: UserScope, s: BellSchedule) -> None:
    planner_first(scope, s)
    require(s.name, "name", _l("Name"))
    if s.shift not in (1, 2):
        raise ValidationError(_l("Shift: 1 or 2"), field="shift", code="shift")
    require_planner(scope, org_of(s))


def check_slot(scope: UserScope, slot: BellSlot) -> None:
    """Lesson N of a schedule: starts before it ends, does not overlap another lesson."""
    planner_first(scope, slot)
    schedule = slot.schedule or get_by_id(BellSchedule, slot.schedule_id)
    require(schedule, "schedule", _l("Bell schedule"))
    require(slot.number, "number", _l("Lesson number"))
    require(slot.starts_at, "starts_at", _l("Starts at"))
    require(slot.ends_at, "ends_at", _l("Ends at"))
    slot.organization_id = schedule.organization_id
    if not 0 <= slot.number <= 15:
        raise ValidationError(_l("Lesson number: from 0 to 15"), field="number",
                              code="slot_number")
    if slot.ends_at <= slot.starts_at:
        raise ValidationError(_l("The lesson must end after it starts"), field="ends_at",
                              code="slot_times")
    others = db.session.scalars(select(BellSlot).where(BellSlot.schedule_id == schedule.id)).all()
    for o in others:
        if o.id == slot.id:
            continue
        if o.number == slot.number:
            raise ConflictError(_l("Lesson %(n)s already exists in this schedule", n=o.number),
                                field="number", code="slot_duplicate")
        if times_overlap(slot.starts_at, slot.ends_at, o.starts_at, o.ends_at):
            raise ConflictError(_l("The lesson overlaps lesson %(n)s", n=o.number),
                                field="starts_at", code="slot_overlap")
    require_planner(scope, org_of(slot))


def _entry_conflicts(e: TimetableEntry, slot: BellSlot) -> None:
    """Refuse a weekly lesson when its teacher, room or class is already busy at that time
    of the weekday in the period. Two different subgroups of a class may study at the same
    time (that is what a split is for)."""
    other_slot = aliased(BellSlot)
    rows = db.session.execute(
        select(TimetableEntry, other_slot)
        .join(other_slot, other_slot.id == TimetableEntry.slot_id)
        .where(TimetableEntry.period_id == e.period_id, TimetableEntry.weekday == e.weekday,
               TimetableEntry.id != (e.id or 0),
               or_(TimetableEntry.teacher_id == e.teacher_id,
                   and_(TimetableEntry.room_id.is_not(None),
                        TimetableEntry.room_id == e.room_id),
                   TimetableEntry.class_id == e.class_id))
    ).all()
    for other, oslot in rows:
        if not times_overlap(slot.starts_at, slot.ends_at, oslot.starts_at, oslot.ends_at):
            continue
        at = f"{oslot.starts_at:%H:%M}-{oslot.ends_at:%H:%M}"
        if other.teacher_id == e.teacher_id:
            raise ConflictError(_l("The teacher is already busy at this time (%(at)s, "
                                   "class %(cls)s)", at=at, cls=other.school_class),
                                field="teacher", code="teacher_busy")
        if e.room_id is not None and other.room_id == e.room_id:
            raise ConflictError(_l("The room is already busy at this time (%(at)s, class "
                                   "%(cls)s)", at=at, cls=other.school_class),
                                field="room", code="room_busy")
        if other.class_id == e.class_id and not (
                e.subgroup_id and other.subgroup_id and e.subgroup_id != other.subgroup_id):
            raise ConflictError(_l("The class already has a lesson at this time (%(at)s, "
                                   "%(subject)s)", at=at, subject=other.subject),
                                field="school_class", code="class_busy")


def check_entry(scope: UserScope, e: TimetableEntry) -> None:
    """A weekly lesson: class, period, slot, subject, teacher and room of one school; a
    weekday within the school's lesson days; no teacher, room or class conflict."""
    planner_first(scope, e)
    cls = e.school_class or get_by_id(SchoolClass, e.class_id)
    require(cls, "school_class", _l("Class"))
    period = e.period or get_by_id(StudyPeriod, e.period_id)
    require(period, "period", _l("Period"))
    slot = e.slot or get_by_id(BellSlot, e.slot_id)
    require(slot, "slot", _l("Lesson (bell)"))
    require(e.subject or e.subject_id, "subject", _l("Subject"))
    require(related_id(e, "teacher"), "teacher", _l("Teacher"))
    e.organization_id = cls.organization_id
    e.class_id, e.period_id, e.slot_id = cls.id, period.id, slot.id
    e.subject_id = related_id(e, "subject")
    e.teacher_id = related_id(e, "teacher")
    e.room_id = related_id(e, "room")
    e.subgroup_id = related_id(e, "subgroup")
    same_org(cls.organization_id, (period, "period"), (slot, "slot"), (e.room, "room"),
             (e.subject, "subject"))
    if period.year_id != cls.year_id:
        raise ValidationError(_l("The period belongs to another academic year than the class"),
                              field="period", code="period_other_year")
    days = settings_of(cls.organization_id).lesson_days
    if e.weekday is None or not 1 <= int(e.weekday) <= days:
        raise ValidationError(_l("Weekday: from 1 (Monday) to %(n)s", n=days),
                              field="weekday", code="weekday_range")
    group = e.subgroup or get_by_id(Subgroup, e.subgroup_id)
    if group is not None and group.class_id != cls.id:
        raise ValidationError(_l("The subgroup belongs to another class"), field="subgroup",
                              code="subgroup_mismatch")
    check_teacher(cls.organization_id, e.teacher_id)
    _entry_conflicts(e, slot)
    require_planner(scope, org_of(e))


@command
def generate_lessons(scope: UserScope, period: StudyPeriod,
                     class_ids: list[int] | None = None,
                     holidays: set[dt.date] | None = None) -> int:
    """Create the dated lessons of a period from its weekly timetable.

    Idempotent: a lesson already generated for an entry and date is kept (with its status,
    substitution and topic). Queries do not grow with the number of classes or lessons: one
    for the entries, one for the lessons already there, one bulk insert (batched by the
    driver), then the plan topics (see ``app.services.study.plans.assign_topics``).
    Returns the number of new lessons.
    """
    require_planner(scope, period.organization_id, "period")
    lesson_days = settings_of(period.organization_id).lesson_days
    q = select(TimetableEntry.id, TimetableEntry.weekday, TimetableEntry.class_id,
               TimetableEntry.subgroup_id, TimetableEntry.subject_id, TimetableEntry.teacher_id,
               TimetableEntry.room_id, BellSlot.number, BellSlot.starts_at, BellSlot.ends_at
               ).join(BellSlot, BellSlot.id == TimetableEntry.slot_id
                      ).where(TimetableEntry.period_id == period.id)
    if class_ids:
        q = q.where(TimetableEntry.class_id.in_(class_ids))
    entries = db.session.execute(q).all()
    have_q = select(Lesson.entry_id, Lesson.date).where(Lesson.period_id == period.id,
                                                        Lesson.entry_id.is_not(None))
    if class_ids:
        have_q = have_q.where(Lesson.class_id.in_(class_ids))
    have = set(db.session.execute(have_q).all())
    now, user_id = utcnow(), _user_id()
    rows = []
    for (eid, weekday, class_id, subgroup_id, subject_id, teacher_id, room_id, number,
         starts_at, ends_at) in entries:
        for day in lesson_dates(period.starts_on, period.ends_on, weekday, lesson_days,
                                holidays):
            if (eid, day) in have:
                continue
            rows.append({
                "organization_id": period.organization_id, "period_id": period.id,
                "entry_id": eid, "date": day, "number": number, "starts_at": starts_at,
                "ends_at": ends_at, "class_id": class_id, "subgroup_id": subgroup_id,
                "subject_id": subject_id, "teacher_id": teacher_id, "room_id": room_id,
                "status": LessonStatus.planned, "created_at": now, "changed_at": now,
                "created_by_id": user_id, "changed_by_id": user_id})
    if rows:
        db.session.execute(insert(Lesson), rows)
    assign_topics(scope, period, class_ids)
    return len(rows)


@command
def generate_lessons_of(scope: UserScope, periods: list[StudyPeriod]) -> int:
    """Generate the lessons of several periods as one unit (all or none); the number of new
    lessons."""
    return sum(generate_lessons(scope, period) for period in periods)


def _user_id():
    from app.models.mixins import current_user_id

    return current_user_id()


def lesson_start(lesson: Lesson) -> dt.datetime:
    """The lesson's start as a naive UTC datetime (the school's time zone applied)."""
    org = db.session.get_one(Organization, lesson.organization_id)  # a non-null foreign key
    tz = ZoneInfo(org.timezone or "Asia/Almaty")
    local = dt.datetime.combine(lesson.date, lesson.starts_at, tzinfo=tz)
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def check_change_time(scope: UserScope, lesson: Lesson,
                      now: dt.datetime | None = None) -> None:
    """Substitutions and cancellations are recorded before the lesson starts; later only by
    an administrator of the school (the change is logged by the audit hook)."""
    now = now or utcnow()
    if now >= lesson_start(lesson) and not can_write_org(lesson.organization_id, scope):
        raise ScopeError(_l("The lesson has already started: only an administrator may "
                            "record a substitution or cancellation now"), field="lesson",
                         code="lesson_started")


def _teacher_busy(lesson: Lesson, teacher_id: int) -> Lesson | None:
    rows = db.session.scalars(select(Lesson).where(
        Lesson.date == lesson.date, Lesson.id != lesson.id,
        Lesson.status != LessonStatus.cancelled,
        or_(and_(Lesson.teacher_id == teacher_id, Lesson.substitute_teacher_id.is_(None)),
            Lesson.substitute_teacher_id == teacher_id))).all()
    for other in rows:
        if times_overlap(lesson.starts_at, lesson.ends_at, other.starts_at, other.ends_at):
            return other
    return None


@command
def substitute(scope: UserScope, lesson: Lesson, teacher_id: int | None, reason: str | None,
               now: dt.datetime | None = None) -> None:
    """Give a lesson to another teacher of the school who is free at that time."""
    require_planner(scope, lesson.organization_id, "lesson")
    teacher_id = require(teacher_id, "substitute_teacher", _l("Substitute teacher"))
    reason = require(reason, "reason", _l("Reason"))
    if lesson.status == LessonStatus.cancelled:
        raise ConflictError(_l("The lesson is cancelled"), field="lesson",
                            code="lesson_cancelled")
    if teacher_id == lesson.teacher_id:
        raise ValidationError(_l("The substitute must be another teacher"),
                              field="substitute_teacher", code="substitute_same")
    check_change_time(scope, lesson, now)
    check_teacher(lesson.organization_id, teacher_id, "substitute_teacher")
    busy = _teacher_busy(lesson, teacher_id)
    if busy is not None:
        raise ConflictError(_l("The substitute teacher is already busy at this time (%(cls)s, "
                               "%(subject)s)", cls=busy.school_class, subject=busy.subject),
                            field="substitute_teacher", code="teacher_busy")
    lesson.substitute_teacher_id = teacher_id
    lesson.status = LessonStatus.substituted
    lesson.reason = reason.strip()
    db.session.flush()


@command
def cancel(scope: UserScope, lesson: Lesson, reason: str | None,
           now: dt.datetime | None = None) -> None:
    """Cancel a lesson with a reason; the plan's topics shift forward to the next lessons."""
    require_planner(scope, lesson.organization_id, "lesson")
    reason = require(reason, "reason", _l("Reason"))
    if lesson.status == LessonStatus.cancelled:
        raise ConflictError(_l("The lesson is cancelled"), field="lesson",
                            code="lesson_cancelled")
    if lesson.status == LessonStatus.held:
        raise ConflictError(_l("The lesson has been held and cannot be cancelled"),
                            field="lesson", code="lesson_held")
    check_change_time(scope, lesson, now)
    lesson.status = LessonStatus.cancelled
    lesson.substitute_teacher_id = None
    lesson.reason = reason.strip()
    db.session.flush()
    assign_topics_for(scope, lesson.period_id, lesson.class_id, lesson.subject_id,
                      lesson.subgroup_id)
