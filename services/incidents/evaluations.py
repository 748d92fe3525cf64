"""Before/after evaluation of an intervention: counts per area and window from storage, the
statistics from `evaluation` (WDD with its z, Poisson E-test)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference.model import Reference

from .baselines import AREA_COLUMN
from .evaluation import (
    BeforeAfter,
    poisson_etest,
    wdd_shared_control,
    weighted_displacement_difference,
)

DAY = timedelta(days=1)


async def window_counts(
    session: AsyncSession,
    reference: Reference,
    area: str,
    category: str | None,
    before: tuple[date, date],
    after: tuple[date, date],
) -> BeforeAfter:
    """Active incidents (as currently classified) occurring in each window, dates inclusive."""
    level = reference.area_level(area)
    where_area = f" AND {AREA_COLUMN[level]} = :area" if level in AREA_COLUMN else ""
    row = (
        await session.execute(
            text(
                "SELECT count(*) FILTER (WHERE occurred_at >= :b0 AND occurred_at < :b1),"
                " count(*) FILTER (WHERE occurred_at >= :a0 AND occurred_at < :a1)"
                " FROM incident_versions WHERE valid_to IS NULL AND status = 'active'"
                " AND (CAST(:category AS varchar) IS NULL OR :category = ANY(categories))"
                " AND ((occurred_at >= :b0 AND occurred_at < :b1)"
                " OR (occurred_at >= :a0 AND occurred_at < :a1))" + where_area
            ),
            {
                "area": area,
                "category": category,
                "b0": before[0],
                "b1": before[1] + DAY,
                "a0": after[0],
                "a1": after[1] + DAY,
            },
        )
    ).one()
    return BeforeAfter(before=row[0], after=row[1])


async def before_after(
    session: AsyncSession,
    reference: Reference,
    *,
    treated: str,
    comparison: str,
    displacement: str | None,
    category: str | None,
    before: tuple[date, date],
    after: tuple[date, date],
    displacement_comparison: str | None = None,
) -> dict:
    areas = {
        "treated": treated,
        "comparison": comparison,
        "displacement": displacement,
        "displacement_comparison": displacement_comparison if displacement else None,
    }
    counts = {
        name: await window_counts(session, reference, area, category, before, after)
        for name, area in areas.items()
        if area is not None
    }
    if displacement is None:
        wdd = weighted_displacement_difference(counts["treated"], counts["comparison"])
    elif displacement_comparison is None:
        wdd = wdd_shared_control(counts["treated"], counts["comparison"], counts["displacement"])
    else:
        wdd = weighted_displacement_difference(
            counts["treated"],
            counts["comparison"],
            counts["displacement"],
            counts["displacement_comparison"],
        )
    before_days = (before[1] - before[0]).days + 1
    after_days = (after[1] - after[0]).days + 1
    etest_p = poisson_etest(
        counts["treated"].before, before_days, counts["treated"].after, after_days
    )
    return {
        "category": category,
        "before": {"from": before[0].isoformat(), "to": before[1].isoformat()},
        "after": {"from": after[0].isoformat(), "to": after[1].isoformat()},
        **{
            name: (
                {"area": area, "before": counts[name].before, "after": counts[name].after}
                if area
                else None
            )
            for name, area in areas.items()
        },
        "wdd": wdd.wdd,
        "wdd_variance": wdd.variance,
        "wdd_z": wdd.z,
        "wdd_p": wdd.p_value,
        "etest_p": etest_p,
        "etest": "treated area, after vs before, per day of window (two-sided)",
    }
