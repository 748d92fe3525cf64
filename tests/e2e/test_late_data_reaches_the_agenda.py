"""Issue 17's last mile, through the real services: incidents recorded into a week its station
already closed raise the alert (one per area and category level), and fora — consuming those
events from the broker — puts the rise on the district forum's next meeting as one item."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.fora.helpers import Api
from tests.incidents.conftest import monday, upload, weekly_history
from tests.support.platform import eventually

pytestmark = pytest.mark.slow


async def test_a_late_upload_into_a_closed_week_is_one_item_on_the_forum_agenda(platform):
    await platform.migrate("incidents")
    await platform.migrate("fora")
    async with platform.run("incidents") as incidents, platform.run("fora") as fora:
        api = Api(platform, fora)
        district = await api.forum("AM-01")
        ahead = (monday(0) + timedelta(days=14)).isoformat()
        next_meeting = await api.meeting(district, ahead)

        officer = platform.token("station_officer", station="AM-01-S1")
        history = weekly_history("AM-01-S1", "0502", {w: 3 for w in range(2, 75)})
        await upload(platform, incidents, history)
        closed = await incidents.post(
            f"/v1/stations/AM-01-S1/periods/{monday(2).isoformat()}/close", headers=officer
        )
        assert closed.status_code == 201 and closed.json()["alerts"] == []

        # The rest of that week arrives after it was closed.
        await upload(platform, incidents, weekly_history("AM-01-S1", "0502", {2: 17}, "late"))

        async def on_the_agenda():
            rows = await platform.sql(
                "fora",
                "SELECT a.meeting_id, a.source, a.details FROM agenda_items a"
                " WHERE a.forum_id = $1::uuid",
                district,
            )
            return rows or None

        await eventually(on_the_agenda, timeout=40)
        raised = await eventually(lambda: _all_alerts_raised(platform), timeout=40)
        [item] = await on_the_agenda()
        assert item["source"] == "alert" and str(item["meeting_id"]) == next_meeting

        # Eight alerts were raised (theft and its ICCS section, at the station, the
        # district, the governorate and the nation); the four of the station and the district
        # reached the district forum, as one item listing them.
        assert raised == 8
        listed = {(a["area_id"], a["iccs_code"]) for a in json.loads(item["details"])["alerts"]}
        assert listed == {(area, code) for area in ("AM-01-S1", "AM-01") for code in ("05", "0502")}
        agenda = (await api.get(f"/v1/meetings/{next_meeting}"))["agenda"]
        assert len(agenda) == 1


async def _all_alerts_raised(platform):
    """The district forum has linked all four alerts of its area (fora consumed them)."""
    links = await platform.scalar("fora", "SELECT count(*) FROM agenda_item_alerts")
    raised = await platform.scalar("incidents", "SELECT count(*) FROM alerts")
    return raised if raised == 8 and links == 4 else None
