"""Test harness: real PostgreSQL and a real Kafka-protocol broker, isolated per test.

The session starts one embedded PostgreSQL and one Tansu broker (or uses
JISR_TEST_DATABASE_URL / JISR_TEST_KAFKA_BOOTSTRAP). Each test gets its own database and its
own topic prefix, so tests never see each other's rows or events.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

from jisr.local_stack import create_database
from jisr.services import definition
from libs.chassis.auth import mint_token
from libs.chassis.db import asyncpg_dsn
from libs.chassis.kafka import ensure_topics
from libs.chassis.migrations import migrate
from libs.chassis.service import ServiceDefinition, create_app
from libs.chassis.settings import Settings
from libs.contracts.envelope import header_map

_counter = itertools.count(1)


@dataclass
class Infra:
    database_url: str
    kafka_bootstrap: str
    broker: object | None  # EmbeddedKafka when we started it (fault tests pause it)


@dataclass
class Platform:
    settings: Settings

    def token(self, role: str, station: str | None = None, **claims) -> dict[str, str]:
        token = mint_token(self.settings, role=role, station_id=station, **claims)
        return {"Authorization": f"Bearer {token}"}

    async def migrate(self, *services: str) -> None:
        for name in services:
            await migrate(definition(name).migrations_dir, self.settings.database_url, name)

    @asynccontextmanager
    async def run(
        self,
        service: str | ServiceDefinition,
        *,
        after_apply: Callable[..., Awaitable[None]] | None = None,
    ) -> AsyncIterator[httpx.AsyncClient]:
        """Run a service in this process (lifespan included) and give an HTTP client to it."""
        defn = definition(service) if isinstance(service, str) else service
        app = create_app(defn, self.settings, after_apply=after_apply)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                client.app = app  # type: ignore[attr-defined]
                yield client

    async def sql(self, schema: str, query: str, *args):
        conn = await asyncpg.connect(
            asyncpg_dsn(self.settings.database_url), server_settings={"search_path": schema}
        )
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    async def scalar(self, schema: str, query: str, *args):
        rows = await self.sql(schema, query, *args)
        return rows[0][0] if rows else None

    def env(self) -> dict[str, str]:
        """Environment for a child process that should use this test's database and topics."""
        return os.environ | {
            "JISR_DATABASE_URL": self.settings.database_url,
            "JISR_KAFKA_BOOTSTRAP": self.settings.kafka_bootstrap,
            "JISR_TOPIC_PREFIX": self.settings.topic_prefix,
        }

    async def topic_records(
        self, topic: str, expected: int, timeout: float = 20.0, distinct: bool = False
    ) -> list:
        """Read a whole topic from the beginning until `expected` records or the timeout.

        Delivery is at-least-once: a relay stopped between the broker's ack and marking its rows
        published sends them again from the next leader. With `distinct`, count and return each
        event (by ce_id) once, first delivery kept, as a consumer's inbox would.
        """
        consumer = AIOKafkaConsumer(
            self.settings.topic(topic),
            bootstrap_servers=self.settings.kafka_bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
        )
        await consumer.start()
        records: list = []
        seen: set[str] = set()
        deadline = time.monotonic() + timeout
        try:
            while len(records) < expected and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=500)
                for part in batch.values():
                    for record in part:
                        event_id = header_map(record.headers).get("ce_id") if distinct else None
                        if event_id is not None and event_id in seen:
                            continue
                        seen.add(event_id)
                        records.append(record)
        finally:
            await consumer.stop()
        return records


async def make_platform(infra: Infra, **overrides) -> Platform:
    n = next(_counter)
    database = f"jisr_test_{os.getpid()}_{n}"
    url = await create_database(infra.database_url, database)
    settings = Settings(
        database_url=url,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=f"t{os.getpid()}-{n}.",
        **({"outbox_poll_seconds": 0.2, "consumer_retry_backoff_seconds": 0.05} | overrides),
    )
    await ensure_topics(settings)
    return Platform(settings)


async def eventually(
    check: Callable[[], Awaitable | object], timeout: float = 30.0, every: float = 0.1
):
    """Poll `check` until it returns a truthy value; return it, or fail after `timeout`.
    `check` may be async (a query) or plain (a value in memory)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        await asyncio.sleep(every)
