"""Saving the class journal's cells (one pupil on one lesson) and filling a lesson down.

Rules (issue 4, seed 002 §2 and Appendices Д-Ж, seed 003 §15-§16, §35):

- only a pupil enrolled in the lesson's class (and in its subgroup, for a subgroup lesson)
  on the lesson's date has a cell (``not_enrolled``);
- marks and remarks are written by the lesson's acting teacher only, attendance also by the
  class teacher (:mod:`app.security.journal.scope`; ``not_lesson_teacher``,
  ``not_attendance_writer``);
- a mark is 2..5 (``mark_range``), a summative score 0..max score (``score_range``); the
  category must belong to the school's grading policy (``category_not_allowed``);
- "late" needs the minutes, 1..the lesson's length (``late_minutes_range``);
- a cancelled lesson or a lesson after today takes nothing (``lesson_cancelled``,
  ``lesson_in_future``);
- the school's edit window and the closed period (the pupil has a period grade for the
  subject) refuse changes (``edit_window_closed`` with the last day, ``period_closed``); an
  active access grant lifts both, and then a reason is required (``reason_required``); the
  change history keeps the reason and the grant;
- every change of a cell increments its version; a save carries the version it was based on
  and a different current version is a conflict (409) carrying the server's cell;
- an operation id already applied (the offline queue resends) returns the stored result.

What a teacher types and how a cell is read: :mod:`app.services.journal.entry`; the lesson
panel: :mod:`app.services.journal.panel`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, delete, insert, update

from app import clock
from app.extensions import db
from app.models.journal import (
    Attendance,
    ChangeKind,
    JournalCell,
    JournalChange,
    JournalOp,
    Mark,
    MarkCategory,
    WorkType,
)
from app.models.timetable import Lesson, LessonStatus
from app.security.journal import scope as journal_scope
from app.security.scopes import UserScope
from app.services.errors import ConflictError, DomainError, ScopeError, ValidationError
from app.services.journal.edit_window import check_can_edit
from app.services.journal.entry import (
    UNSET,
    CellContext,
    attendance_text,
    cell_dict,
    load_cell,
    load_context,
    marks_text,
    normalise_attendance,
    normalise_marks,
    parse_entry,
)
from app.services.unit_of_work import command


class CellConflict(ConflictError):
    """The cell changed since the client read it: ``server`` is the current cell."""

    def __init__(self, server: dict):
        super().__init__(_l("Someone else changed this cell; compare and choose a value"),
                         field="base_version", code="version_conflict")
        self.server = server


@dataclass
class SaveResult:
    cell: dict
    replayed: bool = False
    changed: bool = True


# ------------------------------------------------------------------ rules of a save


def _check_lesson_open(lesson: Lesson, today: dt.date) -> None:
    if lesson.status == LessonStatus.cancelled:
        raise ValidationError(_l("The lesson was cancelled; it takes no marks"),
                              field="lesson", code="lesson_cancelled")
    if lesson.date > today:
        raise ValidationError(
            _l("The lesson of %(date)s has not taken place yet",
               date=lesson.date.isoformat()), field="lesson", code="lesson_in_future")


def _check_writer(lesson: Lesson, scope: UserScope, marks_or_remark: bool,
                  attendance: bool) -> None:
    if marks_or_remark and not journal_scope.can_write_marks(lesson, scope):
        raise ScopeError(_l("Only the teacher of this lesson may write its marks"),
                         field="marks", code="not_lesson_teacher")
    if attendance and not journal_scope.can_write_attendance(lesson, scope):
        raise ScopeError(
            _l("Only the teacher of this lesson or the class teacher may record attendance"),
            field="attendance", code="not_attendance_writer")


def _edit_grant(ctx: CellContext, student_id: int, scope: UserScope, today: dt.date,
                reason: str | None, grant_cache: dict):
    """None when the cell is open; the grant when it opens a closed cell (reason needed);
    raises the window / closed-period refusal otherwise."""
    lesson = ctx.lesson
    try:
        check_can_edit(lesson.date, today, ctx.settings.edit_window,
                       student_id in ctx.closed)
        return None
    except ValidationError:
        if "grant" not in grant_cache:
            grant_cache["grant"] = journal_scope.active_grant_ref(
                scope.person_ids, lesson.class_id, lesson.subject_id, lesson.period_id, today)
        grant = grant_cache["grant"]
        if grant is None:
            raise
    if not (reason or "").strip():
        raise ValidationError(
            _l("This cell is closed; a change under an access grant needs a reason"),
            field="reason", code="reason_required")
    return grant


# ------------------------------------------------------------------ writing


def _replay(op_id: str | None, user_id: int | None, lesson: Lesson,
            student_id: int) -> SaveResult | None:
    if not op_id:
        return None
    op = db.session.get(JournalOp, op_id)
    if op is None:
        return None
    if op.user_id != user_id:
        raise ValidationError(_l("This operation id was already used"), field="op_id",
                              code="op_id_taken")
    cell = load_cell(lesson.id, student_id)
    return SaveResult(cell=dict(cell, version=max(op.version, cell["version"])),
                      replayed=True, changed=False)


def _diff(old: dict, marks, attendance, remark, common: dict) -> tuple[list, dict]:
    """History rows of a save and the parts that really change (others dropped)."""
    changes, parts = [], {}
    if marks is not UNSET:
        a, b = marks_text(old["marks"]), marks_text(marks)
        if a != b or [m["category"] for m in old["marks"]] != [m["category"] for m in marks]:
            changes.append(dict(common, kind=ChangeKind.mark, old_value=a, new_value=b))
            parts["marks"] = marks
    if attendance is not UNSET:
        prev = old["attendance"] or {}
        a = attendance_text(prev.get("code"), prev.get("minutes"))
        b = attendance_text(*attendance)
        if a != b:
            changes.append(dict(common, kind=ChangeKind.attendance, old_value=a, new_value=b))
            parts["attendance"] = Attendance(attendance[0]) if attendance[0] else None
            parts["late_minutes"] = attendance[1]
    if remark is not UNSET:
        remark = (remark or "").strip()[:500] or None
        if (old["remark"] or None) != remark:
            changes.append(dict(common, kind=ChangeKind.remark, old_value=old["remark"] or "",
                                new_value=remark or ""))
            parts["remark"] = remark
    return changes, parts


def _write_cell(ctx: CellContext, student_id: int, parts: dict,
                base_version: int | None) -> JournalCell:
    """Insert the cell, or update it when its version is still ``base_version``."""
    lesson = ctx.lesson
    cell = ctx.cells.get(student_id)
    values = {k: v for k, v in parts.items() if k != "marks"}
    if cell is None:
        cell = JournalCell(organization_id=lesson.organization_id, lesson_id=lesson.id,
                           student_id=student_id, version=1, **values)
        db.session.add(cell)
        db.session.flush()
        return cell
    expected = cell.version if base_version is None else base_version
    # an UPDATE without RETURNING gives a CursorResult (execute() is typed Result)
    done = cast(CursorResult[Any], db.session.execute(
        update(JournalCell).where(JournalCell.id == cell.id, JournalCell.version == expected)
        .values(version=expected + 1, **values).execution_options(synchronize_session=False)))
    if done.rowcount != 1:  # the command's unit of work rolls the save back
        raise CellConflict(load_cell(lesson.id, student_id))
    return cell


def _write_marks(ctx: CellContext, cell: JournalCell, student_id: int, marks: list[dict]) -> None:
    lesson = ctx.lesson
    if ctx.marks.get(student_id):
        db.session.execute(delete(Mark).where(Mark.cell_id == cell.id)
                           .execution_options(synchronize_session=False))
    if marks:
        db.session.execute(insert(Mark), [
            dict(organization_id=lesson.organization_id, cell_id=cell.id,
                 lesson_id=lesson.id, student_id=student_id, position=i,
                 value=m["value"], max_score=m["max_score"],
                 category=MarkCategory(m["category"]),
                 work_type=WorkType(m["work_type"]) if m["work_type"] else None)
            for i, m in enumerate(marks)])


def _apply(ctx: CellContext, student_id: int, *, marks, attendance, remark, base_version,
           user_id, author_id, reason, grant) -> tuple[dict, bool]:
    """Write one cell (marks / attendance / remark given as normalised values or UNSET),
    its history rows, and bump its version with an optimistic check."""
    lesson = ctx.lesson
    old = cell_dict(lesson.id, student_id, ctx.cells.get(student_id),
                    ctx.marks.get(student_id, []))
    common = dict(organization_id=lesson.organization_id, user_id=user_id,
                  author_id=author_id, class_id=lesson.class_id,
                  subject_id=lesson.subject_id, period_id=lesson.period_id,
                  lesson_id=lesson.id, student_id=student_id,
                  reason=(reason or None) if grant else None,
                  grant_id=grant.id if grant else None)
    changes, parts = _diff(old, marks, attendance, remark, common)
    if not changes:
        return old, False
    cell = _write_cell(ctx, student_id, parts, base_version)
    if "marks" in parts:
        _write_marks(ctx, cell, student_id, parts["marks"])
    db.session.execute(insert(JournalChange), changes)
    new = dict(old, version=old["version"] + 1)
    if "marks" in parts:
        new["marks"] = [dict(m) for m in parts["marks"]]
    if "attendance" in parts:
        new["attendance"] = ({"code": parts["attendance"].value,
                              "minutes": parts["late_minutes"]}
                             if parts["attendance"] else None)
    if "remark" in parts:
        new["remark"] = parts["remark"]
    ctx.cells[student_id] = cell
    return new, True


@command
def save_cell(scope: UserScope, lesson: Lesson, student_id: int, *, marks=None,
              attendance=UNSET, late_minutes=None, remark=UNSET, base_version: int | None,
              op_id: str | None, actor_person_id: int | None, user_id: int | None,
              reason: str | None = None, today: dt.date | None = None) -> SaveResult:
    """Save one cell as one unit of work, for the user of ``scope`` (who must write the
    lesson's marks or attendance, else ScopeError). ``marks``: None = unchanged, else the
    full new list (``[]`` clears); ``attendance``: UNSET = unchanged, None / "" = present,
    else a code (``late`` with ``late_minutes``); ``remark``: UNSET = unchanged.
    Raises :class:`CellConflict` on a version mismatch, ValidationError / ScopeError."""
    today = today or clock.today()
    replay = _replay(op_id, user_id, lesson, student_id)
    if replay is not None:
        return replay
    _check_writer(lesson, scope, marks is not None or remark is not UNSET,
                  attendance is not UNSET)
    _check_lesson_open(lesson, today)
    if base_version is None:
        raise ValidationError(_l("The cell's version is missing"), field="base_version",
                              code="base_version_required")
    ctx = load_context(lesson, [student_id])
    if student_id not in ctx.enrolled:
        raise ValidationError(
            _l("The pupil is not in this lesson's class or group on %(date)s",
               date=lesson.date.isoformat()), field="student", code="not_enrolled")
    norm_marks = UNSET if marks is None else normalise_marks(marks, ctx)
    norm_att = UNSET if attendance is UNSET else normalise_attendance(
        attendance, late_minutes, lesson)
    grant = _edit_grant(ctx, student_id, scope, today, reason, {})
    cell = ctx.cells.get(student_id)
    current = cell.version if cell is not None else 0
    if base_version != current:
        raise CellConflict(cell_dict(lesson.id, student_id, cell, ctx.marks.get(student_id)))
    try:
        new, changed = _apply(ctx, student_id, marks=norm_marks, attendance=norm_att,
                              remark=remark, base_version=base_version, user_id=user_id,
                              author_id=actor_person_id, reason=reason, grant=grant)
        if op_id:
            stored = ctx.cells.get(student_id)
            db.session.add(JournalOp(op_id=op_id[:64], user_id=user_id,
                                     cell_id=stored.id if stored is not None else None,
                                     version=new["version"]))
        db.session.flush()  # a refused write shows here, not at the unit's commit
    except DomainError:
        raise
    except Exception as err:  # a concurrent first save of the same cell
        # the failed flush left the transaction unusable: end it before reading the cell
        # the other save stored (the unit of work then rolls back an empty transaction)
        db.session.rollback()
        if "uq_journal_cell" in str(err) or "UNIQUE" in str(err).upper():
            raise CellConflict(load_cell(lesson.id, student_id)) from err
        raise
    return SaveResult(cell=new, changed=changed)


@command
def fill_down(scope: UserScope, lesson: Lesson, value: str, *, actor_person_id: int | None,
              user_id: int | None, today: dt.date | None = None) -> dict:
    """Put the same typed value (a mark, marks or an attendance code) into every cell of the
    lesson that has none of that kind yet, for every enrolled pupil whose cell is open (no
    grant is used), for the user of ``scope`` (the same writers as :func:`save_cell`). One
    unit of work, a fixed number of queries plus the writes. Returns
    ``{"cells": [...], "skipped": n}``."""
    today = today or clock.today()
    entry = parse_entry(value)
    is_marks = "marks" in entry and entry["marks"]
    is_att = "attendance" in entry and entry["attendance"]
    if not (is_marks or is_att):
        raise ValidationError(_l("Type a mark or an attendance code to fill down"),
                              field="value", code="fill_value_empty")
    _check_writer(lesson, scope, bool(is_marks), bool(is_att))
    _check_lesson_open(lesson, today)
    ctx = load_context(lesson, None)
    marks = normalise_marks(entry["marks"], ctx) if is_marks else UNSET
    att = (normalise_attendance(entry["attendance"]["code"], entry["attendance"]["minutes"],
                                lesson) if is_att else UNSET)
    saved, skipped = [], 0
    for student_id in sorted(ctx.enrolled):
        cell = ctx.cells.get(student_id)
        has = (bool(ctx.marks.get(student_id)) if is_marks
               else cell is not None and cell.attendance is not None)
        if has:
            continue
        try:
            check_can_edit(lesson.date, today, ctx.settings.edit_window,
                           student_id in ctx.closed)
        except ValidationError:
            skipped += 1
            continue
        new, changed = _apply(ctx, student_id, marks=marks, attendance=att,
                              remark=UNSET, base_version=None, user_id=user_id,
                              author_id=actor_person_id, reason=None, grant=None)
        if changed:
            saved.append(new)
    return {"cells": saved, "skipped": skipped}

