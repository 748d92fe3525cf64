"""HTTP routes of the incidents service: thin — validate, call the domain, persist, stage."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from uuid6 import uuid7

from libs.chassis import idempotency
from libs.chassis.auth import Principal, ensure_station_access, require_roles
from libs.chassis.outbox import stage
from libs.chassis.service import Runtime, runtime
from libs.chassis.telemetry import current_traceparent
from libs.contracts.envelope import new_envelope
from libs.reference import load_reference

from .domain import IncidentIn, RuleViolation, check_submission, recorded_event
from .tables import incidents, offences

SERVICE = "incidents"
router = APIRouter(prefix="/v1", tags=["incidents"])
writers = require_roles("station_officer")
readers = require_roles("station_officer", "ministry_analyst")


def _rule_error(exc: RuleViolation) -> HTTPException:
    # Same shape as FastAPI's own 422s, so clients handle one format.
    return HTTPException(
        422, [{"loc": ["body", *exc.field.split(".")], "msg": exc.rule, "type": "rule"}]
    )


@router.post("/incidents", status_code=201, summary="Record an incident (station officer)")
async def record_incident(
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
        status, result = await _insert(session, body, reference, now)
        if idempotency_key:
            await idempotency.remember(session, scope, idempotency_key, status, result)
    return JSONResponse(result, status, {"Location": f"/v1/incidents/{result['incident_id']}"})


async def _insert(session, body: IncidentIn, reference, now: datetime) -> tuple[int, dict]:
    """Store the incident and stage incident.recorded; a known source_ref returns the original."""
    incident_id = uuid7()
    event = recorded_event(incident_id, body, reference, now)
    inserted = await session.execute(
        insert(incidents)
        .values(
            incident_id=incident_id,
            station_id=event.station_id,
            district_code=event.district_code,
            governorate_code=event.governorate_code,
            source_ref=body.source_ref,
            occurred_at=event.occurred_at,
            recorded_at=now,
            counting_rules_version=event.counting_rules_version,
        )
        .on_conflict_do_nothing(constraint="incidents_station_source_ref")
        .returning(incidents.c.incident_id)
    )
    if inserted.first() is None:
        existing = await session.scalar(
            select(incidents.c.incident_id).where(
                incidents.c.station_id == body.station_id, incidents.c.source_ref == body.source_ref
            )
        )
        return 200, {"incident_id": str(existing), "status": "already_recorded"}
    await session.execute(
        offences.insert(),
        [
            {"incident_id": incident_id, "seq": i, **o.model_dump()}
            for i, o in enumerate(body.offences)
        ],
    )
    envelope = new_envelope(
        event, source=f"jisr/{SERVICE}", subject=str(incident_id), traceparent=current_traceparent()
    )
    await stage(session, SERVICE, [(envelope, str(incident_id))])
    return 201, {"incident_id": str(incident_id), "status": "recorded"}


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
    if principal.station_scoped:
        if station_id and station_id != principal.station_id:
            ensure_station_access(principal, station_id)
        station_id = principal.station_id  # the scope is part of the query, not a filter after
    query = select(incidents).order_by(incidents.c.recorded_at.desc()).limit(limit)
    if station_id:
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
