"""The four services on one database of their own, run once per module (real PostgreSQL and
broker, lifespans included), for the hardening tests that send each of them hostile input."""

from __future__ import annotations

import contextlib

import pytest

from jisr.services import SERVICES
from tests.support.platform import make_platform


@pytest.fixture(scope="module")
async def stack(infra):
    """(platform, {service: client}) with every service migrated and running."""
    platform = await make_platform(infra)
    await platform.migrate(*SERVICES)
    async with contextlib.AsyncExitStack() as running:
        clients = {name: await running.enter_async_context(platform.run(name)) for name in SERVICES}
        yield platform, clients
