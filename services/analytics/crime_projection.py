"""Crime read models: incidents with their corrections, and baseline alerts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.baselines import BaselineAlertCleared, BaselineAlertRaised
from libs.contracts.envelope import Envelope
from libs.contracts.incidents import (
    IncidentMerged,
    IncidentReclassified,
    IncidentRecorded,
    IncidentVoided,
    Offence,
)

from .tables import baseline_alerts, incident_facts


def categories(offences: Sequence[Offence]) -> list[str]:
    """Every ICCS section and division the offences fall in (codes of level 3-4 roll up)."""
    codes = {
        code[:n] for o in offences for code in (o.iccs_code,) for n in (2, 4) if len(code) >= n
    }
    return sorted(codes)


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
        "categories": categories(event.offences),
        "status": "active",
    }


async def _insert_recorded(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(incident_facts).on_conflict_do_nothing(), rows)


async def _correct(session: AsyncSession, event) -> None:
    row = incident_facts.c.incident_id == event.incident_id
    if isinstance(event, IncidentReclassified):
        values = {
            "iccs_code": event.offences[0].iccs_code,
            "categories": categories(event.offences),
        }
    elif isinstance(event, IncidentVoided):
        values = {"status": "voided"}
    elif isinstance(event, IncidentMerged):
        values = {"status": "merged"}
    else:
        return  # outcomes and period closes do not change a count
    await session.execute(update(incident_facts).where(row).values(values))


async def apply_incident_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """Records are inserted in bulk; a correction first flushes the records before it, so each
    incident sees its events in topic order."""
    pending: list[dict] = []
    for env in envelopes:
        if isinstance(env.data, IncidentRecorded):
            pending.append(incident_fact(env.data))
            continue
        await _insert_recorded(session, pending)
        pending = []
        await _correct(session, env.data)
    await _insert_recorded(session, pending)


def _alert_row(event: BaselineAlertRaised | BaselineAlertCleared) -> dict:
    row = event.model_dump(
        include={
            "alert_id",
            "area_level",
            "area_id",
            "iccs_code",
            "method",
            "week_start",
            "observed",
            "expected",
            "upper_limit",
            "score",
        }
    )
    if isinstance(event, BaselineAlertRaised):
        return row | {"status": "raised", "raised_at": event.raised_at, "cleared_at": None}
    return row | {"status": "cleared", "raised_at": None, "cleared_at": event.cleared_at}


async def apply_baseline_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    for env in envelopes:
        if not isinstance(env.data, BaselineAlertRaised | BaselineAlertCleared):
            continue
        row = _alert_row(env.data)
        statement = insert(baseline_alerts).values(row)
        if isinstance(env.data, BaselineAlertCleared):
            # Clearing keeps when it was raised and the raising week's figures.
            changes = {"status": "cleared", "cleared_at": row["cleared_at"]}
        else:
            changes = {"status": "raised", "raised_at": row["raised_at"]}
        await session.execute(
            statement.on_conflict_do_update(index_elements=["alert_id"], set_=changes)
        )
