"""Incident records: record one, upload many, read them, correct them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from libs.chassis import idempotency
from libs.chassis.auth import Principal, require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime, runtime_of
from libs.chassis.uploads import UPLOAD_BODY, upload_type
from libs.reference import load_reference

from ..application import bulk, corrections, recording, records, upload_jobs
from ..schemas import (
    BulkSummary,
    Corrected,
    IncidentIn,
    IncidentOut,
    IncidentRow,
    Merge,
    OutcomeIn,
    OutcomeSet,
    Reclassification,
    Recorded,
    UploadErrors,
    UploadJob,
    Voiding,
)

router = APIRouter(prefix="/v1", tags=["incidents"])
writers = require_roles("station_officer")
uploaders = require_roles("station_officer", "admin")
readers = require_roles("station_officer", "ministry_analyst")


@router.post(
    "/incidents",
    status_code=201,
    response_model=Recorded,
    responses={200: {"model": Recorded, "description": "this source_ref was recorded before"}},
    summary="Record an incident (station officer)",
)
async def post_incident(
    request: Request,
    body: IncidentIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> JSONResponse:
    rt = runtime_of(request)  # the route every station calls: no dependency for this lookup
    scope = idempotency.scope_of(principal.subject, request)
    reference, now = load_reference(), datetime.now(UTC)
    claim = await idempotency.claim_of(request, scope, idempotency_key)
    # One statement, outside any transaction, most of the time; the transactional path
    # answers what it cannot (a replayed key, a source_ref stored a moment ago, a refusal
    # with a key): the same answers either way.
    assert rt.relay is not None  # built with the runtime
    answer = await recording.submit_at_once(
        rt.engine, body, principal, reference, now, claim, rt.relay.committed
    )
    if answer is not None:
        status, result = answer
        return JSONResponse(result, status, {"Location": f"/v1/incidents/{result['incident_id']}"})
    return await idempotency.write(
        request,
        rt.sessions,
        scope=scope,
        key=idempotency_key,
        work=partial(
            recording.submit, body=body, principal=principal, reference=reference, now=now
        ),
        response_model=Recorded,
        headers=lambda result: {"Location": f"/v1/incidents/{result['incident_id']}"},
    )


@router.post(
    "/incidents/bulk",
    response_model=BulkSummary,
    responses={
        202: {
            "model": UploadJob,
            "description": "a large upload (Prefer: respond-async, or over 8 MiB) became a "
            "job: poll its Location",
        }
    },
    summary="Bulk upload: CSV or JSON Lines, streamed (station officer: own station; admin)",
    description=bulk.__doc__,
    openapi_extra=UPLOAD_BODY,
)
async def bulk_upload(
    request: Request,
    principal: Principal = Depends(uploaders),
    prefer: str | None = Header(None),
    rt: Runtime = Depends(runtime),
) -> Any:
    content_type = upload_type(request.headers.get("content-type", ""))
    reference = load_reference()
    scope = bulk.Scope.of(principal)
    if upload_jobs.wants_job(prefer, request.headers.get("content-length")):
        job = await upload_jobs.receive(
            rt.sessions, request.stream(), content_type, scope, principal.subject
        )
        upload_jobs.start(rt.sessions, reference, job["job_id"])
        return JSONResponse(
            jsonable_encoder(UploadJob.model_validate(upload_jobs.job_view(job))),
            status_code=202,
            headers={
                "Location": f"/v1/incidents/uploads/{job['job_id']}",
                "Preference-Applied": "respond-async",
            },
        )
    summary = await bulk.upload(
        request.stream(), content_type, scope, reference, bulk.batch_writer(rt.sessions, reference)
    )
    return summary.as_dict()


@router.get(
    "/incidents/uploads/{job_id}",
    response_model=UploadJob,
    summary="A bulk upload job's progress (its station officer; admin)",
)
async def get_upload(
    job_id: UUID, principal: Principal = Depends(uploaders), rt: Runtime = Depends(runtime)
) -> dict[str, Any]:
    return await in_transaction(
        rt.sessions, partial(upload_jobs.job, job_id=job_id, principal=principal)
    )


@router.get(
    "/incidents/uploads/{job_id}/errors",
    response_model=UploadErrors,
    summary="A bulk upload job's error report, a page at a time (its station officer; admin)",
)
async def get_upload_errors(
    job_id: UUID,
    after: int = Query(0, ge=0, description="the last `n` of the previous page"),
    limit: int = Query(500, ge=1, le=5000),
    principal: Principal = Depends(uploaders),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await in_transaction(
        rt.sessions,
        partial(
            upload_jobs.error_page, job_id=job_id, principal=principal, after=after, limit=limit
        ),
    )


@router.get(
    "/incidents/{incident_id}",
    response_model=IncidentOut,
    summary="One incident (own station, or analysts)",
)
async def get_incident(
    incident_id: UUID,
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await in_transaction(
        rt.sessions, partial(records.incident, incident_id=incident_id, principal=principal)
    )


@router.get(
    "/incidents",
    response_model=list[IncidentRow],
    summary="Incidents, newest first; a station officer sees own station",
)
async def list_incidents(
    station_id: str | None = Query(None, max_length=32),
    limit: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> list[dict[str, Any]]:
    return await in_transaction(
        rt.sessions,
        partial(records.newest, principal=principal, station_id=station_id, limit=limit),
    )


# (session, incident_id, body, principal, reference, now) -> the correction's answer
Correction = Callable[..., Awaitable[dict[str, Any]]]


async def _correct(
    rt: Runtime, principal: Principal, incident_id: UUID, body: BaseModel, action: Correction
) -> dict[str, Any]:
    reference, now = load_reference(), datetime.now(UTC)
    return await in_transaction(
        rt.sessions, lambda session: action(session, incident_id, body, principal, reference, now)
    )


@router.post(
    "/incidents/{incident_id}/reclassify",
    response_model=Corrected,
    summary="Correct the offences (own station)",
)
async def reclassify(
    incident_id: UUID,
    body: Reclassification,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await _correct(rt, principal, incident_id, body, corrections.reclassify)


@router.post(
    "/incidents/{incident_id}/void",
    response_model=Corrected,
    summary="Void as no-crime (own station)",
)
async def void(
    incident_id: UUID,
    body: Voiding,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await _correct(rt, principal, incident_id, body, corrections.void)


@router.post(
    "/incidents/{incident_id}/merge",
    response_model=Corrected,
    summary="Fold a duplicate into another incident",
)
async def merge(
    incident_id: UUID,
    body: Merge,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await _correct(rt, principal, incident_id, body, corrections.merge)


@router.post(
    "/incidents/{incident_id}/outcome",
    response_model=OutcomeSet,
    summary="Set the outcome and its date",
)
async def set_outcome(
    incident_id: UUID,
    body: OutcomeIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await _correct(rt, principal, incident_id, body, corrections.set_outcome)
