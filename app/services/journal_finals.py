"""Period and year grades of the class journal (issue 4, "Term and year grades").

:func:`section_finals` computes, for every pupil of a class x subject x period, the value the
school's grading policy gives from the period's marks (the *computed* value, exact to three
decimals), the mark it suggests, and the final grades already set; it runs a fixed number of
queries whatever the number of pupils and marks (the journal grid calls it).

:func:`set_final` is the teacher's confirmation of a period or year grade, with the policy's
limits, the closure of the period, temporary access grants, version conflicts and history.

Which marks feed which policy (decisions, documented in docs/journal-grades.md):

* ``kg_weighted`` (seed 003 §23-§24): marks of category *control* are the control marks; every
  other mark that is a plain mark (not a summative score) is an intermediate mark.
* ``kz_criteria``: *formative* marks give a percent each - the score out of the mark's
  ``max_score`` when it has one, otherwise the 5-point mark out of 5 (5 -> 100 %, 4 -> 80 %);
  *summative for a section* marks are ``(score, max_score)`` pairs; *summative for a term*
  marks are added into one pair. Intermediate and control marks do not count.
* ``plain_average``: every plain mark (summative scores are left out).

Marks out of range or a policy that has nothing to compute from give ``computed`` None.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, bindparam, func, or_, select, type_coerce
from sqlalchemy.orm import aliased

from app import clock
from app.extensions import db
from app.models.journal import (
    SCORED_CATEGORIES,
    ChangeKind,
    FinalGrade,
    FinalKind,
    GradingPolicyName,
    JournalChange,
    JournalSettings,
    Mark,
    MarkCategory,
)
from app.models.org import Organization
from app.models.study import ClassEnrollment, SchoolClass, StudyPeriod, Subject
from app.models.timetable import Lesson
from app.services.errors import ConflictError, ScopeError, ValidationError
from app.services.grading import (
    MAX_BONUS,
    FinalValue,
    KazakhCriteriaPolicy,
    KazakhInputs,
    KazakhWeights,
    KyrgyzInputs,
    KyrgyzWeightedPolicy,
    PlainAveragePolicy,
    PlainInputs,
    TermResult,
    to_fraction,
    year_grade,
)
from app.services.journal_settings import (
    EffectiveSettings,
    effective_settings,
    settings_from_row,
)

MARK_VALUES = ("2", "3", "4", "5")
SPECIAL_VALUES = (FinalValue.NOT_ATTESTED.value, FinalValue.EXEMPT.value)


# ---------------------------------------------------------------- computing (pure)


class MarkRow(NamedTuple):
    """One mark as the policies need it (``category`` a :class:`MarkCategory`)."""

    value: int
    category: MarkCategory
    max_score: int | None = None


_CONTROL, _FORMATIVE = MarkCategory.control, MarkCategory.formative
_SECTION, _TERM = MarkCategory.summative_section, MarkCategory.summative_term
_SCORED = frozenset(SCORED_CATEGORIES)

#: a mark category from its stored name or its value ("summative_section" / "sum_section")
CATEGORY_OF = {**{c.name: c for c in MarkCategory}, **{c.value: c for c in MarkCategory},
               **{c: c for c in MarkCategory}}


def _kg(settings: EffectiveSettings, marks, bonus) -> TermResult | None:
    intermediate: list[int] = []
    control: list[int] = []
    for value, category, _max in marks:
        if category is _CONTROL:
            control.append(value)
        elif category not in _SCORED:
            intermediate.append(value)
    if not control and not intermediate:
        return None
    try:
        return _KG.compute(KyrgyzInputs(intermediate, control, bonus))
    except ValidationError as err:
        if err.code == "bonus_range":
            raise
        return None


@functools.lru_cache(maxsize=64)
def _kz_policy(formative, section, term) -> KazakhCriteriaPolicy | None:
    """The criteria policy for a school's weights (None when they do not add up)."""
    try:
        return KazakhCriteriaPolicy(KazakhWeights(formative, section, term))
    except ValidationError:
        return None


def _kz(settings: EffectiveSettings, marks, bonus) -> TermResult | None:
    formative: list[tuple[int, int]] = []
    section: list[tuple[int, int]] = []
    term_score = term_max = 0
    for value, category, max_score in marks:
        if category is _FORMATIVE:
            if (max_score or 5) > 0:
                formative.append((value, max_score or 5))
        elif category is _SECTION:
            if max_score:
                section.append((value, max_score))
        elif category is _TERM and max_score:
            term_score, term_max = term_score + value, term_max + max_score
    if not (formative or section or term_max):
        return None
    policy = _kz_policy(settings.weight_formative, settings.weight_section,
                        settings.weight_term)
    if policy is None:
        return None
    try:
        return policy.compute(KazakhInputs(
            section=section, term=(term_score, term_max) if term_max else None,
            formative_scores=formative))
    except ValidationError:
        return None


def _plain(settings: EffectiveSettings, marks, bonus) -> TermResult | None:
    plain = [value for value, category, _max in marks if category not in _SCORED]
    if not plain:
        return None
    try:
        return _PLAIN.compute(PlainInputs(plain))
    except ValidationError:
        return None


_KG, _PLAIN = KyrgyzWeightedPolicy(), PlainAveragePolicy()
_COMPUTE = {GradingPolicyName.kg_weighted: _kg, GradingPolicyName.kz_criteria: _kz,
            GradingPolicyName.plain_average: _plain}


def compute_period(settings: EffectiveSettings, marks: list[MarkRow],
                   bonus=0) -> TermResult | None:
    """The policy's result for one pupil's marks of a period, or None when the policy has
    nothing to compute from (or a mark is out of range). ``bonus`` only counts for
    ``kg_weighted`` and is checked there (0..0.3, code ``bonus_range``)."""
    return _COMPUTE[GradingPolicyName(settings.grading_policy)](settings, marks, bonus)


def _computed_text(result: TermResult | None) -> str | None:
    return None if result is None else str(result.exact)


def _is_numeric(value: str | None) -> bool:
    return value in MARK_VALUES


def _average_text(numbers: list[int]) -> str | None:
    """The average of the period marks to three decimals, half up ("4.667"), or None."""
    if not numbers:
        return None
    return str((Decimal(sum(numbers)) / len(numbers)).quantize(Decimal("0.001"),
                                                                rounding=ROUND_HALF_UP))


def suggested_year(period_values: list[str | None]) -> str | None:
    """The year grade the period grades give (``grading.year_grade``), or None until every
    period of the year has a grade."""
    if not period_values or any(v is None for v in period_values):
        return None
    grades = [int(v) if _is_numeric(v) else v for v in period_values]
    try:
        return str(year_grade(grades))
    except ValidationError:
        return None


@dataclass(frozen=True)
class FinalsContext:
    """What the final-grade columns of a section need besides its marks and grades: the
    school's settings, the class's year, the kind of the period (quarter, semester...), how
    many periods of that kind the year has, and whether the subject has attestation."""

    settings: EffectiveSettings
    year_id: int
    period_kind: str
    year_periods: int
    without_attestation: bool


def _empty_row() -> dict:
    return {"computed": None, "suggested": None, "percent": None, "final": None,
            "version": None, "bonus": None, "closed": False, "year_computed": None,
            "year_suggested": None, "year_final": None, "year_version": None,
            "year_stale": False}


def compute_finals(ctx: FinalsContext, student_ids, marks: dict[int, list],
                   finals, period_id: int) -> dict[int, dict]:
    """The rows of :func:`section_finals` from data already read (pure): ``marks`` per
    pupil (``MarkRow``-like triples of the period), ``finals`` the pupils' grades of the
    subject and year as ``(student_id, kind, period_id, value, version, bonus)`` - period
    grades of the periods of ``ctx.period_kind`` and year grades."""
    result = {sid: _empty_row() for sid in student_ids}
    if ctx.without_attestation:
        return result
    by_student: dict[int, dict] = defaultdict(dict)
    for sid, kind, fp_id, value, version, bonus in finals:
        key = "year" if kind == FinalKind.year else fp_id
        by_student[sid][key] = (value, version, bonus)
    compute = _COMPUTE[GradingPolicyName(ctx.settings.grading_policy)]
    for sid, row in result.items():
        res = compute(ctx.settings, marks.get(sid, ()), 0)
        if res is not None:
            row["computed"] = str(res.exact)
            row["suggested"] = str(res.rounded)
            row["percent"] = res.percent
        own = by_student.get(sid)
        if not own:
            continue
        year = own.pop("year", None)
        final = own.get(period_id)
        if final is not None:
            row.update(final=final[0], version=final[1], closed=True,
                       bonus=None if final[2] is None else str(final[2]))
        values = list(own.values())
        row["year_computed"] = _average_text([int(v[0]) for v in values
                                              if _is_numeric(v[0])])
        if len(values) >= ctx.year_periods:
            row["year_suggested"] = suggested_year([v[0] for v in values])
        if year is not None:
            row.update(year_final=year[0], year_version=year[1])
            # a period grade changed (under a grant) after the year grade was set: the year
            # grade is a person's decision and is not changed by itself - it is flagged
            row["year_stale"] = (row["year_suggested"] is not None
                                 and row["year_suggested"] != year[0])
    return result


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


def read_finals(ctx: FinalsContext, subject_id: int, ids: list[int]) -> list:
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
        return {sid: _empty_row() for sid in ids}
    ctx = context_from_row(settings_from_row(row.organization_id, row), row)
    marks: dict[int, list[MarkRow]] = defaultdict(list)
    if not ctx.without_attestation:
        for sid, value, category, max_score in conn.execute(_marks_statement(), {
                "cls": class_id, "subj": subject_id, "per": period_id, "ids": ids}):
            marks[sid].append(MarkRow(value, category, max_score))
    return compute_finals(ctx, ids, marks, read_finals(ctx, subject_id, ids), period_id)


def _year_periods(period: StudyPeriod) -> list[StudyPeriod]:
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
    """The user's person that may set the section's grades (journal_scope.final_writer)."""
    from app.security.journal_scope import final_writer  # noqa: PLC0415 (scope rules)

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
        return _Section(subject, school_class, period_id, _year_periods(period))
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
    _check_period_value(settings, marks, value, bonus)
    return _computed_text(compute_period(settings, marks))


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
    return _average_text([int(v) for v in values if _is_numeric(v)])


def _grant_for_change(scope, sec: _Section, reason: str | None):
    """A set grade is closed: the active grant that opens it, with a reason, or a refusal."""
    from app.security.journal_scope import active_grant  # noqa: PLC0415

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


def set_final(scope, *, class_id: int, subject_id: int, period_id: int | None,
              student_id: int, value, bonus=None, base_version: int | None = None,
              reason: str | None = None, commit: bool = True) -> FinalGrade:
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
    Writes one JournalChange (kind final) per change, in one transaction."""
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
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return existing


def section_pupil_ids(class_id: int, period: StudyPeriod) -> list[int]:
    """Pupils enrolled in the class at some time of the period (one query)."""
    return sorted(set(db.session.scalars(
        select(ClassEnrollment.person_id).where(
            ClassEnrollment.class_id == class_id, ClassEnrollment.from_date <= period.ends_on,
            or_(ClassEnrollment.to_date.is_(None),
                ClassEnrollment.to_date >= period.starts_on)))))


def confirm_section(scope, *, class_id: int, subject_id: int,
                    period_id: int) -> tuple[int, int]:
    """Confirm the suggested period grade of every pupil of the section who has none yet
    (the teacher's "confirm all" action), in one transaction. Pupils with nothing to compute
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
    db.session.commit()
    return done, left


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))


def _same_bonus(stored: Decimal | None, new: Fraction | None) -> bool:
    return Decimal(stored or 0) == (Decimal(0) if new is None else _decimal(new))


def _history_text(value: str, bonus) -> str:
    if bonus:
        return f"{value} (+{float(bonus):g})"
    return value


def _no_marks_error():
    raise ValidationError(_l("There are no marks to compute a result from"),
                          field="marks", code="no_marks")


def _check_period_value(settings: EffectiveSettings, marks: list[MarkRow], value: str,
                        bonus: Fraction | None) -> None:
    """Refuse a period mark outside the policy's limits (``na``/``ex`` always pass)."""
    if value in SPECIAL_VALUES:
        if bonus:
            raise ValidationError(_l("Only a mark takes a bonus"), field="bonus",
                                  code="bonus_range")
        return
    policy = GradingPolicyName(settings.grading_policy)
    if bonus and policy is not GradingPolicyName.kg_weighted:
        raise ValidationError(_l("A bonus is added only under the Kyrgyz regulation"),
                              field="bonus", code="bonus_range")
    result = compute_period(settings, marks, bonus or 0)
    if result is None:
        _no_marks_error()
    mark = int(value)
    if policy is GradingPolicyName.kg_weighted and bonus is None:
        high = compute_period(settings, marks, MAX_BONUS)
        allowed = sorted({result.rounded, high.rounded if high else result.rounded})
        if mark in allowed:
            return
        raise ValidationError(
            _l("The grade must be from %(low)s to %(high)s: the computed %(exact)s plus a "
               "bonus of at most 0.3, rounded", low=allowed[0], high=allowed[-1],
               exact=str(result.exact)),
            field="value", code="final_out_of_limits")
    if mark != result.rounded:
        if policy is GradingPolicyName.kg_weighted:
            message = _l("With this bonus the grade must be %(mark)s (computed %(exact)s)",
                         mark=result.rounded, exact=str(result.exact))
        elif policy is GradingPolicyName.kz_criteria:
            message = _l("The grade must be %(mark)s: %(percent)s%% by the criteria",
                         mark=result.rounded, percent=result.percent)
        else:
            message = _l("The grade must be %(mark)s, the rounded average %(exact)s",
                         mark=result.rounded, exact=str(result.exact))
        raise ValidationError(message, field="value", code="final_out_of_limits")


__all__ = ["CATEGORY_OF", "FINAL_COLUMNS", "FinalConflictError", "FinalsContext", "MarkRow",
           "compute_finals", "compute_period", "context_columns", "context_from_row",
           "counted_finals_clause", "read_finals", "confirm_section",
           "final_as_dict", "final_author", "period_closed", "section_finals", "section_pupil_ids",
           "set_final", "suggested_year"]
