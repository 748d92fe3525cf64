"""Baseline methods against independent computations.

Farrington-flexible is re-implemented here from the documented rules with statsmodels' GLM
(Poisson family, var_weights, scale="X2" = quasi-Poisson) for every fit, its leverages for the
Anscombe residuals, and scipy for the threshold. Historical limits and EWMA are worked by hand.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from services.incidents.domain import baseline_methods
from services.incidents.domain.baseline_methods import (
    MIN_HISTORY,
    REGISTRY,
    describe,
    estimate,
    estimate_many,
    estimate_range,
    resolve,
)

# --- an independent Farrington-flexible (Noufaily) with statsmodels ----------------------------


def reference_farrington(
    counts,
    t: int,
    *,
    periods: int = 10,
    excluded: int = 26,
    weights_threshold: float = 2.58,
    trend_p: float = 0.05,
    delta: bool = False,
) -> dict:
    """The documented algorithm, written from the rules rather than from our code: R
    surveillance::farringtonFlexible's steps, with statsmodels' GLM for every fit."""
    counts = np.asarray(counts, dtype=float)
    years = min(5, (t - 3) // 52)
    level = {}
    for k in range(1, years + 1):
        same_week = t - 52 * k
        for week in range(same_week - 3, same_week + 4):  # window w = 3: level 0
            level[week] = 0
        if periods > 1:
            for i, week in enumerate(range(same_week + 4, same_week + 49)):  # 45 weeks, 9 blocks
                level[week] = 1 + i // 5
    rows = np.array(sorted(week for week in level if week <= t - excluded - 1))
    y = counts[rows]
    present = sorted({level[r] for r in rows})
    levels = np.array([[float(level[r] == lv) for lv in present] for r in rows])
    now = np.array([[float(lv == 0) for lv in present]])

    def fit(design, weights):
        model = sm.GLM(y, design, family=sm.families.Poisson(), var_weights=weights)
        return model.fit(scale="X2", use_t=True)

    def reweighted(design):
        first = fit(design, np.ones_like(y))
        phi = max(1.0, first.scale)
        mu = first.fittedvalues
        h = first.get_influence().hat_matrix_diag
        s = 1.5 * (y ** (2 / 3) * mu ** (-1 / 6) - mu**0.5) / np.sqrt(phi * (1 - h))
        omega = np.where(s > weights_threshold, s**-2.0, 1.0)
        second = fit(design, omega * len(y) / omega.sum())
        return first, second, first.converged and second.converged

    first, final, _ = reweighted(levels)
    x_now, trend = now, False
    if years >= 3 and y.sum() >= 5:
        _, with_trend, converged = reweighted(np.column_stack([levels, rows]))
        at_t = np.column_stack([now, [t]])
        if (
            converged
            and with_trend.pvalues[-1] < trend_p
            and with_trend.predict(at_t)[0] <= y.max()
        ):
            final, x_now, trend = with_trend, at_t, True
    mu0 = final.predict(x_now)[0]
    phi = max(1.0, final.scale)
    if delta:  # Farrington 1996: 2/3-power normal threshold with the prediction's variance
        se = final.get_prediction(x_now).se_mean[0]
        tau = phi + se**2 / mu0
        z = stats.norm.ppf(0.99)
        upper = (mu0 ** (2 / 3) + z * np.sqrt(4 / 9 * mu0 ** (1 / 3) * tau)) ** 1.5
    elif phi > 1:
        upper = stats.nbinom.ppf(0.99, mu0 / (phi - 1), 1 / phi)
    else:
        upper = stats.poisson.ppf(0.99, mu0)
    return {
        "mu0": mu0,
        "upper": upper,
        "trend": trend,
        "unweighted_mu0": first.predict(now)[0],
        "zero_levels": sum(not y[levels[:, j] == 1].any() for j in range(len(present))),
    }


# The registry's Farrington variants, as farringtonFlexible controls
VARIANTS = {
    "farrington_flexible": {},
    "noufaily_2013": {"trend_p": 1.0},
    "farrington_1996": {"periods": 1, "excluded": 3, "weights_threshold": 1.0, "delta": True},
}


def _series() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    weeks = np.arange(320)
    season = 1 + 0.3 * np.cos(2 * np.pi * (weeks - 30) / 52)
    outbreaks = rng.poisson(6 * season[:260])
    outbreaks[[206, 207, 155, 60, 61, 62]] += 25  # two inside the windows used at t=259
    return {
        # 3 years: at most 2 past years, so no trend can be considered
        "three_years": rng.poisson(8 * season[:156]),
        "overdispersed": rng.negative_binomial(4, 4 / (4 + 10 * season[:300])),
        "declining": rng.poisson(20 * season[:300] * np.exp(-0.004 * weeks[:300])),
        "rising": rng.poisson(5 * season[:300] * np.exp(0.004 * weeks[:300])),
        "steep_rise": rng.poisson(2 * np.exp(0.012 * weeks[:300])),
        "sparse": rng.poisson(0.12 * season[:200]),
        "outbreaks": outbreaks,
    }


SERIES = _series()
CASES = [(name, t) for name, s in SERIES.items() for t in (len(s) - 1, len(s) - 20, len(s) - 41)]


@pytest.mark.parametrize("method", sorted(VARIANTS))
@pytest.mark.parametrize(("name", "t"), CASES)
def test_farrington_variants_match_statsmodels_quasi_poisson(name, t, method):
    counts = SERIES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels warns about all-zero levels (sparse)
        expected = reference_farrington(counts, t, **VARIANTS[method])
    got = estimate(counts, t, method)
    assert got.expected == pytest.approx(expected["mu0"], rel=1e-7, abs=1e-8)
    if VARIANTS[method].get("delta"):
        assert got.upper_limit == pytest.approx(expected["upper"], rel=1e-6, abs=1e-8)
    else:
        assert got.upper_limit == expected["upper"]
    assert got.trend_used == expected["trend"]
    assert got.exceeds == (counts[t] > expected["upper"])


def test_the_statsmodels_cases_cover_trend_and_reweighting():
    """The comparison above is only worth something if it exercises each branch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = {(name, t): reference_farrington(SERIES[name], t) for name, t in CASES}
        noufaily = {
            (name, t): reference_farrington(SERIES[name], t, trend_p=1.0) for name, t in CASES
        }
    # the improved rule keeps trends that Farrington's p < 0.05 drops
    assert sum(r["trend"] for r in noufaily.values()) > sum(r["trend"] for r in results.values())
    trends = {name: results[(name, len(SERIES[name]) - 1)]["trend"] for name in SERIES}
    assert trends["declining"] and trends["rising"]
    assert not trends["three_years"] and not trends["overdispersed"]
    assert not trends["steep_rise"]  # significant, but would extrapolate beyond the data
    outbreak = results[("outbreaks", 259)]
    assert outbreak["mu0"] < outbreak["unweighted_mu0"] - 0.5  # past outbreaks down-weighted
    assert any(r["zero_levels"] for (name, _), r in results.items() if name == "sparse")


def test_farrington_flags_a_clear_rise_and_scores_it():
    counts = list(np.random.default_rng(5).poisson(5, 160))
    counts[159] = 25
    got = estimate(counts, 159)
    assert got.exceeds and got.alarm
    assert got.score == pytest.approx((25 - got.expected) / (got.upper_limit - got.expected))
    assert got.score > 1


# --- historical limits, by hand -----------------------------------------------------------------


def test_historical_limits_two_past_years_by_hand():
    counts = [0] * 106
    # t = 105: reference weeks are 105-52 +/- 1 = 52, 53, 54 and 105-104 +/- 1 = 0, 1, 2
    for week, value in {0: 3, 1: 5, 2: 4, 52: 6, 53: 8, 54: 4}.items():
        counts[week] = value
    counts[105] = 9
    # mean = (3+5+4+6+8+4)/6 = 30/6 = 5
    # squared deviations 4+0+1+1+9+1 = 16, sd = sqrt(16/5) = 1.788854...
    # upper = 5 + 2 * 1.788854 * sqrt(1 + 1/6) = 5 + 3.864367... = 8.864367...
    got = estimate(counts, 105, "historical_limits_weekly")
    assert got.expected == pytest.approx(5.0)
    assert got.upper_limit == pytest.approx(5 + 2 * math.sqrt(16 / 5) * math.sqrt(7 / 6))
    assert got.upper_limit == pytest.approx(8.864367, abs=1e-6)
    assert got.exceeds and got.alarm  # 9 > 8.86, and 9 cases in the last 4 weeks
    assert got.score == pytest.approx(4 / 3.864367, abs=1e-6)
    counts[105] = 8
    assert not estimate(counts, 105, "historical_limits_weekly").exceeds


def test_historical_limits_one_past_year_by_hand():
    counts = [0] * 54
    counts[0:3] = [2, 2, 5]  # t = 53: weeks 0, 1, 2; mean 3, sd sqrt(3)
    counts[53] = 7
    got = estimate(counts, 53, "historical_limits_weekly")
    assert got.expected == pytest.approx(3.0)
    assert got.upper_limit == pytest.approx(3 + 2 * math.sqrt(3) * math.sqrt(4 / 3))  # = 7
    assert not got.exceeds  # 7 is not above 7


# --- EWMA, by hand ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "mu0", "sigma"),
    [
        # sd 1 is below the Poisson floor sqrt(3): sigma = sqrt(3)
        ([2, 4] * 6 + [3], 3.0, math.sqrt(3)),
        # sd 4 (squared deviations 12 * 16 = 192, / 12) is above sqrt(4) = 2: sigma = 4
        ([0, 8] * 6 + [4], 4.0, 4.0),
    ],
)
def test_ewma_by_hand(baseline, mu0, sigma):
    counts = baseline + [5, 6, 9]  # t = 15: baseline weeks 0..12, guard weeks 13 and 14
    z13 = 0.4 * 5 + 0.6 * mu0
    z14 = 0.4 * 6 + 0.6 * z13
    z15 = 0.4 * 9 + 0.6 * z14
    sd_z = sigma * math.sqrt(0.4 / 1.6 * (1 - 0.6**6))
    ucl = mu0 + 3 * sd_z
    got = estimate(counts, 15, "ewma_restarted")
    assert got.expected == pytest.approx(mu0)
    assert got.upper_limit == pytest.approx(max(0.0, (ucl - 0.6 * z14) / 0.4))
    assert got.score == pytest.approx((z15 - mu0) / (ucl - mu0))
    assert got.exceeds == (z15 > ucl) == (got.score > 1)


def test_ewma_first_case_numbers():
    """The first case above, with the arithmetic carried out."""
    got = estimate([2, 4] * 6 + [3] + [5, 6, 9], 15, "ewma_restarted")
    # Z13 = 3.8, Z14 = 4.68, Z15 = 6.408; sd_Z = sqrt(3) * sqrt(0.25 * 0.953344) = 0.8455815
    # UCL = 3 + 3 * 0.8455815 = 5.5367444; upper = (5.5367444 - 0.6 * 4.68) / 0.4 = 6.8218609
    # score = (6.408 - 3) / (5.5367444 - 3) = 1.3434542
    assert got.upper_limit == pytest.approx(6.8218609, abs=1e-6)
    assert got.score == pytest.approx(1.3434542, abs=1e-6)
    assert got.exceeds and got.alarm


# --- rules shared by all methods ---------------------------------------------------------------

METHODS = list(REGISTRY)


@pytest.mark.parametrize("method", METHODS)
def test_min_count_rule_no_alarm_with_four_cases_in_four_weeks(method):
    counts = [0] * 120
    counts[116:120] = [1, 1, 1, 1]  # each week is above an all-zero baseline ...
    got = estimate(counts, 119, method)
    assert got.exceeds and not got.alarm  # ... but 4 cases in 4 weeks are too few
    counts[116:120] = [0, 0, 0, 4]  # all four in the week itself: same verdict
    got = estimate(counts, 119, method)
    assert got.observed == 4 and got.exceeds and not got.alarm
    counts[118] = 1  # 5 cases in the last 4 weeks: now an alarm
    assert estimate(counts, 119, method).alarm


@pytest.mark.parametrize("method", METHODS)
def test_too_short_series_gives_none(method):
    counts = [3] * 200
    shortest = MIN_HISTORY[method]
    assert estimate(counts, shortest - 1, method) is None
    assert estimate(counts, shortest, method) is not None
    assert estimate_range(counts, 0, shortest, method) == [None] * shortest


def test_minimum_histories_are_documented_values():
    # one past year plus the reference window; Stroup: a year plus the period before the
    # same period; EWMA chart: its phase-I year; restarted EWMA: 13 baseline + 2 guard weeks
    assert MIN_HISTORY == {
        "farrington_1996": 55,
        "noufaily_2013": 55,
        "farrington_flexible": 55,
        "stroup_1989": 59,
        "historical_limits_weekly": 53,
        "ewma_chart": 52,
        "ewma_restarted": 15,
    }


@pytest.mark.parametrize("method", METHODS)
def test_all_zero_series(method):
    got = estimate([0] * 160, 159, method)
    assert (got.observed, got.expected, got.upper_limit, got.score) == (0, 0.0, 0.0, 0.0)
    assert not got.exceeds and not got.alarm


@pytest.mark.parametrize("method", METHODS)
def test_many_and_range_agree_with_single_estimates(method):
    rng = np.random.default_rng(11)
    matrix = rng.poisson(rng.uniform(0.2, 15, size=(6, 1)), size=(6, 230))
    many = estimate_many(matrix, 220, method)
    assert_same(many, [estimate(list(row), 220, method) for row in matrix])
    ranged = estimate_range(matrix[0], 200, 210, method)
    assert_same(ranged, [estimate(matrix[0], t, method) for t in range(200, 210)])


def assert_same(got, expected):
    """Equal up to float rounding (batched sums may add in another order)."""
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert (a.observed, a.exceeds, a.alarm, a.method) == (
            b.observed,
            b.exceeds,
            b.alarm,
            b.method,
        )
        assert (a.expected, a.upper_limit, a.score) == pytest.approx(
            (b.expected, b.upper_limit, b.score), rel=1e-12, abs=1e-12
        )


def test_invalid_input_names_the_argument_and_rule():
    with pytest.raises(ValueError, match="counts: .*non-negative whole numbers"):
        estimate([1, -1] * 40, 70)
    with pytest.raises(ValueError, match="counts: .*non-negative whole numbers"):
        estimate([1.5] * 80, 70)
    with pytest.raises(ValueError, match="t: week index 80 is outside"):
        estimate([1] * 80, 80)
    with pytest.raises(ValueError, match="method: 'cusum' is not one of"):
        estimate([1] * 80, 70, "cusum")  # type: ignore[arg-type]


# --- the registry -----------------------------------------------------------------------------


def test_registry_states_each_method_and_legacy_names_resolve_to_what_they_computed():
    names = {entry["name"]: entry for entry in describe()}
    assert set(names) == set(REGISTRY)
    noufaily = names["noufaily_2013"]["parameters"]
    assert noufaily["pThresholdTrend"] == 1.0 and noufaily["noPeriods"] == 10
    assert noufaily["pastWeeksNotIncluded"] == 26 and noufaily["weightsThreshold"] == 2.58
    assert noufaily["thresholdMethod"] == "nbPlugin"
    original = names["farrington_1996"]["parameters"]
    assert original["pThresholdTrend"] == 0.05 and original["noPeriods"] == 1
    assert original["weightsThreshold"] == 1.0 and original["thresholdMethod"] == "delta"
    assert names["stroup_1989"]["statistic"] == "four_week_total"
    assert all(entry["version"] and entry["reference"] for entry in names.values())
    assert resolve("historical_limits") == "historical_limits_weekly"
    assert resolve("ewma") == "ewma_restarted"
    counts = list(np.random.default_rng(2).poisson(4, 120))
    assert estimate(counts, 119, "ewma") == estimate(counts, 119, "ewma_restarted")
    got = estimate(counts, 119, "historical_limits")
    assert got.method == "historical_limits_weekly" and got.method_version == "1"


# --- Stroup's 4-week historical limits --------------------------------------------------------


def test_stroup_one_past_year_by_hand():
    counts = [0] * 60
    # t = 59, one past year: periods before / same / after the same period last year are
    # weeks 0-3, 4-7 and 8-11; totals 10, 14, 12: mean 12, sd 2, upper 12 + 2 * 2 = 16
    counts[0:4] = [1, 2, 3, 4]
    counts[4:8] = [2, 4, 4, 4]
    counts[8:12] = [3, 3, 3, 3]
    counts[56:60] = [4, 4, 4, 5]  # the 4-week total ending at t: 17
    got = estimate(counts, 59, "stroup_1989")
    assert (got.statistic, got.expected, got.upper_limit) == (17, 12.0, 16.0)
    assert got.observed == 5 and got.exceeds and got.alarm
    assert got.score == pytest.approx((17 - 12) / (16 - 12))
    counts[59] = 4  # total 16: not above the limit
    assert not estimate(counts, 59, "stroup_1989").exceeds


FIXTURES = json.loads(
    (Path(__file__).parent / "fixtures" / "stroup_ewma_chart.json").read_text()
)["cases"]


@pytest.mark.parametrize("case", FIXTURES, ids=[c["name"] for c in FIXTURES])
def test_stroup_and_ewma_chart_match_independent_fixtures(case):
    for week in case["weeks"]:
        t, stroup, chart = week["t"], week["stroup"], week["ewma_chart"]
        got = estimate(case["counts"], t, "stroup_1989")
        assert got.statistic == stroup["current"]
        assert got.expected == pytest.approx(stroup["mean"], rel=1e-12)
        assert got.upper_limit == pytest.approx(stroup["upper"], rel=1e-12)
        assert got.exceeds == (stroup["current"] > stroup["upper"])
        got = estimate(case["counts"], t, "ewma_chart")
        assert got.expected == pytest.approx(chart["mu0"], rel=1e-12)
        assert got.statistic == pytest.approx(chart["z"], rel=1e-10)
        assert got.upper_limit == pytest.approx(chart["ucl"], rel=1e-12)
        assert got.exceeds == (chart["z"] > chart["ucl"])
    five_years = [len(w["stroup"]["totals"]) for c in FIXTURES for w in c["weeks"]]
    assert 15 in five_years  # Stroup's own case: 15 totals from 5 past years


# --- the running EWMA chart, by hand -----------------------------------------------------------


def test_ewma_chart_by_hand():
    counts = [3, 5] * 26 + [6, 9, 10]  # phase I: weeks 0..51, mean 4, sd 1.0098 < sqrt(4)
    # sigma = 2. Z51 = 4; Z52 = 0.2 * 6 + 0.8 * 4 = 4.4; Z53 = 0.2 * 9 + 0.8 * 4.4 = 5.32
    # UCL(i=2) = 4 + 3 * 2 * sqrt(0.2 / 1.8 * (1 - 0.8^4)) = 4 + 6 * 0.2561250 = 5.5367497
    got = estimate(counts, 53, "ewma_chart")
    assert got.expected == pytest.approx(4.0)
    assert got.statistic == pytest.approx(5.32)
    assert got.upper_limit == pytest.approx(5.5367497, abs=1e-6)
    assert not got.exceeds
    # Z54 = 0.2 * 10 + 0.8 * 5.32 = 6.256; UCL(i=3) = 4 + 6 * sqrt(0.2/1.8 * (1 - 0.8^6))
    # = 4 + 6 * 0.2863285 = 5.7179709: out of control
    got = estimate(counts, 54, "ewma_chart")
    assert got.statistic == pytest.approx(6.256)
    assert got.upper_limit == pytest.approx(5.7179709, abs=1e-6)
    assert got.exceeds and got.alarm
    assert got.score == pytest.approx((6.256 - 4) / (5.7179709 - 4), abs=1e-6)


def test_ewma_chart_runs_rather_than_restarting():
    """An early rise still holds the statistic up weeks later; a restarted EWMA forgets it."""
    base = [4] * 52 + [4] * 24
    risen = [4] * 52 + [12] * 6 + [4] * 18
    assert estimate(risen, 75, "ewma_chart").statistic > estimate(base, 75, "ewma_chart").statistic
    assert estimate(risen, 75, "ewma_restarted") == estimate(base, 75, "ewma_restarted")


# --- convergence of the trend -----------------------------------------------------------------


def _degenerate_series():
    """1-2 cases in about 130 fitted weeks (5 years of history, t = 299)."""
    rng = np.random.default_rng(7)
    out = []
    for cases in (1, 2) * 15:
        y = np.zeros(300, dtype=int)
        y[rng.choice(np.arange(40, 272), size=cases, replace=False)] = 1
        out.append(y)
    # the trend's MLE does not exist: both cases in the oldest weeks of their levels
    y = np.zeros(300, dtype=int)
    y[[68, 75]] = 1
    out.append(y)
    return out


@pytest.mark.parametrize("method", sorted(VARIANTS))
def test_degenerate_series_never_keep_a_trend(method):
    series = _degenerate_series()
    for got, y in zip(estimate_many(series, 299, method), series, strict=True):
        assert not got.trend_used
        assert got.converged is None  # too few cases: no trend is fitted at all
        settings = REGISTRY[method].farrington
        if not y[baseline_methods.farrington_design(299, settings).rows].any():
            assert got.expected == 0.0  # no case in the fitted weeks (statsmodels cannot fit)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            no_trend = reference_farrington(y, 299, **{**VARIANTS[method], "trend_p": 0.0})
        assert got.expected == pytest.approx(no_trend["mu0"], rel=1e-7, abs=1e-9)


def test_a_trend_without_an_mle_is_reported_unconverged_and_dropped():
    """Enough cases to try a trend, all of them at the oldest week of their levels: the profile
    likelihood rises for ever as the slope goes to minus infinity."""
    y = np.zeros(300, dtype=int)
    design = baseline_methods.farrington_design(299)
    rows, levels = design.rows, design.levels
    firsts = [int(rows[levels == lv].min()) for lv in np.unique(levels)]
    y[firsts[:6]] = 1
    got = estimate(y, 299, "noufaily_2013")
    assert got.converged is False and not got.trend_used
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        no_trend = reference_farrington(y, 299, trend_p=0.0)
    assert got.expected == pytest.approx(no_trend["mu0"], rel=1e-7, abs=1e-9)


def test_converged_trends_are_flagged():
    got = estimate(SERIES["declining"], 299, "noufaily_2013")
    assert got.converged is True and got.trend_used
    got = estimate(SERIES["three_years"], 155, "noufaily_2013")
    assert got.converged is None and not got.trend_used  # 2 past years: no trend tried


def test_chunked_pass_equals_row_by_row(monkeypatch):
    rng = np.random.default_rng(13)
    matrix = rng.poisson(rng.uniform(0.05, 12, size=(25, 1)), size=(25, 280))
    matrix[3] = 0
    matrix[4, [70, 140]] = 1
    whole = estimate_many(matrix, 279, "noufaily_2013")
    monkeypatch.setattr(baseline_methods, "CHUNK_ROWS", 4)
    assert_same(estimate_many(matrix, 279, "noufaily_2013"), whole)
    assert_same([estimate(row, 279, "noufaily_2013") for row in matrix], whole)
