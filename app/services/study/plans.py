"""Calendar-thematic plans: ordered topics with hours (write rules ``check_plan``,
``check_topic``); lessons take their topics in order; XLSX import and export; copy to
another class or to the next year. The writes are commands: the actor's scope first, the
planning scope of the plan's school checked, one unit of work."""
from __future__ import annotations

import io

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from app.extensions import db
from app.models.study import SchoolClass, StudyPeriod, Subject
from app.models.timetable import Lesson, LessonPlan, LessonStatus, PlanTopic
from app.security.scopes import UserScope
from app.services.errors import ValidationError, require
from app.services.study.rules import expand_topics
from app.services.study.setup import (
    get_by_id,
    org_of,
    planner_first,
    require_planner,
    same_org,
)
from app.services.unit_of_work import command
from app.services.xlsx import table_xlsx


def check_plan(scope: UserScope, plan: LessonPlan) -> None:
    """A plan is for a subject in a period, for a whole parallel or for one class."""
    planner_first(scope, plan)
    period = plan.period or get_by_id(StudyPeriod, plan.period_id)
    require(period, "period", _l("Period"))
    require(plan.subject or plan.subject_id, "subject", _l("Subject"))
    require(plan.name, "name", _l("Name"))
    plan.organization_id = period.organization_id
    subject = plan.subject or get_by_id(Subject, plan.subject_id)
    cls = plan.school_class or get_by_id(SchoolClass, plan.class_id)
    same_org(period.organization_id, (subject, "subject"), (cls, "school_class"))
    if (cls is None) == (plan.parallel is None):
        raise ValidationError(_l("Choose either a parallel or a class"), field="parallel",
                              code="plan_target")
    if plan.parallel is not None and not 0 <= plan.parallel <= 12:
        raise ValidationError(_l("Parallel: a number from 0 to 12"), field="parallel",
                              code="parallel_range")
    if cls is not None and cls.year_id != period.year_id:
        raise ValidationError(_l("The period belongs to another academic year than the class"),
                              field="period", code="period_other_year")
    require_planner(scope, org_of(plan))


def check_topic(scope: UserScope, topic: PlanTopic) -> None:
    planner_first(scope, topic)
    plan = topic.plan or get_by_id(LessonPlan, topic.plan_id)
    require(plan, "plan", _l("Plan"))
    require(topic.title, "title", _l("Topic"))
    topic.organization_id = plan.organization_id
    if topic.hours is None or not 1 <= topic.hours <= 100:
        raise ValidationError(_l("Hours: from 1 to 100"), field="hours", code="topic_hours")
    if topic.position is None:
        topic.position = (db.session.scalar(select(func.max(PlanTopic.position)).where(
            PlanTopic.plan_id == plan.id)) or 0) + 1
    clash = select(PlanTopic.id).where(PlanTopic.plan_id == plan.id,
                                       PlanTopic.position == topic.position)
    if topic.id is not None:
        clash = clash.where(PlanTopic.id != topic.id)
    if db.session.execute(clash).first():
        raise ValidationError(_l("Another topic of the plan has this number"),
                              field="position", code="topic_position")
    require_planner(scope, org_of(topic))


# -- lessons take their topics -------------------------------------------------------------

def _assign(period_id: int, org_id: int, year_id: int, where: list) -> int:
    """Give the non-cancelled lessons of each class (or subgroup) and subject the plan's
    topics in order; cancelled lessons give their topic to the next lesson. Four queries
    whatever the number of lessons; only changed lessons are written (one bulk update)."""
    plans = db.session.scalars(select(LessonPlan).where(LessonPlan.period_id == period_id)).all()
    if not plans:
        return 0
    by_class = {(p.class_id, p.subject_id): p for p in plans if p.class_id}
    by_parallel = {(p.parallel, p.subject_id): p for p in plans if p.class_id is None}
    parallels = dict(db.session.execute(select(SchoolClass.id, SchoolClass.parallel).where(
        SchoolClass.year_id == year_id)).all())
    lessons = db.session.execute(
        select(Lesson.id, Lesson.class_id, Lesson.subgroup_id, Lesson.subject_id, Lesson.status,
               Lesson.plan_topic_id)
        .where(Lesson.period_id == period_id, *where)
        .order_by(Lesson.class_id, Lesson.subject_id, Lesson.subgroup_id, Lesson.date,
                  Lesson.number)).all()
    titles = {t.id: t.title for p in plans for t in p.topics}
    sequences: dict[tuple, list[int]] = {}
    changes = []
    for lid, class_id, subgroup_id, subject_id, status, current in lessons:
        plan = by_class.get((class_id, subject_id)) or by_parallel.get(
            (parallels.get(class_id), subject_id))
        if plan is None:
            continue
        key = (class_id, subgroup_id, subject_id)
        if key not in sequences:
            sequences[key] = expand_topics([(t.id, t.hours) for t in plan.topics])
        seq = sequences[key]
        wanted = None
        if status != LessonStatus.cancelled and seq:
            wanted = seq.pop(0)
        if wanted != current:
            changes.append({"id": lid, "plan_topic_id": wanted,
                            "topic": titles.get(wanted) if wanted else None})
    if changes:
        db.session.execute(update(Lesson), changes)
    return len(changes)


@command
def assign_topics(scope: UserScope, period: StudyPeriod,
                  class_ids: list[int] | None = None) -> int:
    """Number the topics of the period's lessons (all classes, or ``class_ids``) anew."""
    require_planner(scope, period.organization_id, "period")
    where = [Lesson.class_id.in_(class_ids)] if class_ids else []
    return _assign(period.id, period.organization_id, period.year_id, where)


@command
def assign_topics_for(scope: UserScope, period_id: int, class_id: int, subject_id: int,
                      subgroup_id: int | None) -> int:
    """Number the topics of one class's (or subgroup's) lessons of a subject anew."""
    period = db.session.get_one(StudyPeriod, period_id)  # a lesson's non-null foreign key
    require_planner(scope, period.organization_id, "period")
    where = [Lesson.class_id == class_id, Lesson.subject_id == subject_id]
    where.append(Lesson.subgroup_id == subgroup_id if subgroup_id else
                 Lesson.subgroup_id.is_(None))
    db.session.flush()
    n = _assign(period.id, period.organization_id, period.year_id, where)
    db.session.expire_all()
    return n


# -- copy, import, export ------------------------------------------------------------------

@command
def copy_plan(scope: UserScope, plan: LessonPlan, period: StudyPeriod,
              school_class: SchoolClass | None = None,
              parallel: int | None = None) -> LessonPlan:
    """Copy a plan with its topics to another class or parallel, in this or the next year."""
    require_planner(scope, plan.organization_id, "plan")
    same_org(plan.organization_id, (period, "period"), (school_class, "school_class"))
    new = LessonPlan(organization_id=plan.organization_id, name=plan.name, period=period,
                     period_id=period.id, subject_id=plan.subject_id, subject=plan.subject,
                     school_class=school_class,
                     class_id=school_class.id if school_class else None,
                     parallel=None if school_class else (parallel if parallel is not None
                                                         else plan.parallel),
                     teacher_id=plan.teacher_id)
    check_plan(scope, new)
    if new.period_id == plan.period_id and new.class_id == plan.class_id and \
            new.parallel == plan.parallel:
        raise ValidationError(_l("Choose another class, parallel or period to copy to"),
                              field="school_class", code="copy_same_plan")
    db.session.add(new)
    db.session.flush()
    for t in plan.topics:
        db.session.add(PlanTopic(organization_id=new.organization_id, plan_id=new.id,
                                 position=t.position, title=t.title, hours=t.hours,
                                 notes=t.notes))
    db.session.flush()
    return new


def export_plan(plan: LessonPlan) -> bytes:
    header = [gettext("No."), gettext("Topic"), gettext("Hours"), gettext("Notes")]
    rows = [[t.position, t.title, t.hours, t.notes or ""] for t in plan.topics]
    return table_xlsx(plan.name[:30] or "plan", header, rows)


def parse_topics(data: bytes) -> list[tuple[str, int, str | None]]:
    """Read topics from an XLSX file (columns: No., Topic, Hours, Notes; first row is the
    header). The whole file is checked first: any bad row rejects it with the row list."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same user error
        raise ValidationError(_l("The file is not an XLSX workbook"), field="file",
                              code="xlsx_unreadable") from None
    ws = wb.worksheets[0]
    out, errors = [], []
    for n, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        row = list(row) + [None] * 4
        title, hours, notes = row[1], row[2], row[3]
        if title is None and hours is None:
            continue
        title = str(title or "").strip()
        if not title:
            errors.append(gettext("row %(n)s, column B: the topic is empty", n=n))
            continue
        try:
            h = int(hours)
            if not 1 <= h <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(gettext("row %(n)s, column C: hours must be a number from 1 to 100",
                                  n=n))
            continue
        out.append((title[:500], h, str(notes).strip() if notes else None))
    if errors:
        raise ValidationError(_l("The file was not imported: %(errors)s",
                                 errors="; ".join(errors)), field="file", code="xlsx_rows")
    if not out:
        raise ValidationError(_l("The file has no topics"), field="file", code="xlsx_empty")
    return out


@command
def import_topics(scope: UserScope, plan: LessonPlan, data: bytes) -> int:
    """Append the file's topics to the plan (all or nothing) and renumber the lessons' topics."""
    require_planner(scope, plan.organization_id, "plan")
    topics = parse_topics(data)
    start = db.session.scalar(select(func.max(PlanTopic.position)).where(
        PlanTopic.plan_id == plan.id)) or 0
    for i, (title, hours, notes) in enumerate(topics, start=1):
        db.session.add(PlanTopic(organization_id=plan.organization_id, plan_id=plan.id,
                                 position=start + i, title=title, hours=hours, notes=notes))
    db.session.flush()
    db.session.expire(plan, ["topics"])
    assign_topics(scope, plan.period)
    return len(topics)
