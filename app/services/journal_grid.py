"""The class journal grid (one class or subgroup x subject x period) as plain data for the
page's JSON, built in a fixed number of queries whatever the number of pupils and lessons,
and the list of sections a user may open.

Query plan (:func:`build_grid`): section header with the read check (1), settings (2),
lessons with their panels (1), pupils with their enrolments (1, +1 for a subgroup), cells
(1), marks (1), final grades (:func:`section_finals`), the access grant (1)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy import and_, literal, or_, select

from app.extensions import db
from app.i18n import current_locale
from app.models.journal import (
    FinalGrade,
    FinalKind,
    JournalCell,
    LessonRecord,
    Mark,
)
from app.models.people import Person
from app.models.study import (
    ClassEnrollment,
    SchoolClass,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
    Subject,
)
from app.models.timetable import Lesson, LessonStatus
from app.security import journal_scope
from app.security.scopes import UserScope
from app.services import journal_cells as cells
from app.services.edit_window import window_closes_on


def class_name(parallel: int, letter_ru: str, letter_kk: str, letter_en: str) -> str:
    letter = {"kk": letter_kk, "en": letter_en}.get(current_locale()) or letter_ru
    return f"{parallel} {letter}"


def section_finals(class_id: int, subject_id: int, period_id: int,
                   student_ids: list[int]) -> dict[int, dict]:
    """Per pupil ``{"computed", "suggested", "final", "version"}`` for the final-grade
    columns. Uses ``app.services.journal_finals.section_finals`` (branch jgrades) when
    present, else only the stored period grades (1 query)."""
    try:
        from app.services.journal_finals import section_finals as finals  # type: ignore
    except ImportError:
        finals = None
    if finals is not None:
        return finals(class_id, subject_id, period_id, student_ids)
    out: dict[int, dict] = {}
    if not student_ids:
        return out
    for sid, value, computed, version in db.session.execute(
            select(FinalGrade.student_id, FinalGrade.value, FinalGrade.computed,
                   FinalGrade.version).where(
                FinalGrade.class_id == class_id, FinalGrade.subject_id == subject_id,
                FinalGrade.period_id == period_id, FinalGrade.kind == FinalKind.period,
                FinalGrade.student_id.in_(student_ids))):
        out[sid] = {"computed": computed, "suggested": None, "final": value,
                    "version": version}
    return out


def _lesson_ns(row) -> SimpleNamespace:
    """The attributes journal_scope's rules read, without loading a Lesson entity."""
    return SimpleNamespace(id=row.id, organization_id=row.organization_id,
                           teacher_id=row.teacher_id,
                           substitute_teacher_id=row.substitute_teacher_id,
                           class_id=row.class_id)


def _header(class_id: int, subject_id: int, period_id: int, scope: UserScope):
    return db.session.execute(
        select(SchoolClass.id, SchoolClass.organization_id, SchoolClass.parallel,
               SchoolClass.letter_ru, SchoolClass.letter_kk, SchoolClass.letter_en,
               SchoolClass.class_teacher_id, Subject.name.label("subject_name"),
               StudyPeriod.name.label("period_name"), StudyPeriod.starts_on,
               StudyPeriod.ends_on)
        .join(Subject, and_(Subject.id == subject_id,
                            Subject.organization_id == SchoolClass.organization_id))
        .join(StudyPeriod, and_(StudyPeriod.id == period_id,
                                StudyPeriod.organization_id == SchoolClass.organization_id))
        .where(SchoolClass.id == class_id,
               journal_scope.section_read_clause(SchoolClass.id, literal(subject_id),
                                                 SchoolClass.organization_id, scope))
    ).first()


def build_grid(class_id: int, subject_id: int, period_id: int, subgroup_id: int | None,
               scope: UserScope, today: dt.date) -> dict | None:
    """The grid's data, or None when the section does not exist or is not readable."""
    head = _header(class_id, subject_id, period_id, scope)
    if head is None:
        return None
    settings = cells.settings_of(head.organization_id)
    lesson_q = (
        select(Lesson.id, Lesson.organization_id, Lesson.date, Lesson.number,
               Lesson.starts_at, Lesson.ends_at, Lesson.topic, Lesson.status,
               Lesson.teacher_id, Lesson.substitute_teacher_id, Lesson.class_id,
               Lesson.subgroup_id, LessonRecord.homework, LessonRecord.category,
               LessonRecord.work_type, LessonRecord.max_score)
        .outerjoin(LessonRecord, LessonRecord.lesson_id == Lesson.id)
        .where(Lesson.class_id == class_id, Lesson.subject_id == subject_id,
               Lesson.period_id == period_id)
        .order_by(Lesson.date, Lesson.number, Lesson.id))
    lesson_q = lesson_q.where(Lesson.subgroup_id == subgroup_id if subgroup_id
                              else Lesson.subgroup_id.is_(None))
    lesson_rows = db.session.execute(lesson_q).all()
    is_class_teacher = (head.class_teacher_id in scope.person_ids
                        and head.organization_id in scope.read_ids)
    lessons = [_lesson_item(r, settings, scope, is_class_teacher, today)
               for r in lesson_rows]
    pupils = _section_pupils(class_id, subgroup_id, head.starts_on, head.ends_on,
                             lessons, lesson_rows)
    student_ids = [p["id"] for p in pupils]
    lesson_ids = select(Lesson.id).where(
        Lesson.class_id == class_id, Lesson.subject_id == subject_id,
        Lesson.period_id == period_id,
        Lesson.subgroup_id == subgroup_id if subgroup_id else Lesson.subgroup_id.is_(None))
    cell_map = _section_cells(lesson_ids)
    finals = section_finals(class_id, subject_id, period_id, student_ids)
    closed = sorted(sid for sid, f in finals.items() if f.get("final") is not None)
    grant = journal_scope.active_grant(scope.person_ids, class_id, subject_id, period_id,
                                       today)
    return {
        "class": {"id": class_id, "name": class_name(head.parallel, head.letter_ru,
                                                     head.letter_kk, head.letter_en),
                  "organization_id": head.organization_id},
        "subject": {"id": subject_id, "name": head.subject_name},
        "period": {"id": period_id, "name": head.period_name,
                   "starts_on": head.starts_on.isoformat(),
                   "ends_on": head.ends_on.isoformat()},
        "subgroup_id": subgroup_id,
        "policy": cells._enum_value(settings.grading_policy),
        "categories": [c.value for c in cells._allowed_categories(settings)],
        "edit_window": settings.edit_window,
        "today": today.isoformat(),
        "lessons": lessons, "pupils": pupils, "cells": cell_map,
        "finals": {str(k): v for k, v in finals.items()},
        "closed": closed,
        "grant": ({"id": grant.id, "until": grant.until.isoformat()} if grant else None),
        "can_write": any(lsn["write_marks"] or lsn["write_attendance"] for lsn in lessons),
    }


def _lesson_item(r, settings, scope: UserScope, is_class_teacher: bool,
                 today: dt.date) -> dict:
    closes = window_closes_on(r.date, settings.edit_window)
    teaches = journal_scope.teaches_lesson(_lesson_ns(r), scope)
    return {
        "id": r.id, "date": r.date.isoformat(), "number": r.number, "topic": r.topic,
        "homework": r.homework,
        "category": cells._enum_value(r.category) if r.category else None,
        "work_type": cells._enum_value(r.work_type) if r.work_type else None,
        "max_score": r.max_score, "cancelled": r.status == LessonStatus.cancelled,
        "future": r.date > today,
        "closes_on": closes.isoformat() if closes else None,
        "window_open": closes is None or today <= closes,
        "write_marks": teaches, "write_attendance": teaches or is_class_teacher,
        "minutes": cells.lesson_minutes(r),
    }


def _covers(spans, day: dt.date) -> bool:
    return any(f <= day and (t is None or t >= day) for f, t in spans)


def _section_pupils(class_id: int, subgroup_id: int | None, pstart: dt.date, pend: dt.date,
                    lessons: list[dict], lesson_rows) -> list[dict]:
    """Pupils of the class (and subgroup) at some time of the period, each with the lessons
    outside their enrolment (1 query, +1 for a subgroup)."""
    enr = db.session.execute(
        select(ClassEnrollment.person_id, ClassEnrollment.from_date, ClassEnrollment.to_date,
               Person.last_name, Person.first_name)
        .join(Person, Person.id == ClassEnrollment.person_id)
        .where(ClassEnrollment.class_id == class_id, ClassEnrollment.from_date <= pend,
               or_(ClassEnrollment.to_date.is_(None), ClassEnrollment.to_date >= pstart))
        .order_by(Person.last_name, Person.first_name, Person.id)).all()
    spans: dict[int, list[tuple]] = {}
    names: dict[int, str] = {}
    for pid, frm, to, last, first in enr:
        spans.setdefault(pid, []).append((frm, to))
        names[pid] = f"{last} {first}".strip()
    member_spans: dict[int, list[tuple]] | None = None
    if subgroup_id:
        member_spans = {}
        for pid, frm, to in db.session.execute(
                select(SubgroupMember.person_id, SubgroupMember.from_date,
                       SubgroupMember.to_date).where(
                    SubgroupMember.subgroup_id == subgroup_id,
                    SubgroupMember.from_date <= pend,
                    or_(SubgroupMember.to_date.is_(None),
                        SubgroupMember.to_date >= pstart))):
            member_spans.setdefault(pid, []).append((frm, to))
    pupils = []
    for pid, name in names.items():
        if member_spans is not None and pid not in member_spans:
            continue
        out = [lsn["id"] for lsn, r in zip(lessons, lesson_rows, strict=True)
               if not _covers(spans[pid], r.date)
               or (member_spans is not None and not _covers(member_spans[pid], r.date))]
        if lessons and len(out) == len(lessons):
            continue
        pupils.append({"id": pid, "name": name, "out": out})
    return pupils


def _section_cells(lesson_ids) -> dict[str, dict]:
    """Cells and marks of the section's lessons keyed "lesson:student" (2 queries)."""
    cell_map: dict[str, dict] = {}
    for lid, sid, att, minutes, remark, version in db.session.execute(
            select(JournalCell.lesson_id, JournalCell.student_id,
                   JournalCell.attendance, JournalCell.late_minutes, JournalCell.remark,
                   JournalCell.version).where(JournalCell.lesson_id.in_(lesson_ids))):
        cell_map[f"{lid}:{sid}"] = {
            "version": version, "marks": [], "remark": remark,
            "attendance": ({"code": cells._enum_value(att), "minutes": minutes}
                           if att is not None else None)}
    for lid, sid, value, max_score, category, work_type in db.session.execute(
            select(Mark.lesson_id, Mark.student_id, Mark.value, Mark.max_score,
                   Mark.category, Mark.work_type).where(Mark.lesson_id.in_(lesson_ids))
            .order_by(Mark.position)):
        c = cell_map.get(f"{lid}:{sid}")
        if c is not None:
            c["marks"].append({"value": value, "max_score": max_score,
                               "category": cells._enum_value(category),
                               "work_type": cells._enum_value(work_type)
                               if work_type else None})
    return cell_map


def readable_sections(scope: UserScope, limit: int = 500) -> list[dict]:
    """The class (or subgroup) x subject x period sections with lessons the user reads
    (2 queries)."""
    rows = db.session.execute(
        select(Lesson.class_id, Lesson.subgroup_id, Lesson.subject_id, Lesson.period_id)
        .where(journal_scope.lesson_read_clause(scope)).distinct().limit(limit)).all()
    if not rows:
        return []
    class_ids = sorted({r.class_id for r in rows})
    subject_ids = sorted({r.subject_id for r in rows})
    period_ids = sorted({r.period_id for r in rows})
    sub_ids = sorted({r.subgroup_id for r in rows if r.subgroup_id})
    names = db.session.execute(
        select(SchoolClass.id, SchoolClass.parallel, SchoolClass.letter_ru,
               SchoolClass.letter_kk, SchoolClass.letter_en).where(
            SchoolClass.id.in_(class_ids))).all()
    cls = {r.id: (r.parallel, class_name(r.parallel, r.letter_ru, r.letter_kk, r.letter_en))
           for r in names}
    subj = dict(db.session.execute(select(Subject.id, Subject.name)
                                   .where(Subject.id.in_(subject_ids))).all())
    per = {r.id: (r.starts_on, r.name) for r in db.session.execute(
        select(StudyPeriod.id, StudyPeriod.starts_on, StudyPeriod.name)
        .where(StudyPeriod.id.in_(period_ids)))}
    subs = dict(db.session.execute(select(Subgroup.id, Subgroup.name)
                                   .where(Subgroup.id.in_(sub_ids))).all()) if sub_ids else {}
    out = [{"class_id": r.class_id, "class": cls[r.class_id][1],
            "subgroup_id": r.subgroup_id, "subgroup": subs.get(r.subgroup_id),
            "subject_id": r.subject_id, "subject": subj[r.subject_id],
            "period_id": r.period_id, "period": per[r.period_id][1]} for r in rows]
    out.sort(key=lambda s: (-per[s["period_id"]][0].toordinal(), cls[s["class_id"]][0],
                            s["class"], s["subject"], s["subgroup"] or ""))
    return out
