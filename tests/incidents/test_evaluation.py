"""WDD and the Poisson E-test against published worked examples, and the E-test against
statsmodels (an independent implementation: ours sums over a bisected boundary, statsmodels over
a full grid of outcomes)."""

from __future__ import annotations

import math
import time
import warnings

import pytest
from scipy import stats
from statsmodels.stats import rates as statsmodels_rates

from services.incidents.domain.evaluation import (
    BeforeAfter,
    poisson_etest,
    weighted_displacement_difference,
)

# --- weighted displacement difference --------------------------------------------------------


def test_wdd_worked_example_of_wheeler_and_ratcliffe_2018():
    """Wheeler & Ratcliffe (2018), Crime Science 7:11, worked example (the Philadelphia foot
    patrol counts): treated 207 -> 110, control 308 -> 318, displacement 178 -> 157,
    displacement control 150 -> 140. The paper reports WDD = -118, variance 1568, z = -2.98 and
    a 95% interval of -196 to -40 (also the expected values in the authors' R package ptools,
    tests/testthat/test-wdd.R)."""
    result = weighted_displacement_difference(
        treated=BeforeAfter(before=207, after=110),
        control=BeforeAfter(before=308, after=318),
        displacement=BeforeAfter(before=178, after=157),
        displacement_control=BeforeAfter(before=150, after=140),
    )
    assert result.wdd == -118
    assert result.variance == 1568
    assert round(result.z, 2) == -2.98
    se = math.sqrt(result.variance)
    assert (round(result.wdd - 1.96 * se), round(result.wdd + 1.96 * se)) == (-196, -40)
    assert result.p_value == pytest.approx(2 * stats.norm.cdf(-118 / math.sqrt(1568)))
    assert result.p_value == pytest.approx(0.00288, abs=1e-5)


def test_wdd_without_displacement_example_of_wheeler_2025():
    """Wheeler, "Some extensions to the WDD statistic" (crimede-coder.com, 2025): control
    100 -> 90, treated 100 -> 80: "the extra reduction due to the treatment is 10 crimes ...
    the standard error is 19" (sqrt(100 + 80 + 100 + 90) = 19.2)."""
    result = weighted_displacement_difference(BeforeAfter(100, 80), BeforeAfter(100, 90))
    assert result.wdd == -10
    assert round(math.sqrt(result.variance)) == 19
    assert result.z == pytest.approx(-10 / math.sqrt(370))


def test_wdd_small_examples_of_ptools():
    """The single-component checks of ptools' test-wdd.R: a local drop of 10 against a flat
    control, and the same drop in the buffer only (WDD counts it as displacement benefit)."""
    assert weighted_displacement_difference(BeforeAfter(20, 10), BeforeAfter(20, 20)).wdd == -10
    flat = BeforeAfter(20, 20)
    buffer_drop = weighted_displacement_difference(flat, flat, BeforeAfter(20, 10), flat)
    assert buffer_drop.wdd == -10


def test_wdd_with_no_crime_at_all_is_no_evidence():
    zero = BeforeAfter(0, 0)
    result = weighted_displacement_difference(zero, zero)
    assert (result.wdd, result.z, result.p_value) == (0.0, 0.0, 1.0)


def test_wdd_rejects_half_a_displacement_pair_and_bad_counts():
    area = BeforeAfter(5, 3)
    with pytest.raises(ValueError, match="displacement_control: required"):
        weighted_displacement_difference(area, area, displacement=area)
    with pytest.raises(ValueError, match="displacement: required"):
        weighted_displacement_difference(area, area, displacement_control=area)
    with pytest.raises(ValueError, match="before: must be a non-negative whole count"):
        BeforeAfter(-1, 3)
    with pytest.raises(ValueError, match="after: must be a non-negative whole count"):
        BeforeAfter(1, 2.5)  # type: ignore[arg-type]


# --- Poisson E-test ---------------------------------------------------------------------------


def test_etest_published_example_gu_et_al_2008():
    """Gu, Ng, Tang & Schucany (2008), "Testing the ratio of two Poisson rates", Biometrical
    Journal 50(2), example 1 (breast cancer: 60 cases in 51,477.5 person-years against 30 in
    54,308.7): one-sided E-test p = 0.000298."""
    p = poisson_etest(60, 51477.5, 30, 54308.7, alternative="larger")
    assert p == pytest.approx(0.000298, abs=5e-7)


def test_etest_published_example_ng_et_al_2007():
    """Ng, Gu & Tang (2007), "A comparative study of tests for the difference of two Poisson
    means", CSDA 51(6):3085-99, example (41 events / 28,010 against 15 / 19,017): the E-test of
    Krishnamoorthy & Thomson with its Wald statistic, one-sided, p = 0.0184."""
    p = poisson_etest(41, 28010, 15, 19017, alternative="larger")
    assert p == pytest.approx(0.0184, abs=5e-5)


ETEST_CASES = [
    (60, 51477.5, 30, 54308.7),
    (41, 28010, 15, 19017),
    (10, 20, 3, 20),
    (0, 5, 4, 7),
    (5, 5, 0, 5),
    (3, 1, 3, 1),
    (1, 1, 1, 1),
    (120, 90, 80, 90),
    (7, 28, 12, 35),
    (17, 14, 5, 28),
    (2000, 365, 1900, 365),
]


@pytest.mark.parametrize("case", ETEST_CASES)
@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_etest_matches_statsmodels(case, alternative):
    """statsmodels' "etest-wald" rejects on K&T's statistic (rescaled by n1) under the pooled
    rate; its default "etest" uses the score statistic, whose ordering of outcomes is the same
    when the exposures are equal."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels divides by a zero rate for its ratio
        wald = statsmodels_rates.test_poisson_2indep(
            *case, method="etest-wald", alternative=alternative
        ).pvalue
        score = statsmodels_rates.test_poisson_2indep(
            *case, method="etest", alternative=alternative
        ).pvalue
    ours = poisson_etest(*case, alternative=alternative)
    assert ours == pytest.approx(wald, abs=1e-10)
    if case[1] == case[3]:
        assert ours == pytest.approx(score, abs=1e-10)


def test_etest_sides_mirror_each_other():
    assert poisson_etest(12, 30, 4, 20, "larger") == pytest.approx(
        poisson_etest(4, 20, 12, 30, "smaller"), abs=1e-14
    )
    two = poisson_etest(12, 30, 4, 20)
    assert two >= poisson_etest(12, 30, 4, 20, "larger")


def test_etest_without_events_or_difference_is_one():
    assert poisson_etest(0, 7, 0, 7) == 1.0
    assert poisson_etest(6, 3, 4, 2) == 1.0  # equal rates: 2 per unit both


def test_etest_large_counts_are_fast_and_near_the_normal_test():
    started = time.perf_counter()
    p = poisson_etest(250_000, 365, 251_500, 365)
    assert time.perf_counter() - started < 2
    z = (250_000 - 251_500) / math.sqrt(250_000 + 251_500)
    assert p == pytest.approx(2 * stats.norm.sf(abs(z)), abs=2e-3)


def test_etest_validation_names_the_argument():
    with pytest.raises(ValueError, match="count_1: must be a non-negative whole count"):
        poisson_etest(-1, 1, 2, 1)
    with pytest.raises(ValueError, match="exposure_2: must be a positive finite number"):
        poisson_etest(1, 1, 2, 0)
    with pytest.raises(ValueError, match="alternative: 'both' is not one of"):
        poisson_etest(1, 1, 2, 1, "both")  # type: ignore[arg-type]
