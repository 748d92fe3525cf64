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

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.chassis.consumer import ConsumerSpec
from libs.chassis.db import make_engine, make_session_factory
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
QUIET_SECONDS = 1.5  # no record for this long (and past the end offsets): caught up
STALL_SECONDS = 60.0


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
    unique = list({env.id: env for env in envelopes}.values())
    fresh_ids = await statements.claim(
        session, consumer, [e.id for e in unique], [e.type for e in unique]
    )
    fresh = [e for e in unique if e.id in fresh_ids]
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


async def _caught_up(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return False
    return True


async def replay_topics(
    session: AsyncSession,
    settings: Settings,
    spec: ConsumerSpec,
    progress: Callable[[int, int], None] | None = None,
    expected: int = 0,
) -> Replayed:
    """Project every record on the spec's topics, from the beginning until caught up.

    Caught up means: at or past the end offsets read after the lock, and nothing more for a
    quiet moment. Both, because a broker may answer the end offsets loosely (the local Tansu
    broker answers too low); records read beyond them do no harm, their inbox rows make them
    duplicates to the live consumer.
    """
    tally = Replayed()
    consumer_name = f"{SERVICE}.{spec.name}"
    consumer, ends = await _open_from_beginning(settings, [settings.topic(t) for t in spec.topics])
    quiet_since: float | None = None
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=BATCH)
            envelopes: list[Envelope] = []
            for records in batch.values():
                for record in records:
                    tally.records += 1
                    try:
                        envelopes.append(decode(record.headers, record.value, CATALOGUE))
                    except EnvelopeError:
                        tally.undecodable += 1  # dead-lettered by the live consumer too
            if envelopes:
                await _apply(session, spec, consumer_name, envelopes, tally)
            if progress:
                progress(tally.records, max(expected, tally.records))
            if batch:
                quiet_since = None
                continue
            quiet_since = quiet_since or time.monotonic()
            quiet = time.monotonic() - quiet_since
            if quiet >= QUIET_SECONDS and await _caught_up(consumer, ends):
                return tally
            if quiet >= STALL_SECONDS:
                raise RuntimeError(f"{spec.name}: the broker stopped short of the topics' end")
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
            result = {}
            for spec in CONSUMERS:
                update = progress(f"replaying {spec.name}") if progress else None
                expected = held.get(spec.name, 0)
                result[spec.name] = await replay_topics(session, settings, spec, update, expected)
                log.info("replayed", extra={"consumer": spec.name})
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
