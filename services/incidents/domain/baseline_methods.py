"""Expected value and upper limit of one week of a weekly count series, from the weeks before it.

Pure numpy/scipy, no I/O. A series is a sequence of weekly counts, index 0 the oldest week,
consecutive weeks with zeros for empty weeks. Week t is judged only on weeks before t (its own
count is compared, never used to fit), so a result is reproducible from the counts alone.

The methods are a registry (`REGISTRY`, by name; `describe()` lists them with their
parameters): each entry is one published method with its settings stated, a version that
changes whenever what it computes changes, and the reference it follows.

- farrington_1996: Farrington et al. (1996), as R surveillance::farringtonFlexible with the
  original settings (noPeriods=1, weightsThreshold=1, pThresholdTrend=0.05,
  thresholdMethod="delta", powertrans="2/3").
- noufaily_2013: the improved method of Noufaily et al. (2013), as farringtonFlexible with
  noPeriods=10, pastWeeksNotIncluded=26, weightsThreshold=2.58, pThresholdTrend=1 (the trend
  is kept whenever it can be estimated) and thresholdMethod="nbPlugin".
- farrington_flexible: noufaily_2013 with Farrington's 1996 trend rule (pThresholdTrend=0.05);
  jisr's method before the registry, kept so its alerts keep their meaning.
- stroup_1989: the CDC historical limits of Stroup et al. (1989): the 4-week total ending at
  week t against 15 historical 4-week totals, limit mean + 2 sd.
- historical_limits_weekly: a weekly variant (one week against 15 weeks), not Stroup's method.
- ewma_chart: a running EWMA control chart (Roberts 1959; limits as in Montgomery,
  Introduction to Statistical Quality Control, sec. 9.2).
- ewma_restarted: an EWMA restarted every week from a 13-week mean (jisr's former "ewma").

The old names "historical_limits" and "ewma" resolve to the two weekly/restarted variants they
always computed (`resolve`). Each method documents what it compares (`statistic`: the week's
count, the 4-week total, or the EWMA statistic), its `expected` and `upper_limit` on that scale,
and the history it needs before it answers (`MIN_HISTORY`, else None). `score` is an exceedance
ratio: (statistic - expected) / (upper_limit - expected), above 1 exactly when the limit is
exceeded; the denominator is floored at half a case so the score stays finite on all-zero
baselines. `exceeds` (statistic > upper_limit) is authoritative.

`alarm` adds the Farrington minimum-count rule to `exceeds` in every method: no alarm unless
the week and the three before it hold at least 5 cases between them.

Farrington fits report whether their trend fit converged: a trend whose maximum-likelihood
estimate was not found (Newton did not converge, the slope is not identified, or it runs off
towards infinity as it does on series with one or two cases) is dropped and the week is
predicted without it, so no expected value or alarm comes from an unconverged trend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats

Method = Literal[
    "farrington_1996",
    "noufaily_2013",
    "farrington_flexible",
    "stroup_1989",
    "historical_limits_weekly",
    "ewma_chart",
    "ewma_restarted",
]
LEGACY_NAMES: dict[str, Method] = {
    "historical_limits": "historical_limits_weekly",
    "ewma": "ewma_restarted",
}
DEFAULT_METHOD: Method = "noufaily_2013"
METHODS: tuple[Method, ...] = (
    "farrington_1996",
    "noufaily_2013",
    "farrington_flexible",
    "stroup_1989",
    "historical_limits_weekly",
    "ewma_chart",
    "ewma_restarted",
)
WEEKS_PER_YEAR = 52  # a "year back" is 52 weeks: ISO years with 53 weeks drift by one week
MAX_YEARS = 5  # b: years back, in every method that looks back in years

MIN_CASES = 5  # the minimum-count rule: at least 5 cases ...
MIN_CASES_WEEKS = 4  # ... in this week and the 3 before it
SCORE_FLOOR = 0.5  # half a case: keeps scores finite when limit == expected

# Rows fitted at once: the Newton loop of one chunk runs until its own rows converge, and each
# row leaves the loop as soon as it has, so a national pass costs its rows, not its worst row.
CHUNK_ROWS = 1000


@dataclass(frozen=True)
class FarringtonSettings:
    """The controls of R surveillance::farringtonFlexible that jisr's Farrington variants set."""

    half_window: int = 3  # w
    periods: int = 10  # noPeriods: 1 = only the windows around the same week (Farrington 1996)
    excluded_weeks: int = 26  # pastWeeksNotIncluded: weeks before t left out of the fit
    reweight_threshold: float = 2.58  # weightsThreshold on standardised Anscombe residuals
    trend_p: float = 1.0  # pThresholdTrend: keep the trend if its p-value is below this
    trend_min_years: int = 3  # a trend needs at least 3 past years
    # jisr's rule, not farringtonFlexible's: no trend from fewer than 5 fitted cases, where a
    # slope is only the position of one or two single cases (and often has no MLE at all)
    trend_min_cases: int = 5
    threshold: Literal["nb_plugin", "delta"] = "nb_plugin"  # thresholdMethod
    alpha: float = 0.01  # upper limit = (1 - alpha) quantile, one-sided


@dataclass(frozen=True)
class MethodSpec:
    name: Method
    version: str
    title: str
    reference: str
    parameters: dict[str, Any]
    min_history: int
    statistic: Literal["week_count", "four_week_total", "ewma"]
    farrington: FarringtonSettings | None = field(default=None, repr=False)


@dataclass(frozen=True)
class WeekEstimate:
    observed: int  # the week's count
    expected: float  # on the scale of `statistic`
    upper_limit: float  # on the scale of `statistic`
    score: float  # exceedance ratio, > 1 when beyond the limit (module doc)
    exceeds: bool  # statistic > upper_limit
    alarm: bool  # exceeds and >= 5 cases in this week and the 3 before
    method: Method
    statistic: float = 0.0  # what is compared with the limit (the method's `statistic` kind)
    trend_used: bool = False  # the prediction includes a time trend
    converged: bool | None = None  # the trend fit converged; None when no trend was fitted
    method_version: str = ""


@dataclass(frozen=True)
class _Result:
    expected: np.ndarray
    upper: np.ndarray
    statistic: np.ndarray
    score: np.ndarray
    trend_used: np.ndarray | None = None
    converged: np.ndarray | None = None  # 1 converged, 0 not, -1 no trend fitted


def resolve(name: str) -> Method:
    """The registry name of a method, from its name or a legacy name; ValueError otherwise."""
    if name in LEGACY_NAMES:
        return LEGACY_NAMES[name]
    for method in METHODS:
        if method == name:
            return method
    raise ValueError(f"method: {name!r} is not one of {', '.join(METHODS)}")


def describe() -> list[dict[str, Any]]:
    """Every method with its version, reference, parameters and minimum history."""
    return [
        {
            "name": spec.name,
            "version": spec.version,
            "title": spec.title,
            "reference": spec.reference,
            "statistic": spec.statistic,
            "min_history_weeks": spec.min_history,
            "parameters": spec.parameters,
        }
        for spec in REGISTRY.values()
    ]


def estimate(counts: Sequence[int], t: int, method: str = DEFAULT_METHOD) -> WeekEstimate | None:
    """Estimate week index t of a weekly count series (index 0 = oldest week, consecutive
    weeks, zeros present for empty weeks) from the weeks before t only. None when the series
    before t is shorter than MIN_HISTORY[method] weeks."""
    return estimate_many([counts], t, method)[0]


def estimate_range(
    counts: Sequence[int], start: int, stop: int, method: str = DEFAULT_METHOD
) -> list[WeekEstimate | None]:
    """estimate() for t in range(start, stop)."""
    matrix = _as_matrix([counts])
    return [estimate_many(matrix, t, method)[0] for t in range(start, stop)]


def estimate_many(
    series: Sequence[Sequence[int]] | np.ndarray, t: int, method: str = DEFAULT_METHOD
) -> list[WeekEstimate | None]:
    """estimate() of week t for many series of the same length at once (one row per series,
    e.g. every area x category): vectorised, so thousands of series cost about one pass."""
    y = _as_matrix(series)
    spec = REGISTRY[resolve(method)]
    if not 0 <= t < y.shape[1]:
        raise ValueError(f"t: week index {t} is outside the series (0..{y.shape[1] - 1})")
    if t < spec.min_history or not len(y):
        return [None] * y.shape[0]
    if spec.farrington is not None:
        settings = spec.farrington
        chunks = range(0, len(y), CHUNK_ROWS)
        result = _concat([_farrington(y[i : i + CHUNK_ROWS], t, settings) for i in chunks])
    else:
        result = _ESTIMATORS[spec.name](y, t)
    return _week_estimates(y, t, result, spec)


def _concat(parts: list[_Result]) -> _Result:
    def join(name: str) -> np.ndarray | None:
        arrays = [getattr(p, name) for p in parts]
        return None if arrays[0] is None else np.concatenate(arrays)

    return _Result(
        expected=np.concatenate([p.expected for p in parts]),
        upper=np.concatenate([p.upper for p in parts]),
        statistic=np.concatenate([p.statistic for p in parts]),
        score=np.concatenate([p.score for p in parts]),
        trend_used=join("trend_used"),
        converged=join("converged"),
    )


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
    y: np.ndarray, t: int, result: _Result, spec: MethodSpec
) -> list[WeekEstimate | None]:
    observed = y[:, t]
    recent = y[:, max(0, t - MIN_CASES_WEEKS + 1) : t + 1].sum(axis=1)
    exceeds = result.statistic > result.upper
    alarm = exceeds & (recent >= MIN_CASES)
    trend = result.trend_used
    converged = result.converged
    return [
        WeekEstimate(
            observed=int(observed[i]),
            expected=float(result.expected[i]),
            upper_limit=float(result.upper[i]),
            score=float(result.score[i]),
            exceeds=bool(exceeds[i]),
            alarm=bool(alarm[i]),
            method=spec.name,
            statistic=float(result.statistic[i]),
            trend_used=bool(trend[i]) if trend is not None else False,
            converged=None if converged is None or converged[i] < 0 else bool(converged[i]),
            method_version=spec.version,
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


# --- Stroup's historical limits (4-week totals) ----------------------------------------------

STROUP_PERIOD = 4  # weeks in a period
STROUP_Z = 2.0  # limits mean +/- 2 sd


def _stroup(y: np.ndarray, t: int) -> _Result:
    """Historical limits of Stroup, Williamson, Herndon & Karon (1989), on weekly counts.

    The statistic is the 4-week total of weeks t-3..t. Its history: for each past year k =
    1..b (b = min(5, years available), Stroup used 5), the 4-week totals of the same period
    (weeks t-52k-3..t-52k), the period before it (t-52k-7..t-52k-4) and the period after it
    (t-52k+1..t-52k+4): 15 totals with 5 years. expected = their mean; upper_limit = mean + 2 sd
    (sample sd, n - 1), the upper historical limit; there is no prediction-interval factor.
    """
    years = _years_back(t, 2 * STROUP_PERIOD - 1)
    starts = [
        t - k * WEEKS_PER_YEAR + offset
        for k in range(1, years + 1)
        for offset in (-2 * STROUP_PERIOD + 1, -STROUP_PERIOD + 1, 1)
    ]
    totals = np.stack([y[:, s : s + STROUP_PERIOD].sum(axis=1) for s in starts], axis=1)
    mean = totals.mean(axis=1)
    upper = mean + STROUP_Z * totals.std(axis=1, ddof=1)
    current = y[:, t - STROUP_PERIOD + 1 : t + 1].sum(axis=1)
    return _Result(mean, upper, current, _ratio(current, mean, upper, SCORE_FLOOR))


# --- weekly historical limits ----------------------------------------------------------------

HL_HALF_WINDOW = 1  # same week +/- 1 in each past year
HL_Z = 2.0


def _historical_limits_weekly(y: np.ndarray, t: int) -> _Result:
    """One week against the same week +/- 1 of up to 5 past years (weeks t-52k-1, t-52k,
    t-52k+1): expected = their mean; upper = mean + 2 * sd * sqrt(1 + 1/n) (sd with n - 1; the
    prediction-interval factor of Farrington & Andrews 2003). Not Stroup's method, which
    compares 4-week totals (stroup_1989)."""
    years = _years_back(t, HL_HALF_WINDOW)
    offsets = range(-HL_HALF_WINDOW, HL_HALF_WINDOW + 1)
    rows = [t - k * WEEKS_PER_YEAR + d for k in range(1, years + 1) for d in offsets]
    reference = y[:, rows]
    n = len(rows)
    mean = reference.mean(axis=1)
    sd = reference.std(axis=1, ddof=1)
    upper = mean + HL_Z * sd * np.sqrt(1 + 1 / n)
    return _Result(mean, upper, y[:, t], _ratio(y[:, t], mean, upper, SCORE_FLOOR))


# --- EWMA control chart ----------------------------------------------------------------------

EWMA_CHART_LAMBDA = 0.2  # Montgomery's usual choice (0.05 <= lambda <= 0.25 works well)
EWMA_CHART_L = 3.0  # the usual three-sigma width
EWMA_CHART_PHASE1_WEEKS = 52  # in-control year that estimates mu0 and sigma


def _ewma_chart(y: np.ndarray, t: int) -> _Result:
    """A running EWMA control chart (Roberts 1959; Montgomery, sec. 9.2).

    Phase I: the first 52 weeks of the series give mu0 (their mean) and sigma = max(sample sd,
    sqrt(mu0)) (weekly counts vary at least as much as Poisson counts). The chart starts at
    Z_51 = mu0 and runs Z_j = lambda * y_j + (1 - lambda) * Z_(j-1) over every week since,
    lambda = 0.2. At week t, i = t - 51 steps in, the control limit is
    UCL_t = mu0 + L * sigma * sqrt(lambda / (2 - lambda) * (1 - (1 - lambda)^(2i))), L = 3
    (the exact, time-varying limits; the lower limit is not used: alerts are about rises).

    Reported on the chart's scale: statistic = Z_t, expected = mu0, upper_limit = UCL_t;
    score = (Z_t - mu0) / (UCL_t - mu0), denominator floored at lambda / 2.
    """
    lam, phase1 = EWMA_CHART_LAMBDA, EWMA_CHART_PHASE1_WEEKS
    baseline = y[:, :phase1]
    mu0 = baseline.mean(axis=1)
    sigma = np.maximum(baseline.std(axis=1, ddof=1), np.sqrt(mu0))
    steps = t - phase1 + 1
    # Z_t = (1-lam)^i mu0 + sum_j lam (1-lam)^(t-j) y_j over the i weeks since phase I
    decay = lam * (1 - lam) ** np.arange(steps - 1, -1, -1)
    z = (1 - lam) ** steps * mu0 + y[:, phase1 : t + 1] @ decay
    spread = lam / (2 - lam) * (1 - (1 - lam) ** (2 * steps))
    ucl = mu0 + EWMA_CHART_L * sigma * np.sqrt(spread)
    return _Result(mu0, ucl, z, _ratio(z, mu0, ucl, lam * SCORE_FLOOR))


# --- EWMA restarted each week ----------------------------------------------------------------

EWMA_LAMBDA = 0.4
EWMA_L = 3.0
EWMA_BASELINE_WEEKS = 13  # a quarter of weekly counts estimates the mean and sd ...
EWMA_GUARD_WEEKS = 2  # ... ending 2 weeks before t, so an emerging rise does not raise its own bar


def _ewma_restarted(y: np.ndarray, t: int) -> _Result:
    """An EWMA restarted for each week t (not a running chart: see ewma_chart).

    Baseline: the 13 weeks ending 2 weeks before t give the mean mu0 and sd; sigma =
    max(sd, sqrt(mu0)). The statistic starts at mu0 before the guard weeks and runs over them
    and week t: Z_j = lambda * y_j + (1 - lambda) * Z_(j-1), lambda = 0.4, so in effect
    Z_t = 0.4 y_t + 0.24 y_(t-1) + 0.144 y_(t-2) + 0.216 mu0. After k = 3 steps its sd is
    sigma * sqrt(lambda / (2 - lambda) * (1 - (1 - lambda)^(2k))) and UCL = mu0 + 3 * that sd.

    Reported in counts: statistic = the week's count; expected = mu0; upper_limit = the count
    week t would need for Z_t to pass the UCL, (UCL - (1 - lambda) * Z_(t-1)) / lambda, floored
    at 0. score = (Z_t - mu0) / (UCL - mu0), denominator floored at lambda / 2.
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
    # exceeds is statistic > upper, i.e. y_t > upper, which is Z_t > UCL
    return _Result(mu0, upper, y[:, t], _ratio(z_t, mu0, ucl, EWMA_LAMBDA * SCORE_FLOOR))


# --- Farrington family -----------------------------------------------------------------------


@dataclass(frozen=True)
class FarringtonDesign:
    """The weeks fitted for week t and their seasonal level (0 = the window around the same
    week in past years, which is the level week t is predicted in; 1..periods-1 = blocks
    between)."""

    years: int
    rows: np.ndarray  # week indices, ascending
    levels: np.ndarray  # level of each row


@dataclass(frozen=True)
class _Levels:
    """The seasonal levels of design rows sorted by level: per-level sums are slices (numpy's
    reduceat, single-threaded: a BLAS product with a one-hot matrix would spin threads)."""

    starts: np.ndarray
    sizes: np.ndarray

    @classmethod
    def of(cls, sorted_levels: np.ndarray) -> _Levels:
        starts = np.flatnonzero(np.r_[True, sorted_levels[1:] != sorted_levels[:-1]])
        return cls(starts, np.diff(np.r_[starts, len(sorted_levels)]))

    @property
    def count(self) -> int:
        return len(self.starts)

    def total(self, values: np.ndarray) -> np.ndarray:
        """Per-level sums of each row: (series, rows) -> (series, levels)."""
        out: np.ndarray = np.add.reduceat(values, self.starts, axis=1)
        return out

    def spread(self, per_level: np.ndarray) -> np.ndarray:
        """Each level's value on its rows: (series, levels) -> (series, rows)."""
        return np.repeat(per_level, self.sizes, axis=1)


@dataclass(frozen=True)
class FarringtonFit:
    """One quasi-Poisson fit for many series (arrays have one row per series)."""

    mu: np.ndarray  # fitted means of the design rows
    mu0: np.ndarray  # prediction for week t
    hat: np.ndarray  # leverages (diagonal of the hat matrix)
    dispersion: np.ndarray  # Pearson chi2 / (n - p), not yet floored at 1
    trend_p: np.ndarray  # two-sided t-test p-value of the trend (1 without a trend)
    converged: np.ndarray  # the trend's MLE was found (True without a trend)
    var_eta0: np.ndarray  # variance of log(mu0) per unit dispersion


def farrington_design(
    t: int, settings: FarringtonSettings | None = None
) -> FarringtonDesign | None:
    """The fitted weeks: from w weeks before the same week b years back up to
    excluded_weeks + 1 weeks before t.

    Weeks t-52k-w .. t-52k+w (k = 1..b) form level 0; with periods > 1 the 52 - (2w + 1) weeks
    between two consecutive windows are split into periods - 1 blocks (the first blocks one
    longer when they do not divide evenly), levels 1.. in time order, as surveillance's
    blocks(). The excluded_weeks weeks before t are not fitted, and neither is t.
    """
    s = settings or FarringtonSettings()
    years = _years_back(t, s.half_window)
    if years < 1:
        return None
    w, blocks = s.half_window, s.periods - 1
    level_of: dict[int, int] = {}
    for k in range(1, years + 1):
        reference = t - k * WEEKS_PER_YEAR
        level_of.update((week, 0) for week in range(reference - w, reference + w + 1))
        if blocks < 1:
            continue
        between = list(range(reference + w + 1, reference + WEEKS_PER_YEAR - w))
        size, extra = divmod(len(between), blocks)
        start = 0
        for block in range(blocks):
            length = size + (1 if block < extra else 0)
            level_of.update((week, block + 1) for week in between[start : start + length])
            start += length
    last = t - s.excluded_weeks - 1
    rows = np.array(sorted(week for week in level_of if week <= last))
    return FarringtonDesign(years, rows, np.array([level_of[int(r)] for r in rows]))


def _farrington(y: np.ndarray, t: int, s: FarringtonSettings) -> _Result:
    """A Farrington-family estimate of week t for every row of y (one chunk).

    1. Fit a quasi-Poisson GLM log(mu) = level + beta * week on the design rows
       (`farrington_design`), without reweighting; phi = max(1, Pearson chi2 / (n - p)).
    2. Standardised Anscombe residuals s = 3/2 (y^(2/3) mu^(-1/6) - mu^(1/2)) / sqrt(phi (1-h)).
       Rows with s > reweight_threshold get weight s^-2, others 1, all scaled to sum to n;
       refit with weights.
    3. The trend is kept only when both fits' trend MLE converged, with >= 3 years of history,
       >= 5 cases in the fitted weeks (jisr's rule against slopes fitted to one or two cases),
       p < trend_p (t-test with the raw dispersion, as R's summary.glm) and a prediction not
       above the largest fitted count; otherwise steps 1-2 without it are used.
    4. mu0 = the prediction for week t (level 0); phi = max(1, dispersion of the final fit).
       nb_plugin (Noufaily): upper = (1 - alpha) quantile of a negative binomial with mean mu0
       and size mu0/(phi-1) (variance phi * mu0), the Poisson quantile when phi = 1.
       delta (Farrington 1996): with tau = phi + Var(mu0_hat)/mu0 (Var from the fit's raw
       dispersion, as R's predict.glm), upper = (mu0^(2/3) + z sqrt(4/9 mu0^(1/3) tau))^(3/2),
       z = the (1 - alpha) normal quantile.
    score = (y - mu0) / (upper - mu0) (Farrington 1996), denominator floored at half a case.

    The fits are exact and closed-form per seasonal level, so no iterative GLM solver is needed:
    without a trend the MLE of each level is its weighted mean; with a trend each level's
    intercept has a closed form given the slope, leaving a 1-D concave maximisation (Newton,
    per row). A level whose counts are all zero has fitted mean 0, its limit as the GLM
    coefficient goes to minus infinity; such levels still count in p, as in R's glm.
    """
    design = farrington_design(t, s)
    assert design is not None  # guaranteed by MIN_HISTORY
    # rows grouped by level (level 0 first), so per-level sums are contiguous slices
    order = np.argsort(design.levels, kind="stable")
    rows = design.rows[order]
    response = y[:, rows]
    levels = _Levels.of(design.levels[order])
    x = (rows - t).astype(float)  # weeks relative to t: the prediction is at x = 0
    trend_used = np.zeros(len(y), dtype=bool)
    converged = np.full(len(y), -1, dtype=np.int8)
    mu0, dispersion, var_eta0 = np.zeros(len(y)), np.ones(len(y)), np.zeros(len(y))
    tried = (
        response.sum(axis=1) >= s.trend_min_cases
        if design.years >= s.trend_min_years
        else np.zeros(len(y), dtype=bool)
    )
    if tried.any():
        trended = _fit_reweighted(response[tried], levels, x, s)
        converged[tried] = trended.converged
        keep = (
            trended.converged
            & (trended.trend_p < s.trend_p)
            & (trended.mu0 <= response[tried].max(axis=1))
        )
        trend_used[tried] = keep
        kept = np.flatnonzero(tried)[keep]
        mu0[kept] = trended.mu0[keep]
        dispersion[kept] = trended.dispersion[keep]
        var_eta0[kept] = trended.var_eta0[keep]
    rest = ~trend_used  # only the rows predicted without a trend need that fit
    if rest.any():
        fit = _fit_reweighted(response[rest], levels, None, s)
        mu0[rest], dispersion[rest], var_eta0[rest] = fit.mu0, fit.dispersion, fit.var_eta0
    phi = np.maximum(dispersion, 1.0)
    if s.threshold == "delta":
        upper = farrington_delta_upper(mu0, phi, dispersion * var_eta0, s.alpha)
    else:
        upper = negative_binomial_upper(mu0, phi, s.alpha)
    observed = y[:, t]
    return _Result(
        mu0, upper, observed, _ratio(observed, mu0, upper, SCORE_FLOOR), trend_used, converged
    )


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


def farrington_delta_upper(
    mu0: np.ndarray, phi: np.ndarray, var_eta0: np.ndarray, alpha: float
) -> np.ndarray:
    """Farrington et al. (1996)'s threshold on the 2/3-power scale (surveillance's "delta").

    var_eta0 is the estimated variance of log(mu0_hat), so Var(mu0_hat) = mu0^2 var_eta0 and
    tau = phi + mu0 var_eta0.
    """
    mu0 = np.asarray(mu0, dtype=float)
    tau = phi + mu0 * var_eta0
    z = stats.norm.ppf(1 - alpha)
    upper: np.ndarray = (mu0 ** (2 / 3) + z * np.sqrt(4 / 9 * mu0 ** (1 / 3) * tau)) ** 1.5
    return upper


def _fit_reweighted(
    response: np.ndarray, levels: _Levels, x: np.ndarray | None, s: FarringtonSettings
) -> FarringtonFit:
    """Steps 1-2 of `_farrington`: unweighted fit, Anscombe down-weighting, weighted refit."""
    first = _fit(response, np.ones_like(response), levels, x)
    phi = np.maximum(first.dispersion, 1.0)
    weights = anscombe_weights(response, first.mu, first.hat, phi, s.reweight_threshold)
    second = _fit(response, weights, levels, x)
    if x is None:
        return second
    return FarringtonFit(
        second.mu,
        second.mu0,
        second.hat,
        second.dispersion,
        second.trend_p,
        first.converged & second.converged,
        second.var_eta0,
    )


def anscombe_weights(
    response: np.ndarray,
    mu: np.ndarray,
    hat: np.ndarray,
    phi: np.ndarray,
    threshold: float = 2.58,
) -> np.ndarray:
    """Farrington's weights: s^-2 above the threshold, 1 below, scaled to sum to n per row.

    A row fitted exactly by its own parameter (leverage 1) carries no evidence of being an
    outlier: its residual is taken as 0 rather than 0/0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = 1.5 * (response ** (2 / 3) * mu ** (-1 / 6) - np.sqrt(mu))
        s = raw / np.sqrt(phi[:, None] * (1 - hat))
    s = np.where((mu > 0) & (hat < 1 - 1e-10), s, 0.0)
    outlying = s > threshold
    omega = np.where(outlying, 1 / np.where(outlying, s, 1.0) ** 2, 1.0)
    weights: np.ndarray = omega * response.shape[1] / omega.sum(axis=1, keepdims=True)
    return weights


def _fit(
    response: np.ndarray, weights: np.ndarray, levels: _Levels, x: np.ndarray | None
) -> FarringtonFit:
    """Weighted Poisson MLE of log(mu) = level (+ beta * x), with quasi-Poisson dispersion.

    A row whose trend did not converge is fitted at beta = 0 so its numbers stay finite; it is
    never used (its `converged` is False)."""
    series, rows = response.shape
    if x is None:
        beta, converged = np.zeros(series), np.ones(series, dtype=bool)
    else:
        beta, converged = _slope(response, weights, levels, x)
        beta = np.where(converged, beta, 0.0)
    growth = np.ones((series, rows)) if x is None else np.exp(beta[:, None] * x)
    exposure = levels.total(weights * growth)  # per level: sum of w * exp(beta x)
    level_rate = levels.total(weights * response) / exposure  # exp(level intercept)
    mu = levels.spread(level_rate) * growth
    hat, information, mean_x0 = _leverage(weights, growth, mu, exposure, levels, x)
    df = rows - levels.count - (x is not None)
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.where(mu > 0, weights * (response - mu) ** 2 / mu, 0.0).sum(axis=1)
        level0 = (weights * mu)[:, : levels.sizes[0]].sum(axis=1)  # a_0, information of level 0
        var_eta0 = 1 / level0
        if x is not None:
            var_eta0 = var_eta0 + np.where(information > 0, mean_x0**2 / information, 0.0)
    var_eta0 = np.where(np.isfinite(var_eta0), var_eta0, 0.0)
    dispersion = pearson / df if df > 0 else np.ones(series)
    trend_p = np.ones(series) if x is None else _trend_p(beta, dispersion, information, df)
    # level 0 comes first
    return FarringtonFit(mu, level_rate[:, 0], hat, dispersion, trend_p, converged, var_eta0)


def _leverage(
    weights: np.ndarray,
    growth: np.ndarray,
    mu: np.ndarray,
    exposure: np.ndarray,
    levels: _Levels,
    x: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hat-matrix diagonal of the level (+ trend) design, the trend's Fisher information, and
    the mu-weighted mean of x in level 0.

    With a_l = sum of w mu over level l, the diagonal is w mu / a_l, plus with a trend
    w mu (x - xbar_l)^2 / I, where xbar_l is the mu-weighted mean of x in the level and
    I = sum w mu (x - xbar_l)^2. For an all-zero level w mu / a_l is taken at its limit,
    w exp(beta x) / sum_l w exp(beta x).
    """
    hat = weights * growth / levels.spread(exposure)
    if x is None:
        return hat, np.zeros(len(hat)), np.zeros(len(hat))
    level_mean_x = levels.total(weights * growth * x) / exposure
    centred = x[None, :] - levels.spread(level_mean_x)
    information = (weights * mu * centred**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        trend_part = weights * mu * centred**2 / information[:, None]
    hat = hat + np.where(information[:, None] > 0, trend_part, 0.0)
    return hat, information, level_mean_x[:, 0]


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


NEWTON_MAX_ITERATIONS = 50  # a well-posed row converges in 4-6 steps
NEWTON_TOLERANCE = 1e-9  # of the largest step allowed
MAX_LOG_RATIO = 25.0  # a slope moving fitted means by more than e^25 across the fit: no MLE


def _slope(
    response: np.ndarray, weights: np.ndarray, levels: _Levels, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """MLE of the trend with each level's intercept profiled out (damped Newton, per row),
    and whether it converged.

    Given beta, level l's intercept is log(sum_l w y / sum_l w exp(beta x)); the profile
    log-likelihood is concave in beta with score sum w y x - sum_l Y_l * xbar_l(beta) and
    curvature -sum_l Y_l * var_l(x) (xbar, var weighted by w exp(beta x) within the level).
    Each row leaves the loop once its step is below the tolerance. Not converged: no
    curvature (the slope is not identified, e.g. no case at all), still moving after
    NEWTON_MAX_ITERATIONS, or a slope beyond MAX_LOG_RATIO over the fitted span - where the
    MLE does not exist (a series with one or two cases) Newton walks off towards infinity.
    """
    series = response.shape[0]
    level_total = levels.total(weights * response)
    target = (weights * response * x).sum(axis=1)
    beta = np.zeros(series)
    converged = np.zeros(series, dtype=bool)
    identified = np.ones(series, dtype=bool)
    max_step = 1.0 / max(np.abs(x).max(), 1.0)  # at most a factor e on any fitted mean per step
    active = np.arange(series)
    for _ in range(NEWTON_MAX_ITERATIONS):
        if not len(active):
            break
        w, b = weights[active], beta[active]
        growth = w * np.exp(b[:, None] * x)
        exposure = levels.total(growth)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_x = np.where(exposure > 0, levels.total(growth * x) / exposure, 0.0)
            mean_x2 = np.where(exposure > 0, levels.total(growth * x**2) / exposure, 0.0)
        totals = level_total[active]
        score = target[active] - (totals * mean_x).sum(axis=1)
        curvature = (totals * (mean_x2 - mean_x**2)).sum(axis=1)
        flat = curvature <= 1e-12
        step = np.where(flat, 0.0, score / np.where(flat, 1.0, curvature))
        step = np.clip(step, -max_step, max_step)
        beta[active] = b + step
        identified[active[flat]] = False
        done = flat | (np.abs(step) < NEWTON_TOLERANCE * max_step)
        converged[active[done & ~flat]] = True
        active = active[~done]
    span = float(x.max() - x.min())
    converged &= identified & (np.abs(beta) * span <= MAX_LOG_RATIO)
    return beta, converged


# --- the registry ----------------------------------------------------------------------------

_FARRINGTON_1996 = FarringtonSettings(
    periods=1, excluded_weeks=3, reweight_threshold=1.0, trend_p=0.05, threshold="delta"
)
_NOUFAILY_2013 = FarringtonSettings()
_FARRINGTON_FLEXIBLE = FarringtonSettings(trend_p=0.05)


def _farrington_parameters(s: FarringtonSettings) -> dict[str, Any]:
    return {
        "b": MAX_YEARS,
        "w": s.half_window,
        "noPeriods": s.periods,
        "pastWeeksNotIncluded": s.excluded_weeks,
        "reweight": True,
        "weightsThreshold": s.reweight_threshold,
        "pThresholdTrend": s.trend_p,
        "trend_min_years": s.trend_min_years,
        "trend_min_cases": s.trend_min_cases,
        "thresholdMethod": {"nb_plugin": "nbPlugin", "delta": "delta"}[s.threshold],
        "powertrans": "2/3" if s.threshold == "delta" else None,
        "alpha": s.alpha,
        "limit54": [MIN_CASES, MIN_CASES_WEEKS],
        "trend_dropped_when_not_converged": True,
    }


_FARRINGTON_MIN_HISTORY = WEEKS_PER_YEAR + 3  # one past year plus its window before

REGISTRY: dict[Method, MethodSpec] = {
    spec.name: spec
    for spec in (
        MethodSpec(
            "farrington_1996",
            "1",
            "Farrington et al. 1996 (original rule)",
            "Farrington, Andrews, Beale & Catchpole (1996), J. R. Statist. Soc. A 159, 547-563;"
            " as R surveillance::farringtonFlexible with its original-method settings",
            _farrington_parameters(_FARRINGTON_1996),
            _FARRINGTON_MIN_HISTORY,
            "week_count",
            _FARRINGTON_1996,
        ),
        MethodSpec(
            "noufaily_2013",
            "1",
            "Noufaily et al. 2013 (improved Farrington)",
            "Noufaily, Enki, Farrington, Garthwaite, Andrews & Charlett (2013), Statist. Med."
            " 32, 1206-1222; as R surveillance::farringtonFlexible with the improved settings",
            _farrington_parameters(_NOUFAILY_2013),
            _FARRINGTON_MIN_HISTORY,
            "week_count",
            _NOUFAILY_2013,
        ),
        MethodSpec(
            "farrington_flexible",
            "2",
            "Noufaily settings with Farrington's 1996 trend test (p < 0.05)",
            "R surveillance::farringtonFlexible(noPeriods=10, pastWeeksNotIncluded=26,"
            " weightsThreshold=2.58, pThresholdTrend=0.05, thresholdMethod='nbPlugin')",
            _farrington_parameters(_FARRINGTON_FLEXIBLE),
            _FARRINGTON_MIN_HISTORY,
            "week_count",
            _FARRINGTON_FLEXIBLE,
        ),
        MethodSpec(
            "stroup_1989",
            "1",
            "CDC historical limits on 4-week totals",
            "Stroup, Williamson, Herndon & Karon (1989), Statist. Med. 8, 323-329",
            {"period_weeks": STROUP_PERIOD, "b": MAX_YEARS, "totals_per_year": 3, "z": STROUP_Z},
            WEEKS_PER_YEAR + 2 * STROUP_PERIOD - 1,
            "four_week_total",
        ),
        MethodSpec(
            "historical_limits_weekly",
            "1",
            "Weekly historical limits (same week +/- 1), not Stroup's 4-week method",
            "after Stroup et al. (1989), with the prediction factor of Farrington & Andrews"
            " (2003)",
            {"half_window": HL_HALF_WINDOW, "b": MAX_YEARS, "z": HL_Z, "factor": "sqrt(1+1/n)"},
            WEEKS_PER_YEAR + HL_HALF_WINDOW,
            "week_count",
        ),
        MethodSpec(
            "ewma_chart",
            "1",
            "Running EWMA control chart",
            "Roberts (1959), Technometrics 1, 239-250; limits as in Montgomery, Introduction to"
            " Statistical Quality Control, sec. 9.2",
            {
                "lambda": EWMA_CHART_LAMBDA,
                "L": EWMA_CHART_L,
                "phase1_weeks": EWMA_CHART_PHASE1_WEEKS,
                "sigma": "max(sd, sqrt(mu0)) of phase I",
            },
            EWMA_CHART_PHASE1_WEEKS,
            "ewma",
        ),
        MethodSpec(
            "ewma_restarted",
            "1",
            "EWMA restarted each week from a 13-week mean (not a running chart)",
            "jisr's former 'ewma'",
            {
                "lambda": EWMA_LAMBDA,
                "L": EWMA_L,
                "baseline_weeks": EWMA_BASELINE_WEEKS,
                "guard_weeks": EWMA_GUARD_WEEKS,
            },
            EWMA_BASELINE_WEEKS + EWMA_GUARD_WEEKS,
            "week_count",
        ),
    )
}

MIN_HISTORY: dict[Method, int] = {name: spec.min_history for name, spec in REGISTRY.items()}

_ESTIMATORS: dict[Method, Callable[[np.ndarray, int], _Result]] = {
    "stroup_1989": _stroup,
    "historical_limits_weekly": _historical_limits_weekly,
    "ewma_chart": _ewma_chart,
    "ewma_restarted": _ewma_restarted,
}
