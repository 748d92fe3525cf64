"""Expected value and upper limit of one week of a weekly count series, from the weeks before it.

Pure numpy/scipy, no I/O. A series is a sequence of weekly counts, index 0 the oldest week,
consecutive weeks with zeros for empty weeks. Week t is judged only on weeks before t (its own
count is compared, never used to fit), so a result is reproducible from the counts alone.

Three methods (DESIGN.md "Baselines"); each documents its parameters, the history it needs
before it answers (`MIN_HISTORY`, else None) and its `score`. In every method `score` is an
exceedance ratio: (statistic - expected) / (limit - expected), so it is above 1 exactly when the
limit is exceeded; the denominator is floored at half a case so the score stays finite on
all-zero baselines (where the limit equals the expected value). `exceeds` is authoritative.

- historical_limits (CDC; Stroup et al. 1989, with the prediction-interval factor of Farrington &
  Andrews 2003): reference values are week t-52k-1, t-52k, t-52k+1 for k = 1..b, b = min(5,
  years available); expected = their mean; upper = mean + 2 * sd * sqrt(1 + 1/n) (sd with n-1).
- farrington_flexible (Farrington et al. 1996 with Noufaily et al. 2013, as in R
  surveillance::farringtonFlexible with noPeriods=10, pastWeeksNotIncluded=26,
  thresholdMethod="nbPlugin"): quasi-Poisson GLM with a 10-level seasonal factor, a linear trend
  kept only when justified, Anscombe-residual down-weighting of past outbreaks, and a negative
  binomial upper quantile. Details at `_farrington`.
- ewma (Roberts 1959, run as a surveillance chart): details at `_ewma`.

`alarm` adds the Farrington minimum-count rule to `exceeds`: no alarm unless the week and the
three before it hold at least 5 cases between them (small counts exceed limits by chance).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

Method = Literal["historical_limits", "farrington_flexible", "ewma"]
DEFAULT_METHOD: Method = "farrington_flexible"
METHODS: tuple[Method, ...] = ("historical_limits", "farrington_flexible", "ewma")
WEEKS_PER_YEAR = 52  # a "year back" is 52 weeks: ISO years with 53 weeks drift by one week
MAX_YEARS = 5

MIN_CASES = 5  # the minimum-count rule: at least 5 cases ...
MIN_CASES_WEEKS = 4  # ... in this week and the 3 before it
SCORE_FLOOR = 0.5  # half a case: keeps scores finite when limit == expected

# Historical limits
HL_HALF_WINDOW = 1  # same week +/- 1 in each past year
HL_Z = 2.0

# Farrington-flexible (Noufaily et al. 2013 recommendations)
FF_HALF_WINDOW = 3  # w: weeks either side of the same week in past years
FF_PERIODS = 10  # seasonal factor levels: the window + 9 blocks between windows
FF_EXCLUDED_WEEKS = 26  # the last 26 weeks are not fitted, so a rise cannot hide itself
FF_REWEIGHT_THRESHOLD = 2.58  # Anscombe residuals above this are down-weighted (past outbreaks)
FF_TREND_P = 0.05  # trend kept only if significant at this level ...
FF_TREND_MIN_YEARS = 3  # ... with at least 3 years of history, and not extrapolating
FF_ALPHA = 0.01  # upper limit = (1 - alpha) quantile

# EWMA
EWMA_LAMBDA = 0.4  # weight of the newest week: responds within a week or two to a sudden rise
EWMA_L = 3.0  # limit in standard deviations of the EWMA statistic
EWMA_BASELINE_WEEKS = 13  # a quarter of weekly counts estimates the mean and sd ...
EWMA_GUARD_WEEKS = 2  # ... ending 2 weeks before t, so an emerging rise does not raise its own bar

MIN_HISTORY: dict[Method, int] = {
    # one past year of reference weeks, including the week after the same week last year
    "historical_limits": WEEKS_PER_YEAR + HL_HALF_WINDOW,
    # one past year plus the window before the same week last year
    "farrington_flexible": WEEKS_PER_YEAR + FF_HALF_WINDOW,
    "ewma": EWMA_BASELINE_WEEKS + EWMA_GUARD_WEEKS,
}


@dataclass(frozen=True)
class WeekEstimate:
    observed: int
    expected: float
    upper_limit: float
    score: float  # exceedance ratio, > 1 when beyond the limit (module doc)
    exceeds: bool  # observed > upper_limit
    alarm: bool  # exceeds and >= 5 cases in this week and the 3 before
    method: Method


def estimate(counts: Sequence[int], t: int, method: Method = DEFAULT_METHOD) -> WeekEstimate | None:
    """Estimate week index t of a weekly count series (index 0 = oldest week, consecutive
    weeks, zeros present for empty weeks) from the weeks before t only. None when the series
    before t is shorter than MIN_HISTORY[method] weeks."""
    return estimate_many([counts], t, method)[0]


def estimate_range(
    counts: Sequence[int], start: int, stop: int, method: Method = DEFAULT_METHOD
) -> list[WeekEstimate | None]:
    """estimate() for t in range(start, stop)."""
    matrix = _as_matrix([counts])
    return [estimate_many(matrix, t, method)[0] for t in range(start, stop)]


def estimate_many(
    series: Sequence[Sequence[int]] | np.ndarray, t: int, method: Method = DEFAULT_METHOD
) -> list[WeekEstimate | None]:
    """estimate() of week t for many series of the same length at once (one row per series,
    e.g. every area x category): vectorised, so thousands of series cost about one pass."""
    y = _as_matrix(series)
    if method not in METHODS:
        raise ValueError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    if not 0 <= t < y.shape[1]:
        raise ValueError(f"t: week index {t} is outside the series (0..{y.shape[1] - 1})")
    if t < MIN_HISTORY[method]:
        return [None] * y.shape[0]
    expected, upper, score = _ESTIMATORS[method](y, t)
    return _week_estimates(y, t, expected, upper, score, method)


def _as_matrix(series: Sequence[Sequence[int]] | np.ndarray) -> np.ndarray:
    try:
        y = np.asarray(series, dtype=float)
    except ValueError:
        raise ValueError("counts: series must all have the same length") from None
    if y.ndim != 2:
        raise ValueError("counts: expected a sequence of weekly counts")
    if not np.all(np.isfinite(y)) or np.any(y < 0) or np.any(y != np.floor(y)):
        raise ValueError("counts: weekly counts must be non-negative whole numbers")
    return y


def _week_estimates(
    y: np.ndarray,
    t: int,
    expected: np.ndarray,
    upper: np.ndarray,
    score: np.ndarray,
    method: Method,
) -> list[WeekEstimate | None]:
    observed = y[:, t]
    recent = y[:, max(0, t - MIN_CASES_WEEKS + 1) : t + 1].sum(axis=1)
    exceeds = observed > upper
    alarm = exceeds & (recent >= MIN_CASES)
    return [
        WeekEstimate(
            observed=int(observed[i]),
            expected=float(expected[i]),
            upper_limit=float(upper[i]),
            score=float(score[i]),
            exceeds=bool(exceeds[i]),
            alarm=bool(alarm[i]),
            method=method,
        )
        for i in range(y.shape[0])
    ]


def _ratio(
    statistic: np.ndarray, center: np.ndarray, limit: np.ndarray, floor: float
) -> np.ndarray:
    ratio: np.ndarray = (statistic - center) / np.maximum(limit - center, floor)
    return ratio


def _years_back(t: int, reach: int) -> int:
    """Past years whose reference weeks (up to `reach` weeks before the same week) exist."""
    return min(MAX_YEARS, (t - reach) // WEEKS_PER_YEAR)


# --- historical limits -----------------------------------------------------------------------


def _historical_limits(y: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    years = _years_back(t, HL_HALF_WINDOW)
    offsets = range(-HL_HALF_WINDOW, HL_HALF_WINDOW + 1)
    rows = [t - k * WEEKS_PER_YEAR + d for k in range(1, years + 1) for d in offsets]
    reference = y[:, rows]
    n = len(rows)
    mean = reference.mean(axis=1)
    sd = reference.std(axis=1, ddof=1)
    upper = mean + HL_Z * sd * np.sqrt(1 + 1 / n)
    return mean, upper, _ratio(y[:, t], mean, upper, SCORE_FLOOR)


# --- EWMA ------------------------------------------------------------------------------------


def _ewma(y: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EWMA chart restarted for each week t.

    Baseline: the 13 weeks ending 2 weeks before t give the mean mu0 and sd; sigma =
    max(sd, sqrt(mu0)), because weekly counts vary at least as much as Poisson counts. The
    statistic starts at mu0 before the guard weeks and runs over them and week t:
    Z_j = lambda * y_j + (1 - lambda) * Z_(j-1), lambda = 0.4. After k = 3 steps its sd is
    sigma * sqrt(lambda / (2 - lambda) * (1 - (1 - lambda)^(2k))) and the control limit is
    UCL = mu0 + 3 * that sd.

    Reported in counts: expected = mu0; upper_limit = the count week t would need for Z_t to
    pass the UCL, (UCL - (1 - lambda) * Z_(t-1)) / lambda, floored at 0 (a week with no cases
    never exceeds, even while the guard weeks are still high). score = (Z_t - mu0) / (UCL - mu0)
    with the denominator floored at lambda / 2 (half a case this week).
    """
    end = t - EWMA_GUARD_WEEKS
    baseline = y[:, end - EWMA_BASELINE_WEEKS : end]
    mu0 = baseline.mean(axis=1)
    sigma = np.maximum(baseline.std(axis=1, ddof=1), np.sqrt(mu0))
    z = mu0.copy()
    for j in range(end, t):
        z = EWMA_LAMBDA * y[:, j] + (1 - EWMA_LAMBDA) * z
    steps = EWMA_GUARD_WEEKS + 1
    spread = EWMA_LAMBDA / (2 - EWMA_LAMBDA) * (1 - (1 - EWMA_LAMBDA) ** (2 * steps))
    ucl = mu0 + EWMA_L * sigma * np.sqrt(spread)
    upper = np.maximum((ucl - (1 - EWMA_LAMBDA) * z) / EWMA_LAMBDA, 0.0)
    z_t = EWMA_LAMBDA * y[:, t] + (1 - EWMA_LAMBDA) * z
    return mu0, upper, _ratio(z_t, mu0, ucl, EWMA_LAMBDA * SCORE_FLOOR)


# --- Farrington-flexible ---------------------------------------------------------------------


@dataclass(frozen=True)
class FarringtonDesign:
    """The weeks fitted for week t and their seasonal level (0 = the window around the same
    week in past years, which is the level week t is predicted in; 1..9 = blocks between)."""

    years: int
    rows: np.ndarray  # week indices, ascending
    levels: np.ndarray  # level of each row


@dataclass(frozen=True)
class FarringtonFit:
    """One quasi-Poisson fit for many series (arrays have one row per series)."""

    mu: np.ndarray  # fitted means of the design rows
    mu0: np.ndarray  # prediction for week t
    hat: np.ndarray  # leverages (diagonal of the hat matrix)
    dispersion: np.ndarray  # Pearson chi2 / (n - p), not yet floored at 1
    trend_p: np.ndarray  # two-sided t-test p-value of the trend (1 without a trend)


def farrington_design(t: int) -> FarringtonDesign | None:
    """The fitted weeks: from w weeks before the same week b years back up to 27 weeks before t.

    Weeks t-52k-w .. t-52k+w (k = 1..b) form level 0; the 45 weeks between two consecutive
    windows are split into 9 blocks of 5 (levels 1..9, in time order). The 26 weeks before t
    are not fitted (Noufaily et al. 2013), and neither is t.
    """
    years = _years_back(t, FF_HALF_WINDOW)
    if years < 1:
        return None
    w, blocks = FF_HALF_WINDOW, FF_PERIODS - 1
    level_of: dict[int, int] = {}
    for k in range(1, years + 1):
        reference = t - k * WEEKS_PER_YEAR
        level_of.update((week, 0) for week in range(reference - w, reference + w + 1))
        between = list(range(reference + w + 1, reference + WEEKS_PER_YEAR - w))
        size, extra = divmod(len(between), blocks)
        start = 0
        for block in range(blocks):
            length = size + (1 if block < extra else 0)
            level_of.update((week, block + 1) for week in between[start : start + length])
            start += length
    last = t - FF_EXCLUDED_WEEKS - 1
    rows = np.array(sorted(week for week in level_of if week <= last))
    return FarringtonDesign(years, rows, np.array([level_of[int(r)] for r in rows]))


def _farrington(y: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Farrington-flexible / Noufaily for week t of every row of y.

    1. Fit a quasi-Poisson GLM log(mu) = level + beta * week on the design rows
       (`farrington_design`), without reweighting; phi = max(1, Pearson chi2 / (n - p)).
    2. Standardised Anscombe residuals s = 3/2 (y^(2/3) mu^(-1/6) - mu^(1/2)) / sqrt(phi (1-h)).
       Rows with s > 2.58 get weight s^-2, others 1, all scaled to sum to n; refit with weights.
    3. The trend is kept only with >= 3 years of history, p < 0.05 (t-test with the raw
       dispersion, as R's summary.glm) and a prediction not above the largest fitted count;
       otherwise steps 1-2 are redone without it.
    4. mu0 = the prediction for week t (level 0); phi = max(1, dispersion of the final fit);
       upper = (1 - alpha) quantile of a negative binomial with mean mu0 and size mu0/(phi-1)
       (variance phi * mu0), the Poisson quantile when phi = 1; alpha = 0.01.
    score = (y - mu0) / (upper - mu0) (Farrington 1996), denominator floored at half a case.

    The fits are exact and closed-form per seasonal level, so no iterative GLM solver is needed:
    without a trend the MLE of each level is its weighted mean; with a trend each level's
    intercept has a closed form given the slope, leaving a 1-D concave maximisation (Newton).
    A level whose counts are all zero has fitted mean 0, its limit as the GLM coefficient goes
    to minus infinity; such levels still count in p, as in R's glm.
    """
    design = farrington_design(t)
    assert design is not None  # guaranteed by MIN_HISTORY
    response = y[:, design.rows]
    onehot = design.levels[None, :] == np.unique(design.levels)[:, None]  # (levels, rows)
    x = (design.rows - t).astype(float)  # weeks relative to t: the prediction is at x = 0
    fit = _fit_reweighted(response, onehot, None)
    if design.years >= FF_TREND_MIN_YEARS:
        trended = _fit_reweighted(response, onehot, x)
        keep = (trended.trend_p < FF_TREND_P) & (trended.mu0 <= response.max(axis=1))
        mu0 = np.where(keep, trended.mu0, fit.mu0)
        dispersion = np.where(keep, trended.dispersion, fit.dispersion)
    else:
        mu0, dispersion = fit.mu0, fit.dispersion
    upper = negative_binomial_upper(mu0, np.maximum(dispersion, 1.0), FF_ALPHA)
    return mu0, upper, _ratio(y[:, t], mu0, upper, SCORE_FLOOR)


def negative_binomial_upper(mu0: np.ndarray, phi: np.ndarray, alpha: float) -> np.ndarray:
    """(1 - alpha) quantile of NB(mean mu0, variance phi * mu0); Poisson when phi == 1."""
    mu0 = np.asarray(mu0, dtype=float)
    phi = np.broadcast_to(np.asarray(phi, dtype=float), mu0.shape)
    upper = np.zeros_like(mu0)
    positive = mu0 > 0
    poisson = positive & (phi <= 1.0)
    negbin = positive & (phi > 1.0)
    upper[poisson] = stats.poisson.ppf(1 - alpha, mu0[poisson])
    upper[negbin] = stats.nbinom.ppf(1 - alpha, mu0[negbin] / (phi[negbin] - 1), 1 / phi[negbin])
    return upper


def _fit_reweighted(
    response: np.ndarray, onehot: np.ndarray, x: np.ndarray | None
) -> FarringtonFit:
    """Steps 1-2 of `_farrington`: unweighted fit, Anscombe down-weighting, weighted refit."""
    first = _fit(response, np.ones_like(response), onehot, x)
    phi = np.maximum(first.dispersion, 1.0)
    weights = anscombe_weights(response, first.mu, first.hat, phi)
    return _fit(response, weights, onehot, x)


def anscombe_weights(
    response: np.ndarray, mu: np.ndarray, hat: np.ndarray, phi: np.ndarray
) -> np.ndarray:
    """Farrington's weights: s^-2 above the threshold, 1 below, scaled to sum to n per row.

    A row fitted exactly by its own parameter (leverage 1) carries no evidence of being an
    outlier: its residual is taken as 0 rather than 0/0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = 1.5 * (response ** (2 / 3) * mu ** (-1 / 6) - np.sqrt(mu))
        s = raw / np.sqrt(phi[:, None] * (1 - hat))
    s = np.where((mu > 0) & (hat < 1 - 1e-10), s, 0.0)
    outlying = s > FF_REWEIGHT_THRESHOLD
    omega = np.where(outlying, 1 / np.where(outlying, s, 1.0) ** 2, 1.0)
    weights: np.ndarray = omega * response.shape[1] / omega.sum(axis=1, keepdims=True)
    return weights


def _fit(
    response: np.ndarray, weights: np.ndarray, onehot: np.ndarray, x: np.ndarray | None
) -> FarringtonFit:
    """Weighted Poisson MLE of log(mu) = level (+ beta * x), with quasi-Poisson dispersion."""
    series, rows = response.shape
    beta = np.zeros(series) if x is None else _slope(response, weights, onehot, x)
    growth = np.ones((series, rows)) if x is None else np.exp(beta[:, None] * x)
    exposure = (weights * growth) @ onehot.T  # per level: sum of w * exp(beta x)
    level_rate = ((weights * response) @ onehot.T) / exposure  # exp(level intercept)
    mu = (level_rate @ onehot) * growth
    hat, information = _leverage(weights, growth, mu, exposure, onehot, x)
    df = rows - onehot.shape[0] - (x is not None)
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.where(mu > 0, weights * (response - mu) ** 2 / mu, 0.0).sum(axis=1)
    dispersion = pearson / df if df > 0 else np.ones(series)
    trend_p = np.ones(series) if x is None else _trend_p(beta, dispersion, information, df)
    return FarringtonFit(mu, level_rate[:, 0], hat, dispersion, trend_p)  # level 0 sorts first


def _leverage(
    weights: np.ndarray,
    growth: np.ndarray,
    mu: np.ndarray,
    exposure: np.ndarray,
    onehot: np.ndarray,
    x: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Hat-matrix diagonal of the level (+ trend) design, and the trend's Fisher information.

    With a_l = sum of w mu over level l, the diagonal is w mu / a_l, plus with a trend
    w mu (x - xbar_l)^2 / I, where xbar_l is the mu-weighted mean of x in the level and
    I = sum w mu (x - xbar_l)^2. For an all-zero level w mu / a_l is taken at its limit,
    w exp(beta x) / sum_l w exp(beta x).
    """
    hat = weights * growth / (exposure @ onehot)
    if x is None:
        return hat, np.zeros(len(hat))
    centred = x[None, :] - (((weights * growth * x) @ onehot.T) / exposure) @ onehot
    information = (weights * mu * centred**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        trend_part = weights * mu * centred**2 / information[:, None]
    return hat + np.where(information[:, None] > 0, trend_part, 0.0), information


def _trend_p(
    beta: np.ndarray, dispersion: np.ndarray, information: np.ndarray, df: int
) -> np.ndarray:
    """Two-sided p-value of the slope: t = beta / sqrt(dispersion / I) on df degrees of freedom
    (the raw dispersion, not floored at 1, as R's summary.glm for quasi-Poisson)."""
    if df <= 0:
        return np.ones(len(beta))
    with np.errstate(divide="ignore", invalid="ignore"):
        t_stat = beta / np.sqrt(dispersion / information)
    t_stat = np.where((information > 0) & (dispersion > 0), t_stat, 0.0)
    p: np.ndarray = 2 * stats.t.sf(np.abs(t_stat), df)
    return p


def _slope(
    response: np.ndarray, weights: np.ndarray, onehot: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """MLE of the trend with each level's intercept profiled out (Newton, damped).

    Given beta, level l's intercept is log(sum_l w y / sum_l w exp(beta x)); the profile
    log-likelihood is concave in beta with score sum w y x - sum_l Y_l * xbar_l(beta) and
    curvature -sum_l Y_l * var_l(x) (xbar, var weighted by w exp(beta x) within the level).
    """
    level_total = (weights * response) @ onehot.T
    target = (weights * response * x).sum(axis=1)
    beta = np.zeros(response.shape[0])
    max_step = 1.0 / max(np.abs(x).max(), 1.0)  # at most a factor e on any fitted mean per step
    for _ in range(100):
        growth = weights * np.exp(beta[:, None] * x)
        exposure = growth @ onehot.T
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_x = np.where(exposure > 0, ((growth * x) @ onehot.T) / exposure, 0.0)
            mean_x2 = np.where(exposure > 0, ((growth * x**2) @ onehot.T) / exposure, 0.0)
        score = target - (level_total * mean_x).sum(axis=1)
        curvature = (level_total * (mean_x2 - mean_x**2)).sum(axis=1)
        step = np.where(curvature > 1e-12, score / np.where(curvature > 1e-12, curvature, 1), 0)
        step = np.clip(step, -max_step, max_step)
        beta = beta + step
        if np.all(np.abs(step) < 1e-10 * max_step):
            break
    return beta


_ESTIMATORS: dict[Method, Callable[[np.ndarray, int], tuple[np.ndarray, ...]]] = {
    "historical_limits": _historical_limits,
    "farrington_flexible": _farrington,
    "ewma": _ewma,
}
