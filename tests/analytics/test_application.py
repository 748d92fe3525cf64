"""Application tier on a rollback session: project events, read the views back (no broker,
no service lifespan; everything is undone when the test ends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.contracts.complaints import ComplaintClosed, ComplaintReceived
from libs.contracts.envelope import new_envelope
from libs.contracts.incidents import IncidentRecorded, IncidentVoided, Offence
from services.analytics.accountability.projection import apply_complaint_events
from services.analytics.application.public_report import public_report
from services.analytics.application.views import load_view
from services.analytics.crime.projection import apply_incident_events

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
DAY = "2026-06-10"
ANALYST = Principal("test:analyst", frozenset({"ministry_analyst"}))
STATION = Principal("test:station", frozenset({"station_officer"}), station_id="AM-01-S2")


def recorded(station: str = "AM-01-S1", code: str = "020111") -> IncidentRecorded:
    at = datetime.fromisoformat(f"{DAY}T09:00:00+00:00")
    return IncidentRecorded(
        incident_id=uuid4(),
        station_id=station,
        district_code=station[:5],
        governorate_code=station[:2],
        offences=[Offence(iccs_code=code)],
        occurred_at=at,
        recorded_at=at + timedelta(hours=1),
    )


def envelopes(*events):
    return [new_envelope(e, source="test") for e in events]


async def test_projected_incidents_are_counted_once_and_corrections_apply(rollback) -> None:
    sessions = await rollback("analytics")
    kept, voided = recorded(), recorded()
    batch = envelopes(kept, voided, recorded("AM-01-S2", "0101"))
    async with sessions() as session, session.begin():
        await apply_incident_events(session, batch)
        await apply_incident_events(session, batch[:1])  # a redelivery: its row is kept once
        gone = IncidentVoided(
            incident_id=voided.incident_id,
            station_id=voided.station_id,
            reason_code="NO_CRIME",
            voided_at=NOW,
        )
        await apply_incident_events(session, envelopes(gone))
    async with sessions() as session:
        view = await load_view(
            session, "crime", ANALYST, None, start=DAY, end=DAY, area="AM-01", now=NOW
        )
        theirs = await load_view(session, "crime", STATION, None, start=DAY, end=DAY, now=NOW)
    assert view["summary"]["incidents"] == 2
    by_station = {row["area"]: row["incidents"] for row in view["tables"]["by_area"]}
    assert by_station["AM-01-S1"] == 1 and by_station["AM-01-S2"] == 1
    by_section = {row["iccs_code"]: row["incidents"] for row in view["tables"]["by_category"]}
    assert by_section["02"] == 1 and by_section["01"] == 1
    assert view["scope"] == {"area": None, "who": "analyst"}
    assert theirs["summary"]["incidents"] == 1 and theirs["filters"]["area"] == "AM-01-S2"


async def test_a_station_cannot_widen_its_view(rollback) -> None:
    sessions = await rollback("analytics")
    async with sessions() as session:
        with pytest.raises(RuleViolation) as refused:
            await load_view(session, "crime", STATION, None, area="AM", now=NOW)
    assert refused.value.status == 403


async def test_complaints_reach_the_accountability_view_and_the_public_report(rollback) -> None:
    sessions = await rollback("analytics")
    received_at = datetime.fromisoformat(f"{DAY}T08:00:00+00:00")
    complaints = [
        ComplaintReceived(
            complaint_id=uuid4(),
            channel="web",
            station_id="AM-01-S1",
            governorate_code="AM",
            allegation_categories=["discourtesy"],
            received_at=received_at,
        )
        for _ in range(6)
    ]
    closed = ComplaintClosed(
        complaint_id=complaints[0].complaint_id, closed_at=received_at + timedelta(days=2)
    )
    async with sessions() as session, session.begin():
        await apply_complaint_events(session, envelopes(*complaints))
        await apply_complaint_events(session, [new_envelope(closed, source="test")])
    async with sessions() as session:
        view = await load_view(
            session, "accountability", ANALYST, None, start=DAY, end=DAY, now=NOW
        )
        report = await public_report(session, "2026-06", NOW)
    assert view["summary"]["received"] == 6 and view["summary"]["closed"] == 1
    assert view["summary"]["median_days_to_close"] == 2.0
    assert view["tables"]["by_category"] == [{"category": "discourtesy", "allegations": 6}]
    amman = next(row for row in report["rows"] if row["governorate"] == "AM")
    assert amman["complaints_received"] == 6 and amman["complaints_closed"] == "<5"
