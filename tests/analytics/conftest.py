"""One platform for the analytics view tests: analytics and complaints running in-process,
a seeded scenario published on every topic, and what the topics hold read back."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from libs.contracts.topics import TOPICS, topic_for_event
from tests.complaints.support import COMPLAINT, complaints_service
from tests.support.platform import Platform, eventually, make_platform

from .scenario import Scenario, decoded, publish

# Personal data filed with complaints: the public report and the stats must never show it.
PEOPLE = [
    {"name": "Rania Haddad", "phone": "+962790001234", "email": "rania.h@example.org"},
    {"name": "Omar Khalil", "phone": "+962770009876", "email": "omar.k@example.org"},
]
NARRATIVE = "He shouted at me near the Abdali bus station and took my ID card."
SERVICE_NUMBER = "PSD-7781"


@dataclass
class World:
    platform: Platform
    analytics: object  # httpx client
    events: list[tuple[str, dict]]
    now: datetime
    personal: list[str]
    records: list = field(default_factory=list)  # the raw Kafka records behind `events`


def _complaint(person: dict, station: str) -> dict:
    return COMPLAINT | {
        "narrative": NARRATIVE,
        "station_id": station,
        "allegations": [
            {
                "category": "discourtesy",
                "against": "officer",
                "officer_service_number": SERVICE_NUMBER,
            }
        ],
        "complainant": {
            "name": person["name"],
            "phone": person["phone"],
            "email": person["email"],
            "age_band": "25_34",
        },
    }


async def _file_complaints(platform: Platform) -> int:
    async with complaints_service(platform) as complaints:
        for person, station in zip(PEOPLE, ("AM-01-S1", "IR-01-S1"), strict=True):
            response = await complaints.post("/v1/complaints", json=_complaint(person, station))
            assert response.status_code == 201, response.text
        unpublished = "SELECT count(*) FROM outbox WHERE published_at IS NULL"

        async def drained():
            return await platform.scalar("complaints", unpublished) == 0

        await eventually(drained)
    return await platform.scalar("complaints", "SELECT count(*) FROM outbox")


@pytest.fixture(scope="module")
async def world(infra):
    platform = await make_platform(infra)
    await platform.migrate("analytics", "complaints")
    now = datetime.now(UTC)
    scenario = Scenario(now).build()
    async with platform.run("analytics") as analytics:
        await publish(platform.settings, scenario.events)
        from_complaints = await _file_complaints(platform)
        expected = Counter(topic_for_event(e.event_type).name for e, _ in scenario.events)
        expected["jisr.complaints.status.v1"] += from_complaints
        records = []
        for topic in TOPICS:
            records += await platform.topic_records(topic.name, expected[topic.name])
        assert len(records) == sum(expected.values())

        async def all_applied():
            return await platform.scalar("analytics", "SELECT count(*) FROM inbox") == len(records)

        await eventually(all_applied, timeout=60)
        personal = [v for p in PEOPLE for v in p.values()] + [NARRATIVE, SERVICE_NUMBER]
        yield World(platform, analytics, decoded(records), now, personal, records)
