"""Shared helpers for the complaints tests: a configured service, tokens, filing, moving."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

from libs.chassis.rate_limit import RateLimit
from libs.contracts.envelope import header_map
from libs.contracts.topics import COMPLAINTS_STATUS
from services.complaints.config import ComplaintsConfig
from services.complaints.definition import make_definition
from services.complaints.domain.clocks import DEFAULT_PACK

STATION = "AM-01-S1"  # the station complained about in most tests
COMPLAINT = {
    "narrative": "I was pushed to the ground at the checkpoint and my phone was taken.",
    "station_id": STATION,
    "allegations": [
        {"category": "use_of_force", "against": "officer", "officer_service_number": "PSD-4471"},
        {"category": "property_damage_or_loss", "against": "station", "station_id": STATION},
    ],
    "complainant": {"name": "Test Person", "phone": "+962790000001", "age_band": "25_34"},
}
# Quick ticks and roomy limits; each test overrides what it exercises.
FAST = ComplaintsConfig(
    pack=DEFAULT_PACK,
    tick_seconds=0.2,
    checkpoint_seconds=3600,
    intake_limit=RateLimit("intake", 1000, 3600, "too many complaints from this address"),
    notify_backoff_seconds=0.1,
)


@asynccontextmanager
async def complaints_service(platform, config: ComplaintsConfig = FAST):
    async with platform.run(make_definition(config)) as client:
        yield client


def staff(platform, role: str, **claims) -> dict[str, str]:
    return platform.token(role, **claims)


async def file(client, body=None, headers=None) -> dict:
    response = await client.post("/v1/complaints", json=body or COMPLAINT, headers=headers or {})
    assert response.status_code == 201, response.text
    return response.json()


async def move(client, complaint_id, headers, to, expect=200, **extra) -> dict:
    response = await client.post(
        f"/v1/complaints/{complaint_id}/transitions", json={"to": to, **extra}, headers=headers
    )
    assert response.status_code == expect, f"{to}: {response.status_code} {response.text}"
    return response.json()


def decoded(records) -> list[tuple[str, dict]]:
    """(ce_type, data) of Kafka records."""
    return [(header_map(r.headers)["ce_type"], json.loads(r.value)) for r in records]


async def status_topic(platform, expected: int, timeout: float = 20.0):
    """The status topic's events, each once (an oversight body's consumer dedupes by ce_id)."""
    records = await platform.topic_records(COMPLAINTS_STATUS.name, expected, timeout, distinct=True)
    return decoded(records)
