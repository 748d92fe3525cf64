"""Projections: events in, read-model rows out. Each runs inside the inbox transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.consumer import ConsumerSpec
from libs.contracts.envelope import Envelope
from libs.contracts.incidents import IncidentRecorded
from libs.contracts.topics import INCIDENTS_RECORDED

from .tables import incident_facts


def incident_fact(event: IncidentRecorded) -> dict:
    """One row per incident, classified by its first (principal) offence, as NIBRS counts."""
    return {
        "incident_id": event.incident_id,
        "station_id": event.station_id,
        "district_code": event.district_code,
        "governorate_code": event.governorate_code,
        "iccs_code": event.offences[0].iccs_code,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
    }


async def apply_incident_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    rows = [incident_fact(e.data) for e in envelopes if isinstance(e.data, IncidentRecorded)]
    if rows:
        await session.execute(insert(incident_facts).on_conflict_do_nothing(), rows)


INCIDENTS_CONSUMER = ConsumerSpec(
    name="incidents", topics=(INCIDENTS_RECORDED.name,), apply=apply_incident_events
)
