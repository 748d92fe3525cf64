"""Event consumers: batch delivery, idempotent apply, bounded retries, dead letters.

FastStream's Kafka default acknowledges before processing (at-most-once). Every jisr consumer
uses AckPolicy.MANUAL and commits offsets only after the inbox transaction committed, giving
at-least-once delivery with exactly-once effect.

Failure handling, per record:
- not a valid jisr CloudEvent: retrying cannot help, it goes to the dead-letter topic at once;
- the projection raises: retried with exponential backoff (bounded), then dead-lettered, and
  the consumer moves on;
- the database is unreachable: nothing is acked; the batch is rewound and retried later, so an
  outage delays events and never dead-letters them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.contracts.catalogue import CATALOGUE
from libs.contracts.envelope import Envelope, EnvelopeError, decode, header_map
from libs.contracts.topics import dead_letter_topic

from . import metrics
from .db import is_transient
from .inbox import Apply, apply_once
from .settings import Settings
from .telemetry import consumer_span

log = logging.getLogger(__name__)
#: records per inbox transaction: a delivered batch (JISR_CONSUMER_BATCH_SIZE) is applied in
#: chunks of this size, each decoded while the database works on the one before
APPLY_CHUNK = 500
#: records decoded between two turns of the event loop (~1 ms of work)
DECODE_SLICE = 50


@dataclass(frozen=True)
class ConsumerSpec:
    """What a service declares: a name, the registry topics it reads, its projection."""

    name: str
    topics: tuple[str, ...]
    apply: Apply


class TransientError(Exception):
    """The database is unreachable: retry the whole batch later, do not dead-letter."""


async def _raw_body(msg: object) -> bytes:
    # Decoding happens in the consumer (decode()); FastStream must not json-parse a poison body.
    body: bytes = msg.body  # type: ignore[attr-defined]
    return body


class EventConsumer:
    def __init__(
        self,
        *,
        service: str,
        spec: ConsumerSpec,
        sessions: async_sessionmaker[AsyncSession],
        broker: KafkaBroker,
        settings: Settings,
        after_apply: Callable[[Sequence[Envelope]], Awaitable[None]] | None = None,
    ) -> None:
        self.service = service
        self.spec = spec
        self.sessions = sessions
        self.broker = broker
        self.settings = settings
        self.consumer = f"{service}.{spec.name}"
        self.dlq = settings.topic(dead_letter_topic(service))
        # Fault-injection seam for tests: runs after the inbox commit, before the offset commit.
        self.after_apply = after_apply

    def register(self) -> None:
        subscriber = self.broker.subscriber(
            *(self.settings.topic(t) for t in self.spec.topics),
            group_id=f"jisr.{self.consumer}",
            batch=True,
            max_records=self.settings.consumer_batch_size,
            batch_timeout_ms=100,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            decoder=_raw_body,
            session_timeout_ms=self.settings.consumer_session_timeout_ms,
            heartbeat_interval_ms=self.settings.consumer_heartbeat_ms,
            max_poll_interval_ms=300_000,
        )
        subscriber(self.handle)

    async def handle(self, msg: KafkaMessage) -> None:
        raw = msg.raw_message
        records: tuple[ConsumerRecord, ...] = raw if isinstance(raw, tuple) else (raw,)
        try:
            await self.process(records)
        except Exception as exc:
            # Never leave a batch un-acked and carry on: the next batch's commit would skip it.
            # Rewind and retry later (database down, dead-letter topic unreachable, ...).
            cause = exc.__cause__ if isinstance(exc, TransientError) else exc
            log.warning(
                "batch not processed; it will be redelivered",
                extra={"consumer": self.consumer, "error": type(cause).__name__},
            )
            await msg.nack()
            await asyncio.sleep(self.settings.consumer_retry_backoff_seconds * 10)
            return
        await msg.ack()

    async def process(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply a delivered batch, APPLY_CHUNK records per inbox transaction, pipelined: the
        next chunk is decoded while the database works on the one before (decoding yields to
        the event loop every DECODE_SLICE records, so the apply's statements go out and the
        readiness and freshness probes are answered meanwhile). Chunks commit in order, so
        per-key order holds; the offsets are committed by `handle` after the last one (a
        redelivery after a crash mid-batch finds the committed chunks in the inbox)."""
        pending: asyncio.Task[None] | None = None
        try:
            for start in range(0, len(records), APPLY_CHUNK):
                decoded = await self._decode(records[start : start + APPLY_CHUNK])
                if pending is not None:
                    await pending
                    pending = None
                if decoded:
                    pending = asyncio.ensure_future(self._apply_chunk(decoded))
            if pending is not None:
                await pending
                pending = None
        finally:
            if pending is not None:  # decoding or dead-lettering failed: nothing runs on
                pending.cancel()
                with contextlib.suppress(BaseException):
                    await pending

    async def _decode(
        self, records: Sequence[ConsumerRecord]
    ) -> list[tuple[ConsumerRecord, Envelope]]:
        envelopes: list[tuple[ConsumerRecord, Envelope]] = []
        for i, record in enumerate(records, 1):
            try:
                envelopes.append((record, decode(record.headers, record.value, CATALOGUE)))
            except EnvelopeError as exc:
                await self.dead_letter(record, exc, attempts=0)
            if i % DECODE_SLICE == 0:
                await asyncio.sleep(0)
        return envelopes

    async def _apply_chunk(self, envelopes: list[tuple[ConsumerRecord, Envelope]]) -> None:
        try:
            await self._apply([env for _, env in envelopes])
        except TransientError:
            raise
        except Exception:
            # Something in the chunk is poison: find it by applying one at a time.
            for record, env in envelopes:
                await self._apply_with_retries(record, env)

    async def _apply(self, envelopes: Sequence[Envelope]) -> None:
        first = envelopes[0]
        with consumer_span(
            f"{self.consumer} apply",
            first.traceparent,
            {"messaging.batch.message_count": len(envelopes), "jisr.consumer": self.consumer},
        ):
            try:
                applied, dupes = await apply_once(
                    self.sessions, self.consumer, envelopes, self.spec.apply
                )
            except Exception as exc:
                if is_transient(exc):
                    raise TransientError() from exc
                raise
        metrics.CONSUMER_EVENTS.labels(self.service, self.consumer, "applied").inc(applied)
        metrics.CONSUMER_EVENTS.labels(self.service, self.consumer, "duplicate").inc(dupes)
        now = datetime.now(UTC)
        lag = metrics.CONSUMER_LAG_SECONDS.labels(self.service, self.consumer)
        for env in envelopes:
            lag.observe(max(0.0, (now - env.time).total_seconds()))
        if self.after_apply is not None:
            await self.after_apply(envelopes)

    async def _apply_with_retries(self, record: ConsumerRecord, env: Envelope) -> None:
        attempts = self.settings.consumer_max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                await self._apply([env])
                return
            except TransientError:
                raise
            except Exception as exc:
                if attempt == attempts:
                    await self.dead_letter(record, exc, attempts=attempt)
                    return
                metrics.CONSUMER_EVENTS.labels(self.service, self.consumer, "retried").inc()
                await asyncio.sleep(
                    self.settings.consumer_retry_backoff_seconds * 2 ** (attempt - 1)
                )

    async def dead_letter(
        self, record: ConsumerRecord, exc: BaseException, *, attempts: int
    ) -> None:
        """Park the record on the dead-letter topic with the error in headers, confirmed."""
        headers = header_map(record.headers or (), errors="replace")
        headers.update(
            {
                "jisr_dlq_consumer": self.consumer,
                "jisr_dlq_error_type": type(exc).__name__,
                "jisr_dlq_error": str(exc)[:2000],
                "jisr_dlq_attempts": str(attempts),
                "jisr_dlq_topic": record.topic,
                "jisr_dlq_partition": str(record.partition),
                "jisr_dlq_offset": str(record.offset),
                "jisr_dlq_at": datetime.now(UTC).isoformat(),
            }
        )
        await self.broker.publish(record.value, self.dlq, key=record.key, headers=headers)
        metrics.CONSUMER_EVENTS.labels(self.service, self.consumer, "dead_lettered").inc()
        log.error(
            "event dead-lettered",
            extra={
                "consumer": self.consumer,
                "ce_id": headers.get("ce_id"),
                "ce_type": headers.get("ce_type"),
                "error_type": type(exc).__name__,
                "topic": record.topic,
                "offset": record.offset,
            },
        )
