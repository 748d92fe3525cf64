"""Recording incidents: rows, offences and events, in the caller's transaction.

One function serves a single POST and a bulk submission alike: statements are per batch, not
per incident, so a station uploading a day's records costs a handful of round trips.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.db import copy_rows
from libs.chassis.outbox import stage
from libs.chassis.telemetry import current_traceparent
from libs.contracts.envelope import new_envelope
from libs.contracts.incidents import IncidentRecorded
from libs.reference.model import Reference

from .domain import IncidentIn, recorded_event
from .tables import incidents

SERVICE = "incidents"
# PostgreSQL allows 32,767 bind parameters per statement; an incident row uses 9.
MAX_BATCH = 1000


def _incident_row(event: IncidentRecorded, body: IncidentIn) -> dict:
    return {
        "incident_id": event.incident_id,
        "station_id": event.station_id,
        "district_code": event.district_code,
        "governorate_code": event.governorate_code,
        "source_ref": body.source_ref,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "counting_rules_version": event.counting_rules_version,
    }


async def record_incidents(
    session: AsyncSession, bodies: Sequence[IncidentIn], reference: Reference, now: datetime
) -> list[tuple[int, dict]]:
    """Store incidents and stage their incident.recorded events.

    Returns (status, body) per submission, in order: 201 for a new incident, 200 with the
    original id for a `source_ref` the station already used (a retry, not a new incident).
    """
    if len(bodies) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} incidents per call")
    events = [recorded_event(uuid7(), body, reference, now) for body in bodies]
    # executemany form: one cached compiled statement, batched by SQLAlchemy's insertmanyvalues
    inserted = set(
        (
            await session.execute(
                insert(incidents)
                .on_conflict_do_nothing(constraint="incidents_station_source_ref")
                .returning(incidents.c.incident_id),
                [_incident_row(e, b) for e, b in zip(events, bodies, strict=True)],
            )
        ).scalars()
    )
    fresh = [(e, b) for e, b in zip(events, bodies, strict=True) if e.incident_id in inserted]
    if fresh:
        await copy_rows(
            session,
            "offences",
            ("incident_id", "seq", "iccs_code", "national_code", "attempted"),
            [
                (e.incident_id, i, o.iccs_code, o.national_code, o.attempted)
                for e, b in fresh
                for i, o in enumerate(b.offences)
            ],
        )
        traceparent = current_traceparent()
        await stage(
            session,
            SERVICE,
            [
                (
                    new_envelope(
                        e,
                        source=f"jisr/{SERVICE}",
                        subject=str(e.incident_id),
                        traceparent=traceparent,
                    ),
                    str(e.incident_id),
                )
                for e, _ in fresh
            ],
        )
    originals = await _original_ids(
        session, [b for e, b in zip(events, bodies, strict=True) if e.incident_id not in inserted]
    )
    return [
        (201, {"incident_id": str(e.incident_id), "status": "recorded"})
        if e.incident_id in inserted
        else (
            200,
            {"incident_id": originals[(b.station_id, b.source_ref)], "status": "already_recorded"},
        )
        for e, b in zip(events, bodies, strict=True)
    ]


async def _original_ids(session: AsyncSession, repeats: Sequence[IncidentIn]) -> dict:
    """Ids already stored for (station, source_ref) pairs that conflicted."""
    if not repeats:
        return {}
    keys = {(b.station_id, b.source_ref) for b in repeats}
    rows = await session.execute(
        select(incidents.c.station_id, incidents.c.source_ref, incidents.c.incident_id).where(
            tuple_(incidents.c.station_id, incidents.c.source_ref).in_(list(keys))
        )
    )
    return {(r.station_id, r.source_ref): str(r.incident_id) for r in rows}


async def record_incident(
    session: AsyncSession, body: IncidentIn, reference: Reference, now: datetime
) -> tuple[int, dict]:
    [result] = await record_incidents(session, [body], reference, now)
    return result
