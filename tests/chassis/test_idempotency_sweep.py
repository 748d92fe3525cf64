"""Idempotency keys are swept after their retention, by every service, in batches."""

from __future__ import annotations

from datetime import timedelta

from libs.chassis import idempotency
from libs.chassis.db import make_engine, make_session_factory
from tests.support.platform import eventually

AGES = {"fresh": timedelta(hours=1), "week-old": timedelta(days=7), "stale": timedelta(days=15)}


async def insert_keys(platform, ages: dict[str, timedelta]) -> None:
    for key, age in ages.items():
        await platform.sql(
            "incidents",
            "INSERT INTO idempotency_keys (scope, key, request_hash, created_at)"
            " VALUES ('station:AM-01-S1', $1, 'h', now() - make_interval(secs => $2))",
            key,
            age.total_seconds(),
        )


async def keys(platform) -> set[str]:
    return {r["key"] for r in await platform.sql("incidents", "SELECT key FROM idempotency_keys")}


async def test_keys_older_than_the_retention_are_deleted(platform):
    await platform.migrate("incidents")
    await insert_keys(platform, AGES)
    engine = make_engine(platform.settings.database_url, "incidents")
    try:
        async with make_session_factory(engine)() as session, session.begin():
            deleted = await idempotency.delete_expired(session)
    finally:
        await engine.dispose()
    assert deleted == 1
    assert await keys(platform) == {"fresh", "week-old"}  # a retry within 14 days still matches


async def test_a_running_service_sweeps_on_start(platform):
    await platform.migrate("incidents")
    await insert_keys(platform, AGES)
    async with platform.run("incidents"):
        await eventually(lambda: _equals(keys(platform), {"fresh", "week-old"}))


async def _equals(awaitable, expected) -> bool:
    return await awaitable == expected
