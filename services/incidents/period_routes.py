"""Reporting periods: a station closes its week; the ministry sees who has not reported."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse

from libs.chassis.auth import Principal, ensure_station_access, require_roles
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from .alerts import evaluate_week
from .domain import RuleViolation, parse_week
from .periods import close_period, completeness, default_window
from .routes import rule_error

router = APIRouter(prefix="/v1", tags=["periods"])


@router.post(
    "/stations/{station_id}/periods/{week}/close",
    summary="Close a station's week (Monday date or ISO week, e.g. 2026-W46)",
    description="Closing twice is harmless. Closing evaluates the week's alerts for the "
    "station's areas.",
)
async def close(
    station_id: str,
    week: str,
    principal: Principal = Depends(require_roles("station_officer")),
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    ensure_station_access(principal, station_id)
    reference = load_reference()
    if station_id not in reference.stations:
        raise HTTPException(404, f"unknown station {station_id!r}")
    now = datetime.now(UTC)
    try:
        monday = parse_week(week)
        async with rt.sessions() as session, session.begin():
            fresh, period = await close_period(session, station_id, monday, principal.subject, now)
            changed = []
            if fresh:
                areas = list(reference.area_chain(station_id).values())
                changed = await evaluate_week(session, reference, monday, now, areas)
    except RuleViolation as exc:
        raise rule_error(exc) from exc
    return JSONResponse({**period, "alerts": changed}, 201 if fresh else 200)


@router.get("/completeness", summary="Which stations have closed which weeks")
async def get_completeness(
    week_from: str | None = Query(None, alias="from", description="first week (default: 4 ago)"),
    week_to: str | None = Query(None, alias="to", description="last week (default: last week)"),
    governorate: str | None = Query(None, max_length=8),
    principal: Principal = Depends(require_roles("ministry_analyst", "station_officer")),
    rt: Runtime = Depends(runtime),
) -> dict:
    reference = load_reference()
    first, last = default_window(datetime.now(UTC))
    try:
        first = parse_week(week_from) if week_from else first
        last = parse_week(week_to) if week_to else last
    except RuleViolation as exc:
        raise HTTPException(422, exc.rule) from exc
    stations = sorted(
        s.id
        for s in reference.stations.values()
        if (governorate is None or s.governorate_code == governorate)
        and (not principal.station_scoped or s.id == principal.station_id)
    )
    async with rt.sessions() as session:
        rows = await completeness(session, stations, first, last)
    missing = [r for r in rows if r["missing_weeks"]]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "stations": len(rows),
        "complete": len(rows) - len(missing),
        "not_reported": [r["station_id"] for r in missing],
        "by_station": rows,
    }
