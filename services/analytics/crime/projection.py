"""The crime consumers' effect: incidents and their corrections, and baseline alerts, in the
inbox transaction of the consumer (or of `jisr analytics rebuild`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.baselines import BaselineAlertCleared, BaselineAlertRaised
from libs.contracts.envelope import Envelope
from libs.contracts.incidents import IncidentRecorded

from ..domain.crime import alert_changes, alert_row, correction, incident_fact
from . import repository


async def apply_incident_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """Records are inserted in bulk; a correction first flushes the records before it, so each
    incident sees its events in topic order."""
    pending: list[dict[str, Any]] = []
    for env in envelopes:
        if isinstance(env.data, IncidentRecorded):
            pending.append(incident_fact(env.data))
            continue
        await repository.insert_incidents(session, pending)
        pending = []
        change = correction(env.data)
        if change is not None:
            await repository.correct_incident(session, *change)
    await repository.insert_incidents(session, pending)


async def apply_baseline_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    for env in envelopes:
        if isinstance(env.data, BaselineAlertRaised | BaselineAlertCleared):
            await repository.upsert_alert(session, alert_row(env.data), alert_changes(env.data))
