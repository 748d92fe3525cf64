"""An incidents alert reaches the agenda of every forum covering its area, once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from uuid import uuid4

from aiokafka import AIOKafkaProducer

from libs.contracts.baselines import BaselineAlertRaised
from libs.contracts.envelope import encode_headers, encode_value, new_envelope
from libs.contracts.topics import INCIDENTS_BASELINES
from tests.fora.helpers import Api, running_fora
from tests.support.platform import eventually


def district_alert(area_id: str = "AM-01", alert_id=None) -> BaselineAlertRaised:
    return BaselineAlertRaised(
        alert_id=alert_id or uuid4(),
        area_level="district",
        area_id=area_id,
        iccs_code="0501",
        week_start=date(2026, 11, 9),
        observed=14,
        expected=5.2,
        upper_limit=9.8,
        score=3.1,
        method="farrington_flexible",
        raised_at=datetime(2026, 11, 16, 6, 0, tzinfo=UTC),
    )


async def send(platform, envelopes) -> None:
    """Publish envelopes to the baselines topic as the incidents relay would."""
    producer = AIOKafkaProducer(bootstrap_servers=platform.settings.kafka_bootstrap)
    await producer.start()
    try:
        for env in envelopes:
            await producer.send_and_wait(
                platform.settings.topic(INCIDENTS_BASELINES.name),
                encode_value(env.data),
                key=env.data.area_id.encode(),
                headers=[(k, v.encode()) for k, v in encode_headers(env).items()],
            )
    finally:
        await producer.stop()


async def agenda_items(platform) -> list:
    return await platform.sql(
        "fora",
        "SELECT f.area_id, a.meeting_id, a.status, a.source, a.title_en, a.details"
        " FROM agenda_items a JOIN fora f USING (forum_id) ORDER BY f.area_id",
    )


async def test_district_alert_lands_once_on_the_next_meeting_of_covering_fora(platform):
    async with running_fora(platform) as client:
        api = Api(platform, client)
        district = await api.forum("AM-01")
        governorate = await api.forum("AM", forum_type="coordination_council")
        station = await api.forum("AM-01-S1", forum_type="community_police_forum")
        neighbour = await api.forum("AM-02")
        await api.meeting(district, "2026-11-10")  # already past when the alert comes
        next_meeting = await api.meeting(district, "2026-12-01")
        await api.meeting(district, "2026-12-15")
        await api.meeting(district, "2026-11-25", kind="women_only")
        for forum in (station, neighbour):
            await api.meeting(forum, "2026-12-01")

        alert = district_alert()
        envelope = new_envelope(alert, source="jisr/incidents", subject=alert.area_id)
        # The same event twice (a redelivery), and the same alert under a new event id (a
        # replayed outbox row re-enveloped): one item per forum all the same.
        again = new_envelope(alert, source="jisr/incidents", subject=alert.area_id)
        await send(platform, [envelope, envelope, again])

        async def processed():
            return await platform.scalar("fora", "SELECT count(*) FROM inbox") == 2

        await eventually(processed, timeout=30)
        await asyncio.sleep(1)  # let a stray third delivery show up if there were one
        items = await agenda_items(platform)
        assert [(i["area_id"], i["status"], i["source"]) for i in items] == [
            ("AM", "proposed", "alert"),
            ("AM-01", "proposed", "alert"),
        ]
        by_area = {i["area_id"]: i for i in items}
        assert str(by_area["AM-01"]["meeting_id"]) == next_meeting
        assert by_area["AM"]["meeting_id"] is None  # no meeting ahead yet: pending
        assert "Burglary" in by_area["AM-01"]["title_en"] and "14" in by_area["AM-01"]["title_en"]

        meeting = await api.get(f"/v1/meetings/{next_meeting}")
        [item] = meeting["agenda"]
        assert item["alert_id"] == str(alert.alert_id) and item["status"] == "proposed"

        # The governorate council's next meeting picks the pending item up.
        scheduled = await api.post(
            f"/v1/fora/{governorate}/meetings", {"scheduled_for": "2026-12-03"}
        )
        assert scheduled["pending_items_attached"] == 1
        [item] = (await api.get(f"/v1/meetings/{scheduled['meeting_id']}"))["agenda"]
        assert item["source"] == "alert"
