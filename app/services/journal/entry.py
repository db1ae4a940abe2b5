"""What a teacher types in a journal cell, and a cell as the rules read it (issue 4, seed 002
Appendices Д-Ж, seed 003 §35).

- :func:`parse_entry`: "5", "4 5", attendance codes in Latin or Cyrillic (н/n, у/e, б/i,
  о15/l15), "" or "-" to clear;
- :func:`normalise_marks` / :func:`normalise_attendance`: a mark 2..5, a summative score
  0..max score, a category of the school's grading policy, lateness 1..the lesson's length;
- the JSON shape of a cell (:func:`cell_dict`) shared by the grid, the endpoints and
  conflicts, and :func:`load_context`, what the rules need about one lesson in a fixed number
  of queries.

Saving is in :mod:`app.services.journal.write`, the lesson panel in
:mod:`app.services.journal.panel`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload

from app.extensions import db
from app.models.journal import (
    SCORED_CATEGORIES,
    Attendance,
    FinalGrade,
    FinalKind,
    GradingPolicyName,
    JournalCell,
    LessonRecord,
    Mark,
    MarkCategory,
    WorkType,
)
from app.models.study import ClassEnrollment, SubgroupMember
from app.models.timetable import Lesson
from app.services.errors import ValidationError
from app.services.journal.grading import check_mark
from app.services.journal.settings import EffectiveSettings, effective_settings_of


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

@dataclass
class CellContext:
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
    return {"value": m.value, "category": enum_value(m.category),
            "work_type": enum_value(m.work_type), "max_score": m.max_score}


def cell_dict(lesson_id: int, student_id: int, cell: JournalCell | None,
              marks: list[Mark] | None) -> dict:
    """The JSON shape of a cell shared by the grid, the endpoints and conflicts."""
    if cell is None:
        return {"lesson_id": lesson_id, "student_id": student_id, "version": 0,
                "marks": [], "attendance": None, "remark": None}
    att = None
    if cell.attendance is not None:
        att = {"code": enum_value(cell.attendance), "minutes": cell.late_minutes}
    return {"lesson_id": lesson_id, "student_id": student_id, "version": cell.version,
            "marks": [mark_dict(m) for m in sorted(marks or [], key=lambda m: m.position)],
            "attendance": att, "remark": cell.remark}


def enum_value(v):
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
    code = enum_value(code)
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


def load_context(lesson: Lesson, student_ids: list[int] | None) -> CellContext:
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
    ctx = CellContext(lesson, settings, record, enrolled, closed)
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


def allowed_categories(settings: EffectiveSettings) -> tuple[MarkCategory, ...]:
    return POLICY_CATEGORIES[GradingPolicyName(settings.grading_policy)]


def check_category(category, settings: EffectiveSettings) -> MarkCategory:
    allowed = allowed_categories(settings)
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


def check_work_type(value) -> WorkType | None:
    if value in (None, ""):
        return None
    try:
        return WorkType(value)
    except ValueError:
        raise ValidationError(_l("Unknown work type %(value)s", value=str(value)),
                              field="work_type", code="work_type_unknown") from None


def check_max_score(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 1 <= value <= MAX_SCORE_LIMIT:
        raise ValidationError(
            _l("The maximum score must be a whole number from 1 to %(max)s",
               max=MAX_SCORE_LIMIT), field="max_score", code="max_score_range")
    return value


def normalise_marks(raw: list, ctx: CellContext) -> list[dict]:
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
            and MarkCategory(rec.category) in allowed_categories(ctx.settings)
            else default_category(ctx.settings.grading_policy).value)
        cat = check_category(category, ctx.settings)
        work_type = check_work_type(item.get("work_type") or (
            rec.work_type.value if rec is not None and rec.work_type else None))
        max_score = None
        if cat in SCORED_CATEGORIES:
            max_score = item.get("max_score") or (rec.max_score if rec is not None else None)
            if max_score is None:
                raise ValidationError(
                    _l("Set the maximum score of this summative work in the lesson panel "
                       "first"), field="max_score", code="max_score_missing")
            max_score = check_max_score(max_score)
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

