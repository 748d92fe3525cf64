"""Recording incidents: rows, offences, classification versions, counts and events, all in the
caller's transaction.

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
from libs.contracts.base import EventModel
from libs.contracts.envelope import new_envelope
from libs.contracts.incidents import IncidentRecorded
from libs.reference.model import Reference

from .counts import Classification, apply_changes, changes
from .domain import IncidentIn, counted_categories, recorded_event, week_start
from .tables import incidents

SERVICE = "incidents"
# PostgreSQL allows 32,767 bind parameters per statement; an incident row uses 17.
MAX_BATCH = 1000
OFFENCE_COLUMNS = (
    "incident_id",
    "seq",
    "iccs_code",
    "national_code",
    "attempted",
    "weapon",
    "domestic",
    "cyber",
)
VERSION_COLUMNS = (
    "incident_id",
    "version",
    "valid_from",
    "valid_to",
    "status",
    "categories",
    "station_id",
    "district_code",
    "governorate_code",
    "occurred_at",
    "week_start",
    "counting_rules_version",
)


def _incident_row(event: IncidentRecorded, body: IncidentIn) -> dict:
    return {
        "incident_id": event.incident_id,
        "station_id": event.station_id,
        "district_code": event.district_code,
        "governorate_code": event.governorate_code,
        "boundary_version": event.boundary_version,
        "location_type": event.location_type,
        "source_ref": body.source_ref,
        "occurred_at": event.occurred_at,
        "occurred_to": event.occurred_to,
        "reported_at": event.reported_at,
        "recorded_at": event.recorded_at,
        "counting_rules_version": event.counting_rules_version,
        "victims": [v.model_dump() for v in body.victims],
        "offenders": [o.model_dump() for o in body.offenders],
    }


def classification(event: IncidentRecorded, reference: Reference) -> Classification:
    return Classification(
        station_id=event.station_id,
        week_start=week_start(event.occurred_at),
        counting_rules_version=event.counting_rules_version,
        categories=tuple(counted_categories([o.iccs_code for o in event.offences], reference)),
        active=True,
    )


def version_row(
    incident_id,
    version: int,
    valid_from: datetime,
    status: str,
    event: IncidentRecorded,
    categories: Sequence[str],
) -> tuple:
    return (
        incident_id,
        version,
        valid_from,
        None,
        status,
        list(categories),
        event.station_id,
        event.district_code,
        event.governorate_code,
        event.occurred_at,
        week_start(event.occurred_at),
        event.counting_rules_version,
    )


def offence_rows(incident_id, offences) -> list[tuple]:
    return [
        (incident_id, i, o.iccs_code, o.national_code, o.attempted, o.weapon, o.domestic, o.cyber)
        for i, o in enumerate(offences)
    ]


async def stage_events(session: AsyncSession, events: Sequence[EventModel]) -> None:
    """Outbox rows for events keyed by their incident (or station) id, in one COPY."""
    traceparent = current_traceparent()
    await stage(
        session,
        SERVICE,
        [
            (
                new_envelope(e, source=f"jisr/{SERVICE}", subject=_key(e), traceparent=traceparent),
                _key(e),
            )
            for e in events
        ],
    )


def _key(event: EventModel) -> str:
    """The topic key: incident events by incident, alerts by area, periods by station."""
    for attribute in ("incident_id", "area_id", "station_id"):
        value = getattr(event, attribute, None)
        if value is not None:
            return str(value)
    raise ValueError(f"{event.event_type} has no key attribute")


async def record_incidents(
    session: AsyncSession, bodies: Sequence[IncidentIn], reference: Reference, now: datetime
) -> list[tuple[int, dict]]:
    """Store incidents and stage their incident.recorded events.

    Returns (status, body) per submission, in order: 201 for a new incident, 200 with the
    original id for a `source_ref` the station already used (a retry, not a new incident).
    Bodies must have passed `check_submission`.
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
    fresh = [e for e in events if e.incident_id in inserted]
    if fresh:
        await _store_fresh(session, fresh, reference)
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


async def _store_fresh(
    session: AsyncSession, fresh: Sequence[IncidentRecorded], reference: Reference
) -> None:
    classifications = [classification(e, reference) for e in fresh]
    await copy_rows(
        session,
        "offences",
        OFFENCE_COLUMNS,
        [row for e in fresh for row in offence_rows(e.incident_id, e.offences)],
    )
    await copy_rows(
        session,
        "incident_versions",
        VERSION_COLUMNS,
        [
            version_row(e.incident_id, 1, e.recorded_at, "active", e, c.categories)
            for e, c in zip(fresh, classifications, strict=True)
        ],
    )
    await apply_changes(session, changes(classifications))
    await stage_events(session, fresh)


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
