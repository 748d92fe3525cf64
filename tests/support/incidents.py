"""The incident flow the end-to-end and fault tests share: post, then count in analytics."""

from __future__ import annotations

from dataclasses import replace

from prometheus_client import REGISTRY

from jisr.services import definition
from libs.chassis.consumer import ConsumerSpec
from libs.chassis.service import ServiceDefinition
from libs.contracts.topics import INCIDENTS_RECORDED
from services.analytics.crime.projection import apply_incident_events

INCIDENT = {
    "station_id": "AM-01-S1",
    "occurred_at": "2026-11-20T10:00:00+03:00",
    "offences": [{"iccs_code": "0201"}],
}


async def post_incidents(platform, client, n: int, station: str = "AM-01-S1") -> None:
    officer = platform.token("station_officer", station=station)
    for _ in range(n):
        response = await client.post(
            "/v1/incidents", json=INCIDENT | {"station_id": station}, headers=officer
        )
        assert response.status_code == 201, response.text


async def facts(platform) -> int:
    """Incidents projected into analytics."""
    return await platform.scalar("analytics", "SELECT count(*) FROM incident_facts")


async def equals(value, expected) -> bool:
    return (await value) == expected


def consumer_events(outcome: str) -> float:
    """analytics' incidents consumer: events by outcome (applied, duplicate, dead_lettered)."""
    labels = {"service": "analytics", "consumer": "analytics.incidents", "outcome": outcome}
    return REGISTRY.get_sample_value("jisr_consumer_events_total", labels) or 0.0


REJECTED_STATION = "MA-01-S1"


def picky_analytics(attempts: list[str] | None = None) -> ServiceDefinition:
    """analytics whose projection always rejects incidents of REJECTED_STATION (a poison
    event as a projection bug would make it); `attempts` records each rejection."""

    async def picky_apply(session, envelopes):
        if any(e.data.station_id == REJECTED_STATION for e in envelopes):
            if attempts is not None:
                attempts.append("rejected")
            raise ValueError("projection rejects this station")
        await apply_incident_events(session, envelopes)

    consumer = ConsumerSpec("incidents", (INCIDENTS_RECORDED.name,), picky_apply)
    return replace(definition("analytics"), consumers=(consumer,))


async def post_around_a_rejected_one(platform, client, before: int, after: int) -> None:
    """`before` good incidents, one from REJECTED_STATION, then `after` good ones."""
    await post_incidents(platform, client, before)
    await post_incidents(platform, client, 1, station=REJECTED_STATION)
    await post_incidents(platform, client, after)
