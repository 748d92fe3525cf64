"""Before/after evaluation of an intervention: counts per area and window from storage, the
statistics from `domain.evaluation` (WDD with its z, Poisson E-test)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference.model import Reference

from ..domain.baselines import area_level
from ..domain.evaluation import (
    BeforeAfter,
    poisson_etest,
    wdd_shared_control,
    weighted_displacement_difference,
)
from ..domain.weeks import day_windows
from ..repositories import counts


async def before_after(
    session: AsyncSession,
    reference: Reference,
    *,
    treated: str,
    comparison: str,
    displacement: str | None,
    category: str | None,
    displacement_comparison: str | None,
    before_from: str,
    before_to: str,
    after_from: str,
    after_to: str,
) -> dict[str, Any]:
    """Counts of the areas in both windows (dates inclusive), the WDD (with a shared control
    when the displacement area has none of its own) and the E-test of the treated area."""
    for name, area in (
        ("treated", treated),
        ("comparison", comparison),
        ("displacement", displacement),
        ("displacement_comparison", displacement_comparison),
    ):
        if area:
            area_level(reference, area, ("query", name))
    before, after = day_windows(before_from, before_to, after_from, after_to)
    areas = {
        "treated": treated,
        "comparison": comparison,
        "displacement": displacement,
        "displacement_comparison": displacement_comparison if displacement else None,
    }
    found = {
        name: BeforeAfter(
            *await counts.window_counts(session, reference, area, category, before, after)
        )
        for name, area in areas.items()
        if area is not None
    }
    if displacement is None:
        wdd = weighted_displacement_difference(found["treated"], found["comparison"])
    elif displacement_comparison is None:
        wdd = wdd_shared_control(found["treated"], found["comparison"], found["displacement"])
    else:
        wdd = weighted_displacement_difference(
            found["treated"],
            found["comparison"],
            found["displacement"],
            found["displacement_comparison"],
        )
    before_days = (before[1] - before[0]).days + 1
    after_days = (after[1] - after[0]).days + 1
    etest_p = poisson_etest(
        found["treated"].before, before_days, found["treated"].after, after_days
    )
    return {
        "category": category,
        "before": {"from": before[0], "to": before[1]},
        "after": {"from": after[0], "to": after[1]},
        **{
            name: (
                {"area": area, "before": found[name].before, "after": found[name].after}
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
