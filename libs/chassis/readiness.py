"""What /readyz asks the broker, bounded and cached.

A frozen broker keeps its TCP connections open and answers nothing, so the clients' own state
(a producer that connected once) says "ok" for as long as their request timeout (30 s). The
probe sends its own metadata request with a short timeout instead, and caches the answer for a
moment so that frequent probes (a load balancer, a kubelet) do not become broker traffic.

Consumer lag per topic is the broker's end of each assigned partition minus the group's
committed offset, from the consumers' own clients (bounded too); None while unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from aiokafka import AIOKafkaClient, TopicPartition
from faststream.kafka import KafkaBroker

from .kafka import client_security
from .settings import Settings

PROBE_TIMEOUT_SECONDS = 2.0
CACHE_SECONDS = 2.0


class BrokerProbe:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: AIOKafkaClient | None = None
        self._checked_at = -CACHE_SECONDS
        self._ok = False
        self._lag: dict[str, int | None] = {}
        self._lock = asyncio.Lock()

    async def check(self, broker: KafkaBroker | None) -> tuple[bool, dict[str, int | None]]:
        """(broker answers, consumer lag per topic), at most CACHE_SECONDS old."""
        async with self._lock:  # concurrent probes share one request
            if time.monotonic() - self._checked_at >= CACHE_SECONDS:
                self._ok = await self._metadata()
                if broker is not None:
                    self._lag = await consumer_lag(broker, self.settings) if self._ok else {}
                self._checked_at = time.monotonic()
            return self._ok, self._lag

    async def _metadata(self) -> bool:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                if self._client is None:
                    self._client = AIOKafkaClient(
                        bootstrap_servers=self.settings.kafka_bootstrap,
                        client_id="jisr-readiness",
                        request_timeout_ms=int(PROBE_TIMEOUT_SECONDS * 1000),
                        **client_security(self.settings),
                    )
                    await self._client.bootstrap()
                return bool(await self._client.fetch_all_metadata())
        except Exception:  # timeout, refused, unknown host: a new client next time
            await self.close()
            return False

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), PROBE_TIMEOUT_SECONDS)


async def consumer_lag(broker: KafkaBroker, settings: Settings) -> dict[str, int | None]:
    """Events not yet committed by this service's consumer groups, per registry topic."""
    lag: dict[str, int | None] = {}
    for subscriber in broker.subscribers:
        consumer: Any = getattr(subscriber, "consumer", None)
        if consumer is None:
            continue
        assigned = sorted(consumer.assignment(), key=lambda p: (p.topic, p.partition))
        behinds = await asyncio.gather(*(_partition_lag(consumer, tp) for tp in assigned))
        for tp, behind in zip(assigned, behinds, strict=True):
            name = _unprefixed(tp.topic, settings)
            if behind is None or lag.get(name, 0) is None:
                lag[name] = None
            else:
                lag[name] = (lag.get(name) or 0) + behind
    return lag


async def _partition_lag(consumer: Any, tp: TopicPartition) -> int | None:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            end: int = (await consumer.end_offsets([tp]))[tp]
            committed: int | None = await consumer.committed(tp)
    except Exception:
        return None
    return max(0, end - (committed or 0))


def _unprefixed(topic: str, settings: Settings) -> str:
    prefix = settings.topic("")
    return topic[len(prefix) :] if prefix and topic.startswith(prefix) else topic
