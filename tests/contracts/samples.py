"""One valid instance per event domain, shared by the contract tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from libs.contracts.baselines import BaselineAlertRaised
from libs.contracts.complaints import ComplaintStatusChanged
from libs.contracts.fora import Attendance, MeetingHeld
from libs.contracts.incidents import IncidentRecorded, Offence

NOW = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)


def incident_recorded() -> IncidentRecorded:
    return IncidentRecorded(
        incident_id=UUID("0190a6a0-0000-7000-8000-000000000001"),
        station_id="ST-0101",
        district_code="D01",
        governorate_code="G1",
        offences=[Offence(iccs_code="0501", national_code="THEFT-1", attempted=True)],
        occurred_at=NOW,
        recorded_at=NOW,
    )


def complaint_status_changed() -> ComplaintStatusChanged:
    return ComplaintStatusChanged(
        complaint_id=UUID("0190a6a0-0000-7000-8000-000000000002"),
        from_status="received",
        to_status="logged",
        changed_at=NOW,
        sequence=1,
        prev_hash="0" * 64,
        hash="ab" * 32,
    )


def meeting_held() -> MeetingHeld:
    return MeetingHeld(
        forum_id=UUID("0190a6a0-0000-7000-8000-000000000003"),
        meeting_id=UUID("0190a6a0-0000-7000-8000-000000000004"),
        held_on=date(2025, 3, 1),
        attendance=Attendance(women=12, men=9, total=23),
        quorum_met=True,
    )


def baseline_alert_raised() -> BaselineAlertRaised:
    return BaselineAlertRaised(
        alert_id=UUID("0190a6a0-0000-7000-8000-000000000005"),
        area_level="district",
        area_id="D01",
        iccs_code="0501",
        week_start=date(2025, 3, 3),
        observed=14,
        expected=5.2,
        upper_limit=9.8,
        score=3.1,
        method="farrington_flexible",
        raised_at=NOW,
    )


SAMPLES = (incident_recorded, complaint_status_changed, meeting_held, baseline_alert_raised)
