"""The crime view: incident counts and rates by area, ICCS category and time, with the
expected band (fetched from the incidents service's API) and the baseline alerts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import load_reference

from ..domain import crime, figures
from ..domain.areas import relevant_areas
from ..domain.notes import note
from ..domain.periods import monday, periods
from ..domain.scope import Filters, child_level
from . import repository

# fetch_band(area, category, first_week, last_week) -> {week: (expected, upper)}; raises
# BandUnavailable with a reason shown on the page.
FetchBand = Callable[[str, str, date, date], Awaitable[dict[str, tuple[float, float]]]]


class BandUnavailable(Exception):
    """The expected band could not be had; the message says why (shown as a note)."""


async def _band(
    fetch: FetchBand | None, filters: Filters, unit: str, series: list[dict]
) -> dict[str, Any] | None:
    """Attach expected and upper limit to the weekly series; returns the note, if any."""
    refused = crime.band_precondition(filters, unit, fetch is not None)
    if refused is not None or fetch is None or filters.category is None:
        return refused
    try:
        band = await fetch(
            filters.area,
            filters.category,
            date.fromisoformat(series[0]["period"]),
            date.fromisoformat(series[-1]["period"]),
        )
    except BandUnavailable as exc:
        return note("band_unavailable", str(exc))
    crime.attach_band(series, band)
    return None


async def alerts_for(session: AsyncSession, filters: Filters) -> list[dict[str, Any]]:
    reference = load_reference()
    areas = relevant_areas(reference, filters.area)
    rows = await repository.alerts(session, areas, monday(filters.start), filters)
    return [crime.alert_entry(reference, r) for r in rows]


async def crime_view(
    session: AsyncSession, filters: Filters, fetch_band: FetchBand | None
) -> dict[str, Any]:
    reference = load_reference()
    level = reference.area_level(filters.area)
    population = None if level == "station" else reference.population(level, filters.area)
    total = await repository.count_incidents(session, filters)
    unit, buckets = periods(filters)
    counts = await repository.counts_over_time(session, filters, unit)
    series = [{"period": p, "incidents": counts.get(p, 0)} for p in buckets]
    band_note = await _band(fetch_band, filters, unit, series)
    alerts = await alerts_for(session, filters)
    by_area = await repository.counts_by_area(
        session, filters, child_level(reference, filters.area)
    )
    by_category = await repository.counts_by_category(session, filters)
    return {
        "view": "crime",
        "filters": filters.as_dict(),
        "summary": {
            "incidents": total,
            "population": population,
            "rate_per_100k": figures.rate_per_100k(total, population),
            "open_alerts": sum(1 for a in alerts if a["status"] == "raised"),
        },
        "time_unit": unit,
        "notes": [band_note] if band_note else [],
        "tables": {
            "by_area": crime.by_area(reference, filters, by_area),
            "by_category": crime.by_category(reference, filters, by_category, population),
            "over_time": series,
            "alerts": alerts,
        },
    }
