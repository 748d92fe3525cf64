"""Keeps the freshness block current while analytics runs (a background job of the service).

Every LAG_SECONDS: consumer lag per topic (libs.chassis.readiness.group_lag, asked of the broker
for analytics' groups, so it is known right after a restart, before the consumers are assigned
their partitions) and the latest event applied per topic (the freshness table). Every
HISTORY_SECONDS: what the topics hold against what analytics applied and, where analytics can
read them (one database server, as locally), what the producers' outboxes retained.

Pages read the last block without waiting (`block`); it is never older than a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from libs.chassis.readiness import group_lag
from libs.chassis.service import Runtime
from libs.chassis.topic_history import TopicHistory, outbox_counts, topic_histories
from libs.contracts.topics import topic_named

from ..consumers import CONSUMERS
from ..domain.freshness import TopicState, assess, unknown
from . import repository

log = logging.getLogger(__name__)
LAG_SECONDS = 2.0
HISTORY_SECONDS = 15.0
HISTORY_TIMEOUT_SECONDS = 10.0


class Watch:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.block: dict[str, Any] = unknown(rt.settings.freshness_max_lag)
        self.histories: dict[str, TopicHistory] = {}
        self.retained: dict[str, int | None] = {}
        self.applied_checked: dict[str, int] = {}
        self._history_at = -HISTORY_SECONDS

    async def refresh(self) -> None:
        settings = self.rt.settings
        topics = [t for spec in CONSUMERS for t in spec.topics]
        groups = {
            f"jisr.{self.rt.service}.{spec.name}": [settings.topic(t) for t in spec.topics]
            for spec in CONSUMERS
        }
        lag = await group_lag(settings, groups)
        async with self.rt.sessions() as session:
            applied = await repository.applied_times(session)
        if time.monotonic() - self._history_at >= HISTORY_SECONDS:
            await self._check_history(topics, {t: n for t, (_, n) in applied.items()})
        states = []
        for name in topics:
            as_of, count = applied.get(name, (None, 0))
            history = self.histories.get(name)
            states.append(
                TopicState(
                    topic=name,
                    producer=topic_named(name).producer,
                    as_of=as_of,
                    applied=count,
                    lag=lag.get(name),
                    on_broker=history.records if history else None,
                    complete=history.complete if history else False,
                    retained=self.retained.get(name),
                    applied_checked=self.applied_checked.get(name),
                )
            )
        self.block = assess(states, settings.freshness_max_lag, datetime.now(UTC))

    async def _check_history(self, topics: list[str], applied: dict[str, int]) -> None:
        """The broker is counted last: what the outboxes had published and analytics had
        applied before it was counted is on it, so events flowing meanwhile never read as
        history lost (counting the broker first did, on every busy local stack)."""
        self._history_at = time.monotonic()
        settings = self.rt.settings
        retained: dict[str, int | None] = {}
        for producer in {topic_named(t).producer for t in topics}:
            try:
                async with asyncio.timeout(2.0):
                    rows = await outbox_counts(settings, producer, published_only=True)
            except Exception:  # another service's database is not ours to read (production)
                rows = None
            for name in topics:
                if topic_named(name).producer == producer:
                    retained[name] = None if rows is None else rows.get(name, 0)
        try:
            async with asyncio.timeout(HISTORY_TIMEOUT_SECONDS):
                histories = await topic_histories(settings, topics)
        except Exception:  # the broker does not answer: keep what we knew
            return
        self.histories, self.retained, self.applied_checked = histories, retained, applied


def watch_of(rt: Runtime) -> Watch:
    """The runtime's watch (made on first use: pages may ask before the job has started)."""
    existing: Watch | None = getattr(rt, "freshness_watch", None)
    if existing is None:
        existing = Watch(rt)
        rt.freshness_watch = existing  # type: ignore[attr-defined]
    return existing


async def watch_freshness(rt: Runtime) -> None:
    """The background job: refresh, forever, until the service stops."""
    watch = watch_of(rt)
    while True:
        try:
            await watch.refresh()
        except Exception as exc:  # the database or broker away: the last block stands
            log.warning("freshness not refreshed", extra={"error": type(exc).__name__})
        await asyncio.sleep(LAG_SECONDS)
