"""A baseline: an area's weekly counts of one ICCS category with the expected range of each
week, as currently known or as known at a past recorded time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.errors import RuleViolation
from libs.reference.model import Reference

from ..domain import submission
from ..domain.baseline_methods import Method, WeekEstimate
from ..domain.baselines import area_level, estimates, rate_per_100k
from ..domain.weeks import WEEK, week_of, week_start, weeks_between
from ..repositories import counts


async def baseline(
    session: AsyncSession,
    reference: Reference,
    *,
    area: str,
    category: str,
    week_from: str | None,
    week_to: str | None,
    method: Method,
    as_of: datetime | None,
    counting_rules_version: str | None,
) -> dict[str, Any]:
    """Weeks `week_from`..`week_to` (dates or ISO weeks; default the 12 weeks before this one)
    of the baseline of `category` in `area`; `as_of` recomputes it as known then."""
    level = area_level(reference, area)
    version = counting_rules_version or submission.COUNTING_RULES_VERSION
    if category not in reference.iccs:
        raise RuleViolation(("query", "category"), f"{category!r} is not an ICCS code")
    last = week_of(week_to, ("query", "to")) if week_to else week_start(datetime.now(UTC)) - WEEK
    first = week_of(week_from, ("query", "from")) if week_from else last - 11 * WEEK
    if first > last:
        raise RuleViolation(("query", "from"), "must not be after 'to'")
    epoch = await counts.epoch_start(session, version, as_of)
    by_week = (
        await counts.counts_by_week(session, reference, [(area, category)], version, last, as_of)
    ).get((area, category), {})
    weeks = weeks_between(first, last)
    ests = estimates(by_week, epoch, weeks, method) if epoch else [None] * len(weeks)
    return {
        "area": area,
        "area_level": level,
        "category": category,
        "method": method,
        "counting_rules_version": version,
        "series_start": epoch,
        "as_of": as_of,
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
        "rate_per_100k": rate_per_100k(reference, area, observed),
    }
