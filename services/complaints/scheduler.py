"""The complaints scheduler: statutory clocks, complainant notifications, ledger checkpoints.

It runs in every replica but works in one: the leader holds a PostgreSQL advisory lock on its own
connection (if its process dies the lock goes with it and another replica takes over). The lock
is for efficiency only; exactly-once deadline events rest on the clock_events primary key.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import asyncpg

from libs.chassis import rate_limit
from libs.chassis.db import asyncpg_dsn
from libs.chassis.service import Runtime

from .application.ledger import sign_if_changed
from .config import ComplaintsConfig
from .deadlines import one_pass
from .domain import ledger
from .repositories import leadership
from .vault import vault

log = logging.getLogger(__name__)
LOCK = "jisr.complaints.scheduler"
PURGE_EVERY_SECONDS = 3600


class Scheduler:
    def __init__(self, rt: Runtime, config: ComplaintsConfig) -> None:
        self.rt = rt
        self.config = config
        self.vault = vault(rt.settings)
        self.key = ledger.signing_key(rt.settings.ledger_signing_key)
        self.last_checkpoint = 0.0
        self.last_purge = 0.0

    async def run(self) -> None:
        dsn = asyncpg_dsn(self.rt.settings.service_database_url(self.rt.service))
        while True:
            try:
                conn = await asyncpg.connect(dsn)
                try:
                    await self._lead(conn)
                finally:
                    await conn.close(timeout=2)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database gone: try again
                log.warning("complaints scheduler error", extra={"error": type(exc).__name__})
                await asyncio.sleep(self.config.tick_seconds)

    async def _lead(self, conn: asyncpg.Connection) -> None:
        while not await leadership.try_lead(conn, LOCK):
            await asyncio.sleep(self.config.tick_seconds)
        log.info("complaints scheduler is the leader")
        while True:
            await leadership.still_connected(conn)
            await self.tick(datetime.now(UTC))
            await asyncio.sleep(self.config.tick_seconds)

    async def tick(self, now: datetime) -> None:
        sessions = self.rt.sessions
        await one_pass(sessions, self.vault, self.config, now)
        if time.monotonic() - self.last_checkpoint >= self.config.checkpoint_seconds:
            async with sessions() as session, session.begin():
                await sign_if_changed(session, self.key, now)
            self.last_checkpoint = time.monotonic()
        if time.monotonic() - self.last_purge >= PURGE_EVERY_SECONDS:
            async with sessions() as session, session.begin():
                await rate_limit.purge(session)
                await rate_limit.purge_backoffs(session, self.config.pin_limit.forget_seconds)
            self.last_purge = time.monotonic()
