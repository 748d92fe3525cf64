"""Recovery tools: rebuild topics from the outbox, send dead letters back after a fix."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from libs.chassis.dead_letters import read_dead_letters, replay_dead_letters
from libs.chassis.kafka import ensure_topics
from libs.chassis.outbox import replay_outbox
from libs.contracts.topics import INCIDENTS_RECORDED
from tests.support.cli import run_cli
from tests.support.incidents import (
    consumer_events,
    equals,
    facts,
    picky_analytics,
    post_around_a_rejected_one,
    post_incidents,
)
from tests.support.platform import Platform, eventually

UNPUBLISHED = "SELECT count(*) FROM outbox WHERE published_at IS NULL"


async def new_cluster(platform: Platform) -> Platform:
    """The same databases, an empty "cluster": a fresh topic prefix with no records."""
    prefix = platform.settings.topic_prefix.rstrip(".") + "-rebuilt."
    rebuilt = Platform(platform.settings.model_copy(update={"topic_prefix": prefix}))
    await ensure_topics(rebuilt.settings)
    return rebuilt


async def test_topics_are_rebuilt_from_the_outbox_after_losing_the_broker(platform):
    await platform.migrate("incidents", "analytics")
    async with platform.run("incidents") as incidents:
        await post_incidents(platform, incidents, 5)
        await eventually(lambda: equals(platform.scalar("incidents", UNPUBLISHED), 0))
    staged = await platform.scalar("incidents", "SELECT count(*) FROM outbox")
    assert staged == 5

    # The cluster is lost before analytics read anything; the new one has empty topics.
    rebuilt = await new_cluster(platform)
    assert await rebuilt.topic_records(INCIDENTS_RECORDED.name, expected=1, timeout=2) == []

    assert await replay_outbox(rebuilt.settings, "incidents") == 5
    assert len(await rebuilt.topic_records(INCIDENTS_RECORDED.name, expected=5)) == 5
    assert await platform.scalar("incidents", UNPUBLISHED) == 0

    async with rebuilt.run("analytics"):
        await eventually(lambda: equals(facts(rebuilt), 5))

        # Replaying again redelivers all five: the inbox absorbs them as duplicates.
        duplicates_before = consumer_events("duplicate")
        assert await replay_outbox(rebuilt.settings, "incidents") == 5
        await eventually(
            lambda: asyncio.sleep(0, consumer_events("duplicate") - duplicates_before >= 5)
        )
        assert await facts(rebuilt) == 5
        assert await rebuilt.scalar("analytics", "SELECT count(*) FROM inbox") == 5
    assert len(await rebuilt.topic_records(INCIDENTS_RECORDED.name, expected=10)) == 10

    # --since: nothing was created after this.
    later = datetime.fromisoformat("2999-01-01T00:00:00+00:00")
    assert await replay_outbox(rebuilt.settings, "incidents", since=later) == 0


async def test_outbox_replay_cli(platform):
    await platform.migrate("incidents")
    async with platform.run("incidents") as incidents:
        await post_incidents(platform, incidents, 3)
        await eventually(lambda: equals(platform.scalar("incidents", UNPUBLISHED), 0))
    rebuilt = await new_cluster(platform)

    out = await run_cli(rebuilt, "outbox", "replay", "--service", "incidents")
    assert "replayed 3 events from incidents's outbox" in out
    out = await run_cli(
        rebuilt,
        "outbox",
        "replay",
        "--service",
        "incidents",
        "--topic",
        INCIDENTS_RECORDED.name,
        "--since",
        "2999-01-01T00:00:00Z",
    )
    assert "replayed 0 events from incidents's outbox" in out
    assert len(await rebuilt.topic_records(INCIDENTS_RECORDED.name, expected=3)) == 3


async def test_dead_letters_are_listed_and_replayed_after_the_fix(platform):
    await platform.migrate("incidents", "analytics")

    picky = picky_analytics()
    assert await read_dead_letters(platform.settings, "analytics") == []
    async with platform.run("incidents") as incidents:
        await post_around_a_rejected_one(platform, incidents, before=2, after=1)
        async with platform.run(picky):
            await eventually(lambda: equals(facts(platform), 3))
            await eventually(lambda: read_dead_letters(platform.settings, "analytics"))

    [dead] = await read_dead_letters(platform.settings, "analytics")
    assert dead.offset == 0
    assert dead.error_type == "ValueError"
    assert dead.error == "projection rejects this station"
    assert dead.original_topic == platform.settings.topic(INCIDENTS_RECORDED.name)
    assert dead.attempts == platform.settings.consumer_max_retries + 1
    assert dead.ce_type == "jisr.incident.recorded.v1"
    assert dead.at is not None
    assert b"MA-01-S1" in (dead.value or b"")
    assert not any(k.startswith("jisr_dlq_") for k in dead.original_headers)
    assert await read_dead_letters(platform.settings, "analytics", limit=1) == [dead]
    with pytest.raises(LookupError, match="offset"):
        await replay_dead_letters(platform.settings, "analytics", offsets=[0, 7])

    listing = await run_cli(platform, "dlq", "list", "--service", "analytics")
    [line] = listing.strip().splitlines()
    assert line.startswith("0  jisr.incident.recorded.v1  ")
    assert dead.ce_id in line
    assert "ValueError: projection rejects this station" in line

    # The projection is fixed (the normal definition); send the dead letter back.
    async with platform.run("analytics"):
        assert await replay_dead_letters(platform.settings, "analytics") == 1
        await eventually(lambda: equals(facts(platform), 4))
        stations = await platform.sql("analytics", "SELECT station_id FROM incident_facts")
        assert "MA-01-S1" in {r["station_id"] for r in stations}
        assert await platform.scalar("analytics", "SELECT count(*) FROM inbox") == 4

        # Replaying it again (by offset, through the CLI) changes nothing: the inbox has it.
        duplicates_before = consumer_events("duplicate")
        out = await run_cli(platform, "dlq", "replay", "--service", "analytics", "--offset", "0")
        assert "replayed 1 dead letters" in out
        await eventually(lambda: asyncio.sleep(0, consumer_events("duplicate") > duplicates_before))
        assert await facts(platform) == 4

    # The dead-letter topic is append-only: the record is still listed after the replays.
    assert [d.offset for d in await read_dead_letters(platform.settings, "analytics")] == [0]
    replayed = await platform.topic_records(INCIDENTS_RECORDED.name, expected=6)
    assert len(replayed) == 6  # 4 originals + 2 replays of the dead letter
