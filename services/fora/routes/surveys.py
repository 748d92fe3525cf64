"""Perception survey waves: anonymous responses in, results with small cells suppressed out,
and published (as counts) in `survey.results_published`."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime
from libs.contracts.fora import SurveyResultsPublished

from ..access import readers, writers
from ..application import surveys
from ..schemas import ResponseRecordedOut, SurveyResponseIn, WaveIn, WaveOut, WaveResultsOut
from . import Key, write

router = APIRouter(prefix="/v1", tags=["perception surveys"])


@router.post("/surveys", status_code=201, response_model=WaveOut, summary="Open a survey wave")
async def create_wave(
    request: Request,
    body: WaveIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, WaveOut,
        partial(surveys.create_wave, body=body, principal=principal),
    )  # fmt: skip


@router.post(
    "/surveys/{wave_id}/responses",
    status_code=201,
    response_model=ResponseRecordedOut,
    summary="Record a response",
)
async def add_response(
    request: Request,
    wave_id: UUID,
    body: SurveyResponseIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, ResponseRecordedOut,
        partial(surveys.add_response, wave_id=wave_id, body=body, principal=principal),
    )  # fmt: skip


@router.get(
    "/surveys/{wave_id}/results",
    response_model=WaveResultsOut,
    summary="Results; cells under 5 responses suppressed",
)
async def get_results(
    wave_id: UUID,
    by: list[str] = Query(default=[], description="area, gender, age_band"),
    lang: Literal["en", "ar"] = "en",
    _: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions, partial(surveys.wave_results, wave_id=wave_id, by=by, lang=lang)
    )


@router.post(
    "/surveys/{wave_id}/publish",
    response_model=SurveyResultsPublished,
    summary="Publish the wave's results (counts, small cells suppressed) as an event",
)
async def publish_results(
    request: Request,
    wave_id: UUID,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, SurveyResultsPublished,
        partial(surveys.publish_results, wave_id=wave_id, principal=principal),
        status=200,
    )  # fmt: skip
