"""Transactional outbox.

Writing side: :func:`stage` inserts the event row in the caller's transaction, so the state
change and its event commit together or not at all, and NOTIFYs the relay (delivered on commit).
A hot path that commits many small transactions stages without NOTIFY and calls
:meth:`OutboxRelay.committed` after its commit instead (see there why).

Publishing side: :class:`OutboxRelay` publishes unpublished rows in id order (so in order per
key), marks them published and keeps them for a retention window so topics can be rebuilt by
replay. Only one relay per service is active: it holds a PostgreSQL advisory lock on its own
connection, so if its process dies the lock goes with it and another replica takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from libs.contracts.base import EventModel
from libs.contracts.envelope import Envelope, encode_headers, encode_value, new_envelope
from libs.contracts.topics import record_key, topic_for_event

from . import metrics
from .db import asyncpg_dsn, autocommit_connection, copy_rows
from .kafka import make_producer, send_record
from .settings import Settings
from .telemetry import current_traceparent

log = logging.getLogger(__name__)

# publish(topic, key, value, headers) -> a future that resolves when the broker confirmed.
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable["asyncio.Future[Any]"]]

_COLUMNS = ("event_id", "topic", "key", "event_type", "headers", "payload")


def channel(service: str) -> str:
    return f"jisr_outbox_{service}"


def _record(env: Envelope, key: str) -> tuple[Any, ...]:
    return (
        env.id,
        topic_for_event(env.data.event_type).name,
        key,
        env.type,
        orjson.dumps(encode_headers(env)).decode(),
        encode_value(env.data).decode(),
    )


async def stage(
    session: AsyncSession, service: str, events: Sequence[tuple[Envelope, str]]
) -> None:
    """Add (envelope, key) pairs to the outbox inside the caller's open transaction.

    COPY, not INSERTs: the same transaction at a fraction of the cost for a bulk submission.
    """
    if not events:
        return
    await copy_rows(session, "outbox", _COLUMNS, [_record(env, key) for env, key in events])
    await session.execute(text("SELECT pg_notify(:ch, '')"), {"ch": channel(service)})


async def notify_relay(engine: AsyncEngine, service: str) -> None:
    """One NOTIFY on the service's channel, alone in its transaction (`OutboxRelay.committed`
    when another replica's relay leads)."""
    async with autocommit_connection(engine) as conn:
        await conn.execute("SELECT pg_notify($1, '')", channel(service))


#: the outbox columns a staged row gives, in order (the rest take their defaults)
COLUMNS = _COLUMNS


async def stage_encoded(session: AsyncSession, service: str, lines: Sequence[str]) -> None:
    """`stage` for rows a bulk path encoded itself in batches: COPY text lines of the
    COLUMNS (event_id, topic, key, event_type, headers JSON, payload JSON), the same NOTIFY."""
    if not lines:
        return
    from .uploads import copy_text  # the bulk reader's COPY helper; uploads imports no outbox

    await copy_text(session, "outbox", _COLUMNS, lines)
    await session.execute(text("SELECT pg_notify(:ch, '')"), {"ch": channel(service)})


async def publish(session: AsyncSession, events: Sequence[EventModel]) -> list[Envelope]:
    """The one way a service emits events: stage them in the caller's open transaction.

    Each event is wrapped in a CloudEvents envelope whose source is the topic's producer and
    whose subject and record key are what the topic registry says (`record_key`); all of them
    go in one COPY and one NOTIFY, however many there are. Returns the envelopes (their ids),
    in order, for callers that keep their own copy (the complaints ledger).
    """
    if not events:
        return []
    producers = {topic_for_event(e.event_type).producer for e in events}
    if len(producers) != 1:
        raise ValueError(f"one transaction publishes for one service, not {sorted(producers)}")
    [service] = producers
    traceparent = current_traceparent()
    staged = []
    for event in events:
        key = record_key(event)
        envelope = new_envelope(
            event, source=f"jisr/{service}", subject=key, traceparent=traceparent
        )
        staged.append((envelope, key))
    await stage(session, service, staged)
    return [envelope for envelope, _ in staged]


# Unpublished rows after an id, in id order (so in order per key).
_PENDING = (
    "SELECT id, topic, key, headers, payload FROM outbox"
    " WHERE published_at IS NULL AND id > $1 ORDER BY id LIMIT $2"
)
# Batches the relay sends per hold of the shared replay lock: a replay waits at most this long.
ROUNDS_PER_LOCK = 8


@dataclass
class RelayState:
    leader: bool = False
    broker_ok: bool | None = None  # unknown until the first publish
    last_error: str | None = None
    published: int = 0
    last_publish_at: float | None = None


class OutboxRelay:
    """Publishes a service's outbox. Run :meth:`run` as a task; cancel it to stop."""

    def __init__(
        self,
        *,
        service: str,
        dsn: str,
        publish: Publish,
        topic_name: Callable[[str], str],
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        retention_hours: float = 168.0,
        notify: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.service = service
        self.dsn = dsn
        self.publish = publish
        self.topic_name = topic_name
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retention_hours = retention_hours
        self.state = RelayState()
        self._wake = asyncio.Event()
        # `committed` when another replica's relay leads: one NOTIFY at a time on its behalf
        self._notify = notify
        self._notice_due = False
        self._notifying: asyncio.Task[None] | None = None

    def committed(self) -> None:
        """This process committed outbox rows without a NOTIFY in their transaction.

        Why a hot path does so: a transaction that NOTIFYs holds PostgreSQL's single
        notification-queue lock from its commit until its WAL flush, so concurrent notifying
        commits run one after another (station POSTs measured 7 of 8 busy connections waiting
        on it). Instead: the relay of this process, when it leads, is woken in memory; when
        another replica's relay leads, NOTIFYs go one at a time, each covering every commit
        noticed while the one before was in flight (so none is left to the poll interval).
        """
        if self.state.leader or self._notify is None:
            # Without a notifier, a relay that does not lead finds the rows at its next poll.
            self._wake.set()
            return
        self._notice_due = True
        if self._notifying is None or self._notifying.done():
            self._notifying = asyncio.get_running_loop().create_task(self._notify_leader())

    async def _notify_leader(self) -> None:
        assert self._notify is not None
        while self._notice_due:
            self._notice_due = False
            try:
                await self._notify()
            except Exception as exc:  # the leader's poll publishes the rows all the same
                log.warning("outbox NOTIFY failed", extra={"error": f"{type(exc).__name__}"})
                return

    async def run(self) -> None:
        backoff = self.poll_seconds
        while True:
            try:
                await self._lead_once()
                backoff = self.poll_seconds
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database gone: retry with a capped backoff
                self.state.leader = False
                self.state.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("outbox relay error, retrying", extra={"error": self.state.last_error})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def _lead_once(self) -> None:
        conn = await asyncpg.connect(self.dsn, server_settings={"search_path": self.service})
        try:
            lock = f"jisr.outbox.{self.service}"
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", lock):
                self.state.leader = False
                await asyncio.sleep(self.poll_seconds)
            self.state.leader = True
            await conn.add_listener(channel(self.service), lambda *_: self._wake.set())
            await self._publish_loop(conn)
        finally:
            self.state.leader = False
            await conn.close(timeout=2)

    async def _publish_loop(self, conn: asyncpg.Connection) -> None:
        last_cleanup = 0.0
        replaying = replay_lock(self.service)
        while True:
            self._wake.clear()
            # A replay in progress re-sends everything up to its start in order: wait for it,
            # so the two never interleave a key's events or contend for the same rows.
            free = "SELECT pg_try_advisory_lock_shared(hashtext($1))"
            if not await conn.fetchval(free, replaying):
                # A NOTIFY (a write, or the replay's end) wakes it at once; else it polls.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                continue
            try:
                sent = await self.publish_pending(conn)
            finally:
                await conn.execute("SELECT pg_advisory_unlock_shared(hashtext($1))", replaying)
            if time.monotonic() - last_cleanup > 60:
                await self.delete_expired(conn)
                last_cleanup = time.monotonic()
            if sent < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def publish_pending(self, conn: asyncpg.Connection) -> int:
        """Publish what is pending, up to `ROUNDS_PER_LOCK` batches; returns how many rows
        the broker confirmed.

        Pipelined: while the broker confirms one batch, the next is read (id order, after the
        last one sent), so the database and the broker round trips overlap. A batch is sent
        only once the one before was confirmed and marked, so a failure never lets a later
        row overtake an earlier one; on a failure the rest is read again next time.
        """
        rows = await conn.fetch(_PENDING, 0, self.batch_size)
        total = 0
        rounds = 0
        while rows:
            rounds += 1
            in_flight = asyncio.ensure_future(self._send(rows))
            following: Sequence[asyncpg.Record] = ()
            if len(rows) == self.batch_size and rounds < ROUNDS_PER_LOCK:
                try:
                    following = await conn.fetch(_PENDING, rows[-1]["id"], self.batch_size)
                except BaseException:
                    # Never leave the send unawaited: what it confirmed is lost otherwise
                    # (sent again later: a duplicate, which the inboxes absorb).
                    in_flight.cancel()
                    with contextlib.suppress(BaseException):
                        await in_flight
                    raise
            done = await in_flight
            if done:
                await self._mark_published(conn, rows, done)
                total += len(done)
            if len(done) < len(rows):
                break
            rows = following
        return total

    async def _mark_published(
        self, conn: asyncpg.Connection, rows: Sequence[asyncpg.Record], done: list[int]
    ) -> None:
        await conn.execute(
            "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", done
        )
        self.state.published += len(done)
        self.state.last_publish_at = time.time()
        for topic, count in Counter(r["topic"] for r in rows[: len(done)]).items():
            metrics.OUTBOX_PUBLISHED.labels(self.service, topic).inc(count)

    async def _send(self, rows: Sequence[asyncpg.Record]) -> list[int]:
        done, error = await send_in_order(rows, self.publish, self.topic_name)
        if error is None:
            self.state.broker_ok = True
            self.state.last_error = None
        else:
            self._broker_failed(error)
        return done

    def _broker_failed(self, exc: BaseException) -> None:
        self.state.broker_ok = False
        self.state.last_error = f"{type(exc).__name__}: {exc}"
        log.warning("outbox publish failed; will retry", extra={"error": self.state.last_error})

    async def delete_expired(self, conn: asyncpg.Connection) -> int:
        status = await conn.execute(
            "DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)",
            self.retention_hours * 3600,
        )
        return int(status.split()[-1])


async def send_in_order(
    rows: Sequence[asyncpg.Record], publish: Publish, topic_name: Callable[[str], str]
) -> tuple[list[int], BaseException | None]:
    """Send outbox rows in order; return the ids confirmed before the first failure, and it.

    Rows after a failure are sent again next time (at-least-once); consumers' inboxes absorb
    the duplicates.
    """
    pending: list[tuple[int, asyncio.Future[Any]]] = []
    error: BaseException | None = None
    try:
        for row in rows:
            future = await publish(
                topic_name(row["topic"]),
                row["key"].encode(),
                row["payload"].encode(),
                orjson.loads(row["headers"]),
            )
            pending.append((row["id"], future))
    except Exception as exc:
        error = exc
    results = await asyncio.gather(*(f for _, f in pending), return_exceptions=True)
    done: list[int] = []
    for (row_id, _), result in zip(pending, results, strict=True):
        if isinstance(result, BaseException):
            return done, result
        done.append(row_id)
    return done, error


async def outbox_lag(engine: AsyncEngine) -> tuple[int, float]:
    """(unpublished rows, age in seconds of the oldest one), on the service's own pool."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT count(*) AS n,"
                    " coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age"
                    " FROM outbox WHERE published_at IS NULL"
                )
            )
        ).one()
    return int(row.n), float(row.age)


def replay_lock(service: str) -> str:
    """The advisory lock a replay holds (exclusive) and the relay takes (shared) per batch."""
    return f"jisr.outbox-replay.{service}"


# A broker error during a replay (a leader moving, a request timing out under load) is retried
# with a growing pause; the rows after the last confirmed one are sent again.
REPLAY_ATTEMPTS = 8
REPLAY_MAX_PAUSE_SECONDS = 10.0

# progress(rows sent so far, rows to send)
Progress = Callable[[int, int], None]


async def replay(
    conn: asyncpg.Connection,
    publish: Publish,
    topic_name: Callable[[str], str],
    *,
    service: str,
    since: datetime | None = None,
    topic: str | None = None,
    batch_size: int = 1000,
    progress: Progress | None = None,
    retry_pause: float = 0.5,
) -> int:
    """Re-publish retained outbox rows (published or not) in order, e.g. after losing the
    Kafka cluster. Returns the number of rows sent. Consumers' inboxes skip what they have.

    Holds the service's replay lock meanwhile: a live relay finishes its batch and waits, then
    carries on after the replay (whose rows are all marked published), so per-key order holds.
    """
    lock = replay_lock(service)
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", lock)
    try:
        filters = (
            " AND ($2::timestamptz IS NULL OR created_at >= $2)"
            " AND ($3::text IS NULL OR topic = $3)"
        )
        last_id = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
        total_rows = await conn.fetchval(
            f"SELECT count(*) FROM outbox WHERE id <= $1{filters}", last_id, since, topic
        )
        sent = 0
        if progress:
            progress(0, total_rows)
        after = 0
        while True:
            rows = await conn.fetch(
                f"SELECT id, topic, key, headers, payload FROM outbox WHERE id > $1{filters}"
                " AND id <= $5 ORDER BY id LIMIT $4",
                after,
                since,
                topic,
                batch_size,
                last_id,
            )
            if not rows:
                return sent
            await _send_with_retries(rows, publish, topic_name, sent, retry_pause)
            await conn.execute(
                "UPDATE outbox SET published_at = coalesce(published_at, now())"
                " WHERE id = ANY($1::bigint[])",
                [r["id"] for r in rows],
            )
            sent += len(rows)
            after = rows[-1]["id"]
            if progress:
                progress(sent, total_rows)
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", lock)


async def _send_with_retries(
    rows: Sequence[asyncpg.Record],
    publish: Publish,
    topic_name: Callable[[str], str],
    sent_before: int,
    pause: float,
) -> None:
    remaining = list(rows)
    for attempt in range(1, REPLAY_ATTEMPTS + 1):
        done, error = await send_in_order(remaining, publish, topic_name)
        if error is None:
            return
        remaining = remaining[len(done) :]
        if attempt == REPLAY_ATTEMPTS:
            confirmed = sent_before + len(rows) - len(remaining)
            raise RuntimeError(
                f"replay stopped after {confirmed} rows: the broker kept failing"
                f" ({REPLAY_ATTEMPTS} attempts): {type(error).__name__}: {error}"
            )
        log.warning(
            "outbox replay: broker error, retrying",
            extra={"error": f"{type(error).__name__}: {error}", "attempt": attempt},
        )
        await asyncio.sleep(pause)
        pause = min(pause * 2, REPLAY_MAX_PAUSE_SECONDS)


async def replay_outbox(
    settings: Settings,
    service: str,
    *,
    since: datetime | None = None,
    topic: str | None = None,
    progress: Progress | None = None,
) -> int:
    """`jisr outbox replay`: re-publish a service's retained rows (optionally since a time or
    for one registry topic) to the cluster in `settings`; returns how many were confirmed."""
    conn = await asyncpg.connect(
        asyncpg_dsn(settings.service_database_url(service)),
        server_settings={"search_path": service, "application_name": f"jisr-{service}-replay"},
    )
    producer = make_producer(settings, f"jisr-{service}-outbox-replay")
    try:
        await producer.start()

        async def publish(
            name: str, key: bytes, value: bytes, headers: dict[str, str]
        ) -> asyncio.Future[Any]:
            return await send_record(producer, name, key, value, headers)

        return await replay(
            conn,
            publish,
            settings.topic,
            service=service,
            since=since,
            topic=topic,
            progress=progress,
        )
    finally:
        await producer.stop()
        await conn.close()
