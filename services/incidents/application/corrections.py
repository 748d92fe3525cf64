"""Corrections as events: reclassify, void (no-crime), merge, set outcome.

A record is never edited silently. Each correction locks the incident, checks the rule, closes
the incident's current classification version and opens a new one (so "as of" baselines see
the past as it was), moves the weekly counts, updates the record and publishes the event, in
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis import outbox
from libs.chassis.auth import Principal, ensure_station_access
from libs.chassis.errors import RuleViolation
from libs.contracts.incidents import (
    IncidentMerged,
    IncidentOutcomeSet,
    IncidentReclassified,
    IncidentVoided,
)
from libs.reference.model import Reference

from ..domain.counts import Classification, moved
from ..domain.submission import (
    check_correction,
    check_merge,
    check_merge_target,
    check_outcome_date,
    counted_categories,
    resolve_offences,
)
from ..repositories import counts, incidents
from ..schemas import Merge, OutcomeIn, Reclassification, Voiding


async def _locked(session: AsyncSession, incident_id: UUID, principal: Principal) -> dict[str, Any]:
    row = await incidents.locked(session, incident_id)
    if row is None:
        raise RuleViolation.not_found(f"no incident {incident_id}")
    ensure_station_access(principal, row["station_id"])
    return row


def _classification(version: dict[str, Any]) -> Classification:
    return Classification(
        station_id=version["station_id"],
        week_start=version["week_start"],
        counting_rules_version=version["counting_rules_version"],
        categories=tuple(version["categories"]),
        active=version["status"] == "active",
    )


async def _new_version(
    session: AsyncSession,
    incident_id: UUID,
    now: datetime,
    status: str,
    categories: Sequence[str] | None = None,
) -> int:
    """Close the current version, open the next; move the counts. Returns the new version."""
    current = await incidents.current_version(session, incident_id)
    number = current["version"] + 1
    following = {
        **current,
        "version": number,
        "valid_from": now,
        "valid_to": None,
        "status": status,
        "categories": list(current["categories"] if categories is None else categories),
    }
    await incidents.supersede_version(session, current, following, now)
    await counts.apply_changes(session, moved(_classification(current), _classification(following)))
    await incidents.set_columns(session, incident_id, status=status, version=number)
    return number


async def reclassify(
    session: AsyncSession,
    incident_id: UUID,
    body: Reclassification,
    principal: Principal,
    reference: Reference,
    now: datetime,
) -> dict[str, Any]:
    row = await _locked(session, incident_id, principal)
    check_correction(row["status"], "reclassify")
    resolved = resolve_offences(body.offences, reference)
    categories = counted_categories([o.iccs_code for o in resolved], reference)
    version = await _new_version(session, incident_id, now, "active", categories)
    await incidents.replace_offences(
        session, incident_id, incidents.offence_rows(incident_id, resolved)
    )
    await outbox.publish(
        session,
        [
            IncidentReclassified(
                incident_id=incident_id,
                station_id=row["station_id"],
                offences=resolved,
                reclassified_at=now,
            )
        ],
    )
    return {"incident_id": incident_id, "status": "active", "version": version}


async def void(
    session: AsyncSession,
    incident_id: UUID,
    body: Voiding,
    principal: Principal,
    reference: Reference,
    now: datetime,
) -> dict[str, Any]:
    row = await _locked(session, incident_id, principal)
    check_correction(row["status"], "void")
    version = await _new_version(session, incident_id, now, "no_crime")
    await outbox.publish(
        session,
        [
            IncidentVoided(
                incident_id=incident_id,
                station_id=row["station_id"],
                reason_code=body.reason_code,
                voided_at=now,
            )
        ],
    )
    return {"incident_id": incident_id, "status": "no_crime", "version": version}


async def merge(
    session: AsyncSession,
    incident_id: UUID,
    body: Merge,
    principal: Principal,
    reference: Reference,
    now: datetime,
) -> dict[str, Any]:
    check_merge(incident_id, body.merged_into)
    row = await _locked(session, incident_id, principal)
    check_correction(row["status"], "merge")
    target = await _locked(session, body.merged_into, principal)
    check_merge_target(target["status"])
    version = await _new_version(session, incident_id, now, "merged")
    await incidents.set_columns(session, incident_id, merged_into=body.merged_into)
    await outbox.publish(
        session,
        [
            IncidentMerged(
                incident_id=incident_id,
                station_id=row["station_id"],
                merged_into=body.merged_into,
                merged_at=now,
            )
        ],
    )
    return {"incident_id": incident_id, "status": "merged", "version": version}


async def set_outcome(
    session: AsyncSession,
    incident_id: UUID,
    body: OutcomeIn,
    principal: Principal,
    reference: Reference,
    now: datetime,
) -> dict[str, Any]:
    row = await _locked(session, incident_id, principal)
    check_correction(row["status"], "set the outcome of")
    check_outcome_date(body.outcome_date, row["occurred_at"])
    await incidents.set_columns(
        session, incident_id, outcome=body.outcome, outcome_date=body.outcome_date
    )
    await outbox.publish(
        session,
        [
            IncidentOutcomeSet(
                incident_id=incident_id,
                station_id=row["station_id"],
                outcome=body.outcome,
                outcome_date=body.outcome_date,
                set_at=now,
            )
        ],
    )
    return {"incident_id": incident_id, "outcome": body.outcome}
