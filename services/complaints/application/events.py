"""Emitting events: staged in the outbox (for Kafka) and copied into complaint_events (the
oversight feed and the ledger), in the caller's transaction, together with the change they
report."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.outbox import publish
from libs.contracts.base import EventModel
from libs.contracts.envelope import Envelope

from ..repositories import events
from .ledger import chain


async def emit_all(
    session: AsyncSession, events_: Sequence[tuple[str, EventModel]]
) -> list[Envelope]:
    """(governorate, event) pairs, in order: each linked into its complaint's hash chain, then
    one COPY + NOTIFY, one insert of their copies."""
    events_ = await chain(session, events_)
    envelopes = await publish(session, [event for _, event in events_])
    await events.record(session, [(g, env) for (g, _), env in zip(events_, envelopes, strict=True)])
    return envelopes


async def emit(
    session: AsyncSession, governorate: str, events_: Sequence[EventModel]
) -> list[Envelope]:
    """Events of complaints in one governorate (usually one complaint), in order."""
    return await emit_all(session, [(governorate, e) for e in events_])
