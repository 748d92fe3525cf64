"""/readyz tells the truth quickly: a frozen broker within seconds, a database that does not
answer as a 503 within seconds, and how far each consumed topic lags."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from libs.chassis.db import asyncpg_dsn
from libs.contracts.topics import TOPICS
from tests.support.incidents import equals, facts, post_incidents
from tests.support.platform import eventually

FEW_SECONDS = 5.0  # the probe's cache (2 s) and timeout (2 s), and a poll


async def _broker_state(client) -> str:
    return (await client.get("/readyz")).json()["broker"]


async def test_readyz_notices_a_frozen_broker_within_seconds(platform, infra):
    if infra.broker is None:
        pytest.skip("needs the embedded broker: JISR_TEST_KAFKA_BOOTSTRAP points elsewhere")
    await platform.migrate("incidents", "analytics")
    async with platform.run("incidents") as incidents, platform.run("analytics") as analytics:
        await post_incidents(platform, incidents, 3)
        await eventually(lambda: equals(facts(platform), 3))
        await eventually(lambda: equals(_broker_state(analytics), "ok"))

        async def settled_lag():
            body = (await analytics.get("/readyz")).json()
            return body["consumer_lag"] if body["consumer_lag"].get(
                "jisr.incidents.recorded.v1"
            ) == 0 else None

        lag = await eventually(settled_lag, timeout=30)
        consumed = {t.name for t in TOPICS if "analytics" in t.consumers}
        assert set(lag) == consumed
        assert (await incidents.get("/readyz")).json()["consumer_lag"] == {}  # consumes nothing

        infra.broker.pause()
        try:
            frozen_at = time.monotonic()

            async def notice(client) -> float:
                await eventually(lambda: equals(_broker_state(client), "unavailable"), 10)
                return time.monotonic() - frozen_at

            noticed = max(await asyncio.gather(notice(incidents), notice(analytics)))
            started = time.monotonic()
            ready = await analytics.get("/readyz")
            answered = time.monotonic() - started
        finally:
            infra.broker.resume()
        assert noticed < FEW_SECONDS, noticed
        assert answered < 3.0, answered
        assert ready.status_code == 200  # writes still wait in the outbox
        assert ready.json()["database"] == "ok"
        await eventually(lambda: equals(_broker_state(incidents), "ok"), 30)


async def test_readyz_answers_503_quickly_when_the_database_does_not_answer(platform):
    await platform.migrate("incidents")
    async with platform.run("incidents") as incidents:
        assert (await incidents.get("/readyz")).status_code == 200
        # A session that holds the outbox exclusively: readiness' query cannot be answered.
        dsn = asyncpg_dsn(platform.settings.database_url)
        blocker = await asyncpg.connect(dsn, server_settings={"search_path": "incidents"})
        try:
            async with blocker.transaction():
                await blocker.execute("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE")
                started = time.monotonic()
                ready = await incidents.get("/readyz")
                took = time.monotonic() - started
        finally:
            await blocker.close()
        assert ready.status_code == 503
        assert ready.json()["database"] == "unavailable"
        assert took < 4.0, took
        await asyncio.sleep(0)
        assert (await incidents.get("/readyz")).status_code == 200
