"""Recording incidents: rows, offences, classification versions, counts and events, all in the
caller's transaction.

One function serves a single POST and a bulk submission alike: statements are per batch, not
per incident, so a station uploading a day's records costs a handful of round trips.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from fastapi import HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from uuid6 import uuid7

from libs.chassis import outbox
from libs.chassis.auth import Principal, ensure_station_access
from libs.chassis.db import autocommit_connection
from libs.chassis.errors import RuleViolation
from libs.chassis.idempotency import Claim
from libs.chassis.telemetry import current_traceparent, statement_span
from libs.contracts.envelope import new_envelope
from libs.contracts.incidents import IncidentRecorded
from libs.contracts.topics import record_key, topic_for_event
from libs.reference.model import Reference

from ..domain.counts import Classification, changes
from ..domain.submission import check_submission, counted_categories, recorded_event
from ..domain.weeks import week_start
from ..repositories import counts, incidents, submissions
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


def _outbox_record(event: IncidentRecorded) -> tuple[Any, ...]:
    """The outbox row `outbox.publish` stages for the event (the same envelope, the same
    encoding: `outbox._record`)."""
    service = topic_for_event(event.event_type).producer
    key = record_key(event)
    envelope = new_envelope(
        event, source=f"jisr/{service}", subject=key, traceparent=current_traceparent()
    )
    return outbox._record(envelope, key)


async def submit_at_once(
    engine: AsyncEngine,
    body: IncidentIn,
    principal: Principal,
    reference: Reference,
    now: datetime,
    claim: Claim | None,
    committed: Callable[[], None],
) -> tuple[int, dict[str, str]] | None:
    """`submit` (and, with a claim, the Idempotency-Key's claim and answer) as one statement
    outside any transaction: what a station's POST costs most of the time.

    None when this path cannot answer and the caller must take the transactional one
    (`idempotency.write` around `submit`), which gives the answer the rules require: the key
    was used before (its stored answer is replayed), a concurrent request stored the same
    source_ref a moment ago, or, with a key, the submission is refused (a retry's stored
    answer comes before the rules, as in `write`). Nothing was stored in any of these cases.

    `committed` tells the outbox relay of a stored event: the statement NOTIFYs nobody
    (`OutboxRelay.committed` says why).
    """
    try:
        ensure_station_access(principal, body.station_id)
        check_submission(body, reference, now)
    except (RuleViolation, HTTPException):
        if claim is not None:
            return None
        raise
    event = recorded_event(uuid7(), body, reference, now)
    kind = classification(event, reference)
    outbox_row = _outbox_record(event)
    async with autocommit_connection(engine) as conn:
        with statement_span("INSERT incidents", submissions.RECORD_ONE):
            recorded = await submissions.record_one(
                conn,
                _incident_row(event, body),
                incidents.offence_rows(event.incident_id, event.offences),
                _first_version(event, kind.categories),
                changes([kind]),
                outbox_row,
                claim,
            )
    if not isinstance(recorded, submissions.Recorded):
        return None
    if recorded.fresh:
        committed()
        return 201, {"incident_id": recorded.incident_id, "status": "recorded"}
    return 200, {"incident_id": recorded.incident_id, "status": "already_recorded"}
