"""A station's POST stages its event without a NOTIFY (it would serialize the commits) and
tells the relay after its commit: the relay of its own process at once, another replica's
by NOTIFYs sent one at a time."""

from __future__ import annotations

import asyncio
import time

import asyncpg

from libs.chassis.db import asyncpg_dsn, make_engine
from libs.chassis.outbox import OutboxRelay, channel, notify_relay
from libs.contracts.topics import INCIDENTS_RECORDED
from tests.support.incidents import post_incidents
from tests.support.platform import eventually, make_platform


async def test_a_posted_incident_is_published_at_once_not_at_the_next_poll(infra):
    # The relay polls every 60 s here: only the in-process wake can publish within seconds.
    platform = await make_platform(infra, outbox_poll_seconds=60)
    await platform.migrate("incidents")
    async with platform.run("incidents") as incidents:
        relay = incidents.app.state.runtime.relay  # type: ignore[attr-defined]
        await eventually(lambda: relay.state.leader)
        await asyncio.sleep(0.5)  # its first look at the outbox is over: it waits now
        started = time.monotonic()
        await post_incidents(platform, incidents, 3)
        records = await platform.topic_records(INCIDENTS_RECORDED.name, 3, timeout=10)
        took = time.monotonic() - started
    assert len(records) == 3
    assert took < 10
    unpublished = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
    assert await platform.scalar("incidents", unpublished) == 0


async def test_another_replicas_relay_is_notified_once_per_notify_in_flight(platform):
    await platform.migrate("incidents")
    engine = make_engine(platform.settings.database_url, "incidents")
    listener = await asyncpg.connect(asyncpg_dsn(platform.settings.database_url))
    heard: list[str] = []
    await listener.add_listener(channel("incidents"), lambda *args: heard.append(args[2]))
    entered, release = asyncio.Event(), asyncio.Event()

    async def notify() -> None:
        entered.set()
        await release.wait()
        await notify_relay(engine, "incidents")

    # Never run: it does not lead, as on a replica whose relay lost the lock to another.
    relay = OutboxRelay(
        service="incidents",
        dsn=asyncpg_dsn(platform.settings.database_url),
        publish=None,  # type: ignore[arg-type]
        topic_name=platform.settings.topic,
        notify=notify,
    )
    try:
        for _ in range(100):
            relay.committed()
        await entered.wait()  # one NOTIFY in flight, covering those 100
        for _ in range(100):
            relay.committed()  # noticed while it is in flight: one more NOTIFY after it
        release.set()
        await eventually(lambda: len(heard) >= 2, timeout=10)
        await asyncio.sleep(0.3)
        assert len(heard) == 2
        assert relay._notifying is not None and relay._notifying.done()

        relay.committed()  # a commit after a quiet moment is told too
        await eventually(lambda: len(heard) == 3, timeout=10)
    finally:
        await listener.close()
        await engine.dispose()
