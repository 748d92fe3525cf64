"""Staging fora events in the outbox, in the caller's transaction (keyed by forum)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.outbox import stage
from libs.chassis.telemetry import current_traceparent
from libs.contracts.base import EventModel
from libs.contracts.envelope import new_envelope

SERVICE = "fora"


async def publish(session: AsyncSession, *events: EventModel) -> None:
    """Stage events; each is keyed by its forum so a forum's events stay in order."""
    traceparent = current_traceparent()
    await stage(
        session,
        SERVICE,
        [
            (
                new_envelope(
                    event,
                    source=f"jisr/{SERVICE}",
                    subject=str(event.forum_id),  # type: ignore[attr-defined]
                    traceparent=traceparent,
                ),
                str(event.forum_id),  # type: ignore[attr-defined]
            )
            for event in events
        ],
    )
