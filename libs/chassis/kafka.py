"""Kafka plumbing shared by every service: the FastStream broker and topic creation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.security import (
    BaseSecurity,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)

from libs.contracts.topics import TOPICS, dead_letter_topic

from .settings import SERVICES, Settings

log = logging.getLogger(__name__)


def _ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if "SSL" not in settings.kafka_security_protocol:
        return None
    return ssl.create_default_context(cafile=settings.kafka_ca_file or None)


def _sasl_credentials(settings: Settings) -> tuple[str, str]:
    if not settings.kafka_username or not settings.kafka_password:
        raise ValueError(
            f"JISR_KAFKA_SECURITY_PROTOCOL={settings.kafka_security_protocol} needs "
            "JISR_KAFKA_USERNAME and JISR_KAFKA_PASSWORD"
        )
    return settings.kafka_username, settings.kafka_password


def client_security(settings: Settings) -> dict[str, Any]:
    """aiokafka keyword arguments for the configured Kafka authentication (none: PLAINTEXT)."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    if "SSL" in protocol:
        options["ssl_context"] = _ssl_context(settings)
    if protocol.startswith("SASL"):
        username, password = _sasl_credentials(settings)
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": username,
            "sasl_plain_password": password,
        }
    return options


def broker_security(settings: Settings) -> BaseSecurity | None:
    """The same authentication, as FastStream's broker takes it."""
    protocol = settings.kafka_security_protocol
    use_ssl = "SSL" in protocol
    if not protocol.startswith("SASL"):
        return BaseSecurity(ssl_context=_ssl_context(settings), use_ssl=True) if use_ssl else None
    username, password = _sasl_credentials(settings)
    kind = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}
    return kind[settings.kafka_sasl_mechanism](
        username, password, ssl_context=_ssl_context(settings), use_ssl=use_ssl
    )


def make_broker(settings: Settings, service: str) -> KafkaBroker:
    # Idempotent producers need InitProducerId, which the local broker (Tansu) rejects.
    # Duplicates from producer retries are harmless: every consumer has an idempotent inbox.
    return KafkaBroker(
        settings.kafka_bootstrap,
        client_id=f"jisr-{service}",
        acks="all",
        enable_idempotence=False,
        linger_ms=5,
        request_timeout_ms=30_000,
        allow_auto_create_topics=False,
        logger=logging.getLogger(f"jisr.{service}.kafka"),
        log_level=logging.DEBUG,
        security=broker_security(settings),
    )


def make_producer(settings: Settings, client_id: str) -> AIOKafkaProducer:
    """A plain aiokafka producer for already-encoded records in bulk (the outbox relay, outbox
    and dead-letter replays): FastStream's per-message publish path costs ~4x more CPU.

    Idempotence is off because the local broker (Tansu) rejects InitProducerId; consumers'
    inboxes absorb the duplicates a producer retry can cause.
    """
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=False,
        linger_ms=5,
        request_timeout_ms=30_000,
        **client_security(settings),
    )


async def start_broker(broker: KafkaBroker) -> None:
    """Start a FastStream broker with all its subscribers joining their groups at once.

    `KafkaBroker.start()` starts subscribers one after another, and each waits for its
    group's partition assignment (on the local broker a join takes half the session
    timeout): analytics, with four consumer groups, took four joins to become ready. This is
    FastStream's own start sequence (connect, subscribers, publishers, running) with the
    subscribers started concurrently; stopping is unchanged (`broker.stop()`).
    """
    await broker.connect()
    await asyncio.gather(*(subscriber.start() for subscriber in broker.subscribers))
    for publisher in broker.publishers:
        await publisher.start()
    broker.running = True


async def send_record(
    producer: AIOKafkaProducer,
    topic: str,
    key: bytes | None,
    value: bytes | None,
    headers: dict[str, str],
) -> asyncio.Future[Any]:
    """Send one record; returns the future that resolves when the broker confirms it."""
    encoded = [(name, text.encode()) for name, text in headers.items()]
    future: asyncio.Future[Any] = await producer.send(topic, value, key=key, headers=encoded)
    return future


def consuming_services() -> list[str]:
    """Every service that consumes a topic: each has one dead-letter topic."""
    return sorted({c for t in TOPICS for c in t.consumers if c in SERVICES})


def all_topic_specs(settings: Settings, replication: int = 1) -> list[NewTopic]:
    specs = [
        NewTopic(settings.topic(t.name), t.partitions, replication, topic_configs=t.kafka_config())
        for t in TOPICS
    ]
    specs += [
        NewTopic(settings.topic(dead_letter_topic(service)), 1, replication)
        for service in consuming_services()
    ]
    return specs


async def ensure_topics(settings: Settings, replication: int = 1) -> list[str]:
    """Create every registry topic and dead-letter topic that does not exist yet."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, **client_security(settings)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in all_topic_specs(settings, replication) if s.name not in existing]
        for spec in missing:  # one by one: a concurrent creator must not fail the others
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([spec])
        return [s.name for s in missing]
    finally:
        await admin.close()
