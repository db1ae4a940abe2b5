"""Study-process reports (seed 004 Appendix 1): working curriculum of a class, graph of the
study process, extended pedagogical load, substitutions and cancellations. Each builder
runs a fixed number of queries whatever the number of rows."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.people import Person
from app.models.study import (
    CurriculumItem,
    CurriculumSubgroupTeacher,
    SchoolClass,
    StudyPeriod,
    Subject,
    WeekCorrection,
)
from app.models.timetable import LESSON_STATUS_LABELS, Lesson, LessonStatus
from app.services.study.rules import study_weeks, week_distribution, weekly_load, weeks_of
from app.services.study.setup import settings_of
from app.services.xlsx import table_xlsx


def hours_text(value) -> str:
    """Weekly hours without trailing zeros: 3, 1.5."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def _periods(year_id: int) -> list[StudyPeriod]:
    return list(db.session.scalars(select(StudyPeriod).where(StudyPeriod.year_id == year_id)
                                   .order_by(StudyPeriod.starts_on)))


def _corrections(item_ids) -> dict[int, dict]:
    out: dict[int, dict] = defaultdict(dict)
    if item_ids:
        for item_id, week, n in db.session.execute(
                select(WeekCorrection.item_id, WeekCorrection.week_start, WeekCorrection.lessons)
                .where(WeekCorrection.item_id.in_(list(item_ids)))):
            out[item_id][week] = n
    return out


def planned_lessons(item: CurriculumItem, period: StudyPeriod, lesson_days: int,
                    corrections: dict) -> list[tuple]:
    weeks = weeks_of(period.starts_on, period.ends_on, lesson_days)
    return week_distribution(item.weekly_hours, weeks, lesson_days, corrections)


# -- working curriculum of a class ---------------------------------------------------------

@dataclass
class CurriculumRow:
    subject: str
    variative: bool
    by_period: dict[int, tuple] = field(default_factory=dict)  # period id -> (weekly, lessons)
    teachers: set[str] = field(default_factory=set)
    yearly: int = 0


def class_curriculum(cls: SchoolClass) -> tuple[list[StudyPeriod], list[CurriculumRow], int]:
    periods = _periods(cls.year_id)
    days = settings_of(cls.organization_id).lesson_days
    items = db.session.scalars(select(CurriculumItem).where(CurriculumItem.class_id == cls.id)
                               .options(selectinload(CurriculumItem.subgroup_teachers))).all()
    corr = _corrections([i.id for i in items])
    rows: dict[int, CurriculumRow] = {}
    pmap = {p.id: p for p in periods}
    for it in items:
        row = rows.setdefault(it.subject_id, CurriculumRow(it.subject.name, it.variative))
        n = sum(x for _, x in planned_lessons(it, pmap[it.period_id], days, corr[it.id]))
        row.by_period[it.period_id] = (hours_text(it.weekly_hours), n)
        row.yearly += n
        if it.teacher is not None:
            row.teachers.add(it.teacher.full_name)
        row.teachers.update(st.teacher.full_name for st in it.subgroup_teachers)
    out = sorted(rows.values(), key=lambda r: (r.variative, r.subject))
    return periods, out, sum(r.yearly for r in out)


def class_curriculum_xlsx(cls: SchoolClass) -> bytes:
    periods, rows, total = class_curriculum(cls)
    header = [gettext("Subject"), gettext("Variative")] + \
        [f"{p.name}: {gettext('per week')} / {gettext('lessons')}" for p in periods] + \
        [gettext("Per year"), gettext("Teachers")]
    data = []
    for r in rows:
        cells = [f"{r.by_period[p.id][0]} / {r.by_period[p.id][1]}" if p.id in r.by_period
                 else "" for p in periods]
        data.append([r.subject, gettext("Yes") if r.variative else ""] + cells +
                    [r.yearly, ", ".join(sorted(r.teachers))])
    data.append([gettext("Total")] + [""] * (len(periods) + 1) + [total, ""])
    return table_xlsx(str(cls), header, data,
                      caption=[gettext("Working curriculum of class %(cls)s", cls=cls),
                               cls.year.name])


# -- graph of the study process ------------------------------------------------------------

def study_graph(cls: SchoolClass, period: StudyPeriod):
    """Weeks of the period and, per subject, lessons in each week (with corrections)."""
    days = settings_of(cls.organization_id).lesson_days
    weeks = weeks_of(period.starts_on, period.ends_on, days)
    items = db.session.scalars(select(CurriculumItem).where(
        CurriculumItem.class_id == cls.id, CurriculumItem.period_id == period.id)).all()
    corr = _corrections([i.id for i in items])
    rows = []
    for it in sorted(items, key=lambda i: i.subject.name):
        dist = week_distribution(it.weekly_hours, weeks, days, corr[it.id])
        rows.append((it, [n for _, n in dist], sum(n for _, n in dist),
                     {w for w in corr[it.id]}))
    return [w for w, _ in weeks], rows


# -- pedagogical load ----------------------------------------------------------------------

@dataclass
class LoadRow:
    teacher_id: int
    teacher: str
    school_class: str
    parallel: int
    subject: str
    yearly: int = 0
    weekly: Decimal = Decimal(0)


def pedagogical_load(org_id: int, year_id: int, teacher_ids: set[int] | None = None):
    """Extended pedagogical load (seed 004 Appendix 1): teacher, class, subject, weekly and
    yearly hours, and totals per teacher. A split subject counts fully for each subgroup's
    teacher. Returns (rows grouped by teacher, {teacher_id: (weekly, yearly)}).
    Plain column queries (no ORM graphs), so the query count is fixed."""
    from app.i18n import current_locale

    periods = {p.id: p for p in _periods(year_id)}
    days = settings_of(org_id).lesson_days
    weeks = study_weeks([w for p in periods.values()
                         for w in weeks_of(p.starts_on, p.ends_on, days)], days)
    items = db.session.execute(
        select(CurriculumItem.id, CurriculumItem.class_id, CurriculumItem.period_id,
               CurriculumItem.subject_id, CurriculumItem.weekly_hours, CurriculumItem.teacher_id,
               SchoolClass.parallel, SchoolClass.letter_ru, SchoolClass.letter_kk,
               SchoolClass.letter_en, Subject.name)
        .join(SchoolClass, SchoolClass.id == CurriculumItem.class_id)
        .join(Subject, Subject.id == CurriculumItem.subject_id)
        .where(CurriculumItem.organization_id == org_id, SchoolClass.year_id == year_id)).all()
    split: dict[int, list[int]] = defaultdict(list)
    if items:
        for item_id, teacher_id in db.session.execute(
                select(CurriculumSubgroupTeacher.item_id, CurriculumSubgroupTeacher.teacher_id)
                .join(CurriculumItem, CurriculumItem.id == CurriculumSubgroupTeacher.item_id)
                .join(SchoolClass, SchoolClass.id == CurriculumItem.class_id)
                .where(CurriculumItem.organization_id == org_id,
                       SchoolClass.year_id == year_id)):
            split[item_id].append(teacher_id)
    corr = _corrections([i.id for i in items])
    loc = current_locale()
    acc: dict[tuple, list] = {}
    for (item_id, class_id, period_id, subject_id, hours, main_teacher, parallel, l_ru, l_kk,
         l_en, subject) in items:
        weeks_p = weeks_of(periods[period_id].starts_on, periods[period_id].ends_on, days)
        n = sum(x for _, x in week_distribution(hours, weeks_p, days, corr[item_id]))
        letter = {"kk": l_kk, "en": l_en}.get(loc) or l_ru
        for t in split.get(item_id) or ([main_teacher] if main_teacher else []):
            if teacher_ids is not None and t not in teacher_ids:
                continue
            key = (t, class_id, subject_id)
            if key not in acc:
                acc[key] = [f"{parallel} {letter}", parallel, subject, 0]
            acc[key][3] += n
    names = {}
    ids = sorted({k[0] for k in acc})
    if ids:
        names = {pid: " ".join(x for x in (last, first, middle) if x) for pid, last, first, middle
                 in db.session.execute(select(Person.id, Person.last_name, Person.first_name,
                                              Person.middle_name).where(Person.id.in_(ids)))}
    rows = sorted((LoadRow(k[0], names.get(k[0], ""), v[0], v[1], v[2], v[3])
                   for k, v in acc.items()),
                  key=lambda r: (r.teacher, r.teacher_id, r.parallel, r.school_class, r.subject))
    totals: dict[int, list] = {}
    for r in rows:
        r.weekly = weekly_load(r.yearly, weeks)
        total = totals.setdefault(r.teacher_id, [Decimal(0), 0])
        total[0] += r.weekly
        total[1] += r.yearly
    return rows, {k: (v[0], v[1]) for k, v in totals.items()}


def pedagogical_load_xlsx(org_name: str, year_name: str, rows, totals) -> bytes:
    header = [gettext("No."), gettext("Teacher"), gettext("Class"), gettext("Subject"),
              gettext("Weekly load"), gettext("Yearly load")]
    data, n, last = [], 0, None
    for r in rows:
        if r.teacher_id != last:
            if last is not None:
                data.append(["", gettext("Total"), "", "", *totals[last]])
            n += 1
            last = r.teacher_id
            data.append([n, r.teacher, r.school_class, r.subject, r.weekly, r.yearly])
        else:
            data.append(["", "", r.school_class, r.subject, r.weekly, r.yearly])
    if last is not None:
        data.append(["", gettext("Total"), "", "", *totals[last]])
    return table_xlsx(gettext("Pedagogical load"), header, data,
                      caption=[org_name, year_name, gettext("Pedagogical load (extended)")])


# -- substitutions and cancellations -------------------------------------------------------

def lesson_changes(org_id: int, period_id: int, teacher_ids: set[int] | None = None):
    q = (select(Lesson).where(Lesson.organization_id == org_id, Lesson.period_id == period_id,
                              Lesson.status.in_([LessonStatus.cancelled,
                                                 LessonStatus.substituted]))
         .order_by(Lesson.date, Lesson.number))
    if teacher_ids is not None:
        ids = sorted(teacher_ids)
        q = q.where(Lesson.teacher_id.in_(ids) | Lesson.substitute_teacher_id.in_(ids))
    return db.session.scalars(q).all()


def lesson_changes_xlsx(org_name: str, period_name: str, lessons) -> bytes:
    header = [gettext("Date"), gettext("Lesson"), gettext("Class"), gettext("Subject"),
              gettext("Teacher"), gettext("Status"), gettext("Substitute teacher"),
              gettext("Reason")]
    rows = [[lsn.date.isoformat(), lsn.number, str(lsn.school_class), lsn.subject.name,
             lsn.teacher.full_name, str(LESSON_STATUS_LABELS[lsn.status]),
             lsn.substitute_teacher.full_name if lsn.substitute_teacher else "", lsn.reason or ""]
            for lsn in lessons]
    return table_xlsx(gettext("Substitutions"), header, rows,
                      caption=[org_name, period_name,
                               gettext("Substitutions and cancellations")])
