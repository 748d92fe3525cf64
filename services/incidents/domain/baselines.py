"""A baseline's weeks from a count series: dense series, estimates, rates, area checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from libs.chassis.errors import RuleViolation
from libs.reference.model import Reference

from . import baseline_methods
from .baseline_methods import WeekEstimate
from .weeks import WEEK, Field, weeks_between


def area_level(reference: Reference, area: str, field: Field = ("query", "area")) -> str:
    """The level of an area id (station, district, governorate, national); refused if unknown."""
    try:
        return reference.area_level(area)
    except KeyError as exc:
        raise RuleViolation(field, str(exc.args[0])) from None


def series(counts: dict[date, int], first: date, last: date) -> list[int]:
    """A dense weekly series (zeros for weeks with no incident)."""
    return [counts.get(week, 0) for week in weeks_between(first, last)]


def estimates(
    counts: dict[date, int], first: date, weeks: Sequence[date], method: str
) -> list[WeekEstimate | None]:
    """Estimates for the given weeks (consecutive, ascending) of a series starting at `first`."""
    if not weeks or weeks[-1] < first:
        return [None] * len(weeks)
    dense = series(counts, first, weeks[-1])
    start = (weeks[0] - first) // WEEK
    out = baseline_methods.estimate_range(dense, max(start, 0), len(dense), method)
    return [None] * max(-start, 0) + list(out)


def rate_per_100k(reference: Reference, area: str, observed: int) -> float | None:
    """Stations have no population of their own: no rate for them rather than a wrong one."""
    level = reference.area_level(area)
    if level == "station":
        return None
    return round(observed / reference.population(level, area) * 100_000, 4)
