"""Period and year grades computed from marks (pure: no database; issue 4, "Term and year
grades"). The rules themselves are :mod:`app.services.journal.grading`; this module feeds
them the marks of a period as each school's policy counts them.

Which marks feed which policy (decisions, documented in docs/journal-grades.md):

* ``kg_weighted`` (seed 003 §23-§24): marks of category *control* are the control marks; every
  other mark that is a plain mark (not a summative score) is an intermediate mark.
* ``kz_criteria``: *formative* marks give a percent each - the score out of the mark's
  ``max_score`` when it has one, otherwise the 5-point mark out of 5 (5 -> 100 %, 4 -> 80 %);
  *summative for a section* marks are ``(score, max_score)`` pairs; *summative for a term*
  marks are added into one pair. Intermediate and control marks do not count.
* ``plain_average``: every plain mark (summative scores are left out).

Marks out of range or a policy that has nothing to compute from give ``computed`` None.
:func:`check_period_value` refuses a period grade outside the policy's limits.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import NamedTuple, NoReturn, TypeGuard

from flask_babel import lazy_gettext as _l

from app.models.journal import SCORED_CATEGORIES, FinalKind, GradingPolicyName, MarkCategory
from app.services.errors import ValidationError
from app.services.journal.grading import (
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
    year_grade,
)
from app.services.journal.settings import EffectiveSettings

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
CATEGORY_OF: dict[str, MarkCategory] = {**{c.name: c for c in MarkCategory}, **{c.value: c for c in MarkCategory},
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


def computed_text(result: TermResult | None) -> str | None:
    return None if result is None else str(result.exact)


def is_numeric(value: str | None) -> TypeGuard[str]:
    return value in MARK_VALUES


def average_text(numbers: list[int]) -> str | None:
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
    grades = [int(v) if is_numeric(v) else v for v in period_values if v is not None]
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


def empty_row() -> dict:
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
    result = {sid: empty_row() for sid in student_ids}
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
        row["year_computed"] = average_text([int(v[0]) for v in values
                                              if is_numeric(v[0])])
        if len(values) >= ctx.year_periods:
            row["year_suggested"] = suggested_year([v[0] for v in values])
        if year is not None:
            row.update(year_final=year[0], year_version=year[1])
            # a period grade changed (under a grant) after the year grade was set: the year
            # grade is a person's decision and is not changed by itself - it is flagged
            row["year_stale"] = (row["year_suggested"] is not None
                                 and row["year_suggested"] != year[0])
    return result


# ---------------------------------------------------------------- limits of a period grade


def _no_marks_error() -> NoReturn:
    raise ValidationError(_l("There are no marks to compute a result from"),
                          field="marks", code="no_marks")


def check_period_value(settings: EffectiveSettings, marks: list[MarkRow], value: str,
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
