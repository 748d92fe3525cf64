"""The tracer bullet: an incident recorded at a station reaches the ministry's analytics."""

from __future__ import annotations

import uuid

import pytest

from tests.support.incidents import INCIDENT
from tests.support.platform import eventually


@pytest.fixture
async def services(platform):
    await platform.migrate("incidents", "analytics")
    async with platform.run("incidents") as incidents, platform.run("analytics") as analytics:
        yield platform, incidents, analytics


async def station_counts(analytics, headers) -> dict[str, int]:
    response = await analytics.get("/v1/stats/incidents?group_by=station", headers=headers)
    assert response.status_code == 200, response.text
    return {row["key"]: row["count"] for row in response.json()["rows"]}


async def test_incident_reaches_analytics_once_despite_retries(services):
    platform, incidents, analytics = services
    officer = platform.token("station_officer", station="AM-01-S1")
    analyst = platform.token("ministry_analyst")
    key = {"Idempotency-Key": str(uuid.uuid4())}

    first = await incidents.post("/v1/incidents", json=INCIDENT, headers=officer | key)
    retry = await incidents.post("/v1/incidents", json=INCIDENT, headers=officer | key)

    assert first.status_code == 201, first.text
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    # Analytics joins one consumer group per topic (a few seconds each on Tansu) before the
    # incident can arrive: the default timeout, not a tight one, on a loaded machine.
    counts = await eventually(lambda: station_counts(analytics, analyst))
    assert counts == {"AM-01-S1": 1}
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 1
    assert await platform.scalar("incidents", "SELECT count(*) FROM outbox") == 1


async def test_same_idempotency_key_with_different_body_is_refused(services):
    platform, incidents, _ = services
    officer = platform.token("station_officer", station="AM-01-S1")
    key = {"Idempotency-Key": "k-1"}
    assert (await incidents.post("/v1/incidents", json=INCIDENT, headers=officer | key)).is_success
    other = INCIDENT | {"offences": [{"iccs_code": "0501"}]}
    response = await incidents.post("/v1/incidents", json=other, headers=officer | key)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.text


async def test_source_ref_makes_a_retry_safe_without_a_key(services):
    platform, incidents, _ = services
    officer = platform.token("station_officer", station="AM-01-S1")
    body = INCIDENT | {"source_ref": "AM01-2026-000123"}
    first = await incidents.post("/v1/incidents", json=body, headers=officer)
    again = await incidents.post("/v1/incidents", json=body, headers=officer)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {
        "incident_id": first.json()["incident_id"],
        "status": "already_recorded",
    }
    assert await platform.scalar("incidents", "SELECT count(*) FROM outbox") == 1


async def test_access_rules(services):
    platform, incidents, analytics = services
    officer = platform.token("station_officer", station="AM-01-S1")

    assert (await incidents.post("/v1/incidents", json=INCIDENT)).status_code == 401
    analyst = platform.token("ministry_analyst")
    assert (
        await incidents.post("/v1/incidents", json=INCIDENT, headers=analyst)
    ).status_code == 403
    other_station = INCIDENT | {"station_id": "AM-02-S1"}
    response = await incidents.post("/v1/incidents", json=other_station, headers=officer)
    assert response.status_code == 403
    assert "AM-01-S1" in response.json()["detail"][0]["msg"]

    created = await incidents.post("/v1/incidents", json=INCIDENT, headers=officer)
    incident_url = created.headers["Location"]
    neighbour = platform.token("station_officer", station="AM-02-S1")
    assert (await incidents.get(incident_url, headers=officer)).status_code == 200
    assert (await incidents.get(incident_url, headers=neighbour)).status_code == 403
    assert (await incidents.get(incident_url, headers=analyst)).status_code == 200
    listed = await incidents.get("/v1/incidents", headers=neighbour)
    assert listed.json() == []  # the station scope is part of the query
    assert (await analytics.get("/v1/stats/incidents")).status_code == 401


async def test_validation_errors_name_field_and_rule(services):
    platform, incidents, _ = services
    officer = platform.token("station_officer", station="AM-01-S1")
    bad_code = INCIDENT | {"offences": [{"iccs_code": "9999"}]}
    response = await incidents.post("/v1/incidents", json=bad_code, headers=officer)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "offences", 0, "iccs_code"]
    assert "ICCS" in error["msg"]
    naive_time = INCIDENT | {"occurred_at": "2026-11-20T10:00:00"}
    response = await incidents.post("/v1/incidents", json=naive_time, headers=officer)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "occurred_at"]
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 0


async def test_health_readiness_and_docs(services):
    _, incidents, analytics = services
    assert (await incidents.get("/healthz")).json() == {"status": "ok"}
    ready = (await incidents.get("/readyz")).json()
    assert ready["database"] == "ok" and ready["status"] == "ready"
    assert "jisr_http_requests_total" in (await incidents.get("/metrics")).text
    spec = (await analytics.get("/asyncapi.json")).json()
    assert spec["asyncapi"].startswith("3.")
    assert "/v1/incidents" in (await incidents.get("/openapi.json")).json()["paths"]


async def test_station_token_without_a_station_sees_nothing(services):
    platform, incidents, _ = services
    officer = platform.token("station_officer", station="AM-01-S1")
    assert (await incidents.post("/v1/incidents", json=INCIDENT, headers=officer)).is_success
    unscoped = platform.token("station_officer")  # a misissued token: role but no station
    assert (await incidents.get("/v1/incidents", headers=unscoped)).status_code == 403
