"""Pure rules of an incident submission: no I/O, so they are tested without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from libs.contracts.incidents import IncidentRecorded, Offence
from libs.reference.model import Reference

COUNTING_RULES_VERSION = "1"
# Station clocks drift; an occurred time a little in the future is a clock, not a fabrication.
CLOCK_SKEW = timedelta(minutes=5)


class OffenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iccs_code: str = Field(pattern=r"^\d{2}(\d{2}){0,3}$", examples=["0201"])
    national_code: str | None = Field(default=None, max_length=32)
    attempted: bool = False


class IncidentIn(BaseModel):
    """A station's incident submission (minimal first cut; the incidents issue grows it)."""

    model_config = ConfigDict(extra="forbid")

    station_id: str = Field(max_length=32, examples=["AM-01-S1"])
    source_ref: str | None = Field(
        default=None,
        max_length=64,
        description="The station's own reference; unique per station, makes retries safe.",
    )
    occurred_at: AwareDatetime
    offences: list[OffenceIn] = Field(min_length=1, max_length=10)


class RuleViolation(ValueError):
    """A submission that is well-formed but breaks a domain rule; names field and rule."""

    def __init__(self, loc: tuple[str | int, ...], rule: str) -> None:
        super().__init__(f"{'.'.join(map(str, loc))}: {rule}")
        self.loc = loc
        self.rule = rule


def check_submission(incident: IncidentIn, reference: Reference, now: datetime) -> None:
    if incident.station_id not in reference.stations:
        raise RuleViolation(("station_id",), f"unknown station {incident.station_id!r}")
    if incident.occurred_at > now + CLOCK_SKEW:
        raise RuleViolation(("occurred_at",), "must not be in the future")
    for i, offence in enumerate(incident.offences):
        if not reference.is_valid_iccs(offence.iccs_code):
            raise RuleViolation(
                ("offences", i, "iccs_code"), f"{offence.iccs_code!r} is not an ICCS code"
            )


def recorded_event(
    incident_id: UUID, incident: IncidentIn, reference: Reference, recorded_at: datetime
) -> IncidentRecorded:
    chain = reference.area_chain(incident.station_id)
    return IncidentRecorded(
        incident_id=incident_id,
        station_id=incident.station_id,
        district_code=chain["district"],
        governorate_code=chain["governorate"],
        offences=[Offence(**o.model_dump()) for o in incident.offences],
        occurred_at=incident.occurred_at.astimezone(UTC),
        recorded_at=recorded_at,
        counting_rules_version=COUNTING_RULES_VERSION,
    )
