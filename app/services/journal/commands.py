"""Setting period and year grades (issue 4, "Term and year grades"): :func:`set_final` is the
teacher's confirmation of one period or year grade, with the policy's limits, the closure of
the period, temporary access grants, version conflicts and history; :func:`confirm_section`
confirms every computed grade of a section at once. Each is one unit of work.

Computing: :mod:`app.services.journal.compute`; reading: :mod:`app.services.journal.queries`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app import clock
from app.extensions import db
from app.models.journal import ChangeKind, FinalGrade, FinalKind, JournalChange, Mark
from app.models.study import ClassEnrollment, SchoolClass, StudyPeriod, Subject
from app.models.timetable import Lesson
from app.security.journal.scope import active_grant, final_writer
from app.security.scopes import UserScope
from app.services.errors import ConflictError, ScopeError, ValidationError
from app.services.journal.compute import (
    MARK_VALUES,
    SPECIAL_VALUES,
    MarkRow,
    average_text,
    check_period_value,
    compute_period,
    computed_text,
    is_numeric,
    suggested_year,
)
from app.services.journal.grading import MAX_BONUS, to_fraction
from app.services.journal.queries import section_finals, section_pupil_ids, year_periods
from app.services.journal.settings import effective_settings
from app.services.unit_of_work import command

# ---------------------------------------------------------------- set_final


class FinalConflictError(ConflictError):
    """The final grade changed since the client read it (``server``: the current final)."""

    def __init__(self, server: FinalGrade | None):
        super().__init__(_l("This grade was changed by someone else; reload it and try again"),
                         field="base_version", code="final_conflict")
        self.server = server


def final_as_dict(final: FinalGrade | None) -> dict | None:
    if final is None:
        return None
    return {"id": final.id, "student_id": final.student_id, "class_id": final.class_id,
            "subject_id": final.subject_id, "period_id": final.period_id,
            "kind": FinalKind(final.kind).value, "value": final.value,
            "computed": final.computed,
            "bonus": None if final.bonus is None else str(final.bonus),
            "version": final.version}


def _parse_bonus(bonus) -> Fraction | None:
    if bonus is None or bonus == "":
        return None
    try:
        value = to_fraction(str(bonus).replace(",", ".") if isinstance(bonus, str) else bonus)
    except (TypeError, ValueError, ZeroDivisionError, InvalidOperation):
        value = Fraction(-1)
    if not 0 <= value <= MAX_BONUS:
        raise ValidationError(_l("The bonus must be from 0 to %(max)s", max="0.3"),
                              field="bonus", code="bonus_range")
    return value


def _normalise_value(value) -> str:
    text = str(value).strip().lower() if value is not None else ""
    if text in MARK_VALUES or text in SPECIAL_VALUES:
        return text
    raise ValidationError(
        _l("%(value)s is not a grade; use a mark, na or ex", value=text or "-"),
        field="value", code="final_value_unknown")


def final_author(scope, class_id: int, subject_id: int, period_ids: list[int]) -> int | None:
    """The user's person that may set the section's grades
    (:func:`app.security.journal.scope.final_writer`)."""
    return final_writer(class_id, subject_id, period_ids, scope)


@dataclass(frozen=True)
class _ClassRef:
    id: int
    organization_id: int
    year_id: int


@dataclass
class _Section:
    subject: Subject
    school_class: _ClassRef
    period_id: int | None
    periods: list[StudyPeriod]

    @property
    def kind(self) -> FinalKind:
        return FinalKind.period if self.period_id is not None else FinalKind.year

    @property
    def grant_period_id(self) -> int:
        """The period whose grant opens this grade (the year grade: the year's last period)."""
        return self.period_id if self.period_id is not None else self.periods[-1].id


def _load_section(class_id: int, subject_id: int, period_id: int | None) -> _Section:
    subject = db.session.get(Subject, subject_id)
    row = db.session.execute(
        select(SchoolClass.id, SchoolClass.organization_id, SchoolClass.year_id)
        .where(SchoolClass.id == class_id)).first()
    school_class = _ClassRef(*row) if row is not None else None
    if subject is None or school_class is None or \
            subject.organization_id != school_class.organization_id:
        raise ValidationError(_l("Unknown class or subject"), field="subject_id",
                              code="section_unknown")
    if subject.without_attestation:
        raise ValidationError(_l("The subject %(subject)s is without attestation; it has no "
                                 "final grade", subject=subject.name),
                              field="subject_id", code="without_attestation")
    if period_id is not None:
        period = db.session.get(StudyPeriod, period_id)
        if period is None or period.year_id != school_class.year_id:
            raise ValidationError(_l("The period is not a period of the class's year"),
                                  field="period_id", code="period_unknown")
        return _Section(subject, school_class, period_id, year_periods(period))
    periods = list(db.session.scalars(
        select(StudyPeriod).where(StudyPeriod.year_id == school_class.year_id)
        .order_by(StudyPeriod.starts_on, StudyPeriod.id)))
    if not periods:
        raise ValidationError(_l("The class's year has no periods"), field="period_id",
                              code="period_unknown")
    kinds = sorted({p.kind.value if hasattr(p.kind, "value") else p.kind for p in periods})
    if len(kinds) > 1:  # quarters and semesters in one year: the year grade uses the first kind
        periods = [p for p in periods if (getattr(p.kind, "value", p.kind)) == kinds[0]]
    return _Section(subject, school_class, None, periods)


def _check_pupil(sec: _Section, student_id: int) -> None:
    """The pupil was enrolled in the class at some time of the period (the year)."""
    first, last = sec.periods[0].starts_on, sec.periods[-1].ends_on
    if sec.period_id is not None:
        period = next(p for p in sec.periods if p.id == sec.period_id)
        first, last = period.starts_on, period.ends_on
    found = db.session.execute(
        select(ClassEnrollment.id).where(
            ClassEnrollment.class_id == sec.school_class.id,
            ClassEnrollment.person_id == student_id, ClassEnrollment.from_date <= last,
            or_(ClassEnrollment.to_date.is_(None), ClassEnrollment.to_date >= first))
        .limit(1)).first()
    if found is None:
        raise ValidationError(_l("The pupil is not in this class in this period"),
                              field="student_id", code="not_in_class")


def _existing_final(sec: _Section, student_id: int) -> FinalGrade | None:
    period_cond = (FinalGrade.period_id.is_(None) if sec.period_id is None
                   else FinalGrade.period_id == sec.period_id)
    return db.session.scalars(
        select(FinalGrade).where(FinalGrade.student_id == student_id,
                                 FinalGrade.subject_id == sec.subject.id,
                                 FinalGrade.year_id == sec.school_class.year_id,
                                 FinalGrade.kind == sec.kind, period_cond)
        .with_for_update()).first()


def _check_version(existing: FinalGrade | None, base_version) -> None:
    try:
        base = None if base_version in (None, "") else int(base_version)
    except (TypeError, ValueError):
        raise ValidationError(_l("The version must be a whole number"), field="base_version",
                              code="version_invalid") from None
    if existing is not None and base != existing.version:
        raise FinalConflictError(existing)
    if existing is None and base not in (None, 0):
        raise FinalConflictError(None)


def _period_value(sec: _Section, student_id: int, value: str,
                  bonus: Fraction | None) -> str | None:
    """Check a period grade against the policy; the computed value to store."""
    rows = db.session.execute(
        select(Mark.value, Mark.category, Mark.max_score)
        .join(Lesson, Lesson.id == Mark.lesson_id)
        .where(Lesson.class_id == sec.school_class.id, Lesson.subject_id == sec.subject.id,
               Lesson.period_id == sec.period_id, Mark.student_id == student_id)).all()
    marks = [MarkRow(v, c, m) for v, c, m in rows]
    settings = effective_settings(sec.subject.organization)
    check_period_value(settings, marks, value, bonus)
    return computed_text(compute_period(settings, marks))


def _year_value(sec: _Section, student_id: int, value: str,
                bonus: Fraction | None) -> str | None:
    """Check a year grade against the period grades; the computed average to store."""
    if bonus:
        raise ValidationError(_l("A year grade has no bonus"), field="bonus",
                              code="bonus_range")
    own = dict(db.session.execute(
        select(FinalGrade.period_id, FinalGrade.value).where(
            FinalGrade.student_id == student_id, FinalGrade.subject_id == sec.subject.id,
            FinalGrade.kind == FinalKind.period,
            FinalGrade.period_id.in_([p.id for p in sec.periods]))).all())
    values = [own.get(p.id) for p in sec.periods]
    if value in MARK_VALUES:
        if any(v is None for v in values):
            raise ValidationError(_l("The year grade is set once every period has a grade"),
                                  field="period_id", code="periods_missing")
        expected = suggested_year(values)
        if value != expected:
            raise ValidationError(
                _l("The year grade must be %(mark)s, the average of the period grades",
                   mark=expected or "-"),
                field="value", code="final_out_of_limits")
    return average_text([int(v) for v in values if is_numeric(v)])


def _grant_for_change(scope, sec: _Section, reason: str | None):
    """A set grade is closed: the active grant that opens it, with a reason, or a refusal."""
    grant = active_grant(scope.person_ids, sec.school_class.id, sec.subject.id,
                         sec.grant_period_id, clock.today())
    if grant is None:
        raise ValidationError(
            _l("The grade is set and the period is closed; it changes only under a "
               "temporary access grant"), field="period_id", code="period_closed")
    if not (reason or "").strip():
        raise ValidationError(_l("Give the reason for changing a closed grade"),
                              field="reason", code="reason_required")
    return grant


@command
def set_final(scope: UserScope, *, class_id: int, subject_id: int, period_id: int | None,
              student_id: int, value, bonus=None, base_version: int | None = None,
              reason: str | None = None) -> FinalGrade:
    """Set or confirm a pupil's period grade (``period_id``) or year grade (None).

    Rules, each refusal naming its field:
    - the class and subject exist in one school, the subject has attestation
      (``without_attestation``), the period belongs to the class's year;
    - the user is the section's teacher (:func:`final_author`), else ScopeError (403);
    - ``value`` is "2".."5", "na" or "ex"; "na" and "ex" are always allowed;
    - ``base_version`` is the stored version (None for a new grade), else
      :class:`FinalConflictError` (409);
    - a period mark within the policy's limits: ``kg_weighted`` - the rounded value of
      (exact + bonus), bonus 0..0.3; ``kz_criteria`` - the mark of the weighted percent;
      ``plain_average`` - the rounded average (code ``final_out_of_limits``); nothing to
      compute from: ``no_marks``;
    - a year mark only once every period has a grade, and only the mark
      ``grading.year_grade`` gives (``periods_missing`` / ``final_out_of_limits``);
    - a set grade is closed: it changes only under an active access grant for the section
      (the year grade: a grant for the year's last period) with a reason (``period_closed`` /
      ``reason_required``); confirming the same value again changes nothing.
    Writes one JournalChange (kind final) per change; one unit of work."""
    value = _normalise_value(value)
    sec = _load_section(class_id, subject_id, period_id)
    author = final_author(scope, class_id, subject_id,
                          [period_id] if period_id is not None else [p.id for p in sec.periods])
    if author is None:
        raise ScopeError(_l("Only the teacher of this class and subject sets its grades"),
                         field="subject_id", code="not_section_teacher")
    _check_pupil(sec, student_id)
    existing = _existing_final(sec, student_id)
    _check_version(existing, base_version)
    parsed_bonus = _parse_bonus(bonus)
    check = _period_value if sec.kind is FinalKind.period else _year_value
    computed_text = check(sec, student_id, value, parsed_bonus)
    grant = None
    if existing is not None:
        if existing.value == value and _same_bonus(existing.bonus, parsed_bonus):
            return existing  # a repeated confirmation changes nothing
        grant = _grant_for_change(scope, sec, reason)
    old_value = None
    if existing is None:
        existing = FinalGrade(organization_id=sec.subject.organization_id,
                              year_id=sec.school_class.year_id, kind=sec.kind,
                              period_id=period_id, class_id=class_id, subject_id=subject_id,
                              student_id=student_id, version=1)
        db.session.add(existing)
    else:
        old_value = _history_text(existing.value, existing.bonus)
        existing.version = (existing.version or 1) + 1
    existing.value = value
    existing.computed = computed_text
    existing.bonus = None if parsed_bonus is None else _decimal(parsed_bonus)
    db.session.add(JournalChange(
        organization_id=sec.subject.organization_id,
        at=dt.datetime.now(dt.UTC).replace(tzinfo=None), user_id=scope.user_id,
        author_id=author, kind=ChangeKind.final, class_id=class_id, subject_id=subject_id,
        period_id=period_id, student_id=student_id, old_value=old_value,
        new_value=_history_text(value, parsed_bonus),
        reason=(reason or "").strip() or None, grant_id=grant.id if grant else None))
    return existing


@command
def confirm_section(scope: UserScope, *, class_id: int, subject_id: int,
                    period_id: int) -> tuple[int, int]:
    """Confirm the suggested period grade of every pupil of the section who has none yet
    (the teacher's "confirm all" action), as one unit of work. Pupils with nothing to compute
    from are left for the teacher. Returns (confirmed, left). Same scope as
    :func:`set_final`; a fixed number of queries plus one insert per grade."""
    sec = _load_section(class_id, subject_id, period_id)
    author = final_author(scope, class_id, subject_id, [period_id])
    if author is None:
        raise ScopeError(_l("Only the teacher of this class and subject sets its grades"),
                         field="subject_id", code="not_section_teacher")
    period = next(p for p in sec.periods if p.id == period_id)
    ids = section_pupil_ids(class_id, period)
    rows = section_finals(class_id, subject_id, period_id, ids)
    done = left = 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for sid in ids:
        row = rows[sid]
        if row["final"] is not None:
            continue
        if row["suggested"] is None:
            left += 1
            continue
        db.session.add(FinalGrade(
            organization_id=sec.subject.organization_id, year_id=sec.school_class.year_id,
            kind=FinalKind.period, period_id=period_id, class_id=class_id,
            subject_id=subject_id, student_id=sid, value=row["suggested"],
            computed=row["computed"], version=1))
        db.session.add(JournalChange(
            organization_id=sec.subject.organization_id, at=now, user_id=scope.user_id,
            author_id=author, kind=ChangeKind.final, class_id=class_id,
            subject_id=subject_id, period_id=period_id, student_id=sid, old_value=None,
            new_value=row["suggested"]))
        done += 1
    return done, left


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))


def _same_bonus(stored: Decimal | None, new: Fraction | None) -> bool:
    return Decimal(stored or 0) == (Decimal(0) if new is None else _decimal(new))


def _history_text(value: str, bonus) -> str:
    if bonus:
        return f"{value} (+{float(bonus):g})"
    return value
