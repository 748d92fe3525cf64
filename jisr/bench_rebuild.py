"""`jisr bench rebuild`: the analytics rebuild from a replay of N events, beside a raw consume of
the same topic in the same run.

N `incident.recorded` events are put on the incidents topic as the outbox relay sends them
(same headers, same values). The baseline reads them back with aiokafka from the beginning and
does nothing else: no decoding, no database. The rebuild is `jisr analytics rebuild`'s own
function (`services.analytics.application.rebuild.rebuild`): its completeness checks, one
transaction that locks and empties the read models, every consumer's topics replayed from the
beginning, each record decoded and validated, claimed in the inbox and projected. The baseline
is measured before and after the rebuild, and the faster one counts.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from uuid6 import uuid7

from jisr.bench import _prepare, _submissions, with_infrastructure
from jisr.bench_table import BenchRow
from libs.chassis.db import asyncpg_dsn
from libs.chassis.kafka import client_security, make_producer, send_record
from libs.chassis.settings import Settings
from libs.contracts.envelope import encode_headers, encode_value, new_envelope
from libs.contracts.topics import INCIDENTS_RECORDED
from libs.reference import load_reference
from services.analytics.application.rebuild import rebuild
from services.incidents.domain.submission import recorded_event

#: events replayed by default (JISR_BENCH_REBUILD_EVENTS sets it)
DEFAULT_EVENTS = int(os.environ.get("JISR_BENCH_REBUILD_EVENTS", "50000"))
#: the issue's target: the rebuild at half a raw consume's rate or better
TARGET_RATIO = 0.5


@dataclass
class RebuildResult:
    events: int
    raw_seconds: float  # the faster of the two raw consumes
    rebuild_seconds: float
    applied: int  # incident events the rebuild applied (must be `events`)
    facts: int  # incident_facts rows after it

    @property
    def raw_rate(self) -> float:
        return self.events / self.raw_seconds

    @property
    def rate(self) -> float:
        return self.events / self.rebuild_seconds

    @property
    def ratio(self) -> float:
        return self.rate / self.raw_rate

    def rows(self) -> list[BenchRow]:
        return [
            BenchRow(
                path="P5 analytics rebuild from a replay",
                figure=self.rate,
                baseline=self.raw_rate,
                unit="events/s",
                target_ratio=TARGET_RATIO,
                extra={"events": self.events},
            )
        ]

    def report(self) -> str:
        verdict = "meets" if self.ratio >= TARGET_RATIO else "MISSES"
        return (
            f"events                 {self.events}\n"
            f"raw consume (aiokafka) {self.raw_rate:10.0f} events/s  ({self.raw_seconds:.2f} s)\n"
            f"analytics rebuild      {self.rate:10.0f} events/s  ({self.rebuild_seconds:.2f} s)\n"
            f"ratio rebuild / raw    {self.ratio:10.2f}   ({verdict} the {TARGET_RATIO} target)\n"
            f"applied {self.applied}, incident_facts {self.facts}"
        )


async def _put_events(settings: Settings, topic: str, n: int) -> None:
    """N incident.recorded records on the topic, encoded as the outbox relay sends them."""
    reference = load_reference()
    producer = make_producer(settings, "jisr-bench-rebuild")
    await producer.start()
    try:
        now = datetime.now(UTC)
        pending = []
        for body in _submissions(n):
            event = recorded_event(uuid7(), body, reference, now)
            env = new_envelope(event, source="jisr/incidents", subject=str(event.incident_id))
            key = str(event.incident_id).encode()
            pending.append(
                await send_record(producer, topic, key, encode_value(event), encode_headers(env))
            )
            if len(pending) >= 5000:  # bounded memory: wait for the broker now and then
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def raw_consume(settings: Settings, topic: str, n: int) -> float:
    """Seconds to read the topic's N records from the beginning, as the rebuild does."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **client_security(settings),
    )
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        started = time.perf_counter()
        seen = 0
        while seen < n:
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            seen += sum(len(records) for records in batch.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def run_rebuild(n: int, database_url: str, bootstrap: str, home: Path) -> RebuildResult:
    settings = await _prepare(database_url, bootstrap)
    topic = settings.topic(INCIDENTS_RECORDED.name)
    await _put_events(settings, topic, n)
    before = await raw_consume(settings, topic, n)
    gc.collect()
    gc.freeze()  # as `jisr analytics rebuild` does before it starts
    started = time.perf_counter()
    result = await rebuild(settings)
    seconds = time.perf_counter() - started
    after = await raw_consume(settings, topic, n)
    conn = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        facts = await conn.fetchval("SELECT count(*) FROM analytics.incident_facts")
    finally:
        await conn.close()
    applied = sum(t.applied for t in result.values())
    return RebuildResult(n, min(before, after), seconds, applied, facts)


def rebuild_bench(n: int = DEFAULT_EVENTS) -> RebuildResult:
    return with_infrastructure(lambda url, bootstrap, home: run_rebuild(n, url, bootstrap, home))
