"""Community safety plans: goals, outcomes, indicators, and progress each period. Calls to
the incidents service (baseline series of computed indicators) happen between transactions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..access import readers, writers
from ..application import plans
from ..incidents_client import IncidentsClient, incidents_client
from ..schemas import PlanIn, PlanOut, PlanProgressIn, PlanWithProgressOut
from . import Key, write

router = APIRouter(prefix="/v1", tags=["community safety plans"])


@router.post(
    "/plans", status_code=201, response_model=PlanOut, summary="Adopt a community safety plan"
)
async def adopt_plan(
    request: Request,
    body: PlanIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
    incidents: IncidentsClient = Depends(incidents_client),
) -> JSONResponse:
    await in_transaction(rt.sessions, partial(plans.check_plan, body=body, principal=principal))
    baselines = await plans.fetch_baselines(incidents, body)
    return await write(
        request, rt, principal, idempotency_key, PlanOut,
        partial(plans.adopt, body=body, principal=principal, baselines=baselines),
    )  # fmt: skip


@router.post(
    "/plans/{plan_id}/progress",
    response_model=PlanWithProgressOut,
    summary="Record a period's indicator values",
)
async def record_progress(
    plan_id: UUID,
    body: PlanProgressIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(plans.record_progress, plan_id=plan_id, body=body, principal=principal),
    )


@router.post(
    "/plans/{plan_id}/refresh",
    response_model=PlanWithProgressOut,
    summary="Record the computed indicators' current values (incidents, published surveys)",
)
async def refresh(
    plan_id: UUID,
    period: str | None = Query(
        None, pattern=r"^\d{4}-(Q[1-4]|\d{2})$", description="Default: this quarter"
    ),
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
    incidents: IncidentsClient = Depends(incidents_client),
) -> Any:
    plan = await in_transaction(
        rt.sessions, partial(plans.plan_to_read, plan_id=plan_id, principal=principal)
    )
    series = await plans.fetch_current(incidents, plan, datetime.now(UTC).date())
    return await in_transaction(
        rt.sessions,
        partial(plans.refresh, plan_id=plan_id, principal=principal, series=series,
                period=period),
    )  # fmt: skip


@router.get(
    "/plans/{plan_id}",
    response_model=PlanWithProgressOut,
    summary="A plan: each indicator's baseline, current value (computed or manual), status",
)
async def get_plan(
    plan_id: UUID,
    on: date | None = None,
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
    incidents: IncidentsClient = Depends(incidents_client),
) -> Any:
    plan = await in_transaction(
        rt.sessions, partial(plans.plan_to_read, plan_id=plan_id, principal=principal)
    )
    series = await plans.fetch_current(incidents, plan, on or datetime.now(UTC).date())
    return await in_transaction(
        rt.sessions,
        partial(plans.plan_with_progress, plan_id=plan_id, principal=principal, on=on,
                series=series),
    )  # fmt: skip
