"""A pupil's diary (seed 002 §2, seed 003 §39-§42) and the summary sheet for parents who
declined electronic access (seed 002 §2.15).

:func:`pupil_lessons` reads, for ONE pupil and a date range, the lessons of the pupil's
class (and of the subgroups the pupil belongs to) on the days the pupil was enrolled,
with substitutions, topic and homework, and the pupil's own marks, attendance and remark.
It never reads another pupil's cell or mark. Five queries whatever the range: the pupil's
enrolments, subgroup memberships, the lessons with their panels, the cells, the marks.

Who may call it for which pupil is decided by ``app.security.journal.scope``
(:func:`~app.security.journal.scope.can_read_diary`), not here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.journal import (
    ATTENDANCE_LABELS,
    MARK_CATEGORY_LABELS,
    WORK_TYPE_LABELS,
    Attendance,
    JournalCell,
    LessonRecord,
    Mark,
)
from app.models.people import Person
from app.models.study import ClassEnrollment, Subgroup, SubgroupMember, Subject
from app.models.timetable import LESSON_STATUS_LABELS, Lesson, LessonStatus

#: the longest range a summary sheet covers (one school year and a bit)
MAX_RANGE_DAYS = 400


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def parse_week(value: str | None, today: dt.date) -> dt.date:
    """``?week=YYYY-MM-DD`` (any day of the week) -> its Monday; today's week when empty
    or not a date."""
    try:
        day = dt.date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    return week_start(day)


def _name(last, first, middle=None) -> str:
    return " ".join(p for p in (last, first, middle) if p)


@dataclass
class DiaryMark:
    value: int
    max_score: int | None
    category: str
    category_label: str
    work_type: str | None
    work_type_label: str | None

    @property
    def text(self) -> str:
        return f"{self.value}/{self.max_score}" if self.max_score else str(self.value)


@dataclass
class DiaryLesson:
    id: int
    date: dt.date
    number: int
    starts_at: dt.time
    ends_at: dt.time
    subject: str
    subgroup: str | None
    teacher: str
    substitute: str | None
    status: str
    status_label: str
    reason: str | None
    topic: str | None
    homework: str | None = None
    homework_due: dt.date | None = None
    homework_minutes: int | None = None
    attendance: str | None = None
    attendance_label: str | None = None
    late_minutes: int | None = None
    remark: str | None = None
    marks: list[DiaryMark] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return self.status == LessonStatus.cancelled.value

    def as_json(self) -> dict:
        return {
            "id": self.id, "date": self.date.isoformat(), "number": self.number,
            "starts_at": self.starts_at.strftime("%H:%M"),
            "ends_at": self.ends_at.strftime("%H:%M"), "subject": self.subject,
            "subgroup": self.subgroup, "teacher": self.teacher,
            "substitute_teacher": self.substitute, "status": self.status,
            "reason": self.reason, "topic": self.topic, "homework": self.homework,
            "homework_due": self.homework_due.isoformat() if self.homework_due else None,
            "homework_minutes": self.homework_minutes, "attendance": self.attendance,
            "late_minutes": self.late_minutes, "remark": self.remark,
            "marks": [{"value": m.value, "max_score": m.max_score, "category": m.category,
                       "work_type": m.work_type} for m in self.marks],
        }


def _enrolled(ranges, day: dt.date) -> bool:
    return any(a <= day and (b is None or day <= b) for a, b in ranges)


def _ranges(student_id: int, start: dt.date, end: dt.date) -> tuple[dict, dict]:
    """The pupil's class and subgroup memberships overlapping the range (two queries)."""
    ranges = _all_ranges([student_id], start, end)
    return ranges.get(student_id, ({}, {}))


def _all_ranges(student_ids: list[int], start: dt.date, end: dt.date
                ) -> dict[int, tuple[dict, dict]]:
    """Per pupil, the class and subgroup memberships overlapping the range (two queries)."""
    enrol = db.session.execute(
        select(ClassEnrollment.person_id, ClassEnrollment.class_id, ClassEnrollment.from_date,
               ClassEnrollment.to_date)
        .where(ClassEnrollment.person_id.in_(student_ids), ClassEnrollment.from_date <= end,
               or_(ClassEnrollment.to_date.is_(None), ClassEnrollment.to_date >= start))
    ).all()
    groups = db.session.execute(
        select(SubgroupMember.person_id, SubgroupMember.subgroup_id, SubgroupMember.from_date,
               SubgroupMember.to_date)
        .where(SubgroupMember.person_id.in_(student_ids), SubgroupMember.from_date <= end,
               or_(SubgroupMember.to_date.is_(None), SubgroupMember.to_date >= start))
    ).all() if enrol else []
    out: dict[int, tuple[dict, dict]] = {}
    for sid, class_id, a, b in enrol:
        out.setdefault(sid, ({}, {}))[0].setdefault(class_id, []).append((a, b))
    for sid, group_id, a, b in groups:
        if sid in out:
            out[sid][1].setdefault(group_id, []).append((a, b))
    return out


def _lesson_rows(class_ids, group_ids, start: dt.date, end: dt.date):
    """The lessons of the classes (whole-class lessons and those of the subgroups) from
    ``start`` to ``end``, with the lesson panel (one query)."""
    teacher, substitute = aliased(Person), aliased(Person)
    in_group: ColumnElement[bool] = Lesson.subgroup_id.is_(None)
    if group_ids:
        in_group = or_(in_group, Lesson.subgroup_id.in_(sorted(group_ids)))
    return db.session.execute(
        select(Lesson.id, Lesson.class_id, Lesson.subgroup_id, Lesson.date, Lesson.number,
               Lesson.starts_at, Lesson.ends_at, Subject.name, Subgroup.name,
               teacher.last_name, teacher.first_name, teacher.middle_name,
               substitute.last_name, substitute.first_name, substitute.middle_name,
               Lesson.status, Lesson.reason, Lesson.topic, LessonRecord.homework,
               LessonRecord.homework_due, LessonRecord.homework_minutes)
        .join(Subject, Subject.id == Lesson.subject_id)
        .join(teacher, teacher.id == Lesson.teacher_id)
        .outerjoin(substitute, substitute.id == Lesson.substitute_teacher_id)
        .outerjoin(Subgroup, Subgroup.id == Lesson.subgroup_id)
        .outerjoin(LessonRecord, LessonRecord.lesson_id == Lesson.id)
        .where(Lesson.class_id.in_(sorted(class_ids)), Lesson.date >= start,
               Lesson.date <= end, in_group)
        .order_by(Lesson.date, Lesson.number, Lesson.starts_at, Lesson.id)
    ).all()


def _lessons_of(rows, class_ranges: dict, group_ranges: dict) -> dict[int, DiaryLesson]:
    """The pupil's lessons among ``rows``: those on the days of their memberships."""
    lessons: dict[int, DiaryLesson] = {}
    for (lid, class_id, group_id, day, number, a, b, subject, group, tl, tf, tm, sl, sf, sm,
         status, reason, topic, hw, hw_due, hw_min) in rows:
        if class_id not in class_ranges or not _enrolled(class_ranges[class_id], day):
            continue
        if group_id is not None and not _enrolled(group_ranges.get(group_id, []), day):
            continue
        status = LessonStatus(status)
        lessons[lid] = DiaryLesson(
            id=lid, date=day, number=number, starts_at=a, ends_at=b, subject=subject,
            subgroup=group, teacher=_name(tl, tf, tm),
            substitute=_name(sl, sf, sm) if sl else None, status=status.value,
            status_label=str(LESSON_STATUS_LABELS[status]), reason=reason, topic=topic,
            homework=hw, homework_due=hw_due, homework_minutes=hw_min)
    return lessons


def _attach_records(lessons: dict[int, dict[int, DiaryLesson]], start: dt.date,
                    end: dt.date) -> None:
    """The pupils' own cells (attendance, remark) and marks (two queries); ``lessons`` per
    pupil id, then per lesson id."""
    ids = sorted(lessons)
    cells = db.session.execute(
        select(JournalCell.student_id, JournalCell.lesson_id, JournalCell.attendance,
               JournalCell.late_minutes, JournalCell.remark)
        .join(Lesson, and_(Lesson.id == JournalCell.lesson_id, Lesson.date >= start,
                           Lesson.date <= end))
        .where(JournalCell.student_id.in_(ids))
    ).all()
    for sid, lid, att, late, remark in cells:
        item = lessons[sid].get(lid)
        if item is None:
            continue
        if att is not None:
            att = Attendance(att)
            item.attendance, item.attendance_label = att.value, str(ATTENDANCE_LABELS[att])
        item.late_minutes, item.remark = late, remark
    marks = db.session.execute(
        select(Mark.student_id, Mark.lesson_id, Mark.value, Mark.max_score, Mark.category,
               Mark.work_type)
        .join(Lesson, and_(Lesson.id == Mark.lesson_id, Lesson.date >= start,
                           Lesson.date <= end))
        .where(Mark.student_id.in_(ids)).order_by(Mark.lesson_id, Mark.position, Mark.id)
    ).all()
    for sid, lid, value, max_score, category, work_type in marks:
        item = lessons[sid].get(lid)
        if item is None:
            continue
        item.marks.append(DiaryMark(
            value=value, max_score=max_score, category=category.value,
            category_label=str(MARK_CATEGORY_LABELS[category]),
            work_type=work_type.value if work_type else None,
            work_type_label=str(WORK_TYPE_LABELS[work_type]) if work_type else None))


def pupil_lessons(student_id: int, start: dt.date, end: dt.date) -> list[DiaryLesson]:
    """The pupil's lessons from ``start`` to ``end`` (inclusive) with their own records,
    ordered by date and lesson number. At most five queries."""
    return pupils_lessons([student_id], start, end).get(student_id, [])


def pupils_lessons(student_ids, start: dt.date, end: dt.date) -> dict[int, list[DiaryLesson]]:
    """:func:`pupil_lessons` of several pupils (a class's summary sheets) in the same five
    queries whatever their number: per pupil id, their lessons with their own records."""
    ids = sorted(set(student_ids))
    ranges = _all_ranges(ids, start, end) if ids else {}
    if not ranges:
        return {sid: [] for sid in ids}
    class_ids = {c for cr, _ in ranges.values() for c in cr}
    group_ids = {g for _, gr in ranges.values() for g in gr}
    rows = _lesson_rows(class_ids, group_ids, start, end)
    lessons = {sid: _lessons_of(rows, *ranges[sid]) for sid in ranges}
    with_lessons = {sid: items for sid, items in lessons.items() if items}
    if with_lessons:
        _attach_records(with_lessons, start, end)
    return {sid: list(lessons.get(sid, {}).values()) for sid in ids}


@dataclass
class DueHomework:
    """Homework given at an earlier lesson and due on a day of the week (seed 002 §2.9:
    teachers may post homework in advance)."""

    subject: str
    homework: str
    given_on: dt.date
    minutes: int | None

    def as_json(self) -> dict:
        return {"subject": self.subject, "homework": self.homework,
                "given_on": self.given_on.isoformat(), "minutes": self.minutes}


@dataclass
class DiaryDay:
    date: dt.date
    lessons: list[DiaryLesson] = field(default_factory=list)
    due: list[DueHomework] = field(default_factory=list)


def _due_homework(class_ranges: dict, group_ranges: dict, start: dt.date, end: dt.date
                  ) -> list[tuple[dt.date, DueHomework]]:
    """Homework due from ``start`` to ``end`` that was given at an earlier lesson of the
    pupil's classes and subgroups while the pupil was a member (one query)."""
    in_group: ColumnElement[bool] = Lesson.subgroup_id.is_(None)
    if group_ranges:
        in_group = or_(in_group, Lesson.subgroup_id.in_(sorted(group_ranges)))
    rows = db.session.execute(
        select(LessonRecord.homework_due, Subject.name, LessonRecord.homework, Lesson.date,
               LessonRecord.homework_minutes, Lesson.class_id, Lesson.subgroup_id)
        .join(Lesson, Lesson.id == LessonRecord.lesson_id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(LessonRecord.homework_due >= start, LessonRecord.homework_due <= end,
               LessonRecord.homework.is_not(None), Lesson.date < LessonRecord.homework_due,
               Lesson.class_id.in_(sorted(class_ranges)), in_group,
               Lesson.status != LessonStatus.cancelled)
        .order_by(LessonRecord.homework_due, Lesson.date, Lesson.number)).all()
    out = []
    for due, subject, text, given, minutes, class_id, group_id in rows:
        if not _enrolled(class_ranges[class_id], given):
            continue
        if group_id is not None and not _enrolled(group_ranges.get(group_id, []), given):
            continue
        # the query keeps homework_due >= start and homework IS NOT NULL: neither is None
        out.append((cast(dt.date, due),
                    DueHomework(subject, cast(str, text), given, minutes)))
    return out


def diary_week(student_id: int, monday: dt.date, days: int = 6) -> list[DiaryDay]:
    """The week from ``monday``: Monday..Saturday (Sunday too when it has lessons), each
    day with the pupil's lessons and the homework due that day. Six queries at most."""
    sunday = monday + dt.timedelta(days=6)
    by_day = {monday + dt.timedelta(days=i): DiaryDay(monday + dt.timedelta(days=i))
              for i in range(days)}
    class_ranges, group_ranges = _ranges(student_id, monday, sunday)
    if not class_ranges:
        return list(by_day.values())
    lessons = _lessons_of(_lesson_rows(class_ranges, group_ranges, monday, sunday),
                          class_ranges, group_ranges)
    if lessons:
        _attach_records({student_id: lessons}, monday, sunday)
    for item in lessons.values():
        by_day.setdefault(item.date, DiaryDay(item.date)).lessons.append(item)
    for due, hw in _due_homework(class_ranges, group_ranges, monday, sunday):
        by_day.setdefault(due, DiaryDay(due)).due.append(hw)
    return [by_day[d] for d in sorted(by_day)]


@dataclass
class SummaryTotals:
    """Totals of the summary sheet: lessons held (not cancelled), lessons missed, of them
    for a valid reason and for illness, times late and minutes late."""

    lessons: int = 0
    missed: int = 0
    excused: int = 0
    ill: int = 0
    late: int = 0
    late_minutes: int = 0
    marks: int = 0


def summary_totals(lessons: list[DiaryLesson]) -> SummaryTotals:
    """Count the sheet's totals from the pupil's lessons (pure). A cancelled lesson is not
    counted; "missed" counts absent, absent for a valid reason and ill."""
    t = SummaryTotals()
    for item in lessons:
        if item.cancelled:
            continue
        t.lessons += 1
        t.marks += len(item.marks)
        if item.attendance in (Attendance.absent.value, Attendance.excused.value,
                               Attendance.ill.value):
            t.missed += 1
            t.excused += item.attendance == Attendance.excused.value
            t.ill += item.attendance == Attendance.ill.value
        elif item.attendance == Attendance.late.value:
            t.late += 1
            t.late_minutes += item.late_minutes or 0
    return t


def parse_range(start: str | None, end: str | None, today: dt.date
                ) -> tuple[dt.date, dt.date]:
    """The sheet's date range from ``?from=&to=``. Default: the past school week, Monday to
    Sunday before ``today``'s week (seed 002 §2.15 recommends a sheet for the past week;
    teachers may choose any range). One date given: the week starting or ending on it.
    Raises ValueError on a bad date, a reversed range or one over ``MAX_RANGE_DAYS``."""
    if not start and not end:
        monday = week_start(today) - dt.timedelta(days=7)
        return monday, monday + dt.timedelta(days=6)
    to = dt.date.fromisoformat(end) if end else None
    frm = dt.date.fromisoformat(start) if start else None
    if frm is None:
        frm = cast(dt.date, to) - dt.timedelta(days=6)  # both empty returned above
    if to is None:
        to = frm + dt.timedelta(days=6)
    if frm > to or (to - frm).days > MAX_RANGE_DAYS:
        raise ValueError("range")
    return frm, to


def pupil_names(student_ids) -> dict[int, str]:
    """``{id: full name}`` for a few pupils (one query)."""
    if not student_ids:
        return {}
    rows = db.session.execute(
        select(Person.id, Person.last_name, Person.first_name, Person.middle_name)
        .where(Person.id.in_(sorted(student_ids)))).all()
    return {pid: _name(a, b, c) for pid, a, b, c in rows}
