"""Baselines, alerts and before/after evaluations: the ministry's statistical views."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import AwareDatetime
from sqlalchemy import select

from libs.chassis.auth import require_roles
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from . import domain
from .alerts import evaluate_week
from .baseline_methods import DEFAULT_METHOD
from .baselines import WEEK, counts_by_week, epoch_start, estimates, rate_per_100k, weeks_between
from .domain import RuleViolation, parse_week, week_start
from .evaluations import before_after
from .tables import alerts

router = APIRouter(prefix="/v1", tags=["baselines"])
analysts = require_roles("ministry_analyst", "forum_coordinator", "admin")
MethodName = Literal["farrington_flexible", "historical_limits", "ewma"]


def query_error(field: str, rule: str) -> HTTPException:
    """A 422 in FastAPI's own shape, naming the query parameter and the rule it broke."""
    return HTTPException(422, [{"loc": ["query", field], "msg": rule, "type": "rule"}])


def _area(area: str):
    reference = load_reference()
    try:
        reference.area_level(area)
    except KeyError as exc:
        raise query_error("area", str(exc.args[0])) from exc
    return reference


def _week(value: str | None, field: str, default: date) -> date:
    if value is None:
        return default
    try:
        return parse_week(value) if "W" in value else week_start(date.fromisoformat(value))
    except (RuleViolation, ValueError) as exc:
        raise query_error(field, str(exc)) from exc


@router.get("/baselines", dependencies=[Depends(analysts)], summary="Weekly baseline of an area")
async def get_baselines(
    area: str = Query(..., max_length=32, description="station, district, governorate or JO"),
    category: str = Query(..., pattern=r"^\d{2}(\d{2})?$", description="ICCS level 1 or 2"),
    week_from: str | None = Query(None, alias="from", description="date or ISO week"),
    week_to: str | None = Query(None, alias="to", description="date or ISO week"),
    method: MethodName = DEFAULT_METHOD,
    as_of: AwareDatetime | None = Query(None, description="as known at this recorded time"),
    counting_rules_version: str | None = Query(
        None, max_length=16, description="default: the current rules (a change restarts)"
    ),
    rt: Runtime = Depends(runtime),
) -> dict:
    reference = _area(area)
    version = counting_rules_version or domain.COUNTING_RULES_VERSION
    if category not in reference.iccs:
        raise query_error("category", f"{category!r} is not an ICCS code")
    last = _week(week_to, "to", week_start(datetime.now(UTC)) - WEEK)
    first = _week(week_from, "from", last - 11 * WEEK)
    if first > last:
        raise query_error("from", "must not be after 'to'")
    async with rt.sessions() as session:
        epoch = await epoch_start(session, reference, version, as_of)
        counts = (
            await counts_by_week(session, reference, [(area, category)], version, last, as_of)
        ).get((area, category), {})
    weeks = weeks_between(first, last)
    ests = estimates(counts, epoch, weeks, method) if epoch else [None] * len(weeks)
    return {
        "area": area,
        "area_level": reference.area_level(area),
        "category": category,
        "method": method,
        "counting_rules_version": version,
        "series_start": epoch.isoformat() if epoch else None,
        "as_of": as_of.isoformat() if as_of else None,
        "weeks": [
            _week_row(reference, area, w, counts.get(w, 0), e)
            for w, e in zip(weeks, ests, strict=True)
        ],
    }


def _week_row(reference, area: str, week: date, observed: int, est) -> dict:
    return {
        "week_start": week.isoformat(),
        "observed": observed,
        "expected": round(est.expected, 4) if est else None,
        "upper_limit": round(est.upper_limit, 4) if est else None,
        "score": round(est.score, 4) if est else None,
        "flag": bool(est.alarm) if est else False,
        "exceeds": bool(est.exceeds) if est else False,
        "rate_per_100k": rate_per_100k(reference, area, observed),
    }


@router.get("/alerts", dependencies=[Depends(analysts)], summary="Baseline alerts")
async def list_alerts(
    status: Literal["raised", "cleared"] | None = None,
    area: str | None = Query(None, max_length=32),
    category: str | None = Query(None, max_length=8),
    limit: int = Query(200, ge=1, le=5000),
    rt: Runtime = Depends(runtime),
) -> list[dict]:
    query = select(alerts).order_by(alerts.c.raised_at.desc(), alerts.c.area_id).limit(limit)
    if status:
        query = query.where(alerts.c.status == status)
    if area:
        query = query.where(alerts.c.area_id == area)
    if category:
        query = query.where(alerts.c.iccs_code == category)
    async with rt.sessions() as session:
        return [row._asdict() for row in (await session.execute(query)).all()]


@router.post(
    "/alerts/evaluate",
    dependencies=[Depends(require_roles("ministry_analyst", "admin"))],
    summary="Evaluate alerts for a week now (all areas, or the ones given)",
)
async def evaluate(
    week: str = Query(..., description="Monday date or ISO week"),
    area: list[str] | None = Query(None),
    method: MethodName = DEFAULT_METHOD,
    rt: Runtime = Depends(runtime),
) -> dict:
    reference = load_reference()
    monday = _week(week, "week", date.today())
    for a in area or ():
        _area(a)
    async with rt.sessions() as session, session.begin():
        changed = await evaluate_week(session, reference, monday, datetime.now(UTC), area, method)
    return {"week_start": monday.isoformat(), "changed": changed}


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise query_error(field, str(exc)) from exc


@router.get(
    "/evaluations/before-after",
    dependencies=[Depends(analysts)],
    summary="Before/after evaluation: WDD (Wheeler & Ratcliffe 2018) and the Poisson E-test",
)
async def get_before_after(
    treated: str = Query(..., max_length=32),
    comparison: str = Query(..., max_length=32),
    displacement: str | None = Query(None, max_length=32),
    displacement_comparison: str | None = Query(
        None, max_length=32, description="control for the displacement area (default: comparison)"
    ),
    category: str | None = Query(None, pattern=r"^\d{2}(\d{2})?$"),
    before_from: str = Query(...),
    before_to: str = Query(...),
    after_from: str = Query(...),
    after_to: str = Query(...),
    rt: Runtime = Depends(runtime),
) -> dict:
    reference = load_reference()
    for a in (treated, comparison, displacement, displacement_comparison):
        if a:
            _area(a)
    before = (_day(before_from, "before_from"), _day(before_to, "before_to"))
    after = (_day(after_from, "after_from"), _day(after_to, "after_to"))
    for name, (start, end) in (("before_to", before), ("after_to", after)):
        if end < start:
            raise query_error(name, "window ends before it starts")
    if before[1] >= after[0]:
        raise query_error("after_from", "the after window must start after the before window")
    async with rt.sessions() as session:
        return await before_after(
            session,
            reference,
            treated=treated,
            comparison=comparison,
            displacement=displacement,
            displacement_comparison=displacement_comparison,
            category=category,
            before=before,
            after=after,
        )
