"""HTTP routes for incident records: thin — validate, call the domain, persist, stage."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from libs.chassis import idempotency
from libs.chassis.auth import Principal, ensure_station_access, require_roles
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from . import bulk, corrections
from .domain import (
    IncidentIn,
    Merge,
    OutcomeIn,
    Reclassification,
    RuleViolation,
    Voiding,
    check_submission,
)
from .recording import record_incident
from .tables import incidents, offences

router = APIRouter(prefix="/v1", tags=["incidents"])
writers = require_roles("station_officer")
readers = require_roles("station_officer", "ministry_analyst")


def rule_error(exc: RuleViolation) -> HTTPException:
    # Same shape as FastAPI's own 422s, so clients handle one format.
    return HTTPException(422, [{"loc": ["body", *exc.loc], "msg": exc.rule, "type": "rule"}])


@router.post("/incidents", status_code=201, summary="Record an incident (station officer)")
async def post_incident(
    request: Request,
    body: IncidentIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    ensure_station_access(principal, body.station_id)
    reference = load_reference()
    now = datetime.now(UTC)
    try:
        check_submission(body, reference, now)
    except RuleViolation as exc:
        raise rule_error(exc) from exc
    scope = f"{principal.subject}:POST /v1/incidents"
    async with rt.sessions() as session, session.begin():
        if idempotency_key:
            request_hash = idempotency.fingerprint("POST", request.url.path, await request.body())
            stored = await idempotency.claim(session, scope, idempotency_key, request_hash)
            if stored is not None:
                return JSONResponse(
                    stored.body, stored.status_code, {"Idempotent-Replayed": "true"}
                )
        status, result = await record_incident(session, body, reference, now)
        if idempotency_key:
            await idempotency.remember(session, scope, idempotency_key, status, result)
    return JSONResponse(result, status, {"Location": f"/v1/incidents/{result['incident_id']}"})


@router.post(
    "/incidents/bulk",
    summary="Bulk upload: CSV or JSON Lines, streamed (station officer: own station; admin)",
    description=bulk.__doc__,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def bulk_upload(
    request: Request,
    principal: Principal = Depends(require_roles("station_officer", "admin")),
    rt: Runtime = Depends(runtime),
) -> dict:
    content_type = request.headers.get("content-type", "")
    if not any(t in content_type for t in ("csv", "json")):
        raise HTTPException(415, "send text/csv or application/x-ndjson (JSON Lines)")
    reference = load_reference()
    try:
        summary = await bulk.upload(
            request.stream(),
            content_type,
            principal,
            reference,
            bulk.batch_writer(rt.sessions, reference),
        )
    except RuleViolation as exc:
        raise rule_error(exc) from exc
    return summary.as_dict()


@router.get("/incidents/{incident_id}", summary="One incident (own station, or analysts)")
async def get_incident(
    incident_id: UUID,
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> dict:
    async with rt.sessions() as session:
        row = (
            await session.execute(select(incidents).where(incidents.c.incident_id == incident_id))
        ).one_or_none()
        if row is None:
            raise HTTPException(404, f"no incident {incident_id}")
        ensure_station_access(principal, row.station_id)
        rows = await session.execute(
            select(offences).where(offences.c.incident_id == incident_id).order_by(offences.c.seq)
        )
        offence_list = [
            {k: v for k, v in o._asdict().items() if k not in ("incident_id", "seq")} for o in rows
        ]
    return {
        **row._asdict(),
        "offences": offence_list,
        "iccs_codes": [o["iccs_code"] for o in offence_list],
    }


@router.get("/incidents", summary="Incidents, newest first; a station officer sees own station")
async def list_incidents(
    station_id: str | None = Query(None, max_length=32),
    limit: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> list[dict]:
    query = select(incidents).order_by(incidents.c.recorded_at.desc()).limit(limit)
    if principal.station_scoped:
        ensure_station_access(principal, station_id or principal.station_id or "")
        # The scope is part of the query, whatever the parameters say.
        query = query.where(incidents.c.station_id == principal.station_id)
    elif station_id:
        query = query.where(incidents.c.station_id == station_id)
    async with rt.sessions() as session:
        return [row._asdict() for row in (await session.execute(query)).all()]


async def _correct(
    rt: Runtime, principal: Principal, incident_id: UUID, body, action: Callable[..., Awaitable]
) -> dict:
    reference = load_reference()
    try:
        async with rt.sessions() as session, session.begin():
            return await action(session, incident_id, body, principal, reference, datetime.now(UTC))
    except corrections.NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except RuleViolation as exc:
        if exc.loc == ("status",):
            raise HTTPException(409, exc.rule) from exc
        raise rule_error(exc) from exc


@router.post("/incidents/{incident_id}/reclassify", summary="Correct the offences (own station)")
async def reclassify(
    incident_id: UUID,
    body: Reclassification,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict:
    return await _correct(rt, principal, incident_id, body, corrections.reclassify)


@router.post("/incidents/{incident_id}/void", summary="Void as no-crime (own station)")
async def void(
    incident_id: UUID,
    body: Voiding,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict:
    return await _correct(rt, principal, incident_id, body, corrections.void)


@router.post("/incidents/{incident_id}/merge", summary="Fold a duplicate into another incident")
async def merge(
    incident_id: UUID,
    body: Merge,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict:
    return await _correct(rt, principal, incident_id, body, corrections.merge)


@router.post("/incidents/{incident_id}/outcome", summary="Set the outcome and its date")
async def set_outcome(
    incident_id: UUID,
    body: OutcomeIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict:
    return await _correct(rt, principal, incident_id, body, corrections.set_outcome)
