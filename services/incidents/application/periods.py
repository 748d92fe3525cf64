"""Station reporting periods: a closed week means "we reported everything", so a week with
zero incidents is told apart from a week with no report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis import outbox
from libs.chassis.auth import Principal, ensure_station_access
from libs.chassis.errors import RuleViolation
from libs.contracts.incidents import StationPeriodClosed
from libs.reference.model import Reference

from ..domain.weeks import (
    MAX_COMPLETENESS_WEEKS,
    check_ended,
    check_window,
    default_window,
    parse_week,
    weeks_between,
)
from ..repositories import counts
from ..repositories import periods as stored
from .alerts import changes


async def close_period(
    session: AsyncSession,
    reference: Reference,
    station_id: str,
    week_named: str,
    principal: Principal,
    now: datetime,
) -> tuple[bool, dict[str, Any]]:
    """Close a station's week (its Monday or ISO week, as named in the path) and evaluate
    the week's alerts for the station's areas.

    Returns (newly closed, the period with the alerts raised or cleared); closing twice is
    harmless and evaluates nothing.
    """
    ensure_station_access(principal, station_id)
    if station_id not in reference.stations:
        raise RuleViolation.not_found(f"unknown station {station_id!r}")
    week = parse_week(week_named, ("path", "week"))
    check_ended(week, now)
    count = await counts.active_in_week(session, station_id, week)
    if not await stored.insert_closed(session, station_id, week, count, now, principal.subject):
        period = await stored.closed(session, station_id, week)
        return False, {**_period(period), "alerts": []}
    closed = StationPeriodClosed(
        station_id=station_id, week_start=week, incident_count=count, closed_at=now
    )
    areas = list(reference.area_chain(station_id).values())
    changed = await changes(session, reference, week, now, areas)
    await outbox.publish(session, [closed, *(event for _, event in changed)])
    period = {"station_id": station_id, "week_start": week, "incident_count": count}
    return True, {**period, "closed_at": now, "alerts": [change for change, _ in changed]}


def _period(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("station_id", "week_start", "incident_count", "closed_at")}


async def completeness(
    session: AsyncSession,
    reference: Reference,
    principal: Principal,
    governorate: str | None,
    week_from: str | None,
    week_to: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Which stations (of a governorate; a station officer: their own) closed which weeks of
    `week_from`..`week_to` (Mondays or ISO weeks; default the last 4 complete weeks)."""
    first, last = default_window(now)
    first = parse_week(week_from, ("query", "from")) if week_from else first
    last = parse_week(week_to, ("query", "to")) if week_to else last
    check_window(first, last, MAX_COMPLETENESS_WEEKS)
    station_ids = sorted(
        s.id
        for s in reference.stations.values()
        if (governorate is None or s.governorate_code == governorate)
        and (not principal.station_scoped or s.id == principal.station_id)
    )
    closed = await stored.closed_weeks(session, station_ids, first, last)
    weeks = weeks_between(first, last)
    rows = [
        {
            "station_id": s,
            "closed_weeks": len(closed.get(s, ())),
            "missing_weeks": [w for w in weeks if w not in closed.get(s, ())],
        }
        for s in station_ids
    ]
    missing = [r for r in rows if r["missing_weeks"]]
    return {
        "from": first,
        "to": last,
        "stations": len(rows),
        "complete": len(rows) - len(missing),
        "not_reported": [r["station_id"] for r in missing],
        "by_station": rows,
    }
