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
from ..schemas import (
    InstrumentIn,
    InstrumentOut,
    ResponseRecordedOut,
    SurveyResponseIn,
    WaveIn,
    WaveOut,
    WaveResultsOut,
)
from . import Key, write

router = APIRouter(prefix="/v1", tags=["perception surveys"])


@router.post(
    "/survey-instruments",
    status_code=201,
    response_model=InstrumentOut,
    summary="Add a survey instrument, or the next version of one",
)
async def create_instrument(
    request: Request,
    body: InstrumentIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, InstrumentOut,
        partial(surveys.create_instrument, body=body),
    )  # fmt: skip


@router.get(
    "/survey-instruments",
    response_model=list[InstrumentOut],
    summary="Survey instruments: the standard one and every programme's, by version",
)
async def list_instruments(_: Principal = Depends(readers), rt: Runtime = Depends(runtime)) -> Any:
    return await in_transaction(rt.sessions, surveys.list_instruments)


@router.get(
    "/survey-instruments/{code}",
    response_model=InstrumentOut,
    summary="A survey instrument (the latest version unless one is named)",
)
async def get_instrument(
    code: str,
    version: int | None = Query(None, ge=1),
    _: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions, partial(surveys.get_instrument, code=code, version=version)
    )


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
    by: list[str] = Query(
        default=[],
        description="up to two breakdowns of the instrument: area, gender, age_band, its groups",
    ),
    lang: Literal["en", "ar"] = "en",
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(surveys.wave_results, wave_id=wave_id, by=by, lang=lang, principal=principal),
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
