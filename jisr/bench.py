"""`jisr bench pipeline`: the platform's event path against raw aiokafka, same broker, same run.

Platform path: domain call (incident row + offences + outbox row, one transaction per chunk)
→ outbox relay → broker → analytics' idempotent batch consumer → projection row.
Baseline: raw aiokafka produce → consume of the same number of records of the same size and
headers, with no database at all. The ratio says what the delivery guarantees cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from uuid6 import uuid7

from jisr import local_stack
from jisr.bench_table import BenchRow
from jisr.services import definition
from libs.chassis.db import asyncpg_dsn, make_engine, make_session_factory
from libs.chassis.kafka import client_security, ensure_topics
from libs.chassis.migrations import migrate
from libs.chassis.outbox import channel, replay_lock
from libs.chassis.settings import Settings
from libs.contracts.envelope import encode_headers, encode_value, new_envelope
from libs.reference import load_reference
from services.incidents.application.recording import record_incidents
from services.incidents.domain.submission import recorded_event
from services.incidents.schemas import IncidentIn

CHUNK = 500  # incidents per write transaction (one bulk submission's batch)
#: the issue's target: the platform path at half raw aiokafka's rate or better
TARGET_RATIO = 0.5


@dataclass
class Result:
    events: int
    raw_seconds: float  # raw aiokafka: produce N records → consume them (the faster of two)
    platform_seconds: float  # the event path: N committed outbox rows → N projected facts
    end_to_end_seconds: float = 0.0  # N domain writes → N projected facts
    write_seconds: float = 0.0  # of end_to_end_seconds: until the last write committed
    relay_seconds: float = 0.0  # of platform_seconds: until the outbox was all published

    @property
    def raw_rate(self) -> float:
        return self.events / self.raw_seconds

    @property
    def platform_rate(self) -> float:
        return self.events / self.platform_seconds

    @property
    def end_to_end_rate(self) -> float:
        return self.events / self.end_to_end_seconds if self.end_to_end_seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.platform_rate / self.raw_rate

    def rows(self) -> list[BenchRow]:
        return [
            BenchRow(
                path="P1 event pipeline (outbox → relay → broker → inbox → projection)",
                figure=self.platform_rate,
                baseline=self.raw_rate,
                unit="events/s",
                target_ratio=TARGET_RATIO,
                extra={"events": self.events, "relay_done_s": round(self.relay_seconds, 2)},
            ),
            BenchRow(
                path="P1 end to end (domain writes included)",
                figure=self.end_to_end_rate,
                baseline=self.raw_rate,
                unit="events/s",
                target_ratio=TARGET_RATIO,
                extra={
                    "events": self.events,
                    "writes_s": round(self.write_seconds, 2),
                    "drain_after_writes_s": round(self.end_to_end_seconds - self.write_seconds, 2),
                },
            ),
        ]

    def report(self) -> str:
        verdict = "meets" if self.ratio >= TARGET_RATIO else "MISSES"
        e2e = self.end_to_end_rate / self.raw_rate
        return (
            f"events                 {self.events}\n"
            f"raw aiokafka           {self.raw_rate:10.0f} events/s  ({self.raw_seconds:.2f} s)\n"
            f"event path             {self.platform_rate:10.0f} events/s"
            f"  ({self.platform_seconds:.2f} s: outbox rows → projected facts;"
            f" the relay had published them all at {self.relay_seconds:.2f} s)\n"
            f"ratio event path / raw {self.ratio:10.2f}   ({verdict} the {TARGET_RATIO} target)\n"
            f"end to end             {self.end_to_end_rate:10.0f} events/s"
            f"  ({self.end_to_end_seconds:.2f} s; the domain writes took {self.write_seconds:.2f} s"
            f" of it)\n"
            f"ratio end to end / raw {e2e:10.2f}"
        )


def _submissions(n: int) -> list[IncidentIn]:
    reference = load_reference()
    stations = sorted(reference.stations)
    codes = sorted(c for c, cat in reference.iccs.items() if cat.level == 2)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        IncidentIn(
            station_id=stations[i % len(stations)],
            occurred_at=start + timedelta(minutes=i),
            offences=[{"iccs_code": codes[i % len(codes)]}],
        )
        for i in range(n)
    ]


def _sample_record() -> tuple[bytes, dict[str, str]]:
    """Value and headers of a typical incident.recorded event, for the raw baseline."""
    reference = load_reference()
    body = _submissions(1)[0]
    event = recorded_event(uuid7(), body, reference, datetime.now(UTC))
    env = new_envelope(event, source="jisr/incidents", subject=str(event.incident_id))
    return encode_value(event), encode_headers(env)


async def raw_kafka(settings: Settings, n: int, name: str = "bench.raw") -> float:
    topic = settings.topic(name)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, **client_security(settings)
    )
    await admin.start()
    await admin.create_topics([NewTopic(topic, 6, 1)])
    await admin.close()
    value, headers = _sample_record()
    header_list = [(k, v.encode()) for k, v in headers.items()]
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"{topic}.group",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=settings.consumer_session_timeout_ms,
        heartbeat_interval_ms=settings.consumer_heartbeat_ms,
        max_poll_records=settings.consumer_batch_size,
        **client_security(settings),
    )
    await consumer.start()
    while not consumer.assignment():  # join the group before the clock starts, as below
        await consumer.getmany(timeout_ms=100)
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        acks="all",
        linger_ms=5,
        **client_security(settings),
    )
    await producer.start()
    started = time.perf_counter()

    # Keys shaped like the platform's (UUID strings): the partitioner's cost grows with them.
    keys = [str(uuid7()).encode() for _ in range(n)]

    async def produce() -> None:
        futures = [await producer.send(topic, value, key=key, headers=header_list) for key in keys]
        await asyncio.gather(*futures)

    async def consume() -> None:
        seen = 0
        while seen < n:
            batch = await consumer.getmany(timeout_ms=500)
            seen += sum(len(records) for records in batch.values())
            if batch:
                await consumer.commit()

    await asyncio.gather(produce(), consume())
    elapsed = time.perf_counter() - started
    await producer.stop()
    await consumer.stop()
    return elapsed


async def _wait_for_facts(
    conn: asyncpg.Connection, expected: int, timeout: float = 300
) -> float | None:
    """Wait until analytics holds `expected` facts; returns when (perf_counter) the incidents
    outbox was seen fully published on the way, so the relay's share can be told apart."""
    deadline = time.monotonic() + timeout
    relayed = None
    while await conn.fetchval("SELECT count(*) FROM analytics.incident_facts") < expected:
        if relayed is None and not await conn.fetchval(
            "SELECT EXISTS (SELECT FROM incidents.outbox WHERE published_at IS NULL)"
        ):
            relayed = time.perf_counter()
        if time.monotonic() > deadline:
            raise RuntimeError(f"analytics did not reach {expected} facts in {timeout:.0f} s")
        await asyncio.sleep(0.05)  # count(*) costs the database: not more often
    return relayed or time.perf_counter()


@contextlib.asynccontextmanager
async def _services(settings: Settings, home: Path):
    """incidents (its relay) and analytics (its consumer) as separate processes, as deployed."""
    env = os.environ | {
        "JISR_DATABASE_URL": settings.database_url,
        "JISR_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "JISR_TOPIC_PREFIX": settings.topic_prefix,
        "JISR_LOG_LEVEL": "WARNING",
    }
    children = []
    try:
        for name in ("incidents", "analytics"):
            port = local_stack.free_port()
            command = [sys.executable, "-m", "jisr.cli", "serve", name, "--port", str(port)]
            children.append(local_stack.spawn(command, env=env, log=home / f"{name}.log"))
            async with httpx.AsyncClient() as client:
                await _wait_ready(client, f"http://127.0.0.1:{port}/readyz")
        yield
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()


async def _wait_ready(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(300):
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(url)).status_code == 200:
                return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} not ready")


@dataclass
class PlatformTimes:
    event_path: float  # N committed outbox rows → relay → broker → consumer → N facts
    relay: float  # of event_path: until the relay had published every row
    end_to_end: float  # N domain writes (incident rows + outbox rows) → N facts
    write: float  # of end_to_end: until the last incident was written


async def _write(sessions, submissions: Sequence[IncidentIn], reference) -> None:
    for i in range(0, len(submissions), CHUNK):
        async with sessions() as session, session.begin():
            chunk = submissions[i : i + CHUNK]
            await record_incidents(session, chunk, reference, datetime.now(UTC))


async def platform_path(settings: Settings, n: int, home: Path) -> PlatformTimes:
    """This process plays the stations (domain calls writing incidents and outbox rows); the
    services' own processes relay and consume.

    Two measurements on the same services. The event path: N incidents are written while this
    process holds the incidents outbox's replay lock (the live relay waits for it, as it does
    for `jisr outbox replay`), then the lock is released and the clock runs until the N facts
    are projected: what raw aiokafka's produce → consume is the baseline of. End to end: N
    more incidents written with the relay running, the clock from the first write to the
    last fact: the domain writes (P2/P3's cost) included.
    """
    reference = load_reference()
    engine = make_engine(settings.database_url, "incidents")
    sessions = make_session_factory(engine)
    conn = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    submissions = _submissions(2 * n + 1)
    try:
        async with _services(settings, home):
            # Warm-up: one event end to end, so the consumer group has joined before timing.
            await _write(sessions, submissions[:1], reference)
            await _wait_for_facts(conn, 1)

            lock = replay_lock("incidents")
            await conn.execute("SELECT pg_advisory_lock(hashtext($1))", lock)
            try:
                await _write(sessions, submissions[1 : n + 1], reference)
            finally:
                started = time.perf_counter()
                await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", lock)
                await conn.execute("SELECT pg_notify($1, '')", channel("incidents"))
            relayed = await _wait_for_facts(conn, n + 1)
            event_path = time.perf_counter() - started
            relay = (relayed or started) - started

            started = time.perf_counter()
            await _write(sessions, submissions[n + 1 :], reference)
            written = time.perf_counter() - started
            await _wait_for_facts(conn, 2 * n + 1)
            return PlatformTimes(event_path, relay, time.perf_counter() - started, written)
    finally:
        await conn.close()
        await engine.dispose()


async def _prepare(
    database_url: str,
    bootstrap: str,
    services: tuple[str, ...] = ("incidents", "analytics"),
    name: str = "bench",
) -> Settings:
    """A database and a topic prefix of this run's own, `services` migrated into it."""
    stamp = int(time.time())
    url = await local_stack.create_database(database_url, f"jisr_{name}_{stamp}")
    settings = Settings(
        database_url=url,
        kafka_bootstrap=bootstrap,
        topic_prefix=f"{name.replace('_', '')}{stamp}.",
        log_level="WARNING",
    )
    await ensure_topics(settings)
    for service in services:
        await migrate(definition(service).migrations_dir, url, service)
    return settings


async def run_pipeline(n: int, database_url: str, bootstrap: str, home: Path) -> Result:
    settings = await _prepare(database_url, bootstrap)
    # The baseline before and after the platform, on fresh topics; the faster one counts (the
    # machine is shared: a slow baseline must not flatter the ratio).
    before = await raw_kafka(settings, n, "bench.raw.before")
    times = await platform_path(settings, n, home)
    after = await raw_kafka(settings, n, "bench.raw.after")
    return Result(
        n, min(before, after), times.event_path, times.end_to_end, times.write, times.relay
    )


def with_infrastructure(run):
    """Call `run(database_url, bootstrap, home)` against JISR_DATABASE_URL / JISR_KAFKA_BOOTSTRAP,
    or embedded PostgreSQL and broker started (and stopped) in a temporary directory."""
    database_url = os.environ.get("JISR_DATABASE_URL")
    bootstrap = os.environ.get("JISR_KAFKA_BOOTSTRAP")
    with tempfile.TemporaryDirectory(prefix="jisr-bench-") as tmp:
        postgres = kafka = None
        try:
            if not database_url:
                postgres = local_stack.EmbeddedPostgres(Path(tmp) / "pg", delete_on_stop=True)
                database_url = postgres.start()
            if not bootstrap:
                kafka = local_stack.EmbeddedKafka()
                bootstrap = kafka.start()
            return asyncio.run(run(database_url, bootstrap, Path(tmp)))
        finally:
            if kafka:
                kafka.stop()
            if postgres:
                postgres.stop()


def pipeline(n: int) -> Result:
    return with_infrastructure(lambda url, bootstrap, home: run_pipeline(n, url, bootstrap, home))
