"""`station.period_closed` shares the incidents topic with incident events but names no
incident: analytics' real consumer must apply it (an inbox row), never dead-letter it."""

from __future__ import annotations

from libs.contracts.topics import dead_letter_topic
from tests.support.incidents import consumer_events, equals, facts, post_incidents
from tests.support.platform import eventually


async def test_period_closed_is_applied_not_dead_lettered(platform):
    await platform.migrate("incidents", "analytics")
    dead_before = consumer_events("dead_lettered")
    officer = platform.token("station_officer", station="AM-01-S1")
    async with platform.run("incidents") as incidents, platform.run("analytics"):
        await post_incidents(platform, incidents, 1)
        closed = await incidents.post(
            "/v1/stations/AM-01-S1/periods/2026-W46/close", headers=officer
        )
        assert closed.status_code == 201, closed.text
        await post_incidents(platform, incidents, 1)  # after it, in the same partition order

        async def inbox_types():
            rows = await platform.sql("analytics", "SELECT event_type FROM inbox")
            return sorted(r["event_type"] for r in rows)

        await eventually(lambda: equals(facts(platform), 2))
        await eventually(
            lambda: equals(
                inbox_types(),
                sorted(["jisr.incident.recorded.v1"] * 2 + ["jisr.station.period_closed.v1"]),
            )
        )
    assert consumer_events("dead_lettered") == dead_before
    assert await platform.topic_records(dead_letter_topic("analytics"), 1, timeout=2) == []
