"""Overdue actions produce events: a background sweep publishes action.overdue once per action
and due date (rescheduling an action arms it again).

Exactly once, across replicas: the sweep runs under a transaction-level advisory lock, and the
rows it claims are marked (overdue_notified_for = due_on) in the same transaction that stages
their events — a sweep that dies publishes nothing and marks nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime

from sqlalchemy import or_, text, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from libs.chassis.service import Runtime
from libs.contracts.fora import ActionOverdue

from .domain.follow_up import OPEN_STATUSES
from .events import publish
from .health_store import refresh_health
from .tables import actions

log = logging.getLogger(__name__)
LOCK = "jisr.fora.overdue"
SWEEP_SECONDS = 60.0


async def sweep_overdue(sessions: async_sessionmaker, today: date) -> int:
    """Publish action.overdue for every newly overdue action; returns how many."""
    async with sessions() as session, session.begin():
        if not await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtext(:lock))"), {"lock": LOCK}
        ):
            return 0  # another replica is sweeping
        rows = (
            await session.execute(
                update(actions)
                .where(
                    actions.c.status.in_(OPEN_STATUSES),
                    actions.c.due_on < today,
                    or_(
                        actions.c.overdue_notified_for.is_(None),
                        actions.c.overdue_notified_for != actions.c.due_on,
                    ),
                )
                .values(overdue_notified_for=actions.c.due_on)
                .returning(actions)
            )
        ).all()
        await publish(
            session,
            *(
                ActionOverdue(
                    forum_id=r.forum_id, action_id=r.action_id, concern_id=r.concern_id,
                    status=r.status, due_on=r.due_on, detected_on=today,
                    days_overdue=(today - r.due_on).days,
                )
                for r in rows
            ),
        )  # fmt: skip
        for forum_id, due_on in {(r.forum_id, r.due_on) for r in rows}:
            await refresh_health(session, forum_id, due_on, today)
    return len(rows)


def overdue_job(every_seconds: float = SWEEP_SECONDS):
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
