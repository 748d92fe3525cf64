"""Forum health, per forum and rolled up over an area or a coordination council."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..access import readers
from ..application import health
from ..domain.health import DEFAULT_WOMEN_TARGET
from ..schemas import AreaHealthOut, ForumHealthOut

router = APIRouter(prefix="/v1", tags=["forum health"])


@router.get(
    "/fora/{forum_id}/health",
    response_model=ForumHealthOut,
    response_model_exclude_unset=True,
    summary="A forum's health (default: this quarter)",
)
async def forum_health(
    forum_id: UUID,
    period_start: date | None = None,
    period_end: date | None = None,
    as_of: date | None = None,
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(
            health.forum_health_report, forum_id=forum_id, principal=principal,
            start=period_start, end=period_end, as_of=as_of,
        ),
    )  # fmt: skip


@router.get(
    "/health",
    response_model=AreaHealthOut,
    summary="Health of every forum in an area, and the area's roll-up",
)
async def area_health(
    area_id: str = Query(..., max_length=32),
    period_start: date | None = None,
    period_end: date | None = None,
    as_of: date | None = None,
    women_target: float = Query(DEFAULT_WOMEN_TARGET, ge=0, le=1),
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(
            health.area_health_report, area_id=area_id, principal=principal,
            start=period_start, end=period_end, as_of=as_of, women_target=women_target,
        ),
    )  # fmt: skip
