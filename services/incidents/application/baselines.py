"""A baseline: an area's weekly counts of one ICCS category with the expected range of each
week, as currently known or as known at a past recorded time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.dates import check_moment
from libs.chassis.errors import RuleViolation
from libs.reference.model import Reference

from ..config import baseline_pack
from ..domain import submission
from ..domain.baseline_methods import REGISTRY, WeekEstimate, describe, resolve
from ..domain.baselines import area_level, estimates, rate_per_100k
from ..domain.series_filters import SeriesFilter, check_series_filter
from ..domain.weeks import (
    MAX_BASELINE_WEEKS,
    WEEK,
    check_window,
    week_of,
    week_start,
    weeks_between,
)
from ..repositories import counts


async def baseline(
    session: AsyncSession,
    reference: Reference,
    *,
    area: str,
    category: str | None,
    week_from: str | None,
    week_to: str | None,
    method: str | None,
    as_of: datetime | None,
    counting_rules_version: str | None,
    series: SeriesFilter | None = None,
) -> dict[str, Any]:
    """Weeks `week_from`..`week_to` (dates or ISO weeks; default the 12 weeks before this one)
    of the baseline of `category` in `area`; `as_of` recomputes it as known then. The
    method defaults to the one the rule pack evaluates alerts with. `series` keeps only some
    incidents (domestic, by victim); without it or a category, none is counted twice."""
    series = series or SeriesFilter()
    level = area_level(reference, area)
    method = resolve(method) if method else baseline_pack().alert_method
    version = counting_rules_version or submission.COUNTING_RULES_VERSION
    if category is None and not series.any:
        raise RuleViolation(
            ("query", "category"),
            "required unless domestic, victim_sex or victim_age_band is given",
        )
    if category is not None and category not in reference.iccs:
        raise RuleViolation(("query", "category"), f"{category!r} is not an ICCS code")
    last = week_of(week_to, ("query", "to")) if week_to else week_start(datetime.now(UTC)) - WEEK
    first = week_of(week_from, ("query", "from")) if week_from else last - 11 * WEEK
    check_window(first, last, MAX_BASELINE_WEEKS)
    if as_of is not None:
        check_moment(as_of, ("query", "as_of"))
    check_series_filter(series, as_of is not None)
    epoch = await counts.epoch_start(session, version, as_of)
    if series.any or category is None:
        by_week = await counts.filtered_counts_by_week(
            session, reference, area, category, version, last, series, as_of
        )
    else:
        by_week = (
            await counts.counts_by_week(
                session, reference, [(area, category)], version, last, as_of
            )
        ).get((area, category), {})
    weeks = weeks_between(first, last)
    ests = estimates(by_week, epoch, weeks, method) if epoch else [None] * len(weeks)
    return {
        "area": area,
        "area_level": level,
        "category": category,
        "method": method,
        "method_version": REGISTRY[method].version,
        "statistic": REGISTRY[method].statistic,
        "counting_rules_version": version,
        "series_start": epoch,
        "as_of": as_of,
        **series.as_dict(),
        "weeks": [
            _week(reference, area, w, by_week.get(w, 0), e)
            for w, e in zip(weeks, ests, strict=True)
        ],
    }


def _week(
    reference: Reference, area: str, week: date, observed: int, est: WeekEstimate | None
) -> dict[str, Any]:
    return {
        "week_start": week,
        "observed": observed,
        "expected": round(est.expected, 4) if est else None,
        "upper_limit": round(est.upper_limit, 4) if est else None,
        "score": round(est.score, 4) if est else None,
        "flag": bool(est.alarm) if est else False,
        "exceeds": bool(est.exceeds) if est else False,
        "statistic": round(est.statistic, 4) if est else None,
        "trend_used": est.trend_used if est else None,
        "converged": est.converged if est else None,
        "rate_per_100k": rate_per_100k(reference, area, observed),
    }


def methods() -> dict[str, Any]:
    """The method registry, and the method this deployment's rule pack alerts with."""
    return {"alert_method": baseline_pack().alert_method, "methods": describe()}
