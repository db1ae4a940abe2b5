"""Reading the period and year grades of a section (issue 4): :func:`section_finals` computes,
for every pupil of a class x subject x period, the value the school's grading policy gives
from the period's marks (the *computed* value, exact to three decimals), the mark it
suggests, and the final grades already set; it runs a fixed number of queries whatever the
number of pupils and marks (the journal grid builds the same rows from its own reads with
:func:`app.services.journal.compute.compute_finals` and the clauses here).
"""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, String, and_, bindparam, func, or_, select, type_coerce
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.journal import FinalGrade, FinalKind, JournalSettings, Mark
from app.models.org import Organization
from app.models.study import ClassEnrollment, StudyPeriod, Subject
from app.models.timetable import Lesson
from app.services.journal.compute import (
    FinalsContext,
    MarkRow,
    compute_finals,
    empty_row,
)
from app.services.journal.settings import EffectiveSettings, settings_from_row

# ---------------------------------------------------------------- section_finals (SQL)


def context_columns() -> list:
    """Columns giving a :class:`FinalsContext` (with the settings' columns of
    ``journal_settings.settings_from_row``) in a query over StudyPeriod and Subject."""
    same_kind = aliased(StudyPeriod)
    year_periods = select(func.count(same_kind.id)).where(
        same_kind.year_id == StudyPeriod.year_id,
        same_kind.kind == StudyPeriod.kind).correlate(StudyPeriod).scalar_subquery()
    return [StudyPeriod.year_id, type_coerce(StudyPeriod.kind, String).label("period_kind"),
            Subject.without_attestation, year_periods.label("year_periods")]


def context_from_row(settings: EffectiveSettings, row) -> FinalsContext:
    return FinalsContext(settings, row.year_id, row.period_kind, row.year_periods or 0,
                         bool(row.without_attestation))


@functools.cache
def _context_statement():
    return (select(Organization.id.label("organization_id"), Organization.country,
                   JournalSettings.id.label("settings_id"), JournalSettings.grading_policy,
                   JournalSettings.edit_window, JournalSettings.weight_formative,
                   JournalSettings.weight_section, JournalSettings.weight_term,
                   *context_columns())
            .select_from(Subject)
            .join(StudyPeriod, and_(StudyPeriod.id == bindparam("per"),
                                    StudyPeriod.organization_id == Subject.organization_id))
            .join(Organization, Organization.id == Subject.organization_id)
            .outerjoin(JournalSettings, JournalSettings.organization_id == Organization.id)
            .where(Subject.id == bindparam("subj")))


def counted_finals_clause(student_column):
    """SQL: the grades of the pupil in ``student_column`` that the final-grade columns show,
    for a subject (``subj``) and year (``year``): the period grades of the periods of one
    kind (``kind``, as stored) and the year grade."""
    same_kind = select(StudyPeriod.id).where(
        StudyPeriod.year_id == bindparam("year"),
        type_coerce(StudyPeriod.kind, String) == bindparam("kind", type_=String))
    return and_(FinalGrade.student_id == student_column,
                FinalGrade.subject_id == bindparam("subj"),
                FinalGrade.year_id == bindparam("year"),
                or_(FinalGrade.period_id.is_(None), FinalGrade.period_id.in_(same_kind)))


#: the columns of a grade as :func:`compute_finals` takes them (after the student id)
FINAL_COLUMNS = (type_coerce(FinalGrade.kind, String).label("final_kind"),
                 FinalGrade.period_id.label("final_period_id"),
                 FinalGrade.value.label("final_value"),
                 FinalGrade.version.label("final_version"),
                 FinalGrade.bonus.label("final_bonus"))


@functools.cache
def finals_statement():
    """The pupils' (``ids``) grades of :func:`counted_finals_clause`."""
    return select(FinalGrade.student_id, *FINAL_COLUMNS).where(
        FinalGrade.student_id.in_(bindparam("ids", expanding=True)),
        counted_finals_clause(FinalGrade.student_id))


@functools.cache
def _marks_statement():
    return (select(Mark.student_id, Mark.value, Mark.category, Mark.max_score)
            .join(Lesson, Lesson.id == Mark.lesson_id)
            .where(Lesson.class_id == bindparam("cls"), Lesson.subject_id == bindparam("subj"),
                   Lesson.period_id == bindparam("per"),
                   Mark.student_id.in_(bindparam("ids", expanding=True))))


def read_finals(ctx: FinalsContext, subject_id: int, ids: list[int]) -> Sequence[Row[Any]]:
    """The grades :func:`compute_finals` needs (one query)."""
    if ctx.without_attestation or not ids:
        return []
    return db.session.connection().execute(finals_statement(), {
        "ids": ids, "subj": subject_id, "year": ctx.year_id, "kind": ctx.period_kind}).all()


def section_finals(class_id: int, subject_id: int, period_id: int,
                   student_ids) -> dict[int, dict]:
    """Per pupil of the section: ``computed`` (the policy's exact value as text with three
    decimals - a mark like "4.233", or a percent like "72.500" under ``kz_criteria``),
    ``suggested`` (the mark it rounds to, "2".."5"), ``percent`` (criteria: whole percent),
    ``final`` ("2".."5", "na", "ex" or None), ``version`` and ``bonus`` of the period final,
    ``closed`` (a period final exists: marks are closed), and for the year ``year_computed``
    (average of the period grades), ``year_suggested``, ``year_final``, ``year_version``,
    ``year_stale`` (the set year grade differs from what the period grades give now).

    A subject without attestation has no final grade: every value is None. Three queries
    (context with the settings, marks, grades), whatever the size. No scope check: the
    caller has checked that the user reads the section. The journal grid computes the same
    rows from the cells it has read (:func:`compute_finals`)."""
    ids = sorted({int(i) for i in student_ids})
    if not ids:
        return {}
    conn = db.session.connection()
    row = conn.execute(_context_statement(), {"subj": subject_id, "per": period_id}).first()
    if row is None:
        return {sid: empty_row() for sid in ids}
    ctx = context_from_row(settings_from_row(row.organization_id, row), row)
    marks: dict[int, list[MarkRow]] = defaultdict(list)
    if not ctx.without_attestation:
        for sid, value, category, max_score in conn.execute(_marks_statement(), {
                "cls": class_id, "subj": subject_id, "per": period_id, "ids": ids}):
            marks[sid].append(MarkRow(value, category, max_score))
    return compute_finals(ctx, ids, marks, read_finals(ctx, subject_id, ids), period_id)


def year_periods(period: StudyPeriod) -> list[StudyPeriod]:
    """The periods of ``period``'s year of the same kind (quarters, semesters...), by start."""
    return list(db.session.scalars(
        select(StudyPeriod).where(StudyPeriod.year_id == period.year_id,
                                  StudyPeriod.kind == period.kind)
        .order_by(StudyPeriod.starts_on, StudyPeriod.id)))


def period_closed(student_id: int, subject_id: int, period_id: int) -> bool:
    """Is the pupil's period closed for the subject (a period grade exists)? One query.
    The journal's cells use it: a closed period opens only under an access grant."""
    return db.session.execute(
        select(FinalGrade.id).where(FinalGrade.student_id == student_id,
                                    FinalGrade.subject_id == subject_id,
                                    FinalGrade.kind == FinalKind.period,
                                    FinalGrade.period_id == period_id).limit(1)
    ).first() is not None


def section_pupil_ids(class_id: int, period: StudyPeriod) -> list[int]:
    """Pupils enrolled in the class at some time of the period (one query)."""
    return sorted(set(db.session.scalars(
        select(ClassEnrollment.person_id).where(
            ClassEnrollment.class_id == class_id, ClassEnrollment.from_date <= period.ends_on,
            or_(ClassEnrollment.to_date.is_(None),
                ClassEnrollment.to_date >= period.starts_on)))))
