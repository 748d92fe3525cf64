"""Corrections as events: reclassify, void (no-crime), merge, set outcome.

A record is never edited silently. Each correction closes the incident's current
classification version, opens a new one (so "as of" baselines see the past as it was), moves
the weekly counts, updates the record and stages the event, in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal, ensure_station_access
from libs.chassis.db import copy_rows
from libs.contracts.incidents import (
    IncidentMerged,
    IncidentOutcomeSet,
    IncidentReclassified,
    IncidentVoided,
)
from libs.reference.model import Reference

from .counts import Classification, apply_changes, changes
from .domain import (
    Merge,
    OutcomeIn,
    Reclassification,
    RuleViolation,
    Voiding,
    check_correction,
    counted_categories,
    resolve_offences,
)
from .recording import OFFENCE_COLUMNS, offence_rows, stage_events
from .tables import incident_versions, incidents, offences


class NotFound(LookupError):
    pass


async def _locked(session: AsyncSession, incident_id: UUID, principal: Principal):
    row = (
        await session.execute(
            select(incidents).where(incidents.c.incident_id == incident_id).with_for_update()
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    ensure_station_access(principal, row.station_id)
    return row


async def _current_version(session: AsyncSession, incident_id: UUID):
    return (
        await session.execute(
            select(incident_versions).where(
                incident_versions.c.incident_id == incident_id,
                incident_versions.c.valid_to.is_(None),
            )
        )
    ).one()


def _classification(version, categories, active: bool) -> Classification:
    return Classification(
        station_id=version.station_id,
        week_start=version.week_start,
        counting_rules_version=version.counting_rules_version,
        categories=tuple(categories),
        active=active,
    )


async def _new_version(
    session: AsyncSession,
    reference: Reference,
    incident_id: UUID,
    now: datetime,
    status: str,
    categories: list[str] | None = None,
) -> int:
    """Close the current version, open the next; move the counts. Returns the new version."""
    current = await _current_version(session, incident_id)
    categories = list(current.categories) if categories is None else categories
    await session.execute(
        update(incident_versions)
        .where(
            incident_versions.c.incident_id == incident_id,
            incident_versions.c.version == current.version,
        )
        .values(valid_to=now)
    )
    number = current.version + 1
    row = {**current._asdict(), "version": number, "valid_from": now, "valid_to": None}
    await copy_rows(
        session,
        "incident_versions",
        tuple(row),
        [tuple({**row, "status": status, "categories": categories}.values())],
    )
    delta = changes([_classification(current, current.categories, current.status == "active")], -1)
    delta.update(changes([_classification(current, categories, status == "active")]))
    await apply_changes(session, delta)
    await session.execute(
        update(incidents)
        .where(incidents.c.incident_id == incident_id)
        .values(status=status, version=number)
    )
    return number


async def reclassify(
    session: AsyncSession,
    incident_id: UUID,
    body: Reclassification,
    principal: Principal,
    reference: Reference,
    now: datetime,
) -> dict:
    row = await _locked(session, incident_id, principal)
    check_correction(row.status, "reclassify")
    resolved = resolve_offences(body.offences, reference)
    categories = counted_categories([o.iccs_code for o in resolved], reference)
    version = await _new_version(session, reference, incident_id, now, "active", categories)
    await session.execute(offences.delete().where(offences.c.incident_id == incident_id))
    await copy_rows(session, "offences", OFFENCE_COLUMNS, offence_rows(incident_id, resolved))
    await stage_events(
        session,
        [
            IncidentReclassified(
                incident_id=incident_id,
                station_id=row.station_id,
                offences=resolved,
                reclassified_at=now,
            )
        ],
    )
    return {"incident_id": str(incident_id), "status": "active", "version": version}


async def void(
    session: AsyncSession,
    incident_id: UUID,
    body: Voiding,
    principal: Principal,
    reference: Reference,
    now: datetime,
) -> dict:
    row = await _locked(session, incident_id, principal)
    check_correction(row.status, "void")
    version = await _new_version(session, reference, incident_id, now, "no_crime")
    await stage_events(
        session,
        [
            IncidentVoided(
                incident_id=incident_id,
                station_id=row.station_id,
                reason_code=body.reason_code,
                voided_at=now,
            )
        ],
    )
    return {"incident_id": str(incident_id), "status": "no_crime", "version": version}


async def merge(
    session: AsyncSession,
    incident_id: UUID,
    body: Merge,
    principal: Principal,
    reference: Reference,
    now: datetime,
) -> dict:
    if body.merged_into == incident_id:
        raise RuleViolation(("merged_into",), "an incident cannot be merged into itself")
    row = await _locked(session, incident_id, principal)
    check_correction(row.status, "merge")
    target = await _locked(session, body.merged_into, principal)
    if target.status != "active":
        raise RuleViolation(("merged_into",), f"the target incident is {target.status}")
    version = await _new_version(session, reference, incident_id, now, "merged")
    await session.execute(
        update(incidents)
        .where(incidents.c.incident_id == incident_id)
        .values(merged_into=body.merged_into)
    )
    await stage_events(
        session,
        [
            IncidentMerged(
                incident_id=incident_id,
                station_id=row.station_id,
                merged_into=body.merged_into,
                merged_at=now,
            )
        ],
    )
    return {"incident_id": str(incident_id), "status": "merged", "version": version}


async def set_outcome(
    session: AsyncSession,
    incident_id: UUID,
    body: OutcomeIn,
    principal: Principal,
    reference: Reference,
    now: datetime,
) -> dict:
    row = await _locked(session, incident_id, principal)
    check_correction(row.status, "set the outcome of")
    if body.outcome_date < row.occurred_at.date():
        raise RuleViolation(("outcome_date",), "must not be before the incident occurred")
    await session.execute(
        update(incidents)
        .where(incidents.c.incident_id == incident_id)
        .values(outcome=body.outcome, outcome_date=body.outcome_date)
    )
    await stage_events(
        session,
        [
            IncidentOutcomeSet(
                incident_id=incident_id,
                station_id=row.station_id,
                outcome=body.outcome,
                outcome_date=body.outcome_date,
                set_at=now,
            )
        ],
    )
    return {"incident_id": str(incident_id), "outcome": body.outcome}
