"""Outreach and training activities, and the programme report built from them."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..access import readers, writers
from ..application import outreach
from ..schemas import ActivitiesReportOut, ActivityIn, ActivityOut
from . import Key, write

router = APIRouter(prefix="/v1", tags=["outreach and training"])


@router.post(
    "/activities",
    status_code=201,
    response_model=ActivityOut,
    summary="Record an outreach or training activity",
)
async def record_activity(
    request: Request,
    body: ActivityIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, ActivityOut,
        partial(outreach.record_activity, body=body, principal=principal),
    )  # fmt: skip


@router.get(
    "/activities/report",
    response_model=ActivitiesReportOut,
    summary="Programme figures for an area and period: by kind, audience and forum origin",
)
async def activities_report(
    area_id: str = Query(..., max_length=32),
    from_date: date = Query(..., alias="from"),
    to_date: date = Query(..., alias="to"),
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(
            outreach.report, area_id=area_id, from_date=from_date, to_date=to_date,
            principal=principal,
        ),
    )  # fmt: skip
