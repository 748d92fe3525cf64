"""What the incidents API accepts and answers: one pydantic model per request body and response.

Request models forbid unknown fields (a victim's name sent by mistake is refused, not dropped).
Response models are the HTTP contract: a route answers exactly the fields declared here,
whatever its tables hold.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from libs.contracts.baselines import AreaLevel, BaselineMethod
from libs.contracts.incidents import ICCS_CODE, AgeBand, LocationType, Outcome, Sex, Weapon

# Requests


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


# Responses: records

IncidentStatus = Literal["active", "no_crime", "merged"]


class Recorded(BaseModel):
    incident_id: UUID
    status: Literal["recorded", "already_recorded"] = Field(
        description="already_recorded: the station's source_ref was stored before (a retry)"
    )


class RowError(BaseModel):
    line: int
    field: str
    rule: str


class BulkSummary(BaseModel):
    lines: int
    stored: int
    duplicates: int
    rejected: int
    errors_truncated: bool
    errors: list[RowError]


class UploadJob(BaseModel):
    """A bulk upload run as a job: where it is, and what it stored and refused so far (each
    counter moves with the batch it counts, in the same transaction)."""

    job_id: UUID
    state: Literal["receiving", "queued", "running", "done", "failed"] = Field(
        description="receiving the file, queued, running (also while resuming after a "
        "restart), done, or failed (see failure; re-sending the file is safe)"
    )
    bytes_received: int
    lines: int = Field(description="lines of the file read and accounted for")
    stored: int
    duplicates: int
    rejected: int
    errors_reported: int
    errors_truncated: bool
    attempts: int = Field(description="runs it took (more than 1: resumed after a restart)")
    failure: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    errors_url: str


class UploadRowError(RowError):
    n: int = Field(description="the error's number in the report (the page cursor)")


class UploadErrors(BaseModel):
    job_id: UUID
    errors: list[UploadRowError]
    next_after: int | None = Field(description="pass as `after` for the next page; null: the end")


class OffenceOut(BaseModel):
    iccs_code: str
    national_code: str | None
    attempted: bool
    weapon: str
    domestic: bool
    cyber: bool


class IncidentRow(BaseModel):
    """An incident as last corrected (`GET /v1/incidents` lists these)."""

    incident_id: UUID
    station_id: str
    district_code: str
    governorate_code: str
    boundary_version: str
    location_type: str
    source_ref: str | None
    occurred_at: datetime
    occurred_to: datetime | None
    reported_at: datetime | None
    recorded_at: datetime
    counting_rules_version: str
    status: IncidentStatus
    merged_into: UUID | None
    outcome: str | None
    outcome_date: date | None
    victims: list[PersonSummary]
    offenders: list[PersonSummary]
    version: int


class IncidentOut(IncidentRow):
    """One incident with its offences; `iccs_codes` lists their codes in order."""

    offences: list[OffenceOut]
    iccs_codes: list[str]


class Corrected(BaseModel):
    incident_id: UUID
    status: IncidentStatus
    version: int = Field(description="the classification version the correction opened")


class OutcomeSet(BaseModel):
    incident_id: UUID
    outcome: str


# Responses: periods and alerts


class _AlertChange(BaseModel):
    alert_id: UUID
    area_level: AreaLevel
    area_id: str
    iccs_code: str
    week_start: date
    observed: int
    expected: float
    upper_limit: float
    score: float
    method: BaselineMethod
    method_version: str | None = None
    statistic: float | None = Field(None, description="what was compared with upper_limit")
    trend_used: bool | None = None


class AlertRaised(_AlertChange):
    action: Literal["raise"]
    raised_at: datetime


class AlertCleared(_AlertChange):
    action: Literal["clear"]
    cleared_at: datetime


AlertChange = Annotated[AlertRaised | AlertCleared, Field(discriminator="action")]


class ClosedPeriod(BaseModel):
    station_id: str
    week_start: date
    incident_count: int
    closed_at: datetime
    alerts: list[AlertChange] = Field(description="alerts the closing raised or cleared")


class StationCompleteness(BaseModel):
    station_id: str
    closed_weeks: int
    missing_weeks: list[date]


class Completeness(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    first: date = Field(alias="from")
    last: date = Field(alias="to")
    stations: int
    complete: int
    not_reported: list[str]
    by_station: list[StationCompleteness]


class Alert(BaseModel):
    alert_id: UUID
    area_level: AreaLevel
    area_id: str
    iccs_code: str
    method: BaselineMethod
    status: Literal["raised", "cleared"]
    week_start: date = Field(description="the week that raised it")
    last_week: date = Field(description="the latest week evaluated while open")
    observed: int
    expected: float
    upper_limit: float
    score: float
    raised_at: datetime
    cleared_at: datetime | None
    method_version: str | None = None
    statistic: float | None = Field(None, description="what was compared with upper_limit")


class Evaluated(BaseModel):
    week_start: date
    changed: list[AlertChange]


# Responses: baselines and evaluations


class BaselineWeek(BaseModel):
    week_start: date
    observed: int
    expected: float | None
    upper_limit: float | None
    score: float | None
    flag: bool = Field(description="exceeds the limit with enough cases to alarm")
    exceeds: bool
    statistic: float | None = Field(
        None, description="what the method compares with upper_limit (see Baseline.statistic)"
    )
    trend_used: bool | None = Field(None, description="the expected value includes a trend")
    converged: bool | None = Field(
        None, description="the trend fit converged (false: dropped); null when none was fitted"
    )
    rate_per_100k: float | None = Field(description="none for stations (no population)")


class Baseline(BaseModel):
    area: str
    area_level: AreaLevel
    category: str | None = Field(description="null: every incident the filters keep, once")
    method: BaselineMethod
    method_version: str | None = None
    statistic: Literal["week_count", "four_week_total", "ewma"] | None = Field(
        None, description="the scale of expected and upper_limit"
    )
    counting_rules_version: str
    series_start: date | None
    as_of: datetime | None
    domestic: bool | None = Field(None, description="the filters the series was counted with")
    victim_sex: Sex | None = None
    victim_age_band: AgeBand | None = None
    weeks: list[BaselineWeek]


class BaselineMethodInfo(BaseModel):
    name: BaselineMethod
    version: str
    title: str
    reference: str
    statistic: Literal["week_count", "four_week_total", "ewma"]
    min_history_weeks: int
    parameters: dict[str, Any]


class BaselineMethods(BaseModel):
    alert_method: BaselineMethod = Field(description="the method the rule pack alerts with")
    methods: list[BaselineMethodInfo]


class Window(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    first: date = Field(alias="from")
    last: date = Field(alias="to")


class AreaCounts(BaseModel):
    area: str
    before: int
    after: int


class BeforeAfterResult(BaseModel):
    category: str | None
    before: Window
    after: Window
    treated: AreaCounts
    comparison: AreaCounts
    displacement: AreaCounts | None
    displacement_comparison: AreaCounts | None
    wdd: float
    wdd_variance: float
    wdd_z: float
    wdd_p: float
    etest_p: float
    etest: str


# Responses: reference data


class Category(BaseModel):
    code: str
    level: int
    parent: str | None
    title_en: str
    title_ar: str


class CrosswalkEntry(BaseModel):
    national_code: str
    iccs_code: str
    version: str
    title_en: str
    title_ar: str


class Taxonomy(BaseModel):
    classification: str
    categories: list[Category]
    crosswalk: list[CrosswalkEntry]


class Station(BaseModel):
    id: str
    name_en: str
    name_ar: str
    district_code: str
    governorate_code: str
