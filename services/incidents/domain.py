"""Pure rules of incident records: no I/O, so they are tested without a database.

The counting unit follows NIBRS: one incident holds 1..10 offences, each classified by ICCS.
Baselines count incidents per ICCS category: an incident counts once in every section and
division any of its offences falls in (two thefts in one incident are one theft incident).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from libs.contracts.incidents import (
    ICCS_CODE,
    IncidentRecorded,
    LocationType,
    Offence,
    Outcome,
    Weapon,
)
from libs.reference.model import Reference

# Bump when what counts as an incident or offence changes: baselines restart at the change.
COUNTING_RULES_VERSION = "1"
BOUNDARY_VERSION = "1"
# Station clocks drift; an occurred time a little in the future is a clock, not a fabrication.
CLOCK_SKEW = timedelta(minutes=5)
Status = Literal["active", "no_crime", "merged"]


class OffenceIn(BaseModel):
    """One offence. Give the national code (mapped to ICCS by the crosswalk), the ICCS code,
    or both (then they must agree)."""

    model_config = ConfigDict(extra="forbid")

    iccs_code: str | None = Field(default=None, pattern=ICCS_CODE, examples=["0502"])
    national_code: str | None = Field(default=None, max_length=32, examples=["DEMO-THF-01"])
    attempted: bool = False
    weapon: Weapon = "none"
    domestic: bool = Field(default=False, description="domestic or gender-based")
    cyber: bool = False

    @model_validator(mode="after")
    def _classified(self) -> OffenceIn:
        if self.iccs_code is None and self.national_code is None:
            raise ValueError("give iccs_code or national_code (or both)")
        return self


class PersonSummary(BaseModel):
    """A victim or offender as a statistical summary: never a name or an identity."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["individual", "business", "public_body", "society", "unknown"] = "individual"
    sex: Literal["female", "male", "unknown"] = "unknown"
    age_band: Literal[
        "0-11", "12-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown"
    ] = "unknown"
    relationship: Literal[
        "intimate_partner", "family", "acquaintance", "stranger", "official", "unknown"
    ] = Field(default="unknown", description="the offender's relationship to the victim")


class IncidentIn(BaseModel):
    """A station's incident submission."""

    model_config = ConfigDict(extra="forbid")

    station_id: str = Field(max_length=32, examples=["AM-01-S1"])
    source_ref: str | None = Field(
        default=None,
        max_length=64,
        description="The station's own reference; unique per station, makes retries safe.",
    )
    occurred_at: AwareDatetime = Field(
        description="When it occurred, or the start of the window when not known exactly"
    )
    occurred_to: AwareDatetime | None = Field(default=None, description="end of the window")
    reported_at: AwareDatetime | None = Field(default=None, description="reported to police")
    location_type: LocationType = "unknown"
    offences: list[OffenceIn] = Field(min_length=1, max_length=10)
    victims: list[PersonSummary] = Field(default_factory=list, max_length=50)
    offenders: list[PersonSummary] = Field(default_factory=list, max_length=50)


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
    if incident.occurred_to is not None and incident.occurred_to < incident.occurred_at:
        raise RuleViolation(("occurred_to",), "must not be before occurred_at")
    if incident.reported_at is not None:
        if incident.reported_at < incident.occurred_at:
            raise RuleViolation(("reported_at",), "must not be before occurred_at")
        if incident.reported_at > now + CLOCK_SKEW:
            raise RuleViolation(("reported_at",), "must not be in the future")
    for i, offence in enumerate(incident.offences):
        settled_iccs_code(offence, reference, ("offences", i))


def settled_iccs_code(offence: OffenceIn, reference: Reference, loc: tuple[str | int, ...]) -> str:
    """The offence's ICCS code, through the crosswalk when only the national code is given."""
    iccs = offence.iccs_code
    if offence.national_code is not None:
        entry = reference.crosswalk.get(offence.national_code)
        if entry is None:
            if iccs is None:
                raise RuleViolation(
                    (*loc, "national_code"),
                    f"{offence.national_code!r} is not in the crosswalk; give iccs_code too",
                )
        elif iccs is None:
            iccs = entry.iccs_code
        elif not entry.iccs_code.startswith(iccs) and not iccs.startswith(entry.iccs_code):
            raise RuleViolation(
                (*loc, "iccs_code"),
                f"{iccs!r} contradicts the crosswalk, which maps {offence.national_code!r} "
                f"to {entry.iccs_code!r}",
            )
    assert iccs is not None  # OffenceIn guarantees one of the two codes
    if not reference.is_valid_iccs(iccs):
        raise RuleViolation((*loc, "iccs_code"), f"{iccs!r} is not an ICCS code")
    return iccs


def resolve_offence(
    offence: OffenceIn, reference: Reference, loc: tuple[str | int, ...]
) -> Offence:
    """The offence as the event carries it, its ICCS code settled."""
    return Offence(
        **{**offence.model_dump(), "iccs_code": settled_iccs_code(offence, reference, loc)}
    )


def resolve_offences(offences: list[OffenceIn], reference: Reference) -> list[Offence]:
    return [resolve_offence(o, reference, ("offences", i)) for i, o in enumerate(offences)]


def counted_categories(iccs_codes: list[str], reference: Reference) -> list[str]:
    """The ICCS sections and divisions an incident counts in (levels 1 and 2), sorted."""
    categories = set()
    for code in iccs_codes:
        categories.update(c for c in reference.iccs_ancestors(code) if len(c) <= 4)
    return sorted(categories)


def week_start(moment: datetime | date) -> date:
    """The Monday (UTC) of the ISO week a moment falls in: the unit of every baseline."""
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def recorded_event(
    incident_id: UUID, incident: IncidentIn, reference: Reference, recorded_at: datetime
) -> IncidentRecorded:
    chain = reference.area_chain(incident.station_id)
    return IncidentRecorded(
        incident_id=incident_id,
        station_id=incident.station_id,
        district_code=chain["district"],
        governorate_code=chain["governorate"],
        offences=resolve_offences(incident.offences, reference),
        occurred_at=incident.occurred_at.astimezone(UTC),
        recorded_at=recorded_at,
        counting_rules_version=COUNTING_RULES_VERSION,
        occurred_to=incident.occurred_to.astimezone(UTC) if incident.occurred_to else None,
        reported_at=incident.reported_at.astimezone(UTC) if incident.reported_at else None,
        location_type=incident.location_type,
        boundary_version=BOUNDARY_VERSION,
    )


# Corrections: records are never edited in place; each correction is an event and a new
# version of the incident's classification, so baselines can be recomputed "as of" any time.


class Reclassification(BaseModel):
    model_config = ConfigDict(extra="forbid")
    offences: list[OffenceIn] = Field(min_length=1, max_length=10)


class Voiding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason_code: Literal["NO_CRIME", "DUPLICATE", "RECORDED_IN_ERROR"] = "NO_CRIME"


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    merged_into: UUID = Field(description="the incident this duplicate folds into")


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    outcome_date: date


def check_correction(status: Status, kind: str) -> None:
    """Only an active incident can be reclassified, voided or merged; outcomes need one too."""
    if status != "active":
        raise RuleViolation(("status",), f"cannot {kind} an incident that is {status}")


# Alerts: one open alert per area, category and method is one episode of a rise.
AlertAction = Literal["raise", "keep", "clear"]


def alert_action(open_since: date | None, week: date, alarm: bool) -> AlertAction | None:
    """What evaluating `week` does to an area-category's alert.

    No open alert: an alarm raises one. An open alert stays open while weeks keep alarming and
    clears at the first week that does not (or when a correction takes the alarm away from
    the very week that raised it). Evaluating a week before the open alert's own week changes
    nothing: late data about the past does not end a current rise.
    """
    if open_since is None:
        return "raise" if alarm else None
    if week < open_since:
        return None
    return "keep" if alarm else "clear"


def parse_week(value: str) -> date:
    """A week as its Monday ("2026-11-09") or ISO week ("2026-W46")."""
    try:
        if "W" in value:
            return date.fromisocalendar(int(value[:4]), int(value.split("W")[1]), 1)
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise RuleViolation(("week",), f"{value!r} is not a date or ISO week: {exc}") from None
    if day.weekday() != 0:
        raise RuleViolation(("week",), f"{value} is a {day:%A}; weeks start on Monday")
    return day
