"""Consumers under faults: a crash before the ack, poison messages, a paused broker."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest
from aiokafka import AIOKafkaProducer

from libs.contracts.envelope import header_map
from libs.contracts.topics import INCIDENTS_RECORDED, dead_letter_topic
from tests.faults.crashing_analytics import CRASH_EXIT_CODE
from tests.support.incidents import (
    consumer_events,
    equals,
    facts,
    picky_analytics,
    post_around_a_rejected_one,
    post_incidents,
)
from tests.support.platform import eventually


async def test_crash_after_apply_before_ack_applies_once(platform):
    await platform.migrate("incidents", "analytics")
    async with platform.run("incidents") as incidents:
        await post_incidents(platform, incidents, 1)
        # asyncio, not subprocess.run: the in-process relay must keep publishing meanwhile.
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.faults.crashing_analytics",
            env=platform.env(),
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(child.communicate(), timeout=120)
        assert child.returncode == CRASH_EXIT_CODE, stderr.decode()[-2000:]
        assert await facts(platform) == 1  # applied and committed before the crash

        duplicates_before = consumer_events("duplicate")
        async with platform.run("analytics"):
            # The offset was never committed, so the event comes again; the inbox skips it.
            await eventually(
                lambda: asyncio.sleep(0, consumer_events("duplicate") > duplicates_before)
            )
            await post_incidents(platform, incidents, 1)
            await eventually(lambda: equals(facts(platform), 2))
        assert await facts(platform) == 2
        assert await platform.scalar("analytics", "SELECT count(*) FROM inbox") == 2


async def test_malformed_events_go_to_dead_letter_and_consumer_goes_on(platform):
    await platform.migrate("incidents", "analytics")
    settings = platform.settings
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    topic = settings.topic(INCIDENTS_RECORDED.name)
    ce = [
        ("ce_id", b"0190a6b0-0000-7000-8000-000000000001"),
        ("ce_type", b"jisr.incident.recorded.v1"),
        ("ce_source", b"jisr/test"),
        ("ce_time", b"2026-11-20T10:00:00+00:00"),
    ]
    await producer.send_and_wait(topic, b"{not json", key=b"a", headers=ce)
    await producer.send_and_wait(topic, b'{"incident_id": 1}', key=b"b", headers=[])
    await producer.stop()

    async with platform.run("incidents") as incidents, platform.run("analytics"):
        await post_incidents(platform, incidents, 1)
        await eventually(lambda: equals(facts(platform), 1))

    dead = await platform.topic_records(dead_letter_topic("analytics"), expected=2)
    assert sorted(r.value for r in dead) == [b'{"incident_id": 1}', b"{not json"]
    for record in dead:
        headers = header_map(record.headers)
        assert headers["jisr_dlq_consumer"] == "analytics.incidents"
        assert headers["jisr_dlq_error_type"] == "EnvelopeError"
        assert headers["jisr_dlq_topic"] == topic
    reasons = sorted(header_map(r.headers)["jisr_dlq_error"] for r in dead)
    assert "invalid jisr.incident.recorded.v1 data" in reasons[0]
    assert "missing CloudEvents headers" in reasons[1]


async def test_projection_failure_is_retried_then_dead_lettered(platform):
    """An event the projection keeps rejecting is retried (bounded), parked, and skipped."""
    await platform.migrate("incidents", "analytics")
    attempts: list[str] = []

    picky = picky_analytics(attempts)
    async with platform.run("incidents") as incidents:
        await post_around_a_rejected_one(platform, incidents, before=2, after=2)
        async with platform.run(picky):
            await eventually(lambda: equals(facts(platform), 4))
            [dead] = await platform.topic_records(dead_letter_topic("analytics"), expected=1)
    headers = header_map(dead.headers)
    retries = platform.settings.consumer_max_retries
    assert headers["jisr_dlq_attempts"] == str(retries + 1)
    assert headers["jisr_dlq_error_type"] == "ValueError"
    assert b"MA-01-S1" in dead.value
    # one failed batch attempt, then 1 + max_retries single attempts
    assert len(attempts) == retries + 2


async def test_broker_pause_delays_events_and_loses_none(platform, infra):
    if infra.broker is None:
        pytest.skip("needs the embedded broker: JISR_TEST_KAFKA_BOOTSTRAP points elsewhere")
    await platform.migrate("incidents", "analytics")
    async with platform.run("incidents") as incidents, platform.run("analytics"):
        await post_incidents(platform, incidents, 1)
        await eventually(lambda: equals(facts(platform), 1))  # consumer is live

        infra.broker.pause()
        paused_at = time.monotonic()
        try:
            await post_incidents(platform, incidents, 200)
            ready = (await incidents.get("/readyz")).json()
            assert ready["database"] == "ok"
            assert ready["outbox"]["unpublished"] > 0
            await asyncio.sleep(max(0.0, 10 - (time.monotonic() - paused_at)))
            assert await facts(platform) == 1  # nothing got through the paused broker
        finally:
            infra.broker.resume()

        await eventually(lambda: equals(facts(platform), 201), timeout=120)
        await asyncio.sleep(2)  # any late duplicate would show up now
        assert await facts(platform) == 201
        assert await platform.scalar("analytics", "SELECT count(*) FROM inbox") == 201
        unpublished = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        assert await platform.scalar("incidents", unpublished) == 0
