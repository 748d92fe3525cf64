"""Reporting periods: a station closes its week; the ministry sees who has not reported."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from libs.chassis.auth import Principal, require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from ..application import periods
from ..schemas import ClosedPeriod, Completeness

router = APIRouter(prefix="/v1", tags=["periods"])


@router.post(
    "/stations/{station_id}/periods/{week}/close",
    status_code=201,
    response_model=ClosedPeriod,
    responses={200: {"model": ClosedPeriod, "description": "the week was already closed"}},
    summary="Close a station's week (Monday date or ISO week, e.g. 2026-W46)",
    description="Closing twice is harmless. Closing evaluates the week's alerts for the "
    "station's areas.",
)
async def close(
    station_id: str,
    week: str,
    response: Response,
    principal: Principal = Depends(require_roles("station_officer")),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    fresh, period = await in_transaction(
        rt.sessions,
        partial(
            periods.close_period,
            reference=load_reference(),
            station_id=station_id,
            week_named=week,
            principal=principal,
            now=datetime.now(UTC),
        ),
    )
    response.status_code = 201 if fresh else 200
    return period


@router.get(
    "/completeness",
    response_model=Completeness,
    summary="Which stations have closed which weeks",
)
async def get_completeness(
    week_from: str | None = Query(
        None, alias="from", max_length=16, description="first week (default: 4 ago)"
    ),
    week_to: str | None = Query(
        None, alias="to", max_length=16, description="last week (default: last week)"
    ),
    governorate: str | None = Query(None, max_length=8),
    principal: Principal = Depends(require_roles("ministry_analyst", "station_officer")),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await in_transaction(
        rt.sessions,
        partial(
            periods.completeness,
            reference=load_reference(),
            principal=principal,
            governorate=governorate,
            week_from=week_from,
            week_to=week_to,
            now=datetime.now(UTC),
        ),
    )
