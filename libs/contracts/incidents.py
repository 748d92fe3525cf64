"""Events of the incidents domain: station incident records and reporting periods.

Incidents carry codes and areas only: never names, narratives, addresses or coordinates.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from .base import EventModel

ICCS_CODE = r"^\d{2}(\d{2}){0,3}$"


class Offence(EventModel):
    iccs_code: str = Field(pattern=ICCS_CODE, description="ICCS code, level 1 to 4")
    national_code: str | None = Field(default=None, max_length=32)
    attempted: bool = False


class IncidentRecorded(EventModel):
    event_type = "incident.recorded"

    incident_id: UUID
    station_id: str = Field(max_length=32)
    district_code: str = Field(max_length=16)
    governorate_code: str = Field(max_length=8)
    offences: list[Offence] = Field(min_length=1, max_length=10)
    occurred_at: datetime
    recorded_at: datetime
    counting_rules_version: str = Field(default="1", max_length=16)


class IncidentReclassified(EventModel):
    event_type = "incident.reclassified"

    incident_id: UUID
    station_id: str = Field(max_length=32)
    offences: list[Offence] = Field(min_length=1, max_length=10)
    reclassified_at: datetime


class IncidentVoided(EventModel):
    event_type = "incident.voided"

    incident_id: UUID
    station_id: str = Field(max_length=32)
    reason_code: str = Field(max_length=32, description="e.g. NO_CRIME, DUPLICATE")
    voided_at: datetime


class StationPeriodClosed(EventModel):
    event_type = "station.period_closed"

    station_id: str = Field(max_length=32)
    week_start: date
    incident_count: int = Field(ge=0)
    closed_at: datetime
