"""`jisr analytics rebuild`: empty the read models and project them again from the topics.

Everything happens in one transaction that first locks the inbox and every read model, so
the running service's consumers and readers wait (rather than interleave or see a half-built
table) until the new ones commit. The end of each topic is taken after the lock: whatever a live
consumer applied before is on the topic below that point and is replayed; whatever arrives
later is applied by the live consumers once the lock is released (their inbox rows written
here make the replayed part duplicates to them). The projections are the live ones, so the
result is the same tables the consumers built.

It checks itself: before emptying anything, the topics must hold at least as many records as
the read models are made of (the inbox) and as the producers' outboxes retained as published;
after the replay, inside the same transaction, at least as many distinct events must have been
applied as before. Either shortfall refuses (IncompleteTopics, nothing changed) unless forced:
a broker that lost its topics must not silently shrink the ministry's figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.chassis.consumer import ConsumerSpec
from libs.chassis.db import make_engine, make_session_factory
from libs.chassis.inbox import claim_unseen
from libs.chassis.kafka import client_security
from libs.chassis.settings import Settings
from libs.chassis.topic_history import outbox_counts, topic_record_counts
from libs.contracts.catalogue import CATALOGUE
from libs.contracts.envelope import Envelope, EnvelopeError, decode
from libs.contracts.topics import topic_named

from ..consumers import CONSUMERS
from ..repositories import rebuild as statements

log = logging.getLogger(__name__)
SERVICE = "analytics"
BATCH = 2000  # records per inbox claim and projection call (one savepoint each)
FETCH_WAIT_MS = 100  # how long the broker holds a fetch of a partition with nothing more
STALL_SECONDS = 60.0
DECODE_SLICE = 50  # records decoded between two turns of the event loop


@dataclass
class Replayed:
    records: int = 0
    applied: int = 0
    duplicates: int = 0
    undecodable: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


async def _open_from_beginning(
    settings: Settings, topics: Sequence[str]
) -> tuple[AIOKafkaConsumer, dict[TopicPartition, int]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # An empty partition's fetch answers (with its high watermark) after this long: the
        # replay of an empty topic ends after one such answer.
        fetch_max_wait_ms=FETCH_WAIT_MS,
        **client_security(settings),
    )
    await consumer.start()
    await consumer.topics()  # fetches the cluster's metadata, partitions included
    partitions = [
        TopicPartition(topic, p)
        for topic in topics
        for p in sorted(consumer.partitions_for_topic(topic) or ())
    ]
    if not partitions:
        await consumer.stop()
        raise LookupError(f"no partitions for {', '.join(topics)}: are the topics created?")
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    return consumer, await consumer.end_offsets(partitions)


async def _apply(
    session: AsyncSession,
    spec: ConsumerSpec,
    consumer: str,
    envelopes: list[Envelope],
    tally: Replayed,
) -> None:
    # The inbox is locked by the rebuild's transaction: no other claim can race this one.
    fresh = await claim_unseen(session, consumer, envelopes)
    tally.duplicates += len(envelopes) - len(fresh)
    if not fresh:
        return
    try:
        async with session.begin_nested():
            await spec.apply(session, fresh)
        tally.applied += len(fresh)
        return
    except Exception:  # something in the batch is poison: find it, as the consumer does
        pass
    for env in fresh:
        try:
            async with session.begin_nested():
                await spec.apply(session, [env])
            tally.applied += 1
        except Exception as exc:
            tally.rejected += 1
            tally.errors.append(f"{env.type} {env.id}: {type(exc).__name__}")


class _Ends:
    """Where each partition ended when the replay began: the reported end offset, raised to
    the high watermark of the first fetch answer after it.

    The local broker (Tansu) answers ListOffsets with the first offset of a partition's last
    batch, short of its end; its fetch answers carry the true high watermark. Both were taken
    after the rebuild's lock, so everything a live consumer applied before it lies below.
    Fixed once known: a producer writing meanwhile must not keep the replay going (the live
    consumers apply what comes later; the inbox rows written here make the rest duplicates).
    """

    def __init__(self, reported: dict[TopicPartition, int]) -> None:
        self.reported = reported
        self.ends: dict[TopicPartition, int] = {}

    async def reached(self, consumer: AIOKafkaConsumer) -> bool:
        for tp, reported in self.reported.items():
            if tp not in self.ends:
                high = consumer.highwater(tp)
                if high is None:  # no fetch answer for it yet
                    return False
                self.ends[tp] = max(reported, high)
            if await consumer.position(tp) < self.ends[tp]:
                return False
        return True


async def _decoded(records: Iterable[ConsumerRecord], tally: Replayed) -> list[Envelope]:
    """Decoded records; the event loop gets a turn every DECODE_SLICE of them, so the
    projection's statements go out (and their answers are taken) while the batch decodes."""
    envelopes: list[Envelope] = []
    for i, record in enumerate(records, 1):
        tally.records += 1
        try:
            envelopes.append(decode(record.headers, record.value, CATALOGUE))
        except EnvelopeError:
            tally.undecodable += 1  # dead-lettered by the live consumer too
        if i % DECODE_SLICE == 0:
            await asyncio.sleep(0)
    return envelopes


async def _batches(
    consumer: AIOKafkaConsumer, ends: _Ends, tally: Replayed, name: str
) -> AsyncIterator[list[Envelope]]:
    """Decoded batches until the partitions' ends, one read ahead: the next batch is fetched
    and decoded while the caller's projection of this one waits for the database."""
    silent_since = time.monotonic()

    async def read() -> tuple[list[Envelope], bool]:
        nonlocal silent_since
        while True:
            batch = await consumer.getmany(timeout_ms=FETCH_WAIT_MS * 5, max_records=BATCH)
            envelopes = await _decoded((r for records in batch.values() for r in records), tally)
            done = await ends.reached(consumer)
            if batch or done:
                silent_since = time.monotonic()
                return envelopes, done
            if time.monotonic() - silent_since >= STALL_SECONDS:
                raise RuntimeError(f"{name}: the broker stopped short of the topics' end")

    ahead = asyncio.ensure_future(read())
    try:
        while True:
            envelopes, done = await ahead
            if not done:
                ahead = asyncio.ensure_future(read())
            yield envelopes
            if done:
                return
    finally:
        ahead.cancel()
        with contextlib.suppress(BaseException):
            await ahead


async def replay_topics(
    session: AsyncSession,
    settings: Settings,
    spec: ConsumerSpec,
    progress: Callable[[int, int], None] | None = None,
    expected: int = 0,
) -> Replayed:
    """Project every record on the spec's topics, from the beginning to where the partitions
    ended when it began (_Ends). Records read beyond do no harm: their inbox rows make them
    duplicates to the live consumer."""
    tally = Replayed()
    consumer_name = f"{SERVICE}.{spec.name}"
    consumer, reported = await _open_from_beginning(
        settings, [settings.topic(t) for t in spec.topics]
    )
    try:
        async for envelopes in _batches(consumer, _Ends(reported), tally, spec.name):
            if envelopes:
                await _apply(session, spec, consumer_name, envelopes, tally)
            if progress:
                progress(tally.records, max(expected, tally.records))
        return tally
    finally:
        await consumer.stop()


class IncompleteTopics(Exception):
    """The topics hold less than the read models or the outboxes: rebuilding from them would
    lose history. Nothing was changed."""


async def _retained(settings: Settings, spec: ConsumerSpec) -> int:
    """Published rows the producers' outboxes retained for the spec's topics."""
    total = 0
    for producer in sorted({topic_named(t).producer for t in spec.topics}):
        try:
            counts = await outbox_counts(settings, producer, published_only=True)
        except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
            # No outbox of that producer in this database (it runs elsewhere and no
            # JISR_<SERVICE>_DATABASE_URL says where): the read models' own count still holds.
            log.warning("outbox not found; not compared", extra={"producer": producer})
            continue
        except (OSError, asyncpg.PostgresError) as exc:
            raise IncompleteTopics(
                f"cannot count {producer}'s outbox to check the topics are complete "
                f"({type(exc).__name__}); give JISR_{producer.upper()}_DATABASE_URL, or --force"
            ) from exc
        total += sum(counts.get(t, 0) for t in spec.topics)
    return total


def _shortfalls(spec: ConsumerSpec, held: int, applied: int, retained: int) -> list[str]:
    topics = ", ".join(spec.topics)
    found = []
    if held < applied:
        found.append(
            f"{topics} hold {held:,} events; analytics' {spec.name} read models are made of "
            f"{applied:,}"
        )
    if held < retained:
        found.append(f"{topics} hold {held:,} events; the outbox retained {retained:,}")
    return found


async def check_complete(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> dict[str, int]:
    """Records per consumer's topics; IncompleteTopics if any holds less than the read
    models it would replace or the outboxes' retained history."""
    consumers = [f"{SERVICE}.{spec.name}" for spec in CONSUMERS]
    async with sessions() as session:
        applied = await statements.inbox_counts(session, consumers)
    on_topics = await topic_record_counts(settings, {t for spec in CONSUMERS for t in spec.topics})
    found, held = [], {}
    for spec in CONSUMERS:
        held[spec.name] = sum(on_topics[t] for t in spec.topics)
        retained = await _retained(settings, spec)
        found += _shortfalls(spec, held[spec.name], applied[f"{SERVICE}.{spec.name}"], retained)
    if found:
        raise IncompleteTopics(_refusal(found))
    return held


def _refusal(found: list[str]) -> str:
    lines = "\n".join(f"  - {line}" for line in found)
    return (
        f"refusing to rebuild: the topics are incomplete\n{lines}\n"
        "replay the outboxes first (jisr outbox replay --service S), or pass --force to "
        "rebuild from what the topics hold"
    )


async def rebuild(
    settings: Settings,
    *,
    force: bool = False,
    progress: Callable[[str], Callable[[int, int], None]] | None = None,
) -> dict[str, Replayed]:
    """Empty the read models and project them again from the topics, in one transaction.

    Unless `force`, first checks the topics hold at least what the read models are made of
    and what the outboxes retained (IncompleteTopics otherwise, nothing changed), and checks
    it again on what was actually replayed: fewer events than before rolls everything back.
    """
    # A CLI command, not a request: it owns its engine and its one transaction, which must
    # hold the locks from the truncate to the last replayed record.
    engine = make_engine(settings.service_database_url(SERVICE), SERVICE, pool_size=1)
    sessions = make_session_factory(engine)
    consumers = [f"{SERVICE}.{spec.name}" for spec in CONSUMERS]
    try:
        held = {} if force else await check_complete(settings, sessions)
        async with sessions() as session, session.begin():
            before = await statements.inbox_counts(session, consumers)
            await statements.lock_and_empty(session, consumers)
            indexes = await statements.drop_secondary_indexes(session)
            result = {}
            for spec in CONSUMERS:
                update = progress(f"replaying {spec.name}") if progress else None
                expected = held.get(spec.name, 0)
                result[spec.name] = await replay_topics(session, settings, spec, update, expected)
                log.info("replayed", extra={"consumer": spec.name})
            await statements.create_indexes(session, indexes)
            after = await statements.inbox_counts(session, consumers)
            lost = [
                f"{name}: {after[name]:,} events replayed, the read models were made of "
                f"{before[name]:,}"
                for name in consumers
                if after[name] < before[name]
            ]
            if lost and not force:
                raise IncompleteTopics(_refusal(lost) + "\nnothing was changed (rolled back)")
        return result
    finally:
        await engine.dispose()
