"""Events of the incidents domain: station incident records and reporting periods.

Incidents carry codes and areas only: never names, narratives, addresses or coordinates.
Victims and offenders travel as counts by sex and age band (`PersonCount`): never a person, an
exact age or one person's relationship to another.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from .base import EventModel

ICCS_CODE = r"^\d{2}(\d{2}){0,3}$"
Weapon = Literal["none", "firearm", "knife", "blunt_object", "other", "unknown"]
LocationType = Literal[
    "residence",
    "street",
    "commercial",
    "public_transport",
    "school",
    "workplace",
    "government",
    "online",
    "open_area",
    "other",
    "unknown",
]
Outcome = Literal[
    "under_investigation",
    "charged",
    "referred_to_prosecution",
    "offender_unknown",
    "no_further_action",
    "resolved_community",
    "other",
]


PersonType = Literal["individual", "business", "public_body", "society", "unknown"]
Sex = Literal["female", "male", "unknown"]
AgeBand = Literal["0-11", "12-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown"]
#: An incident holds at most 50 victims and 50 offenders (the API's bound), so at most 50 groups.
MAX_PEOPLE = 50


class PersonCount(EventModel):
    """How many of an incident's victims (or offenders) share a type, sex and age band."""

    type: PersonType = "individual"
    sex: Sex = "unknown"
    age_band: AgeBand = "unknown"
    count: int = Field(ge=1, le=MAX_PEOPLE)


class Offence(EventModel):
    iccs_code: str = Field(pattern=ICCS_CODE, description="ICCS code, level 1 to 4")
    national_code: str | None = Field(default=None, max_length=32)
    attempted: bool = False
    weapon: Weapon = "none"
    domestic: bool = Field(default=False, description="domestic or gender-based")
    cyber: bool = False


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
    occurred_to: datetime | None = Field(default=None, description="end of the occurrence window")
    reported_at: datetime | None = None
    location_type: LocationType = "unknown"
    boundary_version: str = Field(default="1", max_length=16)
    # Optional with an empty default: events recorded before these fields still validate. A
    # reclassification changes offences only, so these stay as recorded.
    victims: list[PersonCount] = Field(
        default_factory=list, max_length=MAX_PEOPLE, description="victims counted by group"
    )
    offenders: list[PersonCount] = Field(
        default_factory=list, max_length=MAX_PEOPLE, description="offenders counted by group"
    )


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


class IncidentMerged(EventModel):
    """A duplicate record folded into another: it no longer counts on its own."""

    event_type = "incident.merged"

    incident_id: UUID
    station_id: str = Field(max_length=32)
    merged_into: UUID
    merged_at: datetime


class IncidentOutcomeSet(EventModel):
    event_type = "incident.outcome_set"

    incident_id: UUID
    station_id: str = Field(max_length=32)
    outcome: Outcome
    outcome_date: date
    set_at: datetime


class StationPeriodClosed(EventModel):
    event_type = "station.period_closed"

    station_id: str = Field(max_length=32)
    week_start: date
    incident_count: int = Field(ge=0)
    closed_at: datetime
