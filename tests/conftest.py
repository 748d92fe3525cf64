"""Session infrastructure for the whole suite: real PostgreSQL, real Kafka-protocol broker.

Three tiers of test use it differently:

- domain tests (pure rules, state machines, statistics) use none of it;
- application and repository tests take `rollback`: a session factory on the one shared
  database, every service migrated once per run, inside a transaction rolled back at the end
  of the test (their own `session.begin()` becomes a savepoint), so they cost no database;
- real-commit tests (relay, consumers, end-to-end, faults) take `platform`: a database and a
  topic prefix of their own, services run with their lifespans.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jisr.local_stack import EmbeddedKafka, EmbeddedPostgres, create_database, make_throwaway
from jisr.services import SERVICES, definition
from libs.chassis.db import make_engine
from libs.chassis.migrations import migrate
from tests.support.platform import Infra, make_platform


@pytest.fixture(scope="session")
def infra(tmp_path_factory) -> Infra:
    database_url = os.environ.get("JISR_TEST_DATABASE_URL")
    bootstrap = os.environ.get("JISR_TEST_KAFKA_BOOTSTRAP")
    postgres = broker = None
    home = tmp_path_factory.mktemp("infra")
    if not database_url:
        postgres = EmbeddedPostgres(home / "pgdata", delete_on_stop=True)
        database_url = postgres.start()
        asyncio.run(make_throwaway(database_url))
    if not bootstrap:
        broker = EmbeddedKafka(log=home / "broker.log")
        bootstrap = broker.start()
    yield Infra(database_url, bootstrap, broker)
    if broker:
        broker.stop()
    if postgres:
        postgres.stop()


@pytest.fixture
async def platform(infra):
    return await make_platform(infra)


@pytest.fixture(scope="session")
async def shared_database(infra) -> AsyncIterator[dict[str, AsyncEngine]]:
    """One database for the whole run with every service migrated; one engine per schema."""
    url = await create_database(infra.database_url, f"jisr_shared_{os.getpid()}")
    engines = {}
    for name in SERVICES:
        await migrate(definition(name).migrations_dir, url, name)
        engines[name] = make_engine(url, name, pool_size=2)
    yield engines
    for engine in engines.values():
        await engine.dispose()


@pytest.fixture
async def rollback(shared_database) -> AsyncIterator[Callable[[str], async_sessionmaker]]:
    """`sessions = await rollback("incidents")`: a session factory whose every commit is
    undone when the test ends (one connection, one outer transaction, savepoints inside)."""
    opened = []

    async def sessions_for(service: str) -> async_sessionmaker[AsyncSession]:
        connection = await shared_database[service].connect()
        transaction = await connection.begin()
        opened.append((connection, transaction))
        return async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    yield sessions_for
    for connection, transaction in opened:
        await transaction.rollback()
        await connection.close()
