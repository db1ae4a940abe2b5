"""Saving the class journal's cells (one pupil on one lesson) and the lesson panel.

Rules (issue 4, seed 002 §2 and Appendices Д-Ж, seed 003 §15-§16, §35):

- only a pupil enrolled in the lesson's class (and in its subgroup, for a subgroup lesson)
  on the lesson's date has a cell (``not_enrolled``);
- marks and remarks are written by the lesson's acting teacher only, attendance also by the
  class teacher (:mod:`app.security.journal_scope`; ``not_lesson_teacher``,
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
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import lazyload

from app import clock
from app.extensions import db
from app.models.journal import (
    SCORED_CATEGORIES,
    Attendance,
    ChangeKind,
    FinalGrade,
    FinalKind,
    GradingPolicyName,
    JournalCell,
    JournalChange,
    JournalOp,
    LessonRecord,
    Mark,
    MarkCategory,
    WorkType,
)
from app.models.study import ClassEnrollment, SubgroupMember
from app.models.timetable import Lesson, LessonPlan, LessonStatus, PlanTopic
from app.security import journal_scope
from app.security.scopes import UserScope
from app.services.edit_window import check_can_edit
from app.services.errors import ConflictError, DomainError, ScopeError, ValidationError
from app.services.grading import check_mark
from app.services.journal_settings import EffectiveSettings, effective_settings_of


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "leave this part of the cell as it is"
UNSET = _Unset()

MAX_MARKS_PER_CELL = 5
MAX_SCORE_LIMIT = 1000
DEFAULT_LESSON_MINUTES = 45

#: categories allowed per grading policy
POLICY_CATEGORIES = {
    GradingPolicyName.kz_criteria: (MarkCategory.formative, MarkCategory.summative_section,
                                    MarkCategory.summative_term),
    GradingPolicyName.kg_weighted: (MarkCategory.intermediate, MarkCategory.control),
    GradingPolicyName.plain_average: (MarkCategory.intermediate, MarkCategory.control),
}

#: attendance codes a teacher types, Latin and Cyrillic (seed 002 Appendix Ж)
ATTENDANCE_CODES = {
    "n": Attendance.absent, "н": Attendance.absent,
    "e": Attendance.excused, "у": Attendance.excused,
    "i": Attendance.ill, "б": Attendance.ill,
    "l": Attendance.late, "о": Attendance.late,
}


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


@dataclass
class _Context:
    """What the rules need about one lesson, loaded once for one or many pupils."""

    lesson: Lesson
    settings: EffectiveSettings
    record: LessonRecord | None
    enrolled: set[int]
    closed: set[int]
    cells: dict[int, JournalCell] = field(default_factory=dict)
    marks: dict[int, list[Mark]] = field(default_factory=dict)


# ------------------------------------------------------------------ reading


def default_category(policy: GradingPolicyName) -> MarkCategory:
    return POLICY_CATEGORIES[GradingPolicyName(policy)][0]


def lesson_minutes(lesson: Lesson) -> int:
    if lesson.starts_at and lesson.ends_at:
        minutes = (dt.datetime.combine(lesson.date, lesson.ends_at)
                   - dt.datetime.combine(lesson.date, lesson.starts_at)).seconds // 60
        if minutes > 0:
            return minutes
    return DEFAULT_LESSON_MINUTES


def mark_dict(m: Mark) -> dict:
    return {"value": m.value, "category": _enum_value(m.category),
            "work_type": _enum_value(m.work_type), "max_score": m.max_score}


def cell_dict(lesson_id: int, student_id: int, cell: JournalCell | None,
              marks: list[Mark] | None) -> dict:
    """The JSON shape of a cell shared by the grid, the endpoints and conflicts."""
    if cell is None:
        return {"lesson_id": lesson_id, "student_id": student_id, "version": 0,
                "marks": [], "attendance": None, "remark": None}
    att = None
    if cell.attendance is not None:
        att = {"code": _enum_value(cell.attendance), "minutes": cell.late_minutes}
    return {"lesson_id": lesson_id, "student_id": student_id, "version": cell.version,
            "marks": [mark_dict(m) for m in sorted(marks or [], key=lambda m: m.position)],
            "attendance": att, "remark": cell.remark}


def _enum_value(v):
    return v.value if hasattr(v, "value") else v


def marks_text(marks: list[dict] | list[Mark]) -> str:
    """History text of a cell's marks: "4 5", a score as "7/10"."""
    out = []
    for m in marks:
        value = m["value"] if isinstance(m, dict) else m.value
        max_score = m.get("max_score") if isinstance(m, dict) else m.max_score
        out.append(f"{value}/{max_score}" if max_score else str(value))
    return " ".join(out)


def attendance_text(code, minutes) -> str:
    if code is None:
        return ""
    code = _enum_value(code)
    return f"{code} {minutes}" if code == Attendance.late.value and minutes else code


def load_cell(lesson_id: int, student_id: int) -> dict:
    cell = db.session.scalars(select(JournalCell).where(
        JournalCell.lesson_id == lesson_id, JournalCell.student_id == student_id)).first()
    marks = []
    if cell is not None:
        marks = list(db.session.scalars(select(Mark).where(Mark.cell_id == cell.id)))
    return cell_dict(lesson_id, student_id, cell, marks)


def enrolled_clause(lesson: Lesson):
    """SQL: person ids enrolled in the lesson's class (and subgroup) on its date."""
    day = lesson.date
    stmt = select(ClassEnrollment.person_id).where(
        ClassEnrollment.class_id == lesson.class_id, ClassEnrollment.from_date <= day,
        or_(ClassEnrollment.to_date.is_(None), ClassEnrollment.to_date >= day))
    if lesson.subgroup_id:
        stmt = stmt.where(ClassEnrollment.person_id.in_(select(SubgroupMember.person_id).where(
            SubgroupMember.subgroup_id == lesson.subgroup_id, SubgroupMember.from_date <= day,
            or_(SubgroupMember.to_date.is_(None), SubgroupMember.to_date >= day))))
    return stmt


def closed_students_clause(class_id: int, subject_id: int, period_id: int):
    """SQL: pupils whose period grade for the subject exists (their section is closed)."""
    return select(FinalGrade.student_id).where(
        FinalGrade.class_id == class_id, FinalGrade.subject_id == subject_id,
        FinalGrade.period_id == period_id, FinalGrade.kind == FinalKind.period)


def settings_of(org_id: int) -> EffectiveSettings:
    """The school's journal settings (one light query)."""
    return effective_settings_of(org_id)


def _context(lesson: Lesson, student_ids: list[int] | None) -> _Context:
    """Load settings, the lesson panel, enrolment, closure and the cells (6 queries)."""
    settings = settings_of(lesson.organization_id)
    record = db.session.scalars(
        select(LessonRecord).where(LessonRecord.lesson_id == lesson.id)
        .options(lazyload("*"))).first()
    enrolled_q = enrolled_clause(lesson)
    if student_ids is not None:
        enrolled_q = enrolled_q.where(ClassEnrollment.person_id.in_(student_ids))
    enrolled = set(db.session.scalars(enrolled_q))
    closed = set(db.session.scalars(
        closed_students_clause(lesson.class_id, lesson.subject_id, lesson.period_id)
        .where(FinalGrade.student_id.in_(sorted(enrolled)))) if enrolled else set())
    ctx = _Context(lesson, settings, record, enrolled, closed)
    if enrolled:
        for cell in db.session.scalars(select(JournalCell).where(
                JournalCell.lesson_id == lesson.id,
                JournalCell.student_id.in_(sorted(enrolled)))):
            ctx.cells[cell.student_id] = cell
            ctx.marks[cell.student_id] = []
        if ctx.cells:
            for m in db.session.scalars(select(Mark).where(
                    Mark.lesson_id == lesson.id, Mark.student_id.in_(sorted(ctx.cells)))
                    .order_by(Mark.position)):
                ctx.marks.setdefault(m.student_id, []).append(m)
    return ctx


# ------------------------------------------------------------------ parsing and rules


def parse_entry(text: str) -> dict:
    """What a teacher typed in a cell -> ``{"marks": [...]}`` or ``{"attendance": ...}``.

    "5", "4 5" (several marks), attendance codes in Latin or Cyrillic: н/n absent, у/e
    excused, б/i ill, о15/l15 late 15 minutes; "" or "-" clears the cell. Code
    ``entry_unreadable`` (field ``value``) otherwise."""
    t = (text or "").strip().lower()
    if t in ("", "-"):
        return {"marks": [], "attendance": None}
    m = re.fullmatch(r"([a-zа-яё])\s*(\d{1,3})?", t)
    if m and m.group(1) in ATTENDANCE_CODES:
        code = ATTENDANCE_CODES[m.group(1)]
        minutes = int(m.group(2)) if m.group(2) else None
        return {"attendance": {"code": code.value, "minutes": minutes}}
    parts = re.split(r"[\s,;]+", t)
    if all(p.isdigit() for p in parts):
        return {"marks": [{"value": int(p)} for p in parts]}
    raise ValidationError(
        _l("%(text)s is not a mark or an attendance code (н, у, б, о15)", text=text),
        field="value", code="entry_unreadable")


def _allowed_categories(settings: EffectiveSettings) -> tuple[MarkCategory, ...]:
    return POLICY_CATEGORIES[GradingPolicyName(settings.grading_policy)]


def check_category(category, settings: EffectiveSettings) -> MarkCategory:
    allowed = _allowed_categories(settings)
    try:
        cat = MarkCategory(category)
    except ValueError:
        cat = None
    if cat not in allowed:
        raise ValidationError(
            _l("The category %(category)s is not used by this school's grading policy; "
               "use %(allowed)s", category=str(category),
               allowed=", ".join(c.value for c in allowed)),
            field="category", code="category_not_allowed")
    return cat


def _check_work_type(value) -> WorkType | None:
    if value in (None, ""):
        return None
    try:
        return WorkType(value)
    except ValueError:
        raise ValidationError(_l("Unknown work type %(value)s", value=str(value)),
                              field="work_type", code="work_type_unknown") from None


def _check_max_score(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 1 <= value <= MAX_SCORE_LIMIT:
        raise ValidationError(
            _l("The maximum score must be a whole number from 1 to %(max)s",
               max=MAX_SCORE_LIMIT), field="max_score", code="max_score_range")
    return value


def normalise_marks(raw: list, ctx: _Context) -> list[dict]:
    """Check the marks of a cell against the school's policy and the lesson panel."""
    if not isinstance(raw, list):
        raise ValidationError(_l("Marks must be a list"), field="marks", code="marks_format")
    if len(raw) > MAX_MARKS_PER_CELL:
        raise ValidationError(
            _l("At most %(n)s marks fit in one cell", n=MAX_MARKS_PER_CELL),
            field="marks", code="too_many_marks")
    rec = ctx.record
    out = []
    for item in raw:
        if not isinstance(item, dict):
            item = {"value": item}
        value = item.get("value")
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        category = item.get("category") or (
            rec.category.value if rec is not None and rec.category is not None
            and MarkCategory(rec.category) in _allowed_categories(ctx.settings)
            else default_category(ctx.settings.grading_policy).value)
        cat = check_category(category, ctx.settings)
        work_type = _check_work_type(item.get("work_type") or (
            rec.work_type.value if rec is not None and rec.work_type else None))
        max_score = None
        if cat in SCORED_CATEGORIES:
            max_score = item.get("max_score") or (rec.max_score if rec is not None else None)
            if max_score is None:
                raise ValidationError(
                    _l("Set the maximum score of this summative work in the lesson panel "
                       "first"), field="max_score", code="max_score_missing")
            max_score = _check_max_score(max_score)
            if isinstance(value, bool) or not isinstance(value, int) \
                    or not 0 <= value <= max_score:
                raise ValidationError(
                    _l("A score must be a whole number from 0 to the maximum %(max)s",
                       max=max_score), field="value", code="score_range")
        else:
            check_mark(value)
        out.append({"value": value, "category": cat.value,
                    "work_type": work_type.value if work_type else None,
                    "max_score": max_score})
    return out


def normalise_attendance(code, minutes, lesson: Lesson):
    """``(code, minutes)`` after the rules; ``(None, None)`` = present."""
    if code in (None, ""):
        return None, None
    code = ATTENDANCE_CODES.get(str(code).lower(), code)
    try:
        att = Attendance(code)
    except ValueError:
        raise ValidationError(
            _l("Unknown attendance code %(code)s; use absent, excused, ill or late",
               code=str(code)), field="attendance", code="attendance_unknown") from None
    if att is not Attendance.late:
        return att.value, None
    limit = lesson_minutes(lesson)
    if isinstance(minutes, str) and minutes.strip().isdigit():
        minutes = int(minutes)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= limit:
        raise ValidationError(
            _l("Lateness needs the minutes late, from 1 to %(max)s", max=limit),
            field="late_minutes", code="late_minutes_range")
    return att.value, minutes


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


def _edit_grant(ctx: _Context, student_id: int, scope: UserScope, today: dt.date,
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


def _write_cell(ctx: _Context, student_id: int, parts: dict,
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
    done = db.session.execute(
        update(JournalCell).where(JournalCell.id == cell.id, JournalCell.version == expected)
        .values(version=expected + 1, **values).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        raise CellConflict(load_cell(lesson.id, student_id))
    return cell


def _write_marks(ctx: _Context, cell: JournalCell, student_id: int, marks: list[dict]) -> None:
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


def _apply(ctx: _Context, student_id: int, *, marks, attendance, remark, base_version,
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


def save_cell(lesson: Lesson, student_id: int, *, marks=None, attendance=UNSET,
              late_minutes=None, remark=UNSET, base_version: int | None, op_id: str | None,
              actor_scope: UserScope, actor_person_id: int | None, user_id: int | None,
              reason: str | None = None, today: dt.date | None = None) -> SaveResult:
    """Save one cell in one transaction (commits). ``marks``: None = unchanged, else the
    full new list (``[]`` clears); ``attendance``: UNSET = unchanged, None / "" = present,
    else a code (``late`` with ``late_minutes``); ``remark``: UNSET = unchanged.
    Raises :class:`CellConflict` on a version mismatch, ValidationError / ScopeError."""
    today = today or clock.today()
    replay = _replay(op_id, user_id, lesson, student_id)
    if replay is not None:
        return replay
    _check_writer(lesson, actor_scope, marks is not None or remark is not UNSET,
                  attendance is not UNSET)
    _check_lesson_open(lesson, today)
    if base_version is None:
        raise ValidationError(_l("The cell's version is missing"), field="base_version",
                              code="base_version_required")
    ctx = _context(lesson, [student_id])
    if student_id not in ctx.enrolled:
        raise ValidationError(
            _l("The pupil is not in this lesson's class or group on %(date)s",
               date=lesson.date.isoformat()), field="student", code="not_enrolled")
    norm_marks = UNSET if marks is None else normalise_marks(marks, ctx)
    norm_att = UNSET if attendance is UNSET else normalise_attendance(
        attendance, late_minutes, lesson)
    grant = _edit_grant(ctx, student_id, actor_scope, today, reason, {})
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
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    except Exception as err:  # a concurrent first save of the same cell
        db.session.rollback()
        if "uq_journal_cell" in str(err) or "UNIQUE" in str(err).upper():
            raise CellConflict(load_cell(lesson.id, student_id)) from err
        raise
    return SaveResult(cell=new, changed=changed)


def fill_down(lesson: Lesson, value: str, *, actor_scope: UserScope,
              actor_person_id: int | None, user_id: int | None,
              today: dt.date | None = None) -> dict:
    """Put the same typed value (a mark, marks or an attendance code) into every cell of the
    lesson that has none of that kind yet, for every enrolled pupil whose cell is open (no
    grant is used). One transaction, a fixed number of queries plus the writes. Returns
    ``{"cells": [...], "skipped": n}``."""
    today = today or clock.today()
    entry = parse_entry(value)
    is_marks = "marks" in entry and entry["marks"]
    is_att = "attendance" in entry and entry["attendance"]
    if not (is_marks or is_att):
        raise ValidationError(_l("Type a mark or an attendance code to fill down"),
                              field="value", code="fill_value_empty")
    _check_writer(lesson, actor_scope, bool(is_marks), bool(is_att))
    _check_lesson_open(lesson, today)
    ctx = _context(lesson, None)
    marks = normalise_marks(entry["marks"], ctx) if is_marks else UNSET
    att = (normalise_attendance(entry["attendance"]["code"], entry["attendance"]["minutes"],
                                lesson) if is_att else UNSET)
    saved, skipped = [], 0
    try:
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
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {"cells": saved, "skipped": skipped}


# ------------------------------------------------------------------ lesson panel


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
        "work_type": _enum_value(record.work_type) if record and record.work_type else None,
        "category": _enum_value(record.category) if record and record.category else None,
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


def save_lesson_panel(lesson: Lesson, *, topic=UNSET, plan_topic_id=UNSET, homework=UNSET,
                      homework_due=UNSET, homework_minutes=UNSET, work_type=UNSET,
                      category=UNSET, max_score=UNSET, base_version: int | None,
                      actor_scope: UserScope) -> dict:
    """Save the lesson panel (topic, homework, work type, category, max score) in one
    transaction. Only the acting teacher (``not_lesson_teacher``); a changed category, work
    type or max score also applies to the lesson's marks, which must fit it
    (``marks_do_not_fit``); version mismatch -> :class:`ConflictError`."""
    if not journal_scope.can_write_marks(lesson, actor_scope):
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
    try:
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
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
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
        record.work_type = _check_work_type(work_type)
    if category is not UNSET and category not in (None, ""):
        record.category = check_category(category, settings)
    if max_score is not UNSET:
        record.max_score = None if max_score in (None, "") else _check_max_score(
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
    if plan is None or plan.organization_id != lesson.organization_id \
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
    fits = (high <= record.max_score) if scored else (low >= 2 and high <= 5)
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
