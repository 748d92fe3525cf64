"""The fora HTTP contract: request models (what a client may send) and response models (what
it gets back). A response model lists every field a route answers with, so what the client
sees is declared here and not whatever a table happens to hold."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.contracts.fora import ActionStatus, AgeBand, ForumType, Gender, Group, MemberRole
from libs.contracts.incidents import ICCS_CODE

from .domain import outreach, plans, surveys
from .domain.health import DEFAULT_WOMEN_TARGET
from .domain.meetings import MeetingKind, QuorumRule

PUBLIC_TEXT = "Shown on the public page: no names or other personal details"


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """Read from dicts or database rows alike (by attribute)."""

    model_config = ConfigDict(from_attributes=True)


# --- registry --------------------------------------------------------------------------------


class ForumIn(In):
    forum_type: ForumType
    area_id: str = Field(max_length=32, description="Station, district or governorate id, or JO")
    name_en: str = Field(min_length=1, max_length=200)
    name_ar: str = Field(min_length=1, max_length=200)
    parent_forum_id: UUID | None = Field(None, description="The coordination council above it")
    quorum: QuorumRule = QuorumRule()
    women_target: float = Field(DEFAULT_WOMEN_TARGET, ge=0, le=1)


class MemberIn(In):
    name: str = Field(min_length=1, max_length=200, description="Personal data: kept encrypted")
    phone: str | None = Field(None, max_length=32, description="Personal data: kept encrypted")
    role: MemberRole
    represents: Group
    gender: Gender | None = None
    age_band: AgeBand | None = None
    joined_on: date | None = None


class ForumOut(Out):
    forum_id: UUID
    forum_type: str
    level: str
    area_id: str
    parent_forum_id: UUID | None
    name_en: str
    name_ar: str
    quorum: dict[str, Any]
    women_target: float


class RegisteredForumOut(ForumOut):
    station_id: str | None
    registered_at: datetime


class MemberOut(Out):
    member_id: UUID
    forum_id: UUID
    role: str
    represents: str
    gender: str | None
    age_band: str | None
    joined_on: date


class ListedMemberOut(MemberOut):
    left_on: date | None


class MemberPersonalDataOut(Out):
    """Only the fields the vault holds (a member added without a phone has none)."""

    member_id: UUID
    name: str | None = None
    phone: str | None = None


# --- meetings --------------------------------------------------------------------------------


class MeetingIn(In):
    scheduled_for: date
    kind: MeetingKind = "regular"


class WalkInIn(In):
    count: int = Field(ge=1, le=10_000)
    gender: Gender | None = None
    age_band: AgeBand | None = None
    group: Group | None = None


class AttendanceIn(In):
    held_on: date
    members_present: list[UUID] = Field(default_factory=list, max_length=500)
    walk_ins: list[WalkInIn] = Field(default_factory=list, max_length=100)


class AgendaItemIn(In):
    concern_id: UUID | None = None
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)


class MinutesIn(In):
    language: Literal["ar", "en"]
    text: str = Field(min_length=1, max_length=50_000)


class ScheduledMeetingOut(Out):
    meeting_id: UUID
    forum_id: UUID
    kind: str
    scheduled_for: date
    status: str
    pending_items_attached: int


class MeetingOut(Out):
    """A meeting and its counts; walk-ins' own breakdown stays in the meeting."""

    meeting_id: UUID
    forum_id: UUID
    kind: str
    scheduled_for: date
    status: str
    held_on: date | None
    quorum_met: bool | None
    members_present: int | None
    walk_ins: int | None
    women: int | None
    men: int | None
    total: int | None
    groups: dict[str, int] | None
    age_bands: dict[str, int] | None
    minutes_language: str | None
    minutes_recorded_at: datetime | None


class AgendaItemOut(Out):
    item_id: UUID
    source: str
    status: str
    concern_id: UUID | None
    alert_id: UUID | None
    details: dict[str, Any] | None
    title_en: str
    title_ar: str
    created_at: datetime


class MeetingWithAgendaOut(MeetingOut):
    agenda: list[AgendaItemOut]


class AgendaItemAddedOut(Out):
    item_id: UUID
    meeting_id: UUID


class AttendanceCountsOut(Out):
    members_present: int
    walk_ins: int
    total: int
    women: int
    men: int
    groups: dict[str, int]
    age_bands: dict[str, int]


class AttendanceOut(Out):
    meeting_id: UUID
    status: str
    quorum_met: bool
    quorum_needed: int
    attendance: AttendanceCountsOut


class MinutesRecordedOut(Out):
    meeting_id: UUID
    minutes_language: str


class MinutesOut(Out):
    meeting_id: UUID
    language: str | None
    recorded_at: datetime | None
    text: str


class MeetingStatusOut(Out):
    meeting_id: UUID
    status: str


class ReportForumOut(Out):
    forum_id: UUID
    name_en: str
    name_ar: str


class RaisedConcernOut(Out):
    concern_id: UUID
    category: str
    raised_by_group: str
    summary_en: str | None
    summary_ar: str | None


class AgreedActionOut(Out):
    action_id: UUID
    title_en: str
    title_ar: str
    owner: str
    due_on: date
    status: str


class ReportMinutesOut(Out):
    language: str | None
    recorded: bool


class ClosingReportOut(Out):
    forum: ReportForumOut
    meeting: MeetingOut
    quorum_rule: dict[str, Any]
    agenda: list[AgendaItemOut]
    concerns_raised: list[RaisedConcernOut]
    actions_agreed: list[AgreedActionOut]
    minutes: ReportMinutesOut


# --- concerns, priorities, actions -----------------------------------------------------------


class ConcernIn(In):
    category: str = Field(
        pattern=r"^(\d{2}|\d{4}|[a-z_]{3,32})$",
        description='An ICCS section or division ("05", "0501") or a community concern code',
    )
    raised_by_group: Group
    raised_by_member_id: UUID | None = None
    meeting_id: UUID | None = Field(None, description="Raised at this meeting: on its agenda")
    area_id: str | None = Field(None, max_length=32, description="Default: the forum's area")
    summary_en: str | None = Field(None, max_length=500, description=PUBLIC_TEXT)
    summary_ar: str | None = Field(None, max_length=500, description=PUBLIC_TEXT)
    raised_on: date | None = None


class PrioritiesIn(In):
    period_start: date
    period_end: date
    candidates: list[UUID] = Field(min_length=1, max_length=100)
    method: Literal["votes", "ranking"] = "votes"
    votes: dict[UUID, int] | None = None
    ballots: list[list[UUID]] | None = Field(None, max_length=1000)
    top: int = Field(3, ge=1, le=20)

    @model_validator(mode="after")
    def _inputs_match_method(self) -> PrioritiesIn:
        if self.period_end < self.period_start:
            raise ValueError("period_end: must not be before period_start")
        if self.method == "votes" and self.votes is None:
            raise ValueError("votes: required when method is votes")
        if self.method == "ranking" and not self.ballots:
            raise ValueError("ballots: required when method is ranking")
        return self


class ActionIn(In):
    concern_id: UUID | None = None
    priority_id: UUID | None = None
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    owner: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,63}$",
        description="A role or an agency code, e.g. police_liaison, municipality",
    )
    due_on: date
    created_on: date | None = None


class ActionProgressIn(In):
    status: ActionStatus | None = None
    note: str | None = Field(None, max_length=2000)
    due_on: date | None = Field(None, description="Reschedule")
    on: date | None = Field(None, description="When it happened (default today)")


class ConcernRaisedOut(Out):
    concern_id: UUID
    raised_on: date
    area_id: str


class ConcernOut(Out):
    concern_id: UUID
    forum_id: UUID
    meeting_id: UUID | None
    raised_by_member: UUID | None
    raised_by_group: str
    category: str
    area_id: str
    summary_en: str | None
    summary_ar: str | None
    raised_on: date


class PriorityOut(Out):
    priority_id: UUID
    forum_id: UUID
    concern_id: UUID
    period_start: date
    period_end: date
    rank: int
    score: float
    method: str


class RankedOut(Out):
    concern_id: UUID
    rank: int
    score: float


class PrioritiesOut(Out):
    priorities: list[PriorityOut]
    ranking: list[RankedOut]


class CreatedActionOut(Out):
    action_id: UUID
    forum_id: UUID
    concern_id: UUID | None
    priority_id: UUID | None
    title_en: str
    title_ar: str
    owner: str
    due_on: date
    status: str
    created_on: date


class ActionOut(CreatedActionOut):
    closed_on: date | None
    overdue_notified_for: date | None
    overdue: bool


class ActionNoteOut(Out):
    id: int
    action_id: UUID
    noted_on: date
    from_status: str | None
    to_status: str
    note: str | None


class ActionWithNotesOut(ActionOut):
    notes: list[ActionNoteOut]


class ActionProgressOut(Out):
    action_id: UUID
    status: str
    due_on: date
    closed_on: date | None


# --- SARA cases ------------------------------------------------------------------------------


class CaseIn(In):
    problem_statement: str = Field(min_length=10, max_length=2000)
    area_id: str = Field(max_length=32, description="The treated area")
    iccs_code: str = Field(pattern=ICCS_CODE, description="ICCS section or division")
    comparison_area_id: str = Field(max_length=32)
    displacement_area_id: str | None = Field(None, max_length=32, description="A buffer area")
    linked_concern_ids: list[UUID] = Field(default_factory=list, max_length=100)
    linked_incident_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    alert_id: UUID | None = None
    before_from: date
    before_to: date


class AnalysisIn(In):
    offender: str = Field(min_length=1, max_length=2000)
    victim: str = Field(min_length=1, max_length=2000)
    place: str = Field(min_length=1, max_length=2000)
    hypotheses: list[str] = Field(min_length=1, max_length=20)


class InterventionIn(In):
    title: str = Field(min_length=1, max_length=300)
    responsible: list[str] = Field(min_length=1, max_length=10, description="Roles or agencies")
    start_on: date
    end_on: date | None = None


class SaraResponseIn(In):
    interventions: list[InterventionIn] = Field(min_length=1, max_length=30)


class ProcessIn(In):
    done_as_planned: bool
    note: str | None = Field(None, max_length=2000)


class AssessmentIn(In):
    after_from: date
    after_to: date
    process: list[ProcessIn] = Field(description="One per intervention, in order")


class OpenedCaseOut(Out):
    case_id: UUID
    forum_id: UUID
    stage: str
    problem_statement: str
    area_level: str
    area_id: str
    iccs_code: str | None
    comparison_area_id: str
    displacement_area_id: str | None
    linked_concern_ids: list[UUID]
    linked_incident_ids: list[UUID]
    alert_id: UUID | None
    baseline: dict[str, Any]
    opened_at: datetime


class CaseOut(OpenedCaseOut):
    analysis: dict[str, Any] | None
    response: dict[str, Any] | None
    assessment: dict[str, Any] | None


class CaseStepOut(Out):
    """The case's stage after a step, and what the step recorded (one of these, or none)."""

    case_id: UUID
    stage: str
    analysis: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    assessment: dict[str, Any] | None = None


# --- perception surveys ----------------------------------------------------------------------


class WaveIn(In):
    area_id: str = Field(max_length=32)
    forum_id: UUID | None = None
    title_en: str = Field(min_length=1, max_length=200)
    title_ar: str = Field(min_length=1, max_length=200)
    items: list[str] = Field(default_factory=lambda: list(surveys.ITEMS), min_length=1)
    opens_on: date
    closes_on: date


class SurveyResponseIn(In):
    """One anonymous response: nothing that says who answered."""

    area_id: str = Field(max_length=32, description="Where the respondent lives")
    gender: Gender | None = None
    age_band: AgeBand | None = None
    answers: dict[str, str] = Field(min_length=1, max_length=20)


class WaveOut(Out):
    wave_id: UUID
    area_id: str
    forum_id: UUID | None
    title_en: str
    title_ar: str
    items: list[str]
    opens_on: date
    closes_on: date


class ResponseRecordedOut(Out):
    """No id: nothing to trace a response back by."""

    wave_id: UUID
    recorded: bool


class WaveResultsOut(Out):
    wave_id: UUID
    title: str
    area_id: str
    min_cell_size: int
    overall: dict[str, Any] = Field(description="The overall cell: responses and items")
    by: list[str]
    cells: list[dict[str, Any]] = Field(description="One per breakdown combination")


# --- community safety plans ------------------------------------------------------------------


class SourceIn(In):
    kind: plans.SourceKind
    area_id: str | None = Field(None, max_length=32, description="incidents_baseline: the area")
    iccs_code: str | None = Field(None, pattern=ICCS_CODE, description="incidents_baseline")
    item: str | None = Field(None, max_length=64, description="survey_item: the item code")

    @model_validator(mode="after")
    def _fields_for_kind(self) -> SourceIn:
        if self.kind == "incidents_baseline" and not (self.area_id and self.iccs_code):
            raise ValueError("area_id and iccs_code: required for an incidents_baseline source")
        if self.kind == "survey_item" and self.item not in surveys.ITEMS:
            raise ValueError(f"item: must be a standard survey item {list(surveys.ITEMS)}")
        return self


class IndicatorIn(In):
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    source: SourceIn
    baseline: float | None = None
    target: float | None = None

    @model_validator(mode="after")
    def _numbers_unless_qualitative(self) -> IndicatorIn:
        if self.source.kind != "qualitative" and (self.baseline is None or self.target is None):
            raise ValueError("baseline and target: required unless the source is qualitative")
        return self


class OutcomeIn(In):
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    indicators: list[IndicatorIn] = Field(min_length=1, max_length=20)


class GoalIn(In):
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    outcomes: list[OutcomeIn] = Field(min_length=1, max_length=20)


class PlanIn(In):
    forum_id: UUID | None = Field(None, description="The adopting forum, or none for an area")
    area_id: str = Field(max_length=32, description="The district (or forum area) it covers")
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    period_start: date
    period_end: date
    goals: list[GoalIn] = Field(min_length=1, max_length=20)


class ValueIn(In):
    indicator_id: UUID
    value: float | None = None
    rating: plans.Rating | None = None
    note: str | None = Field(None, max_length=1000)


class PlanProgressIn(In):
    period: str = Field(pattern=r"^\d{4}-(Q[1-4]|\d{2})$", description="e.g. 2026-Q3 or 2026-09")
    recorded_on: date | None = None
    values: list[ValueIn] = Field(min_length=1, max_length=200)


class PlanOut(Out):
    plan_id: UUID
    forum_id: UUID | None
    area_id: str
    title_en: str
    title_ar: str
    period_start: date
    period_end: date
    goals: list[dict[str, Any]] = Field(
        description="Goals, their outcomes and indicators (each with its indicator_id)"
    )
    adopted_on: date


class PlanWithProgressOut(PlanOut):
    """Each indicator also carries `latest`, `progress`, `status` and `history`."""

    elapsed_share: float


# --- outreach --------------------------------------------------------------------------------


class ParticipantsIn(In):
    count: int = Field(ge=1, le=1_000_000)
    gender: Gender | None = None
    group: Group | None = None


class ActivityIn(In):
    kind: outreach.ActivityKind
    audience: outreach.Audience
    forum_id: UUID | None = None
    area_id: str = Field(max_length=32)
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    held_on: date
    participants: list[ParticipantsIn] = Field(min_length=1, max_length=50)
    direct_beneficiaries: int = Field(ge=0)
    indirect_beneficiaries: int = Field(0, ge=0)
    before_wave_id: UUID | None = Field(None, description="Short survey before the activity")
    after_wave_id: UUID | None = Field(None, description="The same survey after it")


class ParticipantsOut(Out):
    count: int
    gender: str | None
    group: str | None


class ActivityOut(Out):
    activity_id: UUID
    kind: str
    audience: str
    forum_id: UUID | None
    area_id: str
    title_en: str
    title_ar: str
    held_on: date
    participants: list[ParticipantsOut]
    direct_beneficiaries: int
    indirect_beneficiaries: int
    before_wave_id: UUID | None
    after_wave_id: UUID | None


class PerceptionChangeOut(Out):
    activity_id: UUID
    items: list[dict[str, Any]]


class ActivitiesReportOut(Out):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    area_id: str
    from_date: date = Field(alias="from")
    to_date: date = Field(alias="to")
    activities: int
    by_kind: dict[str, int]
    participants: int
    participants_by_gender: dict[str, int]
    participants_by_group: dict[str, int]
    direct_beneficiaries: int
    indirect_beneficiaries: int
    perception: list[PerceptionChangeOut]


# --- forum health ----------------------------------------------------------------------------


class HealthFiguresOut(Out):
    period_start: date
    period_end: date
    meetings: dict[str, Any]
    attendance: dict[str, Any]
    actions: dict[str, Any]
    concerns: dict[str, Any]


class ForumHealthOut(HealthFiguresOut):
    forum_id: UUID
    as_of: date
    rolled_up: HealthFiguresOut | None = Field(
        None, description="A coordination council: its own figures with its fora's"
    )


class AreaForumHealthOut(HealthFiguresOut):
    forum_id: UUID
    name_en: str


class AreaHealthOut(Out):
    area_id: str
    as_of: date
    fora: list[AreaForumHealthOut]
    rolled_up: HealthFiguresOut


# --- public page -----------------------------------------------------------------------------


class WeDidOut(Out):
    action: str
    status: str
    due_on: date
    done_on: date | None


class YouSaidOut(Out):
    category: str
    you_said: str
    raised_on: date
    we_did: list[WeDidOut]


class PublicSurveyOut(WaveResultsOut):
    by_gender: list[dict[str, Any]]
    by_age_band: list[dict[str, Any]]


class PublicPageOut(Out):
    forum: str
    type: str
    area_id: str
    lang: str
    you_said_we_did: list[YouSaidOut]
    surveys: list[PublicSurveyOut]
