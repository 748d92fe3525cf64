"""Kafka plumbing shared by every service: the FastStream broker and topic creation."""

from __future__ import annotations

import contextlib
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from libs.contracts.topics import TOPICS, dead_letter_topic

from .settings import SERVICES, Settings

log = logging.getLogger(__name__)


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
    )


async def send_record(
    producer: AIOKafkaProducer, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]
):
    """Send one record; returns the future that resolves when the broker confirms it."""
    encoded = [(name, text.encode()) for name, text in headers.items()]
    return await producer.send(topic, value, key=key, headers=encoded)


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
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
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
