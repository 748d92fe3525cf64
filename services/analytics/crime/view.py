"""The crime view: incident counts and rates by area, ICCS category and time, with the
expected band (fetched from the incidents service's API) and the baseline alerts."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import load_reference

from ..domain import crime, figures
from ..domain.areas import relevant_areas
from ..domain.notes import note
from ..domain.periods import monday, periods
from ..domain.scope import Filters, child_level
from . import repository


class FetchBand(Protocol):
    """fetch_band(area, category, first_week, last_week, domestic=None) -> {week: (expected,
    upper)}: the band of incidents' `GET /v1/baselines` (`domestic=True`: of domestic-violence
    incidents, `category` None: of every category); raises BandUnavailable with a reason shown
    on the page."""

    def __call__(
        self, area: str, category: str | None, first: date, last: date, domestic: bool | None = None
    ) -> Awaitable[dict[str, tuple[float, float]]]: ...


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


async def _domestic_band(
    fetch: FetchBand | None, filters: Filters, unit: str, series: list[dict]
) -> dict[str, Any] | None:
    """The expected band of the domestic-violence series (any category without a filter)."""
    refused = crime.domestic_band_precondition(unit, fetch is not None)
    if refused is not None or fetch is None:
        return refused
    try:
        band = await fetch(
            filters.area,
            filters.category,
            date.fromisoformat(series[0]["period"]),
            date.fromisoformat(series[-1]["period"]),
            domestic=True,
        )
    except BandUnavailable as exc:
        return note("band_unavailable", str(exc))  # one note when both bands fail alike
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
    domestic = await repository.domestic_over_time(session, filters, unit)
    domestic_series = [{"period": p, "incidents": domestic.get(p, 0)} for p in buckets]
    domestic_note = await _domestic_band(fetch_band, filters, unit, domestic_series)
    by_sex = await repository.counts_by_victim(session, filters, "victim_sexes")
    by_band = await repository.counts_by_victim(session, filters, "victim_age_bands")
    domestic_areas = await repository.domestic_counts_by_area(
        session, filters, child_level(reference, filters.area)
    )
    return {
        "view": "crime",
        "filters": filters.as_dict(),
        "summary": {
            "incidents": total,
            "population": population,
            "rate_per_100k": figures.rate_per_100k(total, population),
            "open_alerts": sum(1 for a in alerts if a["status"] == "raised"),
            "domestic_incidents": sum(r["incidents"] for r in domestic_series),
        },
        "time_unit": unit,
        # one note per code: both series are refused a band for the same reason at once
        "notes": list({n["code"]: n for n in (band_note, domestic_note) if n}.values()),
        "tables": {
            "by_area": crime.by_area(reference, filters, by_area),
            "by_category": crime.by_category(reference, filters, by_category, population),
            "over_time": series,
            "alerts": alerts,
            "by_victim_sex": crime.by_victim(crime.VICTIM_SEXES, by_sex, "victim_sex"),
            "by_victim_age_band": crime.by_victim(
                crime.VICTIM_AGE_BANDS, by_band, "victim_age_band"
            ),
            "domestic_over_time": domestic_series,
            "domestic_by_area": crime.domestic_by_area(reference, filters, domestic_areas),
        },
    }
