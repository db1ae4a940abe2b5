"""The lesson panel of the class journal (issue 4): topic (free or from the calendar-thematic
plan), homework with its due date and time, and the work type, category and maximum score
the lesson's marks follow. Only the lesson's acting teacher fills it in
(``not_lesson_teacher``); versions guard against a silent overwrite."""
from __future__ import annotations

import datetime as dt
from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import lazyload

from app.extensions import db
from app.models.journal import SCORED_CATEGORIES, JournalCell, LessonRecord, Mark
from app.models.timetable import Lesson, LessonPlan, PlanTopic
from app.security.journal import scope as journal_scope
from app.security.scopes import UserScope
from app.services.errors import ConflictError, ScopeError, ValidationError
from app.services.journal.entry import (
    UNSET,
    check_category,
    check_max_score,
    check_work_type,
    default_category,
    enum_value,
    settings_of,
)
from app.services.journal.settings import EffectiveSettings
from app.services.unit_of_work import command


def suggest_topic(lesson: Lesson) -> PlanTopic | None:
    """The next topic of the class's calendar-thematic plan not yet given to a lesson of the
    class, subject and period (a plan of the class first, else of its parallel). 2 queries."""
    from app.models.study import SchoolClass

    parallel = select(SchoolClass.parallel).where(SchoolClass.id == lesson.class_id)
    plan_id = db.session.scalars(
        select(LessonPlan.id).where(
            LessonPlan.organization_id == lesson.organization_id,
            LessonPlan.subject_id == lesson.subject_id,
            LessonPlan.period_id == lesson.period_id,
            or_(LessonPlan.class_id == lesson.class_id,
                and_(LessonPlan.class_id.is_(None),
                     LessonPlan.parallel == parallel.scalar_subquery())))
        .order_by(LessonPlan.class_id.is_(None), LessonPlan.id).limit(1)).first()
    if plan_id is None:
        return None
    used = select(Lesson.plan_topic_id).where(
        Lesson.class_id == lesson.class_id, Lesson.subject_id == lesson.subject_id,
        Lesson.period_id == lesson.period_id, Lesson.plan_topic_id.is_not(None),
        Lesson.id != lesson.id)
    return db.session.scalars(
        select(PlanTopic).where(PlanTopic.plan_id == plan_id, PlanTopic.id.not_in(used))
        .order_by(PlanTopic.position, PlanTopic.id).limit(1)).first()


def lesson_panel(lesson: Lesson) -> dict:
    record = db.session.scalars(
        select(LessonRecord).where(LessonRecord.lesson_id == lesson.id)
        .options(lazyload("*"))).first()
    return panel_dict(lesson, record)


def panel_dict(lesson: Lesson, record: LessonRecord | None) -> dict:
    return {
        "lesson_id": lesson.id, "date": lesson.date.isoformat(), "number": lesson.number,
        "topic": lesson.topic, "plan_topic_id": lesson.plan_topic_id,
        "homework": record.homework if record else None,
        "homework_due": record.homework_due.isoformat() if record and record.homework_due
        else None,
        "homework_minutes": record.homework_minutes if record else None,
        "work_type": enum_value(record.work_type) if record and record.work_type else None,
        "category": enum_value(record.category) if record and record.category else None,
        "max_score": record.max_score if record else None,
        "version": record.version if record else 0,
    }


def _parse_date(value, fieldname: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_l("Not a valid date"), field=fieldname,
                              code="date_format") from None


@command
def save_lesson_panel(scope: UserScope, lesson: Lesson, *, topic=UNSET, plan_topic_id=UNSET,
                      homework=UNSET, homework_due=UNSET, homework_minutes=UNSET,
                      work_type=UNSET, category=UNSET, max_score=UNSET,
                      base_version: int | None) -> dict:
    """Save the lesson panel (topic, homework, work type, category, max score) as one unit
    of work. Only the acting teacher (``not_lesson_teacher``); a changed category, work
    type or max score also applies to the lesson's marks, which must fit it
    (``marks_do_not_fit``); version mismatch -> :class:`ConflictError`."""
    if not journal_scope.can_write_marks(lesson, scope):
        raise ScopeError(_l("Only the teacher of this lesson may fill in its panel"),
                         field="lesson", code="not_lesson_teacher")
    settings = settings_of(lesson.organization_id)
    record = db.session.scalars(
        select(LessonRecord).where(LessonRecord.lesson_id == lesson.id)
        .options(lazyload("*"))).first()
    current = record.version if record else 0
    if base_version is None or base_version != current:
        raise ConflictError(_l("Someone else changed this lesson; reload it"),
                            field="base_version", code="version_conflict")
    if record is None:
        record = LessonRecord(organization_id=lesson.organization_id,
                              lesson_id=lesson.id, version=0,
                              category=default_category(settings.grading_policy))
        db.session.add(record)
    if topic is not UNSET:
        lesson.topic = (topic or "").strip()[:500] or None
    if plan_topic_id is not UNSET:
        _set_plan_topic(lesson, plan_topic_id)
    _panel_homework(lesson, record, homework, homework_due, homework_minutes)
    marks_change = _panel_marking(record, settings, work_type, category, max_score)
    if marks_change:
        _apply_to_marks(lesson, record)
    record.version = current + 1
    return panel_dict(lesson, record)


def _panel_homework(lesson: Lesson, record: LessonRecord, homework, homework_due,
                    homework_minutes) -> None:
    if homework is not UNSET:
        record.homework = (homework or "").strip() or None
    if homework_due is not UNSET:
        due = _parse_date(homework_due, "homework_due")
        if due is not None and due < lesson.date:
            raise ValidationError(_l("Homework cannot be due before the lesson"),
                                  field="homework_due", code="homework_due_before_lesson")
        record.homework_due = due
    if homework_minutes is not UNSET:
        minutes = None
        if homework_minutes not in (None, ""):
            try:
                minutes = int(homework_minutes)
            except (TypeError, ValueError):
                minutes = -1
            if not 0 <= minutes <= 600:
                raise ValidationError(_l("Homework time must be from 0 to 600 minutes"),
                                      field="homework_minutes", code="homework_minutes_range")
        record.homework_minutes = minutes


def _panel_marking(record: LessonRecord, settings: EffectiveSettings, work_type, category,
                   max_score) -> bool:
    """Set the work type, category and max score; True when the marks must follow."""
    before = (record.work_type, record.category, record.max_score)
    if work_type is not UNSET:
        record.work_type = check_work_type(work_type)
    if category is not UNSET and category not in (None, ""):
        record.category = check_category(category, settings)
    if max_score is not UNSET:
        record.max_score = None if max_score in (None, "") else check_max_score(
            int(max_score) if str(max_score).isdigit() else max_score)
    if record.category in SCORED_CATEGORIES and record.max_score is None:
        raise ValidationError(_l("A summative work needs its maximum score"),
                              field="max_score", code="max_score_missing")
    if record.category not in SCORED_CATEGORIES:
        record.max_score = None
    return before != (record.work_type, record.category, record.max_score)


def _set_plan_topic(lesson: Lesson, plan_topic_id) -> None:
    if plan_topic_id in (None, ""):
        lesson.plan_topic_id = None
        return
    topic = db.session.get(PlanTopic, int(plan_topic_id))
    plan = topic.plan if topic is not None else None
    if topic is None or plan is None or plan.organization_id != lesson.organization_id \
            or plan.subject_id != lesson.subject_id or plan.period_id != lesson.period_id:
        raise ValidationError(_l("This topic is not in a plan of the lesson's subject and "
                                 "period"), field="plan_topic_id", code="plan_topic_foreign")
    lesson.plan_topic_id = topic.id
    if not lesson.topic:
        lesson.topic = topic.title


def _apply_to_marks(lesson: Lesson, record: LessonRecord) -> None:
    """The lesson's marks follow the panel's category / work type / max score."""
    low, high, count = db.session.execute(
        select(func.min(Mark.value), func.max(Mark.value), func.count(Mark.id))
        .where(Mark.lesson_id == lesson.id)).one()
    if not count:
        return
    scored = record.category in SCORED_CATEGORIES
    # _panel_marking refused a summative category without its maximum score
    fits = (high <= cast(int, record.max_score)) if scored else (low >= 2 and high <= 5)
    if not fits:
        raise ValidationError(
            _l("The marks already given in this lesson do not fit this category or maximum "
               "score; change them first"), field="category", code="marks_do_not_fit")
    db.session.execute(update(Mark).where(Mark.lesson_id == lesson.id).values(
        category=record.category, work_type=record.work_type,
        max_score=record.max_score if scored else None)
        .execution_options(synchronize_session=False))
    # the cells changed: bump their versions so open grids see a conflict, not a silent edit
    db.session.execute(update(JournalCell).where(
        JournalCell.lesson_id == lesson.id,
        JournalCell.id.in_(select(Mark.cell_id).where(Mark.lesson_id == lesson.id)))
        .values(version=JournalCell.version + 1).execution_options(synchronize_session=False))
