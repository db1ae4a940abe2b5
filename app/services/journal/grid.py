"""The class journal grid (one class or subgroup x subject x period) as plain data for the
page's JSON, built in a fixed number of queries whatever the number of pupils and lessons,
and the list of sections a user may open.

Query plan (:func:`build_grid`), four statements whatever the size: the section header
with the read check, the school's settings, the access grant and what the final grades need
(1); lessons with their panels (1); pupils with their enrolments and the grades already set
(1, +1 for a subgroup); cells with their marks (1) - every cell of the class, subject and
period, so that the final grades are computed from the same rows."""
from __future__ import annotations

import datetime as dt
import functools
from types import SimpleNamespace
from typing import Any

from sqlalchemy import BindParameter, String, and_, bindparam, or_, select, type_coerce

from app.extensions import db
from app.i18n import current_locale
from app.models.journal import (
    AccessGrant,
    FinalGrade,
    JournalCell,
    JournalSettings,
    LessonRecord,
    Mark,
)
from app.models.org import Organization
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
from app.security.journal import scope as journal_scope
from app.security.scopes import UserScope
from app.services.journal import entry as cells
from app.services.journal.compute import CATEGORY_OF, compute_finals
from app.services.journal.edit_window import window_closes_on
from app.services.journal.queries import (
    FINAL_COLUMNS,
    context_columns,
    context_from_row,
    counted_finals_clause,
)
from app.services.journal.settings import settings_from_row


def class_name(parallel: int, letter_ru: str, letter_kk: str, letter_en: str) -> str:
    letter = {"kk": letter_kk, "en": letter_en}.get(current_locale()) or letter_ru
    return f"{parallel} {letter}"


@functools.cache
def _statements(subgroup: bool) -> SimpleNamespace:
    """The grid's statements, built once with bound parameters (building a statement costs
    more Python than running it on a grid of this size)."""
    org: BindParameter[Any] = bindparam("org")
    cls: BindParameter[Any] = bindparam("cls")
    subj: BindParameter[Any] = bindparam("subj")
    per: BindParameter[Any] = bindparam("per")
    in_section = [Lesson.organization_id == org, Lesson.class_id == cls,
                  Lesson.subject_id == subj, Lesson.period_id == per,
                  Lesson.subgroup_id == bindparam("sg") if subgroup
                  else Lesson.subgroup_id.is_(None)]
    st = SimpleNamespace()
    st.lessons = (
        select(Lesson.id, Lesson.organization_id, Lesson.date, Lesson.number,
               Lesson.starts_at, Lesson.ends_at, Lesson.topic, Lesson.status,
               Lesson.teacher_id, Lesson.substitute_teacher_id, Lesson.class_id,
               Lesson.subgroup_id, LessonRecord.homework, LessonRecord.category,
               LessonRecord.work_type, LessonRecord.max_score)
        .outerjoin(LessonRecord, LessonRecord.lesson_id == Lesson.id)
        .where(*in_section).order_by(Lesson.date, Lesson.number, Lesson.id))
    # the pupils with the grades the final-grade columns show (one row per enrolment and
    # grade): the grades need no statement of their own
    st.pupils = (
        select(ClassEnrollment.person_id, ClassEnrollment.from_date, ClassEnrollment.to_date,
               Person.last_name, Person.first_name, *FINAL_COLUMNS)
        .join(Person, Person.id == ClassEnrollment.person_id)
        .outerjoin(FinalGrade, counted_finals_clause(ClassEnrollment.person_id))
        .where(ClassEnrollment.class_id == cls, ClassEnrollment.from_date <= bindparam("end"),
               or_(ClassEnrollment.to_date.is_(None),
                   ClassEnrollment.to_date >= bindparam("start")))
        .order_by(Person.last_name, Person.first_name, Person.id))
    st.members = select(SubgroupMember.person_id, SubgroupMember.from_date,
                        SubgroupMember.to_date).where(
        SubgroupMember.subgroup_id == bindparam("sg"),
        SubgroupMember.from_date <= bindparam("end"),
        or_(SubgroupMember.to_date.is_(None), SubgroupMember.to_date >= bindparam("start")))
    # enum columns read as their stored text: the JSON wants the text anyway. Every cell
    # of the class, subject and period (not only the grid's lessons): the final grades
    # count the marks of all of them (a subgroup's lessons, the whole class's lessons).
    st.cells = (
        select(JournalCell.lesson_id, JournalCell.student_id,
               type_coerce(JournalCell.attendance, String), JournalCell.late_minutes,
               JournalCell.remark, JournalCell.version, Mark.value, Mark.max_score,
               type_coerce(Mark.category, String), type_coerce(Mark.work_type, String))
        .join(Lesson, Lesson.id == JournalCell.lesson_id)
        .outerjoin(Mark, Mark.cell_id == JournalCell.id)
        .where(Lesson.organization_id == org, Lesson.class_id == cls,
               Lesson.subject_id == subj, Lesson.period_id == per)
        .order_by(JournalCell.lesson_id, JournalCell.student_id, Mark.position))
    return st


def _header(class_id: int, subject_id: int, period_id: int, scope: UserScope,
            today: dt.date):
    """Class, subject and period of one school if the user reads the section, with the
    school's journal settings, what the final grades need and the user's active access
    grant (1 query)."""
    stmt = _scoped_header(_scope_key(scope), today)
    return db.session.connection().execute(
        stmt, {"cls": class_id, "subj": subject_id, "per": period_id}).first()


def _scope_key(scope: UserScope) -> tuple:
    """The parts of a scope the header's read rule and grant clause use, hashable."""
    return (scope.everything, frozenset(scope.read_ids),
            tuple(sorted(scope.read_subtrees.items())), frozenset(scope.staff_read_ids),
            frozenset(scope.person_ids))


@functools.lru_cache(maxsize=512)
def _scoped_header(key: tuple, today: dt.date):
    """The header statement for one user on one day, built once: building it (the read
    rule's clauses and their cache key) cost more than running it."""
    everything, read_ids, subtrees, staff_read_ids, person_ids = key
    scope = UserScope(everything=everything, read_ids=set(read_ids),
                      read_subtrees=dict(subtrees), staff_read_ids=set(staff_read_ids),
                      person_ids=set(person_ids))
    grant = journal_scope.active_grant_clause(
        scope.person_ids, SchoolClass.id, Subject.id, StudyPeriod.id, today)
    return _header_statement().add_columns(
        grant.with_only_columns(AccessGrant.until).scalar_subquery().label("grant_until"),
        grant.with_only_columns(AccessGrant.id).scalar_subquery().label("grant_id"),
    ).where(journal_scope.section_read_clause(
        SchoolClass.id, Subject.id, SchoolClass.organization_id, scope, one_section=True))


@functools.cache
def _header_statement():
    return (
        select(SchoolClass.id, SchoolClass.organization_id, SchoolClass.parallel,
               SchoolClass.letter_ru, SchoolClass.letter_kk, SchoolClass.letter_en,
               SchoolClass.class_teacher_id, Subject.name.label("subject_name"),
               StudyPeriod.name.label("period_name"), StudyPeriod.starts_on,
               StudyPeriod.ends_on, Organization.country,
               JournalSettings.id.label("settings_id"), JournalSettings.grading_policy,
               JournalSettings.edit_window, JournalSettings.weight_formative,
               JournalSettings.weight_section, JournalSettings.weight_term,
               *context_columns())
        .join(Subject, and_(Subject.id == bindparam("subj"),
                            Subject.organization_id == SchoolClass.organization_id))
        .join(StudyPeriod, and_(StudyPeriod.id == bindparam("per"),
                                StudyPeriod.organization_id == SchoolClass.organization_id))
        .join(Organization, Organization.id == SchoolClass.organization_id)
        .outerjoin(JournalSettings, JournalSettings.organization_id == Organization.id)
        .where(SchoolClass.id == bindparam("cls")))


def build_grid(class_id: int, subject_id: int, period_id: int, subgroup_id: int | None,
               scope: UserScope, today: dt.date) -> dict | None:
    """The grid's data, or None when the section does not exist or is not readable."""
    head = _header(class_id, subject_id, period_id, scope, today)
    if head is None:
        return None
    settings = settings_from_row(head.organization_id, head)
    st = _statements(bool(subgroup_id))
    conn = db.session.connection()
    ctx = context_from_row(settings, head)
    params = {"org": head.organization_id, "cls": class_id, "subj": subject_id,
              "per": period_id, "sg": subgroup_id, "start": head.starts_on,
              "end": head.ends_on, "year": ctx.year_id, "kind": ctx.period_kind}
    lesson_rows = conn.execute(st.lessons, params).all()
    is_class_teacher = (head.class_teacher_id in scope.person_ids
                        and head.organization_id in scope.read_ids)
    lessons = [_lesson_item(r, settings, scope, is_class_teacher, today)
               for r in lesson_rows]
    pupils, grades = _section_pupils(conn, st, params, subgroup_id, lessons, lesson_rows)
    student_ids = [p["id"] for p in pupils]
    cell_map, marks = _section_cells(conn, st, params, {r.id for r in lesson_rows},
                                     set(student_ids))
    finals = compute_finals(ctx, student_ids, marks, grades, period_id)
    closed = sorted(sid for sid, f in finals.items() if f.get("final") is not None)
    return {
        "class": {"id": class_id, "name": class_name(head.parallel, head.letter_ru,
                                                     head.letter_kk, head.letter_en),
                  "organization_id": head.organization_id},
        "subject": {"id": subject_id, "name": head.subject_name},
        "period": {"id": period_id, "name": head.period_name,
                   "starts_on": head.starts_on.isoformat(),
                   "ends_on": head.ends_on.isoformat()},
        "subgroup_id": subgroup_id,
        "policy": cells.enum_value(settings.grading_policy),
        "categories": [c.value for c in cells.allowed_categories(settings)],
        "edit_window": settings.edit_window,
        "today": today.isoformat(),
        "lessons": lessons, "pupils": pupils, "cells": cell_map,
        "finals": {str(k): v for k, v in finals.items()},
        "closed": closed,
        "grant": ({"id": head.grant_id, "until": head.grant_until.isoformat()}
                  if head.grant_id else None),
        "can_write": any(lsn["write_marks"] or lsn["write_attendance"] for lsn in lessons),
    }


#: the last day of a lesson's edit window, per (date, window): the same few hundred dates
#: come back on every grid of a school
_closes_on = functools.lru_cache(maxsize=8192)(window_closes_on)


def _lesson_item(r, settings, scope: UserScope, is_class_teacher: bool,
                 today: dt.date) -> dict:
    (lid, org_id, day, number, starts_at, ends_at, topic, status, teacher_id, substitute_id,
     _class_id, _subgroup_id, homework, category, work_type, max_score) = r
    closes = _closes_on(day, settings.edit_window)
    teaches = journal_scope.teaches_lesson(r, scope)  # the row has the attributes it reads
    return {
        "id": lid, "date": day.isoformat(), "number": number, "topic": topic,
        "homework": homework,
        "category": category.value if category else None,
        "work_type": work_type.value if work_type else None,
        "max_score": max_score, "cancelled": status is LessonStatus.cancelled,
        "future": day > today,
        "closes_on": closes.isoformat() if closes else None,
        "window_open": closes is None or today <= closes,
        "write_marks": teaches, "write_attendance": teaches or is_class_teacher,
        "minutes": cells.lesson_minutes(r),
    }


def _covers(spans, day: dt.date, until: dt.date | None = None) -> bool:
    """Does one enrolment span cover ``day`` (up to ``until``)?"""
    until = until or day
    return any(f <= day and (t is None or t >= until) for f, t in spans)


def _section_pupils(conn, st, params: dict, subgroup_id: int | None, lessons: list[dict],
                    lesson_rows) -> tuple[list[dict], list[tuple]]:
    """Pupils of the class (and subgroup) at some time of the period, each with the lessons
    outside their enrolment, and their grades for the final-grade columns (1 query, +1 for
    a subgroup)."""
    spans: dict[int, list[tuple]] = {}
    names: dict[int, str] = {}
    grades: dict[tuple, tuple] = {}
    for pid, frm, to, last, first, kind, fp_id, value, version, bonus in conn.execute(
            st.pupils, params).all():
        own = spans.get(pid)
        if own is None:
            spans[pid] = [(frm, to)]
            names[pid] = f"{last} {first}".strip()
        elif (frm, to) not in own:
            own.append((frm, to))
        if kind is not None:
            grades[(pid, kind, fp_id)] = (pid, kind, fp_id, value, version, bonus)
    member_spans: dict[int, list[tuple]] | None = None
    if subgroup_id:
        member_spans = {}
        for pid, frm, to in conn.execute(st.members, params):
            member_spans.setdefault(pid, []).append((frm, to))
    first = lesson_rows[0].date if lesson_rows else None
    last = lesson_rows[-1].date if lesson_rows else None
    pupils = []
    for pid, name in names.items():
        if member_spans is not None and pid not in member_spans:
            continue
        if first is not None and _covers(spans[pid], first, last) and (
                member_spans is None or _covers(member_spans[pid], first, last)):
            out = []  # enrolled for every lesson of the grid (the usual case)
        else:
            out = [lsn["id"] for lsn, r in zip(lessons, lesson_rows, strict=True)
                   if not _covers(spans[pid], r.date)
                   or (member_spans is not None and not _covers(member_spans[pid], r.date))]
        if lessons and len(out) == len(lessons):
            continue
        pupils.append({"id": pid, "name": name, "out": out})
    return pupils, list(grades.values())


def _section_cells(conn, st, params: dict, lesson_ids: set[int],
                   student_ids: set[int]) -> tuple[dict[str, dict], dict[int, list]]:
    """Cells of the grid's lessons with their marks keyed "lesson:student", and the marks
    of the section's pupils for the final grades (1 query)."""
    cell_map: dict[str, dict] = {}
    marks: dict[int, list] = {}
    category_of = CATEGORY_OF
    key: tuple[int, int] | None = None
    cell_marks: list[dict] = []  # replaced at the first row: key None differs from it
    for lid, sid, att, minutes, remark, version, value, max_score, cat, work in conn.execute(
            st.cells, params).all():
        if value is not None and sid in student_ids:
            own = marks.get(sid)
            if own is None:
                own = marks[sid] = []
            own.append((value, category_of[cat], max_score))
        if lid not in lesson_ids:
            continue
        if (lid, sid) != key:  # rows come ordered by lesson, pupil, mark position
            key = (lid, sid)
            cell_marks = []
            cell_map[f"{lid}:{sid}"] = {
                "version": version, "marks": cell_marks, "remark": remark,
                "attendance": None if att is None else {"code": att, "minutes": minutes}}
        if value is not None:
            cell_marks.append({"value": value, "max_score": max_score, "category": cat,
                               "work_type": work})
    return cell_map, marks


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
