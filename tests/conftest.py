"""Session infrastructure for the whole suite: real PostgreSQL, real Kafka-protocol broker."""

from __future__ import annotations

import os

import pytest

from jisr.local_stack import EmbeddedKafka, EmbeddedPostgres
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
