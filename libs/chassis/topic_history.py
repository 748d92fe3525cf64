"""How much history the topics hold, against what the outboxes retained.

Recovery checks itself with these: `jisr up` replays the outboxes when a (memory-only, fresh)
broker holds less than they retained, and `jisr analytics rebuild` refuses to replace read
models from topics that hold less than the outboxes or the read models.

A topic's record count is taken from its partitions' first offset and true end. The end is
read, not asked: some brokers (the local Tansu) answer the end offsets of a partition short of
its last batch, so the last records are fetched from the reported end onwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from libs.contracts.topics import TOPICS

from .db import asyncpg_dsn
from .kafka import client_security
from .settings import Settings

TAIL_READ_MS = 300
TAIL_BATCHES = 50


@dataclass(frozen=True)
class TopicHistory:
    records: int  # what the topic's partitions hold, first offset to true end
    complete: bool  # every partition still starts at offset 0: nothing was removed by retention


async def topic_record_counts(settings: Settings, topics: Iterable[str]) -> dict[str, int]:
    """Records on each registry topic (prefixed as the settings say); 0 for a missing topic."""
    return {name: h.records for name, h in (await topic_histories(settings, topics)).items()}


async def topic_histories(settings: Settings, topics: Iterable[str]) -> dict[str, TopicHistory]:
    """Each registry topic's records, and whether it still holds everything written to it. A
    complete topic holding fewer events than a consumer applied from it lost its history (a
    broker that keeps topics in memory, restarted), whatever its retention."""
    names = list(topics)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        enable_auto_commit=False,
        request_timeout_ms=10_000,
        **client_security(settings),
    )
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [
            TopicPartition(settings.topic(name), p)
            for name in names
            for p in sorted(consumer.partitions_for_topic(settings.topic(name)) or ())
        ]
        counts = dict.fromkeys(names, 0)
        complete = dict.fromkeys(names, True)
        if not partitions:
            return {name: TopicHistory(0, True) for name in names}
        first = await consumer.beginning_offsets(partitions)
        ends = await _true_ends(consumer, partitions, await consumer.end_offsets(partitions))
        by_name = {settings.topic(name): name for name in names}
        for tp in partitions:
            counts[by_name[tp.topic]] += max(0, ends[tp] - first[tp])
            complete[by_name[tp.topic]] &= first[tp] == 0
        return {name: TopicHistory(counts[name], complete[name]) for name in names}
    finally:
        await consumer.stop()


async def _true_ends(
    consumer: AIOKafkaConsumer,
    partitions: list[TopicPartition],
    reported: dict[TopicPartition, int],
) -> dict[TopicPartition, int]:
    ends = dict(reported)
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, reported[tp])
    for _ in range(TAIL_BATCHES):  # a live producer must not keep the count going for ever
        batch = await consumer.getmany(timeout_ms=TAIL_READ_MS, max_records=10_000)
        if not batch:
            break
        for tp, records in batch.items():
            if records:
                ends[tp] = max(ends[tp], records[-1].offset + 1)
    return ends


async def outbox_counts(
    settings: Settings, service: str, *, published_only: bool
) -> dict[str, int]:
    """Retained outbox rows of a service per registry topic (unprefixed names)."""
    conn = await asyncpg.connect(
        asyncpg_dsn(settings.service_database_url(service)),
        server_settings={"search_path": service, "application_name": f"jisr-{service}-history"},
        timeout=10,
    )
    try:
        rows = await conn.fetch(
            "SELECT topic, count(*) AS n FROM outbox"
            " WHERE $1::boolean IS FALSE OR published_at IS NOT NULL GROUP BY topic",
            published_only,
        )
    finally:
        await conn.close()
    return {row["topic"]: int(row["n"]) for row in rows}


def produced_by(service: str) -> list[str]:
    return [t.name for t in TOPICS if t.producer == service]


async def missing_history(settings: Settings, service: str) -> dict[str, tuple[int, int]]:
    """The service's topics that hold fewer records than its outbox retained as published:
    {topic: (records on the topic, published rows retained)}."""
    retained = await outbox_counts(settings, service, published_only=True)
    on_topics = await topic_record_counts(settings, produced_by(service))
    return {
        topic: (on_topics.get(topic, 0), rows)
        for topic, rows in retained.items()
        if on_topics.get(topic, 0) < rows
    }
