"""Staging fora events in the outbox, in the caller's transaction (keyed by forum)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.outbox import stage
from libs.chassis.telemetry import current_traceparent
from libs.contracts.base import EventModel
from libs.contracts.envelope import new_envelope

SERVICE = "fora"


def record_key(event: EventModel) -> str:
    """The forum, so a forum's events stay in order; a survey wave run without a forum has
    none, and is keyed by the wave's area instead (as the topic registry says)."""
    forum_id = getattr(event, "forum_id", None)
    return str(forum_id) if forum_id is not None else event.area_id  # type: ignore[attr-defined]


async def publish(session: AsyncSession, *events: EventModel) -> None:
    """Stage events, each keyed (and its CloudEvents subject set) by `record_key`."""
    traceparent = current_traceparent()
    await stage(
        session,
        SERVICE,
        [
            (
                new_envelope(
                    event,
                    source=f"jisr/{SERVICE}",
                    subject=record_key(event),
                    traceparent=traceparent,
                ),
                record_key(event),
            )
            for event in events
        ],
    )
