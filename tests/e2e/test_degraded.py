"""Degraded infrastructure: writes survive a missing broker; a missing database is a 503."""

from __future__ import annotations

from dataclasses import replace

from jisr.local_stack import free_port
from tests.support.incidents import INCIDENT
from tests.support.platform import Platform


async def test_without_a_broker_writes_wait_in_the_outbox_and_readiness_says_so(platform):
    await platform.migrate("incidents")
    nowhere = f"127.0.0.1:{free_port()}"  # nothing listens there
    offline = Platform(platform.settings.model_copy(update={"kafka_bootstrap": nowhere}))
    officer = offline.token("station_officer", station="AM-01-S1")
    async with offline.run("incidents") as incidents:
        response = await incidents.post("/v1/incidents", json=INCIDENT, headers=officer)
        assert response.status_code == 201
        ready = await incidents.get("/readyz")
    assert ready.status_code == 200  # still takes writes
    body = ready.json()
    assert body["database"] == "ok"
    assert body["broker"] == "unavailable"
    assert body["outbox"]["unpublished"] == 1


async def test_without_a_database_writes_fail_with_503_and_leave_nothing(platform):
    await platform.migrate("incidents")
    url = platform.settings.database_url
    broken = replace(
        platform, settings=platform.settings.model_copy(update={"database_url": _unreachable(url)})
    )
    officer = broken.token("station_officer", station="AM-01-S1")
    async with broken.run("incidents") as incidents:
        response = await incidents.post("/v1/incidents", json=INCIDENT, headers=officer)
        ready = await incidents.get("/readyz")
    assert response.status_code == 503
    assert "database unavailable" in response.json()["detail"][0]["msg"]
    assert ready.status_code == 503
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 0


def _unreachable(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(host="127.0.0.1", port=free_port(), query={}).render_as_string(False)
