"""SARA problem-solving cases over HTTP. Calls to the incidents service happen between the
transactions (checks first, then incidents, then the write), so no transaction waits on
another service."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..access import readers, writers
from ..application import sara
from ..incidents_client import IncidentsClient, incidents_client
from ..schemas import (
    AnalysisIn,
    AssessmentIn,
    CaseIn,
    CaseOut,
    CaseStepOut,
    OpenedCaseOut,
    SaraResponseIn,
)
from . import Key, write

router = APIRouter(prefix="/v1", tags=["SARA cases"])


@router.post(
    "/fora/{forum_id}/sara-cases",
    status_code=201,
    response_model=OpenedCaseOut,
    summary="Open a case (scanning)",
)
async def open_case(
    request: Request,
    forum_id: UUID,
    body: CaseIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
    incidents: IncidentsClient = Depends(incidents_client),
) -> JSONResponse:
    area_level = await in_transaction(
        rt.sessions,
        partial(sara.check_new_case, forum_id=forum_id, body=body, principal=principal),
    )
    await sara.check_evidence(incidents, body)
    baseline = await sara.frozen_baseline(incidents, body)
    return await write(
        request, rt, principal, idempotency_key, OpenedCaseOut,
        partial(
            sara.open_case, forum_id=forum_id, body=body, area_level=area_level,
            baseline=baseline,
        ),
    )  # fmt: skip


@router.get("/sara-cases/{case_id}", response_model=CaseOut, summary="A SARA case")
async def get_case(
    case_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(sara.get_case, case_id=case_id, principal=principal)
    )


@router.put(
    "/sara-cases/{case_id}/analysis",
    response_model=CaseStepOut,
    response_model_exclude_unset=True,
    summary="Analysis: problem triangle, hypotheses",
)
async def put_analysis(
    case_id: UUID,
    body: AnalysisIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(
            sara.advance, case_id=case_id, principal=principal, stage="analysis",
            values={"analysis": body.model_dump()},
        ),
    )  # fmt: skip


@router.put(
    "/sara-cases/{case_id}/response",
    response_model=CaseStepOut,
    response_model_exclude_unset=True,
    summary="Response: the interventions",
)
async def put_response(
    case_id: UUID,
    body: SaraResponseIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(
            sara.advance, case_id=case_id, principal=principal, stage="response",
            values={"response": body.model_dump(mode="json")},
        ),
    )  # fmt: skip


@router.post(
    "/sara-cases/{case_id}/assessment",
    response_model=CaseStepOut,
    response_model_exclude_unset=True,
    summary="Assessment: process and impact",
)
async def assess(
    case_id: UUID,
    body: AssessmentIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
    incidents: IncidentsClient = Depends(incidents_client),
) -> Any:
    case = await in_transaction(
        rt.sessions,
        partial(sara.case_to_assess, case_id=case_id, body=body, principal=principal),
    )
    recorded, assessed = await sara.assessment(incidents, case, body)
    return await in_transaction(
        rt.sessions,
        partial(
            sara.advance, case_id=case_id, principal=principal, stage="assessment",
            values={"assessment": recorded}, events=[assessed],
        ),
    )  # fmt: skip


@router.post(
    "/sara-cases/{case_id}/close",
    response_model=CaseStepOut,
    response_model_exclude_unset=True,
    summary="Close an assessed case",
)
async def close_case(
    case_id: UUID, principal: Principal = Depends(writers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(sara.advance, case_id=case_id, principal=principal, stage="closed", values={}),
    )
