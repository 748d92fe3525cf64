"""The one publish: events keyed as the topic registry says, all staged in one COPY + NOTIFY."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from libs.chassis import outbox
from libs.contracts.asyncapi import asyncapi_document
from libs.contracts.incidents import StationPeriodClosed
from libs.contracts.topics import TOPICS, record_key
from tests.contracts.samples import NOW, incident_recorded


async def test_publish_stages_every_event_in_one_copy_keyed_by_the_registry(rollback, monkeypatch):
    copies = []
    real_copy = outbox.copy_rows

    async def counting_copy(session, table, columns, records):
        copies.append(len(records))
        await real_copy(session, table, columns, records)

    monkeypatch.setattr(outbox, "copy_rows", counting_copy)
    closed = StationPeriodClosed(
        station_id="AM-01-S1", week_start=date(2025, 3, 3), incident_count=0, closed_at=NOW
    )
    events = [incident_recorded(), closed, incident_recorded()]
    sessions = await rollback("incidents")
    async with sessions() as session, session.begin():
        envelopes = await outbox.publish(session, events)
        rows = (
            await session.execute(text("SELECT event_id, key, headers FROM outbox ORDER BY id"))
        ).all()
    assert copies == [3]
    assert [r.event_id for r in rows] == [e.id for e in envelopes]
    assert [r.key for r in rows] == [
        "0190a6a0-0000-7000-8000-000000000001",
        "AM-01-S1",
        "0190a6a0-0000-7000-8000-000000000001",
    ]
    headers = json.loads(rows[1].headers) if isinstance(rows[1].headers, str) else rows[1].headers
    assert headers["ce_subject"] == "AM-01-S1" and headers["ce_source"] == "jisr/incidents"


async def test_publish_refuses_to_mix_services(rollback):
    from tests.contracts.samples import complaint_status_changed

    sessions = await rollback("incidents")
    async with sessions() as session, session.begin():
        with pytest.raises(ValueError, match="one service"):
            await outbox.publish(session, [incident_recorded(), complaint_status_changed()])


def test_asyncapi_says_what_each_record_is_keyed_by():
    doc = asyncapi_document("incidents")
    messages = doc["components"]["messages"]
    key = messages["station.period_closed.v1"]["bindings"]["kafka"]["key"]["description"]
    assert key == "station_id"
    recorded = messages["incident.recorded.v1"]["bindings"]["kafka"]["key"]["description"]
    assert recorded == "incident_id"
    assert record_key(incident_recorded()) == "0190a6a0-0000-7000-8000-000000000001"
    for topic in TOPICS:
        assert set(topic.keys) == set(topic.event_types) and topic.keys


async def test_rollback_sessions_undo_every_commit(rollback):
    sessions = await rollback("incidents")
    async with sessions() as session, session.begin():
        await outbox.publish(session, [incident_recorded()])
    async with sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM outbox"))).scalar() == 1


async def test_a_later_test_sees_nothing_of_an_earlier_one(rollback):
    sessions = await rollback("incidents")
    async with sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM outbox"))).scalar() == 0
