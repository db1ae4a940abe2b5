"""The working curriculum: subjects of a class per period with weekly hours, subgroup
teachers of a split subject, per-week corrections of the graph of the study process (write
rules ``check_<row>(scope, item)``), and the copy of a class's curriculum to a parallel
class (a command; seed 004 §1, fig. 9-13)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models.study import (
    SPLIT_SIZES,
    CurriculumItem,
    CurriculumSubgroupTeacher,
    SchoolClass,
    SplitKind,
    StudyPeriod,
    Subgroup,
    Subject,
    WeekCorrection,
)
from app.security.scopes import UserScope
from app.services.errors import ConflictError, ValidationError, require
from app.services.study.rules import monday
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


def _decimal(value, field: str, label) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_l("%(field)s: not a number", field=label), field=field,
                              code="not_a_number") from None


def check_curriculum_item(scope: UserScope, item: CurriculumItem) -> None:
    """Weekly hours 0.5-40, lesson 15-120 minutes, class and period of one year and school,
    a subject once per class and period, teachers of the school."""
    planner_first(scope, item)
    cls = item.school_class or get_by_id(SchoolClass, item.class_id)
    period = item.period or get_by_id(StudyPeriod, item.period_id)
    subject = item.subject or get_by_id(Subject, item.subject_id)
    require(cls, "school_class", _l("Class"))
    require(period, "period", _l("Period"))
    require(subject, "subject", _l("Subject"))
    item.organization_id = cls.organization_id
    same_org(cls.organization_id, (period, "period"), (subject, "subject"))
    if period.year_id != cls.year_id:
        raise ValidationError(_l("The period belongs to another academic year than the class"),
                              field="period", code="period_other_year")
    hours = _decimal(item.weekly_hours, "weekly_hours", _l("Weekly hours"))
    if not Decimal("0.5") <= hours <= Decimal(40):
        raise ValidationError(_l("Weekly hours: from 0.5 to 40"), field="weekly_hours",
                              code="weekly_hours_range")
    item.weekly_hours = hours
    if item.lesson_minutes is None:
        item.lesson_minutes = settings_of(cls.organization_id).lesson_minutes
    if not 15 <= item.lesson_minutes <= 120:
        raise ValidationError(_l("Lesson length: from 15 to 120 minutes"),
                              field="lesson_minutes", code="lesson_minutes_range")
    check_teacher(cls.organization_id, related_id(item, "teacher"))
    q = select(CurriculumItem.id).where(CurriculumItem.class_id == cls.id,
                                        CurriculumItem.period_id == period.id,
                                        CurriculumItem.subject_id == subject.id)
    if item.id is not None:
        q = q.where(CurriculumItem.id != item.id)
    if db.session.execute(q).first():
        raise ConflictError(_l("This subject is already in the class's curriculum for the "
                               "period"), field="subject", code="curriculum_duplicate")
    require_planner(scope, org_of(item))


def check_subgroup_teacher(scope: UserScope, link: CurriculumSubgroupTeacher) -> None:
    """A split subject has one teacher per subgroup, at most as many subgroups as the split
    allows (two, three, boys/girls)."""
    planner_first(scope, link)
    item = link.item or get_by_id(CurriculumItem, link.item_id)
    group = link.subgroup or get_by_id(Subgroup, link.subgroup_id)
    require(item, "item", _l("Curriculum subject"))
    require(group, "subgroup", _l("Subgroup"))
    link.organization_id = item.organization_id
    if item.split == SplitKind.main:
        raise ValidationError(_l("The subject is not split into subgroups (split: main)"),
                              field="item", code="not_split")
    if group.class_id != item.class_id or group.subject_id != item.subject_id:
        raise ValidationError(_l("The subgroup belongs to another class or subject"),
                              field="subgroup", code="subgroup_mismatch")
    check_teacher(item.organization_id, related_id(link, "teacher"))
    limit = SPLIT_SIZES.get(SplitKind(item.split))
    q = select(func.count()).where(CurriculumSubgroupTeacher.item_id == item.id)
    if link.id is not None:
        q = q.where(CurriculumSubgroupTeacher.id != link.id)
    # COUNT(*) always returns one row: ``or 0`` only narrows the Optional of scalar()
    if limit is not None and (db.session.scalar(q) or 0) + 1 > limit:
        raise ValidationError(_l("This split allows at most %(n)s subgroups", n=limit),
                              field="subgroup", code="too_many_subgroups")
    require_planner(scope, org_of(link))


def check_week_correction(scope: UserScope, c: WeekCorrection) -> None:
    planner_first(scope, c)
    item = c.item or get_by_id(CurriculumItem, c.item_id)
    require(item, "item", _l("Curriculum subject"))
    require(c.week_start, "week_start", _l("Week"))
    c.organization_id = item.organization_id
    c.week_start = monday(c.week_start)
    period = item.period
    if c.week_start + dt.timedelta(days=6) < period.starts_on or c.week_start > period.ends_on:
        raise ValidationError(_l("The week lies outside the period"), field="week_start",
                              code="week_outside_period")
    if c.lessons is None or not 0 <= c.lessons <= 40:
        raise ValidationError(_l("Lessons in the week: from 0 to 40"), field="lessons",
                              code="week_lessons_range")
    require_planner(scope, org_of(c))


@command
def copy_curriculum(scope: UserScope, source: SchoolClass, target: SchoolClass,
                    period_ids: list[int], subject_ids: list[int]) -> tuple[int, int]:
    """Copy the chosen subjects of a class's curriculum to a parallel class (seed 004
    fig. 9-11): weekly hours, variative flag, lesson length, split and teacher. A subject
    already in the target's curriculum for the period is left as it is. Returns
    (copied, skipped)."""
    require_planner(scope, source.organization_id, "source")
    require_planner(scope, target.organization_id, "target")
    if source.id == target.id:
        raise ValidationError(_l("Choose another class to copy to"), field="target",
                              code="copy_same_class")
    if source.organization_id != target.organization_id or source.year_id != target.year_id:
        raise ValidationError(_l("Copy only within one school and academic year"),
                              field="target", code="other_school")
    if source.parallel != target.parallel:
        raise ValidationError(_l("The curriculum is copied to a class of the same parallel"),
                              field="target", code="copy_not_parallel")
    if not subject_ids:
        raise ValidationError(_l("Choose at least one subject"), field="subjects",
                              code="copy_no_subjects")
    items = db.session.scalars(select(CurriculumItem).where(
        CurriculumItem.class_id == source.id, CurriculumItem.period_id.in_(period_ids),
        CurriculumItem.subject_id.in_(subject_ids))).all()
    existing = set(db.session.execute(select(CurriculumItem.period_id, CurriculumItem.subject_id)
                                      .where(CurriculumItem.class_id == target.id)).all())
    copied = skipped = 0
    for it in items:
        if (it.period_id, it.subject_id) in existing:
            skipped += 1
            continue
        db.session.add(CurriculumItem(
            organization_id=target.organization_id, class_id=target.id,
            period_id=it.period_id, subject_id=it.subject_id, weekly_hours=it.weekly_hours,
            variative=it.variative, lesson_minutes=it.lesson_minutes, split=it.split,
            teacher_id=it.teacher_id))
        copied += 1
    db.session.flush()
    return copied, skipped
