"""Before/after evaluation of a place-based intervention: pure statistics, no I/O.

- Weighted displacement difference (Wheeler & Ratcliffe 2018, "A simple weighted displacement
  difference test to evaluate place based crime interventions", Crime Science 7:11):
  WDD = dT - dC + dD - dCD, each d = after - before, for the treated area T, its control C,
  the displacement (buffer) area D and the buffer's control CD. Counts are taken as independent
  Poisson, so Var(WDD) = the sum of all eight counts; z = WDD / sqrt(Var). A negative WDD is
  crime prevented (net of displacement); the p-value is two-sided from the normal.
- Poisson E-test (Krishnamoorthy & Thomson 2004, J. Stat. Planning & Inference 119:23-35):
  are two Poisson rates (counts over exposures) equal? Exact p-value by summing Poisson
  probabilities under the pooled rate over all outcomes at least as extreme as the observed
  one, measured by T = (k1/n1 - k2/n2) / sqrt(k1/n1^2 + k2/n2^2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

Alternative = Literal["two-sided", "larger", "smaller"]
ALTERNATIVES: tuple[Alternative, ...] = ("two-sided", "larger", "smaller")
# Poisson mass left out at each end of a sum: far below any p-value anyone reports.
TAIL_MASS = 1e-16
# Relative tolerance for "at least as extreme": outcomes with the observed T count, even when
# the two were computed with different rounding.
TIE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class BeforeAfter:
    """Counts of one area in the before and after windows."""

    before: int
    after: int

    def __post_init__(self) -> None:
        for name in ("before", "after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                raise ValueError(f"{name}: must be a non-negative whole count, got {value!r}")

    @property
    def change(self) -> int:
        return int(self.after) - int(self.before)

    @property
    def total(self) -> int:
        return int(self.after) + int(self.before)


@dataclass(frozen=True)
class WddResult:
    wdd: float
    variance: float
    z: float
    p_value: float  # two-sided, normal


def weighted_displacement_difference(
    treated: BeforeAfter,
    control: BeforeAfter,
    displacement: BeforeAfter | None = None,
    displacement_control: BeforeAfter | None = None,
) -> WddResult:
    """WDD of Wheeler & Ratcliffe (2018); displacement and its control come together or not at
    all (the buffer's change only means something against its own control)."""
    if (displacement is None) != (displacement_control is None):
        missing = "displacement_control" if displacement_control is None else "displacement"
        raise ValueError(f"{missing}: required when the other displacement area is given")
    areas = [treated, control]
    wdd = treated.change - control.change
    if displacement is not None and displacement_control is not None:
        wdd += displacement.change - displacement_control.change
        areas += [displacement, displacement_control]
    variance = float(sum(area.total for area in areas))
    if variance == 0:  # no crime anywhere, before or after: no evidence of anything
        return WddResult(wdd=0.0, variance=0.0, z=0.0, p_value=1.0)
    z = wdd / math.sqrt(variance)
    return WddResult(
        wdd=float(wdd), variance=variance, z=z, p_value=float(2 * stats.norm.sf(abs(z)))
    )


def wdd_shared_control(
    treated: BeforeAfter, control: BeforeAfter, displacement: BeforeAfter
) -> WddResult:
    """WDD when one comparison area controls both the treated and the displacement area:
    WDD = dT - dC + dD - dC. The comparison counts enter twice, so they are not independent of
    themselves: Var = T + D + 4 C (each total = before + after), not T + D + 2 C."""
    separate = weighted_displacement_difference(treated, control, displacement, control)
    variance = treated.total + displacement.total + 4 * control.total
    if variance == 0:
        return separate
    z = separate.wdd / math.sqrt(variance)
    return WddResult(separate.wdd, float(variance), z, float(2 * stats.norm.sf(abs(z))))


def poisson_etest(
    count_1: int,
    exposure_1: float,
    count_2: int,
    exposure_2: float,
    alternative: Alternative = "two-sided",
) -> float:
    """p-value of the E-test of H0: count_1/exposure_1 and count_2/exposure_2 estimate the same
    Poisson rate. "larger": H1 rate 1 > rate 2; "smaller": rate 1 < rate 2.

    Under H0 both counts are Poisson with the pooled rate (k1 + k2) / (n1 + n2) times their
    exposure. For each possible first count the statistic T falls as the second count grows, so
    the outcomes at least as extreme form a run of second counts ending (or starting) at a
    boundary found by bisection: the sum costs O(spread of the first count), not its square,
    and stays fast for counts in the tens of thousands.
    """
    _check_count("count_1", count_1)
    _check_count("count_2", count_2)
    _check_exposure("exposure_1", exposure_1)
    _check_exposure("exposure_2", exposure_2)
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative: {alternative!r} is not one of {', '.join(ALTERNATIVES)}")
    observed = float(_statistic(float(count_1), float(count_2), exposure_1, exposure_2))
    tolerance = TIE_TOLERANCE * max(1.0, abs(observed))
    if count_1 + count_2 == 0 or (alternative == "two-sided" and abs(observed) <= tolerance):
        return 1.0  # every outcome is at least as extreme as no difference at all
    pooled = (count_1 + count_2) / (exposure_1 + exposure_2)
    mean_1, mean_2 = exposure_1 * pooled, exposure_2 * pooled
    first = np.arange(_low(mean_1), _high(mean_1) + 1, dtype=np.float64)
    top = _high(mean_2)
    weights = stats.poisson.pmf(first, mean_1)
    p = 0.0
    if alternative in ("larger", "two-sided"):
        # second counts 0..k with T >= |observed| (or >= observed, one-sided)
        bound = abs(observed) if alternative == "two-sided" else observed
        last = _last_at_least(first, bound - tolerance, top, exposure_1, exposure_2)
        p += float(np.sum(weights * stats.poisson.cdf(last, mean_2)))
    if alternative in ("smaller", "two-sided"):
        # second counts k.. with T <= -|observed| (or <= observed, one-sided)
        bound = -abs(observed) if alternative == "two-sided" else observed
        above = np.nextafter(bound + tolerance, np.inf)  # the complement: T > bound
        last = _last_at_least(first, above, top, exposure_1, exposure_2)
        p += float(np.sum(weights * stats.poisson.sf(last, mean_2)))
    return min(1.0, p)


def _statistic(k1: float | np.ndarray, k2: float | np.ndarray, n1: float, n2: float) -> np.ndarray:
    """K&T's T = (k1/n1 - k2/n2) / sqrt(k1/n1^2 + k2/n2^2); 0 when both counts are 0."""
    variance = k1 / n1**2 + k2 / n2**2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(variance > 0, (k1 / n1 - k2 / n2) / np.sqrt(variance), 0.0)[()]


def _last_at_least(first: np.ndarray, bound: float, top: int, n1: float, n2: float) -> np.ndarray:
    """For each first count, the largest second count in 0..top with T >= bound (-1 if none).

    T falls strictly as the second count grows, so this is a bisection, done for every first
    count at once. A result of `top` means the whole (non-negligible) range qualifies.
    """
    low = np.full(first.shape, -1.0)  # T(first, low) >= bound holds (or low = -1)
    high = np.full(first.shape, float(top) + 1)  # T(first, high) < bound holds (or beyond top)
    while np.any(high - low > 1):
        middle = np.floor((low + high) / 2)
        ok = _statistic(first, middle, n1, n2) >= bound
        low = np.where(ok, middle, low)
        high = np.where(ok, high, middle)
    last: np.ndarray = np.minimum(low, top)
    return last


def _low(mean: float) -> int:
    return int(stats.poisson.ppf(TAIL_MASS, mean)) if mean > 0 else 0


def _high(mean: float) -> int:
    return int(stats.poisson.isf(TAIL_MASS, mean)) if mean > 0 else 0


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name}: must be a non-negative whole count, got {value!r}")


def _check_exposure(name: str, value: float) -> None:
    if not (isinstance(value, int | float | np.number) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name}: must be a positive finite number, got {value!r}")
