"""Term and year grades (app/services/grading.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest

from app.services.errors import ValidationError
from app.services.journal.grading import (
    EXEMPT,
    NOT_ATTESTED,
    POLICIES,
    KazakhCriteriaPolicy,
    KazakhInputs,
    KazakhWeights,
    KyrgyzInputs,
    KyrgyzWeightedPolicy,
    PlainAveragePolicy,
    PlainInputs,
    TermResult,
    check_mark,
    check_mark_10,
    percent_to_mark,
    round_half_up,
    year_grade,
)

KG = KyrgyzWeightedPolicy()
KZ = KazakhCriteriaPolicy()
PLAIN = PlainAveragePolicy()
WORKED = {"intermediate": [4, 5, 4, 4, 5, 4], "control": [4, 4]}


def refused(func: Callable[..., object], *args: object) -> ValidationError:
    """Call ``func`` and return the ValidationError it must raise."""
    with pytest.raises(ValidationError) as info:
        func(*args)
    return info.value


# ------------------------------------------------------------ rounding


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4.5", 5),
        ("3.5", 4),
        ("2.5", 3),
        ("4.4999", 4),
        (Fraction(9, 2), 5),
        (Decimal("4.233"), 4),
    ],
)
def test_round_half_up(value: object, expected: int) -> None:
    """Does .5 always round up (Python's round(4.5) == 4 and round(2.5) == 2 would not)?"""
    assert round_half_up(value) == expected  # type: ignore[arg-type]


# ------------------------------------------------------------ Kyrgyz policy


def test_kyrgyz_worked_example() -> None:
    """Do intermediate 4,5,4,4,5,4 and control 4,4 give 4.233 -> 4 (seed 003 §23-§24)?"""
    # 0.7 * 26/6 + 0.3 * 4 = 3.0333... + 1.2 = 4.2333...
    assert KG.compute(KyrgyzInputs(**WORKED)) == TermResult(Decimal("4.233"), 4)


@pytest.mark.parametrize("bonus", ["0.3", Decimal("0.3"), 0.3, Fraction(3, 10)])
def test_kyrgyz_worked_example_with_bonus(bonus: object) -> None:
    """Does the maximum bonus 0.3 lift the worked example to 4.533 -> 5?"""
    result = KG.compute(KyrgyzInputs(**WORKED, bonus=bonus))  # type: ignore[arg-type]
    assert result == TermResult(Decimal("4.533"), 5)


@pytest.mark.parametrize("bonus", ["0.31", Decimal("0.301"), "-0.1", -1, "abc"])
def test_kyrgyz_bonus_out_of_range_is_refused(bonus: object) -> None:
    """Is a bonus above 0.3, negative or unreadable refused on the bonus field?"""
    error = refused(KG.compute, KyrgyzInputs(**WORKED, bonus=bonus))  # type: ignore[arg-type]
    assert (error.code, error.field) == ("bonus_range", "bonus")


def test_kyrgyz_exact_half_rounds_up() -> None:
    """Do 70/30 weights of 4.5 and 4.5 give exactly 4.500 -> 5 (no float drift)?"""
    assert KG.compute(KyrgyzInputs([5, 4], [4, 5])) == TermResult(Decimal("4.500"), 5)


def test_kyrgyz_one_group_missing_uses_the_other() -> None:
    """When one group is empty, is the other group's average used alone?"""
    assert KG.compute(KyrgyzInputs(intermediate=[5, 4])) == TermResult(
        Decimal("4.500"), 5
    )
    assert KG.compute(KyrgyzInputs(control=[3, 4])) == TermResult(Decimal("3.500"), 4)


def test_kyrgyz_no_marks_is_refused() -> None:
    """Is a term with no marks at all refused?"""
    assert refused(KG.compute, KyrgyzInputs()).code == "no_marks"


def test_kyrgyz_mark_out_of_range_is_refused() -> None:
    """Is a mark outside 2..5 refused on the value field?"""
    error = refused(KG.compute, KyrgyzInputs([4, 6], [4]))
    assert (error.code, error.field) == ("mark_range", "value")


# ------------------------------------------------------------ Kazakh policy


@pytest.mark.parametrize(
    ("percent", "mark"),
    [(0, 2), (39, 2), (40, 3), (64, 3), (65, 4), (84, 4), (85, 5), (100, 5)],
)
def test_percent_boundaries(percent: int, mark: int) -> None:
    """Are the bounds 39/40, 64/65, 84/85 mapped to 2/3, 3/4, 4/5 inclusively?"""
    assert percent_to_mark(percent) == mark


@pytest.mark.parametrize("percent", [-1, 101])
def test_percent_outside_range_is_refused(percent: int) -> None:
    """Is a percentage outside 0..100 refused?"""
    assert refused(percent_to_mark, percent).code == "percent_range"


def test_kazakh_default_weights() -> None:
    """Do 25/25/50 weights give 0.25*80 + 0.25*80 + 0.5*90 = 85 -> 5?"""
    result = KZ.compute(KazakhInputs([70, 90], [(8, 10), (16, 20)], (18, 20)))
    assert result == TermResult(Decimal("85.000"), 5, 85)


def test_kazakh_percent_rounded_half_up_before_mark() -> None:
    """Does 84.5 % round to 85 % (mark 5) and 39.5 % to 40 % (mark 3)?"""
    assert KZ.compute(KazakhInputs(formative=[Decimal("84.5")])).rounded == 5
    assert KZ.compute(KazakhInputs(formative=["84.49"])).rounded == 4
    assert KZ.compute(KazakhInputs(term=(79, 200))) == TermResult(
        Decimal("39.500"), 3, 40
    )


def test_kazakh_missing_component_weight_redistributed() -> None:
    """Without formative marks, are 25/50 spread to 1/3 and 2/3: (25*80+50*90)/75 = 86.667?"""
    result = KZ.compute(KazakhInputs(section=[(8, 10)], term=(18, 20)))
    assert result == TermResult(Decimal("86.667"), 5, 87)


def test_kazakh_only_term_summative() -> None:
    """With only the term summative, is its percent the total (13/20 = 65 % -> 4)?"""
    assert KZ.compute(KazakhInputs(term=(13, 20))).rounded == 4


def test_kazakh_custom_weights() -> None:
    """Are custom weights adding up to 100 used (20*50 + 30*100 + 50*60 = 70 % -> 4)?"""
    policy = KazakhCriteriaPolicy(KazakhWeights(20, 30, 50))
    assert policy.compute(KazakhInputs([50], [(10, 10)], (6, 10))) == TermResult(
        Decimal("70.000"), 4, 70
    )


@pytest.mark.parametrize("weights", [(30, 30, 30), (25, 25, 51), (-10, 60, 50)])
def test_kazakh_bad_weights_are_refused(weights: tuple[int, int, int]) -> None:
    """Are weights not adding up to 100, or negative, refused on the weights field?"""
    error = refused(KazakhCriteriaPolicy, KazakhWeights(*weights))
    assert (error.code, error.field) == ("weights_sum", "weights")


def test_kazakh_score_above_max_is_refused() -> None:
    """Is a summative score above its maximum refused on the score field?"""
    error = refused(KZ.compute, KazakhInputs(term=(21, 20)))
    assert (error.code, error.field) == ("score_above_max", "score")
    assert (
        refused(KZ.compute, KazakhInputs(section=[(5, 10), (11, 10)])).code
        == "score_above_max"
    )
    assert refused(KZ.compute, KazakhInputs(term=(0, 0))).code == "max_score_range"
    assert refused(KZ.compute, KazakhInputs(formative=[101])).code == "percent_range"


def test_kazakh_nothing_present_is_refused() -> None:
    """Is a term with no component at all refused?"""
    assert refused(KZ.compute, KazakhInputs()).code == "no_marks"


# ------------------------------------------------------------ plain average


@pytest.mark.parametrize(
    ("marks", "exact", "rounded"),
    [
        ([4, 5], "4.500", 5),
        ([3, 4], "3.500", 4),
        ([2, 3], "2.500", 3),
        ([5, 5, 4], "4.667", 5),
    ],
)
def test_plain_average_half_up(marks: list[int], exact: str, rounded: int) -> None:
    """Does the plain average round half up (4.5 -> 5, 2.5 -> 3)?"""
    assert PLAIN.compute(PlainInputs(marks)) == TermResult(Decimal(exact), rounded)


def test_plain_average_refusals() -> None:
    """Are an empty list and a mark outside 2..5 refused?"""
    assert refused(PLAIN.compute, PlainInputs([])).code == "no_marks"
    assert refused(PLAIN.compute, PlainInputs([1, 5])).code == "mark_range"


def test_plain_average_ten_point_scale() -> None:
    """Does a 1..10 plain average accept 10-point marks (9, 10 -> 9.5 -> 10)?"""
    assert PlainAveragePolicy(1, 10).compute(PlainInputs([9, 10])).rounded == 10


def test_policies_registry() -> None:
    """Does every registered policy compute a result from its own inputs?"""
    assert POLICIES["kg_weighted"].compute(KyrgyzInputs(**WORKED)).rounded == 4
    assert POLICIES["kz_criteria"].compute(KazakhInputs(term=(17, 20))).rounded == 5
    assert POLICIES["plain_average"].compute(PlainInputs([3, 3, 4])).rounded == 3


# ------------------------------------------------------------ mark checks


@pytest.mark.parametrize("value", [1, 6, 0, True, "5", 4.0])
def test_mark_outside_five_point_scale_is_refused(value: object) -> None:
    """Is anything but a whole number 2..5 refused on the value field?"""
    error = refused(check_mark, value)
    assert (error.code, error.field) == ("mark_range", "value")


def test_ten_point_scale_helper() -> None:
    """Does the 10-point helper accept 1 and 10 and refuse 0 and 11?"""
    assert check_mark_10(1) == 1 and check_mark_10(10) == 10
    assert (
        refused(check_mark_10, 0).code
        == refused(check_mark_10, 11).code
        == "mark_range"
    )


# ------------------------------------------------------------ year grade


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        ([4, 5], 5),
        ([3, 4, 4, 3], 4),
        ([2, 3, 3, 3], 3),
        ([4, 5, "ex"], 5),
        ([3, 4, "na", 5], 4),
        ([3, NOT_ATTESTED], 3),
        (["ex", "ex"], EXEMPT),
        (["na", "ex"], NOT_ATTESTED),
        (["na"], "na"),
    ],
)
def test_year_grade(periods: list[int | str], expected: int | str) -> None:
    """Is the year the half-up average of numeric periods, with na/ex left out?"""
    assert year_grade(periods) == expected


def test_year_grade_refusals() -> None:
    """Are no periods, an unknown special value and a mark out of range refused?"""
    assert refused(year_grade, []).code == "no_marks"
    assert refused(year_grade, [4, "x"]).code == "final_value_unknown"
    assert refused(year_grade, [4, 7]).code == "mark_range"


# ------------------------------------------------------------ exact arithmetic


def _reference_settle(value: Fraction) -> tuple[Decimal, int]:
    """The rounding rule written the slow, obvious way (Fraction, Decimal quantize)."""
    from decimal import ROUND_HALF_UP

    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )
    return shown, int(shown.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_policies_agree_with_fraction_reference() -> None:
    """Do the policies (computed on whole-number ratios for speed) give exactly what plain
    Fraction arithmetic gives, on 3,000 random terms of every policy?"""
    import random

    rng = random.Random(20261130)
    for _ in range(1000):
        inter = [rng.randint(2, 5) for _ in range(rng.randint(0, 12))]
        control = [rng.randint(2, 5) for _ in range(rng.randint(0, 4))]
        if not inter and not control:
            continue
        bonus = Fraction(rng.randint(0, 30), 100)
        if inter and control:
            base = Fraction(7, 10) * Fraction(sum(inter), len(inter)) + Fraction(
                3, 10
            ) * Fraction(sum(control), len(control))
        else:
            both = inter + control
            base = Fraction(sum(both), len(both))
        exact, rounded = _reference_settle(base + bonus)
        assert KG.compute(KyrgyzInputs(inter, control, bonus)) == TermResult(
            exact, rounded
        )
        marks = inter + control
        exact, rounded = _reference_settle(Fraction(sum(marks), len(marks)))
        assert PLAIN.compute(PlainInputs(marks)) == TermResult(exact, rounded)
    for _ in range(1000):
        weights = rng.choice([(25, 25, 50), (20, 30, 50), (0, 50, 50), (40, 40, 20)])
        scores = []
        for _ in range(rng.randint(0, 6)):
            top = rng.choice([5, 5, 10, 4])
            scores.append((rng.randint(0, top), top))
        percents = [Fraction(rng.randint(0, 1000), 10) for _ in range(rng.randint(0, 3))]
        section = [(s, m) for m in (rng.randint(1, 30),) for s in (rng.randint(0, m),)][
            : rng.randint(0, 1)
        ]
        term_max = rng.randint(0, 40)
        term = (rng.randint(0, term_max), term_max) if term_max else None
        parts = []
        formative = [Fraction(s * 100, m) for s, m in scores] + percents
        if formative:
            parts.append((weights[0], sum(formative, Fraction(0)) / len(formative)))
        if section:
            parts.append((weights[1], Fraction(section[0][0] * 100, section[0][1])))
        if term:
            parts.append((weights[2], Fraction(term[0] * 100, term[1])))
        weight = sum(w for w, _ in parts)
        policy = KazakhCriteriaPolicy(KazakhWeights(*weights))
        inputs = KazakhInputs(percents, section, term, formative_scores=scores)
        if not weight:
            assert refused(policy.compute, inputs).code == "no_marks"
            continue
        exact, percent = _reference_settle(
            sum((w * p for w, p in parts), Fraction(0)) / weight
        )
        assert policy.compute(inputs) == TermResult(
            exact, percent_to_mark(percent), percent
        )
