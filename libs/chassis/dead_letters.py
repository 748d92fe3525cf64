"""Dead-letter topics: list what a service's consumers parked, and send it back.

A consumer parks a record it cannot apply on ``jisr.dlq.<service>`` (see
:meth:`EventConsumer.dead_letter`): the original key, value and headers, plus ``jisr_dlq_*``
headers naming the error, the attempts and the physical topic it came from. Once the cause is
fixed (a projection bug, a missing reference row), :func:`replay_dead_letters` re-publishes the
records to their original topic with their original headers; the consumer's idempotent inbox
makes a replay of something already applied harmless.

The dead-letter topic is append-only: replaying does not remove anything from it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from libs.contracts.envelope import header_map
from libs.contracts.topics import dead_letter_topic

from .kafka import client_security, make_producer, send_record
from .settings import Settings

DLQ_HEADER_PREFIX = "jisr_dlq_"


class DeadLetterTopicMissing(LookupError):
    """The service has no dead-letter topic on this cluster (wrong service or prefix?)."""


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]  # every header of the dead-letter record, jisr_dlq_* included
    original_topic: str  # physical topic (prefix included) the record was consumed from
    error_type: str
    error: str
    attempts: int
    at: datetime | None
    partition: int = field(default=0)

    @property
    def original_headers(self) -> dict[str, str]:
        """The headers the record had on its original topic."""
        return {k: v for k, v in self.headers.items() if not k.startswith(DLQ_HEADER_PREFIX)}

    @property
    def ce_type(self) -> str | None:
        return self.headers.get("ce_type")

    @property
    def ce_id(self) -> str | None:
        return self.headers.get("ce_id")

    @property
    def consumer(self) -> str | None:
        return self.headers.get("jisr_dlq_consumer")


def _parse_time(value: str | None, timestamp_ms: int | None) -> datetime | None:
    if value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    if timestamp_ms is not None and timestamp_ms >= 0:
        return datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    return None


def _to_dead_letter(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    headers = header_map(record.headers or ())
    try:
        attempts = int(headers.get("jisr_dlq_attempts", "0"))
    except ValueError:
        attempts = 0
    return DeadLetter(
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=headers,
        original_topic=headers.get("jisr_dlq_topic", ""),
        error_type=headers.get("jisr_dlq_error_type", ""),
        error=headers.get("jisr_dlq_error", ""),
        attempts=attempts,
        at=_parse_time(headers.get("jisr_dlq_at"), record.timestamp),
        partition=record.partition,
    )


async def read_dead_letters(
    settings: Settings,
    service: str,
    limit: int | None = None,
    *,
    idle_seconds: float = 5.0,
) -> list[DeadLetter]:
    """Read a service's dead-letter topic from the beginning, in offset order.

    No consumer group is used, so nothing is committed and the service's consumers are not
    disturbed. Reading stops at the end offsets taken when it started, after ``limit``
    records, or (a safety net) when no record arrived for ``idle_seconds``.
    """
    topic = settings.topic(dead_letter_topic(service))
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=f"jisr-dlq-reader-{service}",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **client_security(settings),
    )
    await consumer.start()
    try:
        if topic not in await consumer.topics():
            raise DeadLetterTopicMissing(f"dead-letter topic {topic!r} does not exist")
        partitions = sorted(consumer.partitions_for_topic(topic) or ())
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        letters: list[DeadLetter] = []
        last_progress = time.monotonic()

        async def caught_up() -> bool:
            for tp in tps:
                if await consumer.position(tp) < end[tp]:
                    return False
            return True

        while not await caught_up():
            if limit is not None and len(letters) >= limit:
                break
            batch = await consumer.getmany(*tps, timeout_ms=200)
            records = [r for part in batch.values() for r in part]
            if records:
                last_progress = time.monotonic()
            elif time.monotonic() - last_progress > idle_seconds:
                break
            letters.extend(_to_dead_letter(r) for r in records if r.offset < end[_tp(r)])
    finally:
        await consumer.stop()
    letters.sort(key=lambda d: (d.partition, d.offset))
    return letters if limit is None else letters[:limit]


def _tp(record: ConsumerRecord[bytes, bytes]) -> TopicPartition:
    return TopicPartition(record.topic, record.partition)


async def replay_dead_letters(
    settings: Settings, service: str, offsets: Iterable[int] | None = None
) -> int:
    """Re-publish dead letters (all, or those at the given offsets) to their original topics.

    Each record goes back with its original key, value and headers (the ``jisr_dlq_*`` headers
    are stripped), in offset order. Returns how many were published and confirmed.
    Raises LookupError, before publishing anything, if a requested offset is not there.
    """
    letters = await read_dead_letters(settings, service)
    if offsets is not None:
        wanted = set(offsets)
        letters = [d for d in letters if d.offset in wanted]
        missing = wanted - {d.offset for d in letters}
        if missing:
            raise LookupError(
                f"no dead letter at offset(s) {', '.join(map(str, sorted(missing)))}"
                f" in {settings.topic(dead_letter_topic(service))}"
            )
    unroutable = [d.offset for d in letters if not d.original_topic]
    if unroutable:
        raise ValueError(f"dead letters without a jisr_dlq_topic header at offsets {unroutable}")
    if not letters:
        return 0
    producer = make_producer(settings, f"jisr-dlq-replay-{service}")
    await producer.start()
    try:
        futures = [
            await send_record(producer, d.original_topic, d.key, d.value, d.original_headers)
            for d in letters
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(letters)
