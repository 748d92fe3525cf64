"""The crime view: incident counts and rates by area, ICCS category and time, with the
expected band and the alerts of the incidents service's baselines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import Reference, load_reference

from . import figures
from .scope import Filters, ancestors, area_clause, child_level
from .tables import baseline_alerts, incident_facts

# fetch_band(area, category, first_week, last_week) -> {week: (expected, upper)}; raises
# BandUnavailable with a reason shown on the page.
FetchBand = Callable[[str, str, date, date], Awaitable[dict[str, tuple[float, float]]]]
WEEKLY_UP_TO_DAYS = 366


NOTES = {
    "band_weekly_only": "the expected band is weekly: choose a period of under a year to see it",
    "band_needs_category": "choose an ICCS category to see its expected band",
    "band_unavailable": "expected band unavailable",
    "survey_cells_suppressed": "survey cells under the minimum size are suppressed by the fora "
    "service: left out of the shares and counted, never estimated; suppressed cells",
}


def note(code: str, detail: str | None = None) -> dict:
    """A note on a view: a code the pages translate, and the English text for the API."""
    text = NOTES[code] + (f": {detail}" if detail else "")
    return {"code": code, "detail": detail, "text": text}


class BandUnavailable(Exception):
    """The expected band could not be had; the message says why (shown as a note)."""


def incident_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    f = incident_facts.c
    clauses = [
        f.status == "active",
        f.occurred_at >= filters.start_at,
        f.occurred_at < filters.end_before,
        area_clause(incident_facts, filters.area),
    ]
    if filters.category:
        clauses.append(f.categories.any(filters.category))
    return clauses


def _children(reference: Reference, area: str) -> tuple[str, list[str]]:
    level = child_level(reference, area)
    if reference.area_level(area) == "station":
        return level, [area]
    if level == "governorate":
        return level, sorted(reference.governorates)
    if level == "district":
        return level, sorted(
            d.code for d in reference.districts.values() if d.governorate_code == area
        )
    return level, reference.stations_in(area)


def _population(reference: Reference, level: str, area: str) -> int | None:
    if level == "station":
        return None
    return reference.population(level, area)  # type: ignore[arg-type]


def area_row(reference: Reference, level: str, area: str) -> dict:
    names = {
        "governorate": reference.governorates,
        "district": reference.districts,
        "station": reference.stations,
    }[level]
    item = names.get(area)
    return {
        "area": area,
        "level": level,
        "name_en": item.name_en if item else area,
        "name_ar": item.name_ar if item else area,
    }


async def _by_area(session: AsyncSession, reference: Reference, filters: Filters) -> list[dict]:
    level, children = _children(reference, filters.area)
    column = {
        "governorate": incident_facts.c.governorate_code,
        "district": incident_facts.c.district_code,
        "station": incident_facts.c.station_id,
    }[level]
    query = select(column, func.count()).where(*incident_conditions(filters)).group_by(column)
    counts = dict((await session.execute(query)).all())
    rows = []
    for child in children:
        n = counts.get(child, 0)
        population = _population(reference, level, child)
        rows.append(
            area_row(reference, level, child)
            | {"incidents": n, "rate_per_100k": figures.rate_per_100k(n, population)}
        )
    return rows


def _wanted_codes(reference: Reference, category: str | None) -> list[str]:
    """Sections without a filter; a section's divisions; a division alone."""
    if category is None:
        return sorted(c for c, cat in reference.iccs.items() if cat.level == 1)
    if len(category) == 2:
        return sorted(c for c, cat in reference.iccs.items() if cat.parent == category)
    return [category]


async def _by_category(
    session: AsyncSession, reference: Reference, filters: Filters, population: int | None
) -> list[dict]:
    code = func.unnest(incident_facts.c.categories).label("code")
    inner = select(code).where(*incident_conditions(filters)).subquery()
    query = select(inner.c.code, func.count()).group_by(inner.c.code)
    counts = dict((await session.execute(query)).all())
    rows = []
    for c in _wanted_codes(reference, filters.category):
        item = reference.iccs[c]
        n = counts.get(c, 0)
        rows.append(
            {
                "iccs_code": c,
                "level": "section" if item.level == 1 else "division",
                "title_en": item.title_en,
                "title_ar": item.title_ar,
                "incidents": n,
                "rate_per_100k": figures.rate_per_100k(n, population),
            }
        )
    return rows


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def bucket_of(day: date, unit: str) -> str:
    """The series bucket a day falls in: its week's Monday, or its month."""
    return monday(day).isoformat() if unit == "week" else day.strftime("%Y-%m")


def periods(filters: Filters) -> tuple[str, list[str]]:
    """The time buckets of the series: ISO weeks (Mondays) up to a year, months beyond."""
    if (filters.end - filters.start).days < WEEKLY_UP_TO_DAYS:
        first, out = monday(filters.start), []
        while first <= filters.end:
            out.append(first.isoformat())
            first += timedelta(weeks=1)
        return "week", out
    months, day = [], filters.start.replace(day=1)
    while day <= filters.end:
        months.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return "month", months


async def _over_time(session: AsyncSession, filters: Filters) -> tuple[str, list[dict]]:
    unit, buckets = periods(filters)
    utc = func.timezone("UTC", incident_facts.c.occurred_at)
    bucket = cast(func.date_trunc(unit, utc), Date).label("bucket")
    query = select(bucket, func.count()).where(*incident_conditions(filters)).group_by(bucket)
    counts = {
        (b.isoformat() if unit == "week" else b.strftime("%Y-%m")): n
        for b, n in (await session.execute(query)).all()
    }
    return unit, [{"period": p, "incidents": counts.get(p, 0)} for p in buckets]


def relevant_areas(reference: Reference, area: str) -> list[str]:
    """Alerts worth showing for an area: its own, those above it and those inside it."""
    if reference.area_level(area) == "station":
        return ancestors(reference, area)
    stations = reference.stations_in(area)
    inside = set(stations)
    inside |= {reference.stations[s].district_code for s in stations}
    inside |= {reference.stations[s].governorate_code for s in stations}
    return sorted(set(ancestors(reference, area)) | inside)


async def alerts_for(session: AsyncSession, filters: Filters) -> list[dict]:
    reference = load_reference()
    a = baseline_alerts.c
    query = (
        select(baseline_alerts)
        .where(
            a.area_id.in_(relevant_areas(reference, filters.area)),
            a.week_start >= monday(filters.start),
            a.week_start <= filters.end,
        )
        .order_by(a.week_start.desc(), a.area_id, a.iccs_code, a.alert_id)
    )
    if filters.category:
        c = filters.category
        query = query.where(
            a.iccs_code.startswith(c) | (func.left(c, func.length(a.iccs_code)) == a.iccs_code)
        )
    rows = []
    for r in (await session.execute(query)).all():
        item = reference.iccs.get(r.iccs_code)
        rows.append(
            {
                "alert_id": str(r.alert_id),
                "status": r.status,
                "area": r.area_id,
                "area_level": r.area_level,
                "iccs_code": r.iccs_code,
                "title_en": item.title_en if item else r.iccs_code,
                "title_ar": item.title_ar if item else r.iccs_code,
                "week_start": r.week_start.isoformat(),
                "observed": r.observed,
                "expected": round(r.expected, 2),
                "upper_limit": round(r.upper_limit, 2),
                "method": r.method,
            }
        )
    return rows


async def _band(fetch: FetchBand | None, filters: Filters, unit: str, series: list[dict]):
    """Attach expected and upper limit to the weekly series; returns the note, if any."""
    if unit != "week":
        return note("band_weekly_only")
    if not filters.category:
        return note("band_needs_category")
    if fetch is None:
        return note("band_unavailable", "no incidents service configured")
    try:
        band = await fetch(
            filters.area,
            filters.category,
            date.fromisoformat(series[0]["period"]),
            date.fromisoformat(series[-1]["period"]),
        )
    except BandUnavailable as exc:
        return note("band_unavailable", str(exc))
    for row in series:
        expected, upper = band.get(row["period"], (None, None))
        row["expected"], row["upper_limit"] = expected, upper
    return None


async def crime_view(session: AsyncSession, filters: Filters, fetch_band: FetchBand | None) -> dict:
    reference = load_reference()
    level = reference.area_level(filters.area)
    population = None if level == "station" else reference.population(level, filters.area)
    total = (
        await session.execute(
            select(func.count()).select_from(incident_facts).where(*incident_conditions(filters))
        )
    ).scalar_one()
    unit, series = await _over_time(session, filters)
    note = await _band(fetch_band, filters, unit, series)
    alerts = await alerts_for(session, filters)
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
        "notes": [note] if note else [],
        "tables": {
            "by_area": await _by_area(session, reference, filters),
            "by_category": await _by_category(session, reference, filters, population),
            "over_time": series,
            "alerts": alerts,
        },
    }
