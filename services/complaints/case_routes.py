"""Routes for staff: case lists and details (scoped), transitions, personal data (audited),
erasure at the end of retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import select, update

from libs.chassis.auth import Principal, Role, require_roles
from libs.chassis.service import Runtime, runtime

from . import access
from .casework import case_allegations, vault
from .clocks import add_span
from .config import ComplaintsConfig
from .domain import DomainError
from .errors import http_error
from .tables import complaint_events, complaints, notifications, recommendations
from .transitions import TransitionIn, apply_transition

CASE_FIELDS = (
    "complaint_id", "channel", "station_id", "governorate_code", "status", "status_since",
    "received_at", "investigator_id", "investigator_unit", "ledger_sequence", "ledger_head",
    "anonymous", "closed_at", "erased_at",
)  # fmt: skip
staff = require_roles(
    Role.COMPLAINTS_OFFICER, Role.INVESTIGATOR, Role.OVERSIGHT, Role.STATION_OFFICER
)
caseworkers = require_roles(Role.COMPLAINTS_OFFICER, Role.INVESTIGATOR)


def _case(row) -> dict:
    return {name: getattr(row, name) for name in CASE_FIELDS}


def build(config: ComplaintsConfig) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: casework"])

    @router.get("/complaints", summary="Complaints the caller may see, newest first")
    async def list_complaints(
        status: str | None = Query(None, max_length=32),
        limit: int = Query(50, ge=1, le=500),
        principal: Principal = Depends(staff),
        rt: Runtime = Depends(runtime),
    ) -> list[dict]:
        async with rt.sessions() as session:
            query = (
                select(complaints)
                .where(await access.visible(session, principal))
                .order_by(complaints.c.received_at.desc())
                .limit(limit)
            )
            if status:
                query = query.where(complaints.c.status == status)
            return [_case(r) for r in (await session.execute(query)).all()]

    @router.get("/complaints/{complaint_id}", summary="One complaint (no personal data)")
    async def get_complaint(
        complaint_id: UUID, principal: Principal = Depends(staff), rt: Runtime = Depends(runtime)
    ) -> dict:
        async with rt.sessions() as session:
            row = await access.load_visible(session, principal, complaint_id)
            found = await case_allegations(session, complaint_id)
        return _case(row) | {
            "allegations": [
                {
                    "allegation_id": a.allegation_id,
                    "category": a.category,
                    "against": a.subject_kind,
                    "station_id": a.station_id,
                    "unit_code": a.unit_code,
                    "officer_pseudonym": a.officer_pseudonym,
                    "finding": a.finding,
                }
                for a in found
            ]
        }

    @router.post(
        "/complaints/{complaint_id}/transitions",
        summary="Move a complaint through its lifecycle; 409 names the allowed moves",
    )
    async def post_transition(
        complaint_id: UUID,
        body: TransitionIn,
        principal: Principal = Depends(staff),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        async with rt.sessions() as session, session.begin():
            row = await access.load_visible(session, principal, complaint_id)
            actors = await access.actors(session, principal, row)
            try:
                entry = await apply_transition(
                    session, complaint_id, body, actors, rt.settings.pseudonym_key, config.pack
                )
            except DomainError as exc:
                raise http_error(exc) from exc
        return {
            "complaint_id": str(complaint_id),
            "status": entry.to_status,
            "sequence": entry.sequence,
            "hash": entry.hash,
        }

    @router.get(
        "/complaints/{complaint_id}/personal-data",
        summary="The complainant's details and narrative; every read is audited with its purpose",
    )
    async def get_personal_data(
        complaint_id: UUID,
        purpose: str = Query(min_length=5, max_length=200, description="Why you need it"),
        principal: Principal = Depends(caseworkers),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        async with rt.sessions() as session, session.begin():
            await access.load_visible(session, principal, complaint_id)
            data = await vault(rt.settings).unseal(
                session, complaint_id, principal=principal, purpose=purpose
            )
        if data is None:
            raise HTTPException(410, "the personal data of this complaint has been erased")
        return data

    @router.get("/complaints/{complaint_id}/timeline", summary="Every event of the complaint")
    async def get_timeline(
        complaint_id: UUID, principal: Principal = Depends(staff), rt: Runtime = Depends(runtime)
    ) -> dict:
        async with rt.sessions() as session:
            await access.load_visible(session, principal, complaint_id)
            events = await session.execute(
                select(
                    complaint_events.c.event_type, complaint_events.c.data, complaint_events.c.at
                )
                .where(complaint_events.c.complaint_id == complaint_id)
                .order_by(complaint_events.c.id)
            )
            recs = await session.execute(
                select(recommendations).where(recommendations.c.complaint_id == complaint_id)
            )
            return {
                "events": [
                    {"type": e.event_type, "at": e.at, "data": _json(e.data)} for e in events
                ],
                "recommendations": [r._asdict() for r in recs],
            }

    @router.post(
        "/complaints/{complaint_id}/erase",
        summary="Crypto-shred the personal data once the retention period is over (admin)",
    )
    async def erase(
        complaint_id: UUID,
        principal: Principal = Depends(require_roles(Role.ADMIN)),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        now = datetime.now(UTC)
        async with rt.sessions() as session, session.begin():
            row = await access.load_visible(session, principal, complaint_id)
            if row.status != "closed" or row.closed_at is None:
                raise HTTPException(
                    409, f"only a closed complaint can be erased; it is {row.status}"
                )
            ends = add_span(row.closed_at, config.pack.retention, config.pack)
            if now < ends:
                raise HTTPException(409, f"the retention period runs until {ends.isoformat()}")
            await vault(rt.settings).erase(session, complaint_id)
            await session.execute(
                update(complaints)
                .where(complaints.c.complaint_id == complaint_id)
                .values(erased_at=now, has_contact=False)
            )
            await session.execute(
                update(notifications)
                .where(notifications.c.complaint_id == complaint_id)
                .where(notifications.c.state == "pending")
                .values(state="failed", last_error="personal data erased")
            )
        return {"complaint_id": str(complaint_id), "erased_at": now.isoformat()}

    return router


def _json(text: str) -> dict:

    return json.loads(text)
