"""HTTP routes of the incidents service: thin — validate, call the domain, persist, stage."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from libs.chassis import idempotency
from libs.chassis.auth import Principal, ensure_station_access, require_roles
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from .domain import IncidentIn, RuleViolation, check_submission
from .recording import record_incident
from .tables import incidents, offences

router = APIRouter(prefix="/v1", tags=["incidents"])
writers = require_roles("station_officer")
readers = require_roles("station_officer", "ministry_analyst")


def _rule_error(exc: RuleViolation) -> HTTPException:
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
        raise _rule_error(exc) from exc
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
        codes = (
            await session.scalars(
                select(offences.c.iccs_code)
                .where(offences.c.incident_id == incident_id)
                .order_by(offences.c.seq)
            )
        ).all()
    return {**row._asdict(), "iccs_codes": codes}


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


@router.get("/stations", summary="Police stations with their district and governorate")
async def list_stations(governorate: str | None = Query(None, max_length=8)) -> list[dict]:
    reference = load_reference()
    return [
        {
            "id": s.id,
            "name_en": s.name_en,
            "name_ar": s.name_ar,
            "district_code": s.district_code,
            "governorate_code": s.governorate_code,
        }
        for s in reference.stations.values()
        if governorate is None or s.governorate_code == governorate
    ]
