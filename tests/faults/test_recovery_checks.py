"""Recovery that checks itself: the outbox replay retries broker errors and never races the
live relay; the analytics rebuild refuses topics that hold less than the read models or the
outboxes, and rolls back when what it replayed comes out short."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError

from libs.chassis.db import asyncpg_dsn
from libs.chassis.kafka import make_producer, send_record
from libs.chassis.outbox import replay
from libs.chassis.settings import SERVICES
from libs.contracts.topics import INCIDENTS_RECORDED
from tests.faults.test_replay import UNPUBLISHED, new_cluster
from tests.support.cli import run_cli
from tests.support.incidents import equals, facts, post_incidents
from tests.support.platform import eventually


async def _published(platform, incidents, n: int) -> None:
    await post_incidents(platform, incidents, n)
    await eventually(lambda: equals(platform.scalar("incidents", UNPUBLISHED), 0))


async def test_replay_retries_transient_broker_errors(platform):
    await platform.migrate("incidents")
    async with platform.run("incidents") as incidents:
        await _published(platform, incidents, 6)
    rebuilt = await new_cluster(platform)
    producer = make_producer(rebuilt.settings, "test-flaky-replay")
    await producer.start()
    failures = {"left": 3}

    async def flaky(topic, key, value, headers):
        if failures["left"]:
            failures["left"] -= 1
            raise KafkaConnectionError("broker went away for a moment")
        return await send_record(producer, topic, key, value, headers)

    conn = await asyncpg.connect(
        asyncpg_dsn(platform.settings.database_url), server_settings={"search_path": "incidents"}
    )
    seen: list[tuple[int, int]] = []
    try:
        sent = await replay(
            conn,
            flaky,
            rebuilt.settings.topic,
            service="incidents",
            batch_size=4,
            progress=lambda done, total: seen.append((done, total)),
            retry_pause=0.01,
        )
    finally:
        await conn.close()
        await producer.stop()
    assert sent == 6
    assert failures["left"] == 0
    assert seen == [(0, 6), (4, 6), (6, 6)]
    records = await rebuilt.topic_records(INCIDENTS_RECORDED.name, expected=6, distinct=True)
    assert len(records) == 6


async def test_replay_beside_the_live_relay_neither_fails_nor_loses_a_row(platform):
    await platform.migrate("incidents")
    async with platform.run("incidents") as incidents:
        await _published(platform, incidents, 40)
        # The live relay keeps publishing new writes while the CLI replays the retained ones.
        writing = asyncio.create_task(post_incidents(platform, incidents, 60))
        out = await run_cli(platform, "outbox", "replay", "--service", "incidents")
        await writing
        await eventually(lambda: equals(platform.scalar("incidents", UNPUBLISHED), 0))
    assert "replayed" in out and "events from incidents's outbox" in out
    total = await platform.scalar("incidents", "SELECT count(*) FROM outbox")
    assert total == 100
    records = await platform.topic_records(INCIDENTS_RECORDED.name, total, distinct=True)
    assert len(records) == total


@pytest.mark.slow
async def test_rebuild_refuses_topics_holding_less_than_the_read_models(platform):
    await platform.migrate(*SERVICES)  # the rebuild counts every producer's outbox
    async with platform.run("incidents") as incidents, platform.run("analytics"):
        await _published(platform, incidents, 5)
        await eventually(lambda: equals(facts(platform), 5))
    rebuilt = await new_cluster(platform)  # the broker was lost: its topics are empty

    refusal = await run_cli(rebuilt, "analytics", "rebuild", expect=2)
    assert "refusing to rebuild" in refusal
    assert "hold 0 events" in refusal and "retained 5" in refusal
    assert "--force" in refusal
    assert await facts(platform) == 5  # nothing was emptied

    await run_cli(rebuilt, "outbox", "replay", "--service", "incidents")
    out = await run_cli(rebuilt, "analytics", "rebuild")
    assert "analytics read models rebuilt" in out
    assert await facts(platform) == 5


@pytest.mark.slow
async def test_rebuild_rolls_back_when_the_replayed_events_come_out_short(platform):
    await platform.migrate(*SERVICES)
    async with platform.run("incidents") as incidents, platform.run("analytics"):
        await _published(platform, incidents, 4)
        await eventually(lambda: equals(facts(platform), 4))
    rebuilt = await new_cluster(platform)
    # Enough records to pass the count check, but each event twice and half the events gone.
    newest = await platform.sql("incidents", "SELECT created_at FROM outbox ORDER BY id")
    since = newest[2]["created_at"].isoformat()
    for _ in range(2):
        await run_cli(rebuilt, "outbox", "replay", "--service", "incidents", "--since", since)

    refusal = await run_cli(rebuilt, "analytics", "rebuild", expect=2)
    assert "2 events replayed, the read models were made of 4" in refusal
    assert "rolled back" in refusal
    assert await facts(platform) == 4

    forced = await run_cli(rebuilt, "analytics", "rebuild", "--force")
    assert "analytics read models rebuilt" in forced
    assert await facts(platform) == 2  # what the operator asked for
