"""The inbox claims a batch by looking up what it has seen and inserting the rest; two
transactions claiming the same events at once (two members of a group during a rebalance)
still apply each event once: the one that loses the race retries with ON CONFLICT."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.db import make_engine, make_session_factory
from libs.chassis.inbox import apply_once
from libs.contracts.envelope import Envelope, new_envelope
from libs.contracts.incidents import IncidentVoided

CONSUMER = "analytics.test_inbox_claims"


def voided(n: int) -> list[Envelope]:
    return [
        new_envelope(
            IncidentVoided(
                incident_id=uuid4(),
                station_id="AJ-01-S1",
                reason_code="DUPLICATE",
                voided_at=datetime.now(UTC),
            ),
            source="jisr/incidents",
        )
        for _ in range(n)
    ]


async def test_a_redelivered_batch_is_applied_once(platform):
    await platform.migrate("analytics")
    engine = make_engine(platform.settings.database_url, "analytics")
    sessions = make_session_factory(engine)
    applied: list[Envelope] = []

    async def project(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        applied.extend(envelopes)

    batch = voided(5)
    try:
        assert await apply_once(sessions, CONSUMER, batch[:3], project) == (3, 0)
        # redelivered with two new ones, and one of them twice in the batch
        assert await apply_once(sessions, CONSUMER, [*batch, batch[4]], project) == (2, 4)
    finally:
        await engine.dispose()
    assert [e.id for e in applied] == [e.id for e in batch]


async def test_two_transactions_claiming_the_same_events_apply_them_once(platform):
    await platform.migrate("analytics")
    engine = make_engine(platform.settings.database_url, "analytics")
    sessions = make_session_factory(engine)
    batch = voided(4)
    applied: list[str] = []
    first_claimed = asyncio.Event()
    release_first = asyncio.Event()

    async def slow(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        applied.extend("first" for _ in envelopes)
        first_claimed.set()
        await release_first.wait()  # its inbox rows are written, not yet committed

    async def quick(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        applied.extend("second" for _ in envelopes)

    try:
        first = asyncio.create_task(apply_once(sessions, CONSUMER, batch, slow))
        await first_claimed.wait()
        # The second sees none of the first's uncommitted rows, so it inserts them all and
        # waits on the first's; when the first commits, it has raced and claims again.
        second = asyncio.create_task(apply_once(sessions, CONSUMER, batch[1:], quick))
        await asyncio.sleep(0.5)
        assert not second.done()
        release_first.set()
        assert await first == (4, 0)
        assert await asyncio.wait_for(second, 10) == (0, 3)
    finally:
        await engine.dispose()
    assert applied == ["first"] * 4
    rows = await platform.scalar(
        "analytics", "SELECT count(*) FROM inbox WHERE consumer = $1", CONSUMER
    )
    assert rows == 4
