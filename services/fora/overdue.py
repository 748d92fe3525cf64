"""Overdue actions produce events: a background sweep publishes action.overdue once per action
and due date (rescheduling an action arms it again).

Exactly once, across replicas: the sweep runs under a transaction-level advisory lock, and the
rows it claims are marked (overdue_notified_for = due_on) in the same transaction that stages
their events — a sweep that dies publishes nothing and marks nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime

from .application.follow_up import publish_overdue
from .repositories.locks import try_transaction_lock

log = logging.getLogger(__name__)
LOCK = "jisr.fora.overdue"
SWEEP_SECONDS = 60.0


async def sweep_overdue(sessions: async_sessionmaker[AsyncSession], today: date) -> int:
    """Publish action.overdue for every newly overdue action; returns how many."""

    async def sweep(session: AsyncSession) -> int:
        if not await try_transaction_lock(session, LOCK):
            return 0  # another replica is sweeping
        return await publish_overdue(session, today)

    return await in_transaction(sessions, sweep)


def overdue_job(
    every_seconds: float = SWEEP_SECONDS,
) -> Callable[[Runtime], Coroutine[Any, Any, None]]:
    """The background job for ServiceDefinition(background=...)."""

    async def overdue_actions(rt: Runtime) -> None:
        while True:
            try:
                count = await sweep_overdue(rt.sessions, datetime.now(UTC).date())
                if count:
                    log.info("overdue actions published", extra={"count": count})
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database away: try again next round
                log.warning("overdue sweep failed", extra={"error": type(exc).__name__})
            await asyncio.sleep(every_seconds)

    return overdue_actions
