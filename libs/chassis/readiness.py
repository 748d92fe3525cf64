"""What /readyz asks the broker, bounded and cached.

A frozen broker keeps its TCP connections open and answers nothing, so the clients' own state
(a producer that connected once) says "ok" for as long as their request timeout (30 s). The
probe sends its own metadata request with a short timeout instead, and caches the answer for a
moment so that frequent probes (a load balancer, a kubelet) do not become broker traffic.

Consumer lag per topic is the broker's end of each of the topic's partitions minus the
group's committed offset (bounded too); None while unknown. It is asked of the broker for the
groups the service declares, not of the consumers' assignments: a service that has just started
(or restarted mid-catch-up) has no assignment yet, and an empty answer then would read as
"nothing to catch up" while a backlog waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiokafka import AIOKafkaClient, AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
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
    groups: dict[str, list[str]] = {}
    for subscriber in broker.subscribers:
        group: str | None = getattr(subscriber, "group_id", None)
        if group:
            groups.setdefault(group, []).extend(getattr(subscriber, "topic_names", ()))
    if not groups:
        return {}
    return await group_lag(settings, groups)


async def group_lag(settings: Settings, groups: dict[str, list[str]]) -> dict[str, int | None]:
    """{registry topic: events on it past its group's committed offsets}, for physical topic
    names per consumer group; a topic whose offsets the broker did not give is None. A group
    that never committed on a partition is behind by all it holds.

    Few round trips, asked at once: every partition's ends and beginnings in one request
    each, every group's committed offsets concurrently. Asked one after another (~20 round
    trips) the answer took longer than its bound whenever the service's event loop was busy
    applying a backlog, so the lag read as not known while analytics caught up."""
    topics = sorted({t for names in groups.values() for t in names})
    lag: dict[str, int | None] = {_unprefixed(t, settings): None for t in topics}
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id="jisr-readiness-lag",
        request_timeout_ms=int(PROBE_TIMEOUT_SECONDS * 1000),
        **client_security(settings),
    )
    ends_reader = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        enable_auto_commit=False,
        request_timeout_ms=int(PROBE_TIMEOUT_SECONDS * 1000),
        **client_security(settings),
    )

    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS * 2):
            await asyncio.gather(admin.start(), ends_reader.start())
            await ends_reader.topics()
            of_group = {
                group: [
                    TopicPartition(name, p)
                    for name in names
                    for p in sorted(ends_reader.partitions_for_topic(name) or ())
                ]
                for group, names in groups.items()
            }
            of_group = {group: parts for group, parts in of_group.items() if parts}
            every = sorted({tp for parts in of_group.values() for tp in parts})
            if not every:
                return lag
            ends, firsts, *answers = await asyncio.gather(
                ends_reader.end_offsets(every),
                ends_reader.beginning_offsets(every),
                *(
                    admin.list_consumer_group_offsets(group, partitions=parts)
                    for group, parts in of_group.items()
                ),
                return_exceptions=True,
            )
            if isinstance(ends, BaseException) or isinstance(firsts, BaseException):
                return lag
            for (_group, partitions), done in zip(of_group.items(), answers, strict=True):
                if isinstance(done, BaseException):  # that group unanswered: its topics None
                    continue
                behind: dict[str, int] = {}  # merged once the whole group answered
                for tp in partitions:
                    at = done.get(tp)
                    offset = at.offset if at is not None and at.offset >= 0 else firsts[tp]
                    name = _unprefixed(tp.topic, settings)
                    behind[name] = behind.get(name, 0) + max(0, ends[tp] - offset)
                for name, events in behind.items():
                    lag[name] = (lag.get(name) or 0) + events
    except Exception:  # timeout, refused, unknown group: what was answered stands
        pass
    finally:
        for client in (ends_reader, admin):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close() if client is admin else client.stop(), 2)
    return lag


def _unprefixed(topic: str, settings: Settings) -> str:
    prefix = settings.topic("")
    return topic[len(prefix) :] if prefix and topic.startswith(prefix) else topic
