"""Recording incidents: rows, offences, classification versions, counts and events, all in the
caller's transaction.

One function serves a single POST and a bulk submission alike: statements are per batch, not
per incident, so a station uploading a day's records costs a handful of round trips.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis import outbox
from libs.chassis.auth import Principal, ensure_station_access
from libs.contracts.incidents import IncidentRecorded
from libs.reference.model import Reference

from ..domain.counts import Classification, changes
from ..domain.submission import check_submission, counted_categories, recorded_event
from ..domain.weeks import week_start
from ..repositories import counts, incidents
from ..schemas import IncidentIn

# PostgreSQL allows 32,767 bind parameters per statement; an incident row uses 17.
MAX_BATCH = 1000


def classification(event: IncidentRecorded, reference: Reference) -> Classification:
    return Classification(
        station_id=event.station_id,
        week_start=week_start(event.occurred_at),
        counting_rules_version=event.counting_rules_version,
        categories=tuple(counted_categories([o.iccs_code for o in event.offences], reference)),
        active=True,
    )


def _incident_row(event: IncidentRecorded, body: IncidentIn) -> dict[str, Any]:
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


def _first_version(event: IncidentRecorded, categories: Sequence[str]) -> tuple[Any, ...]:
    """The incident's first classification version, in `incidents.VERSION_COLUMNS` order."""
    return (
        event.incident_id,
        1,
        event.recorded_at,
        None,
        "active",
        list(categories),
        event.station_id,
        event.district_code,
        event.governorate_code,
        event.occurred_at,
        week_start(event.occurred_at),
        event.counting_rules_version,
    )


async def record_incidents(
    session: AsyncSession, bodies: Sequence[IncidentIn], reference: Reference, now: datetime
) -> list[tuple[int, dict[str, str]]]:
    """Store incidents and publish their incident.recorded events.

    Returns (status, body) per submission, in order: 201 for a new incident, 200 with the
    original id for a `source_ref` the station already used (a retry, not a new incident).
    Bodies must have passed `check_submission`.
    """
    if len(bodies) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} incidents per call")
    events = [recorded_event(uuid7(), body, reference, now) for body in bodies]
    pairs = list(zip(events, bodies, strict=True))
    inserted = await incidents.insert_new(session, [_incident_row(e, b) for e, b in pairs])
    fresh = [e for e in events if e.incident_id in inserted]
    if fresh:
        await _store_fresh(session, fresh, reference)
    originals = await incidents.ids_by_source_ref(
        session, [(b.station_id, b.source_ref) for e, b in pairs if e.incident_id not in inserted]
    )
    return [
        (201, {"incident_id": str(e.incident_id), "status": "recorded"})
        if e.incident_id in inserted
        else (
            200,
            {"incident_id": originals[(b.station_id, b.source_ref)], "status": "already_recorded"},
        )
        for e, b in pairs
    ]


async def _store_fresh(
    session: AsyncSession, fresh: Sequence[IncidentRecorded], reference: Reference
) -> None:
    classifications = [classification(e, reference) for e in fresh]
    await incidents.add_offences(
        session, [row for e in fresh for row in incidents.offence_rows(e.incident_id, e.offences)]
    )
    await incidents.add_versions(
        session,
        [_first_version(e, c.categories) for e, c in zip(fresh, classifications, strict=True)],
    )
    await counts.apply_changes(session, changes(classifications))
    await outbox.publish(session, fresh)


async def record_incident(
    session: AsyncSession, body: IncidentIn, reference: Reference, now: datetime
) -> tuple[int, dict[str, str]]:
    [result] = await record_incidents(session, [body], reference, now)
    return result


async def submit(
    session: AsyncSession,
    body: IncidentIn,
    principal: Principal,
    reference: Reference,
    now: datetime,
) -> tuple[int, dict[str, str]]:
    """A station's own submission: refused unless it is the caller's station and it passes
    the submission rules; a retry of a stored `source_ref` answers 200 with the original."""
    ensure_station_access(principal, body.station_id)
    check_submission(body, reference, now)
    return await record_incident(session, body, reference, now)
