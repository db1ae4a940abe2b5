"""Term and year grades: pure functions on plain values.

Policies (chosen per organisation, see :data:`POLICIES`):

* ``kg_weighted`` - Kyrgyz regulation, 003_f6fbeccaf212fa4b.txt §23-§24 (Russian part):
  70 % intermediate marks, 30 % control marks, round half up, teacher bonus up to 0.3.
* ``kz_criteria`` - Kazakh criteria-based assessment (formative / section summative /
  term summative percentages -> mark). Not described in the seeds; rule from the brief.
* ``plain_average`` - average of all marks, round half up.

Rounding is always half up with ``decimal.ROUND_HALF_UP`` (never Python's ``round``,
which rounds half to even: ``round(4.5) == 4``). Averages are computed exactly with
``Fraction``; the value shown to users (:attr:`TermResult.exact`) is that value
rounded half up to 3 decimals, and the whole mark is rounded from the shown value,
so a displayed 4.500 always gives 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import Any, Protocol, TypeVar

from flask_babel import lazy_gettext as _l

from app.services.errors import ValidationError

Number = int | float | str | Decimal | Fraction


class FinalValue(StrEnum):
    """Explicit non-numeric period or year results."""

    NOT_ATTESTED = "na"
    EXEMPT = "ex"


NOT_ATTESTED = FinalValue.NOT_ATTESTED
EXEMPT = FinalValue.EXEMPT
PeriodGrade = int | str


@dataclass(frozen=True)
class TermResult:
    """``exact``: weighted value (mark or percent) to 3 decimals; ``rounded``: the mark.

    ``percent`` is the whole percent the mark came from (criteria policy only).
    """

    exact: Decimal
    rounded: int
    percent: int | None = None


# ---------------------------------------------------------------- helpers


def to_fraction(value: Number) -> Fraction:
    """Exact value of an int, Decimal, Fraction, decimal string or float (as typed)."""
    if isinstance(value, bool):
        raise TypeError("a bool is not a number here")
    if isinstance(value, float):
        return Fraction(repr(value))  # 0.3 -> 3/10, not 0.29999...
    return Fraction(value)


def round_half_up(value: Number) -> int:
    """Round to the nearest whole number, .5 going up: 4.5 -> 5, 3.5 -> 4.

    Rule: 003_f6fbeccaf212fa4b.txt §24 ("значения 0,5 и выше округляются в большую
    сторону"); used by every policy here.
    """
    return int(_to_decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _to_decimal(value: Number) -> Decimal:
    """Decimal of a value; a Fraction is divided with 50 significant digits."""
    if isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 50
            return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float | bool):
        return _to_decimal(to_fraction(value))
    return Decimal(value)


def _settle(value: Fraction) -> tuple[Decimal, int]:
    """Shown value (3 decimals, half up) and the whole number rounded from it."""
    shown = _to_decimal(value).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    return shown, round_half_up(shown)


def _average(values: Sequence[Number]) -> Fraction:
    return sum((to_fraction(v) for v in values), Fraction(0)) / len(values)


def check_mark(value: int, low: int = 2, high: int = 5) -> int:
    """A mark must be a whole number in ``low..high`` (5-point scale: 2..5).

    Rule: the 5-point scale of both countries' journals (brief); code ``mark_range``,
    field ``value``.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise ValidationError(
            _l(
                "A mark must be a whole number from %(low)s to %(high)s",
                low=low,
                high=high,
            ),
            field="value",
            code="mark_range",
        )
    return value


def check_mark_10(value: int) -> int:
    """A 10-point mark must be a whole number 1..10 (brief, Kazakh 10-point scale)."""
    return check_mark(value, 1, 10)


def _no_marks() -> ValidationError:
    return ValidationError(
        _l("There are no marks to compute a result from"),
        field="marks",
        code="no_marks",
    )


# ---------------------------------------------------------------- policies

InputsT_contra = TypeVar("InputsT_contra", contravariant=True)


class GradingPolicy(Protocol[InputsT_contra]):
    """Computes a term result from the policy's own inputs."""

    def compute(self, inputs: InputsT_contra) -> TermResult: ...


MAX_BONUS = Fraction(3, 10)


@dataclass(frozen=True)
class KyrgyzInputs:
    """Intermediate and control marks (2..5) and the teacher's bonus (0..0.3)."""

    intermediate: Sequence[int] = ()
    control: Sequence[int] = ()
    bonus: Number = 0


class KyrgyzWeightedPolicy:
    """Kyrgyz weighted term grade.

    Rule: 003_f6fbeccaf212fa4b.txt §23: 0.7 * average(intermediate) + 0.3 *
    average(control); if one group is empty its weight goes to the other. §24: the
    teacher may add up to 0.3 (``bonus_range`` on ``bonus`` otherwise, negative too);
    round half up. Example: 4,5,4,4,5,4 / 4,4 -> 4.233 -> 4; with bonus 0.3 -> 4.533
    -> 5.
    """

    def compute(self, inputs: KyrgyzInputs) -> TermResult:
        try:
            bonus = to_fraction(inputs.bonus)
        except (TypeError, ValueError, ZeroDivisionError):
            bonus = Fraction(-1)  # unreadable: refused below like a negative bonus
        if not 0 <= bonus <= MAX_BONUS:
            raise ValidationError(
                _l("The bonus must be from 0 to %(max)s", max="0.3"),
                field="bonus",
                code="bonus_range",
            )
        for mark in (*inputs.intermediate, *inputs.control):
            check_mark(mark)
        if inputs.intermediate and inputs.control:
            base = Fraction(7, 10) * _average(inputs.intermediate) + Fraction(
                3, 10
            ) * _average(inputs.control)
        elif inputs.intermediate or inputs.control:
            base = _average(inputs.intermediate or inputs.control)
        else:
            raise _no_marks()
        exact, rounded = _settle(base + bonus)
        return TermResult(exact=exact, rounded=rounded)


@dataclass(frozen=True)
class KazakhWeights:
    """Component weights in percent; preset 25 / 25 / 50, must add up to 100."""

    formative: Number = 25
    section: Number = 25
    term: Number = 50


@dataclass(frozen=True)
class KazakhInputs:
    """Formative percents (0..100), section summatives and the term summative.

    Summatives are ``(score, max_score)`` pairs; an empty list / None means missing.
    """

    formative: Sequence[Number] = ()
    section: Sequence[tuple[Number, Number]] = ()
    term: tuple[Number, Number] | None = None


def percent_to_mark(percent: int) -> int:
    """Whole percent -> mark: 0-39 -> 2, 40-64 -> 3, 65-84 -> 4, 85-100 -> 5.

    Rule: Kazakh criteria-based assessment scale (brief), bounds inclusive; outside
    0..100 is refused (field ``score``, code ``percent_range``).
    """
    if not 0 <= percent <= 100:
        raise _percent_error()
    if percent >= 85:
        return 5
    if percent >= 65:
        return 4
    if percent >= 40:
        return 3
    return 2


def _percent_error() -> ValidationError:
    return ValidationError(
        _l("A percentage must be from 0 to 100"), field="score", code="percent_range"
    )


def _summative_percent(pairs: Sequence[tuple[Number, Number]]) -> Fraction:
    """Total score over total max score, in percent; each score 0..max."""
    total = maximum = Fraction(0)
    for score, max_score in pairs:
        s, m = to_fraction(score), to_fraction(max_score)
        if m <= 0:
            raise ValidationError(
                _l("The maximum score must be above 0"),
                field="score",
                code="max_score_range",
            )
        if s < 0 or s > m:
            raise ValidationError(
                _l(
                    "The score %(score)s must be from 0 to the maximum %(max)s",
                    score=str(score),
                    max=str(max_score),
                ),
                field="score",
                code="score_above_max",
            )
        total, maximum = total + s, maximum + m
    return total / maximum * 100


class KazakhCriteriaPolicy:
    """Kazakh criteria-based term mark.

    Rule (brief; not in the seeds): total percent = weighted sum of the formative
    average, the section summatives (sum of scores / sum of max scores) and the term
    summative; a missing component's weight is spread proportionally over the present
    ones. The total is rounded half up to a whole percent, then :func:`percent_to_mark`.
    Weights must add up to 100 and not be negative (field ``weights``).
    """

    def __init__(self, weights: KazakhWeights | None = None) -> None:
        self.weights = weights or KazakhWeights()
        parts = [
            to_fraction(w)
            for w in (self.weights.formative, self.weights.section, self.weights.term)
        ]
        if any(p < 0 for p in parts) or sum(parts) != 100:
            raise ValidationError(
                _l("The weights must not be negative and must add up to 100"),
                field="weights",
                code="weights_sum",
            )
        self._parts = parts

    def compute(self, inputs: KazakhInputs) -> TermResult:
        components: list[tuple[Fraction, Fraction]] = []
        if inputs.formative:
            values = [to_fraction(v) for v in inputs.formative]
            if any(not 0 <= v <= 100 for v in values):
                raise _percent_error()
            components.append((self._parts[0], _average(values)))
        if inputs.section:
            components.append((self._parts[1], _summative_percent(inputs.section)))
        if inputs.term is not None:
            components.append((self._parts[2], _summative_percent([inputs.term])))
        weight = sum((w for w, _ in components), Fraction(0))
        if weight == 0:
            raise _no_marks()
        exact, percent = _settle(
            sum((w * p for w, p in components), Fraction(0)) / weight
        )
        return TermResult(
            exact=exact, rounded=percent_to_mark(percent), percent=percent
        )


@dataclass(frozen=True)
class PlainInputs:
    """All marks of the period."""

    marks: Sequence[int]


class PlainAveragePolicy:
    """Average of all marks, rounded half up (brief). Marks must be in ``low..high``."""

    def __init__(self, low: int = 2, high: int = 5) -> None:
        self.low, self.high = low, high

    def compute(self, inputs: PlainInputs) -> TermResult:
        if not inputs.marks:
            raise _no_marks()
        for mark in inputs.marks:
            check_mark(mark, self.low, self.high)
        exact, rounded = _settle(_average(inputs.marks))
        return TermResult(exact=exact, rounded=rounded)


POLICIES: dict[str, GradingPolicy[Any]] = {
    "kg_weighted": KyrgyzWeightedPolicy(),
    "kz_criteria": KazakhCriteriaPolicy(),
    "plain_average": PlainAveragePolicy(),
}


# ---------------------------------------------------------------- year grade


def year_grade(
    periods: Sequence[PeriodGrade], low: int = 2, high: int = 5
) -> PeriodGrade:
    """Year grade = average of the numeric period grades, rounded half up.

    Rule: brief; 003_f6fbeccaf212fa4b.txt §23-§24 (year grade from the term results,
    round half up); 002_a7c7dc13548a3ce9.txt §2.10 ("Без аттестации").
    Choice: "ex" (exempt) and "na" (not attested) periods are both left out of the
    average. If no numeric period remains, the year is "na" when any period is "na",
    otherwise "ex" (every period exempt). No periods at all: ``no_marks``; an unknown
    value: ``final_value_unknown`` (field ``value``).
    """
    if not periods:
        raise _no_marks()
    numeric: list[int] = []
    specials: set[FinalValue] = set()
    for grade in periods:
        if isinstance(grade, str):
            try:
                specials.add(FinalValue(grade))
            except ValueError:
                raise ValidationError(
                    _l("%(value)s is not a grade; use a mark, na or ex", value=grade),
                    field="value",
                    code="final_value_unknown",
                ) from None
        else:
            numeric.append(check_mark(grade, low, high))
    if numeric:
        return _settle(_average(numeric))[1]
    return NOT_ATTESTED if NOT_ATTESTED in specials else EXEMPT
