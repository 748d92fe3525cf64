"""Community safety plans: goals, outcomes, indicators, and progress each period."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..access import readers, writers
from ..application import plans
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
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, PlanOut,
        partial(plans.adopt, body=body, principal=principal),
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


@router.get(
    "/plans/{plan_id}",
    response_model=PlanWithProgressOut,
    summary="A plan with each indicator's latest progress",
)
async def get_plan(
    plan_id: UUID,
    on: date | None = None,
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(plans.plan_with_progress, plan_id=plan_id, principal=principal, on=on),
    )
