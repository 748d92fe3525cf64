"""The incident flow the end-to-end and fault tests share: post, then count in analytics."""

from __future__ import annotations

from prometheus_client import REGISTRY

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
