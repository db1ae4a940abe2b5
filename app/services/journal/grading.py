"""Term and year grades: pure functions on plain values.

Policies (chosen per organisation, see :data:`POLICIES`):

* ``kg_weighted`` - Kyrgyz regulation, 003_f6fbeccaf212fa4b.txt §23-§24 (Russian part):
  70 % intermediate marks, 30 % control marks, round half up, teacher bonus up to 0.3.
* ``kz_criteria`` - Kazakh criteria-based assessment (formative / section summative /
  term summative percentages -> mark). Not described in the seeds; rule from the brief.
* ``plain_average`` - average of all marks, round half up.

Rounding is always half up (never Python's ``round``, which rounds half to even:
``round(4.5) == 4``). Averages are computed exactly, as a ratio of two whole numbers
(``num / den``: plain integers, because the journal grid evaluates a policy for every
pupil on every page and ``Fraction`` arithmetic cost more than its SQL); the value shown
to users (:attr:`TermResult.exact`) is that ratio rounded half up to 3 decimals, and the
whole mark is rounded from the shown value, so a displayed 4.500 always gives 5.
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


Ratio = tuple[int, int]
"""An exact value ``num / den`` with ``den > 0`` (not reduced)."""


def _ratio(value: Number) -> Ratio:
    """The exact ratio of a number (an int without any Fraction)."""
    if type(value) is int:
        return value, 1
    exact = to_fraction(value)
    return exact.numerator, exact.denominator


def _add(a: Ratio, b: Ratio) -> Ratio:
    if a[1] == b[1]:
        return a[0] + b[0], a[1]
    return a[0] * b[1] + b[0] * a[1], a[1] * b[1]


def _settle(num: int, den: int) -> tuple[Decimal, int]:
    """Shown value of ``num / den`` (3 decimals, half up: .0005 away from zero) and the
    whole number rounded half up from the shown value."""
    thousandths, rest = divmod(abs(num) * 1000, den)
    if 2 * rest >= den:
        thousandths += 1
    whole = (thousandths + 500) // 1000
    if num < 0:
        thousandths, whole = -thousandths, -whole
    return Decimal(thousandths).scaleb(-3), whole


def check_mark(value: object, low: int = 2, high: int = 5) -> int:
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


def check_mark_10(value: object) -> int:
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
            bonus_num, bonus_den = _ratio(inputs.bonus)
        except (TypeError, ValueError, ZeroDivisionError):
            bonus_num, bonus_den = -1, 1  # unreadable: refused below like a negative bonus
        if not (0 <= bonus_num and bonus_num * MAX_BONUS.denominator
                <= MAX_BONUS.numerator * bonus_den):
            raise ValidationError(
                _l("The bonus must be from 0 to %(max)s", max="0.3"),
                field="bonus",
                code="bonus_range",
            )
        for mark in (*inputs.intermediate, *inputs.control):
            check_mark(mark)
        n_inter, n_control = len(inputs.intermediate), len(inputs.control)
        sum_inter, sum_control = sum(inputs.intermediate), sum(inputs.control)
        if n_inter and n_control:
            # 7/10 * sum_inter/n_inter + 3/10 * sum_control/n_control
            num = 7 * sum_inter * n_control + 3 * sum_control * n_inter
            den = 10 * n_inter * n_control
        elif n_inter or n_control:
            num, den = sum_inter + sum_control, n_inter + n_control
        else:
            raise _no_marks()
        exact, rounded = _settle(num * bonus_den + bonus_num * den, den * bonus_den)
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
    ``formative_scores`` are formative marks given as ``(score, max_score)`` pairs, each
    worth ``score / max_score`` in percent; they are averaged together with ``formative``.
    """

    formative: Sequence[Number] = ()
    section: Sequence[tuple[Number, Number]] = ()
    term: tuple[Number, Number] | None = None
    formative_scores: Sequence[tuple[int, int]] = ()


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


def _summative_percent(pairs: Sequence[tuple[Number, Number]]) -> Ratio:
    """Total score over total max score, in percent; each score 0..max."""
    total, maximum = (0, 1), (0, 1)
    for score, max_score in pairs:
        s, m = _ratio(score), _ratio(max_score)
        if m[0] <= 0:
            raise ValidationError(
                _l("The maximum score must be above 0"),
                field="score",
                code="max_score_range",
            )
        if s[0] < 0 or s[0] * m[1] > m[0] * s[1]:
            raise ValidationError(
                _l(
                    "The score %(score)s must be from 0 to the maximum %(max)s",
                    score=str(score),
                    max=str(max_score),
                ),
                field="score",
                code="score_above_max",
            )
        total, maximum = _add(total, s), _add(maximum, m)
    # (total / maximum) * 100
    return total[0] * maximum[1] * 100, total[1] * maximum[0]


def _formative_percent(inputs: KazakhInputs) -> Ratio | None:
    """Average of the formative percents (each 0..100), or None without any."""
    count = len(inputs.formative) + len(inputs.formative_scores)
    if not count:
        return None
    num, den = 0, 1
    for value in inputs.formative:
        p_num, p_den = _ratio(value)
        if not 0 <= p_num <= 100 * p_den:
            raise _percent_error()
        num, den = _add((num, den), (p_num, p_den))
    for score, max_score in inputs.formative_scores:
        if max_score <= 0 or not 0 <= score <= max_score:
            raise _percent_error()
        if max_score == den:  # the usual case: every mark out of the same maximum
            num += score * 100
        else:
            num, den = num * max_score + score * 100 * den, den * max_score
    return num, den * count


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
            _ratio(w)
            for w in (self.weights.formative, self.weights.section, self.weights.term)
        ]
        total: Ratio = (0, 1)
        for part in parts:
            total = _add(total, part)
        if any(p[0] < 0 for p in parts) or total[0] != 100 * total[1]:
            raise ValidationError(
                _l("The weights must not be negative and must add up to 100"),
                field="weights",
                code="weights_sum",
            )
        self._parts = parts

    def compute(self, inputs: KazakhInputs) -> TermResult:
        components: list[tuple[Ratio, Ratio]] = []
        formative = _formative_percent(inputs)
        if formative is not None:
            components.append((self._parts[0], formative))
        if inputs.section:
            components.append((self._parts[1], _summative_percent(inputs.section)))
        if inputs.term is not None:
            components.append((self._parts[2], _summative_percent([inputs.term])))
        weight: Ratio = (0, 1)
        weighted: Ratio = (0, 1)
        for (w_num, w_den), (p_num, p_den) in components:
            weight = _add(weight, (w_num, w_den))
            weighted = _add(weighted, (w_num * p_num, w_den * p_den))
        if weight[0] == 0:
            raise _no_marks()
        # weighted / weight
        exact, percent = _settle(weighted[0] * weight[1], weighted[1] * weight[0])
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
        exact, rounded = _settle(sum(inputs.marks), len(inputs.marks))
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
        return _settle(sum(numeric), len(numeric))[1]
    return NOT_ATTESTED if NOT_ATTESTED in specials else EXEMPT
