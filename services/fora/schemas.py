"""The fora HTTP contract: request models (what a client may send) and response models (what
it gets back). A response model lists every field a route answers with, so what the client
sees is declared here and not whatever a table happens to hold."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from libs.contracts.base import CODE_PATTERN
from libs.contracts.fora import ActionStatus, AgeBand, ForumType, Gender, MemberRole
from libs.contracts.incidents import ICCS_CODE
from libs.reference import load_reference

from .domain import plans, surveys
from .domain.health import DEFAULT_WOMEN_TARGET
from .domain.meetings import QuorumRule

PUBLIC_TEXT = "Shown on the public page: no names or other personal details"


def _in_vocabulary(name: str) -> AfterValidator:
    """A code of the reference vocabulary `name` as loaded now (a country's own set through
    JISR_REFERENCE_DIR): a 422 naming the field otherwise, listing the codes, never the value."""

    def check(code: str) -> str:
        vocabulary = load_reference().vocabulary(name)
        if code not in vocabulary:
            raise ValueError(f"not a {name} code; one of {', '.join(vocabulary.codes)}")
        return code

    return AfterValidator(check)


def _described(name: str) -> Any:
    return Field(pattern=CODE_PATTERN, description=f"A {name} code (GET /v1/vocabularies)")


GroupCode = Annotated[str, _described("member_groups"), _in_vocabulary("member_groups")]
ActivityKindCode = Annotated[str, _described("activity_kinds"), _in_vocabulary("activity_kinds")]
AudienceCode = Annotated[str, _described("audiences"), _in_vocabulary("audiences")]
MeetingKindCode = Annotated[str, _described("meeting_kinds"), _in_vocabulary("meeting_kinds")]
ForumOriginCode = Annotated[str, _described("forum_origins"), _in_vocabulary("forum_origins")]
#: A programme or NGO as a code (iom, undp, ...): not a vocabulary, but never free text.
ProgrammeCode = Annotated[str, Field(pattern=CODE_PATTERN, description="e.g. iom")]


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
    origin: ForumOriginCode | None = Field(None, description="Who established the forum")
    origin_programme: ProgrammeCode | None = Field(
        None, description="The programme or NGO that established it (origin programme_ngo)"
    )


class MemberIn(In):
    name: str = Field(min_length=1, max_length=200, description="Personal data: kept encrypted")
    phone: str | None = Field(None, max_length=32, description="Personal data: kept encrypted")
    role: MemberRole
    represents: GroupCode
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
    origin: str | None = None
    origin_programme: str | None = None


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


class TermOut(Out):
    code: str
    label_en: str
    label_ar: str
    attributes: dict[str, str]


class VocabularyOut(Out):
    name: str
    terms: list[TermOut]


class MemberPersonalDataOut(Out):
    """Only the fields the vault holds (a member added without a phone has none)."""

    member_id: UUID
    name: str | None = None
    phone: str | None = None


# --- meetings --------------------------------------------------------------------------------


class MeetingIn(In):
    scheduled_for: date
    kind: MeetingKindCode = "regular"


class WalkInIn(In):
    count: int = Field(ge=1, le=10_000)
    gender: Gender | None = None
    age_band: AgeBand | None = None
    group: GroupCode | None = None


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
    quorum_met: bool | None = Field(description="None: this kind of meeting needs no quorum")
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


class ReviewNoteOut(Out):
    noted_on: date
    from_status: str | None
    to_status: str
    note: str | None


class ReviewedActionOut(AgreedActionOut):
    """An action a meeting reviewed: its status at the previous review (or when agreed), at
    this one, and the progress recorded in between."""

    created_on: date
    closed_on: date | None
    previously_reviewed_on: date | None
    status_before: str
    status_at_review: str
    closed: bool = Field(description="Done by the meeting's day")
    overdue: bool = Field(description="Still open past its due date on the meeting's day")
    progress_since: list[ReviewNoteOut]


class ReviewCountsOut(Out):
    reviewed: int
    closed: int
    progressed: int = Field(description="Status moved since the previous review")
    still_open: int
    overdue: int
    by_status: dict[str, int]


class ReviewOut(Out):
    meeting_id: UUID
    reviewed_on: date
    actions: list[ReviewedActionOut]
    counts: ReviewCountsOut


class ClosingReportOut(Out):
    forum: ReportForumOut
    meeting: MeetingOut
    quorum_rule: dict[str, Any]
    agenda: list[AgendaItemOut]
    concerns_raised: list[RaisedConcernOut]
    actions_agreed: list[AgreedActionOut]
    actions_reviewed: list[ReviewedActionOut] = Field(
        description="Actions of earlier meetings this meeting reviewed (a follow-up meeting)"
    )
    review_counts: ReviewCountsOut
    minutes: ReportMinutesOut


# --- concerns, priorities, actions -----------------------------------------------------------


class ConcernIn(In):
    category: str = Field(
        pattern=r"^(\d{2}|\d{4}|[a-z][a-z0-9_]{0,31})$",
        description='An ICCS section or division ("05", "0501") or a concern_categories code',
    )
    raised_by_group: GroupCode
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
    meeting_id: UUID | None = Field(
        None, description="Reported at this meeting of the forum: the meeting reviewed it"
    )


class ReviewIn(In):
    action_ids: list[UUID] = Field(
        min_length=1, max_length=200, description="Actions of the forum agreed before the meeting"
    )


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


SURVEY_CODE = r"^[a-z][a-z0-9_]{0,31}$"


class ScaleOptionIn(In):
    code: str = Field(pattern=SURVEY_CODE)
    en: str = Field(min_length=1, max_length=200)
    ar: str = Field(min_length=1, max_length=200)


class InstrumentItemIn(In):
    code: str = Field(pattern=SURVEY_CODE)
    en: str = Field(min_length=1, max_length=500, description="The question, in English")
    ar: str = Field(min_length=1, max_length=500, description="The question, in Arabic")
    scale: list[ScaleOptionIn] = Field(min_length=2, max_length=12, description="The answers")
    positive: list[str] = Field(
        min_length=1, max_length=12, description="Answer codes the headline share counts"
    )
    optional: bool = Field(False, description="A respondent may skip it")


class GroupBreakdownIn(In):
    """A programme-defined breakdown, e.g. population_group: refugee, host_community."""

    code: str = Field(pattern=SURVEY_CODE)
    en: str = Field(min_length=1, max_length=200)
    ar: str = Field(min_length=1, max_length=200)
    values: list[ScaleOptionIn] = Field(min_length=2, max_length=20)


class InstrumentIn(In):
    """A questionnaire. Posting an existing code adds its next version."""

    code: str = Field(pattern=SURVEY_CODE)
    title_en: str = Field(min_length=1, max_length=200)
    title_ar: str = Field(min_length=1, max_length=200)
    items: list[InstrumentItemIn] = Field(min_length=1, max_length=40)
    breakdowns: list[Literal["gender", "age_band"]] = Field(
        default=["gender", "age_band"],
        description="Standard breakdowns it collects besides the area",
    )
    groups: list[GroupBreakdownIn] = Field(default_factory=list, max_length=4)


class InstrumentOut(Out):
    code: str
    version: int
    title_en: str
    title_ar: str
    items: list[dict[str, Any]]
    breakdowns: list[str]
    groups: list[dict[str, Any]]


class InstrumentRefIn(In):
    code: str = Field(surveys.STANDARD_CODE, pattern=SURVEY_CODE)
    version: int | None = Field(None, ge=1, description="Default: the latest version")


class WaveIn(In):
    area_id: str = Field(max_length=32)
    forum_id: UUID | None = None
    title_en: str = Field(min_length=1, max_length=200)
    title_ar: str = Field(min_length=1, max_length=200)
    instrument: InstrumentRefIn = Field(default_factory=InstrumentRefIn)
    items: list[str] | None = Field(
        None, min_length=1, max_length=40, description="Default: every item of the instrument"
    )
    opens_on: date
    closes_on: date


class SurveyResponseIn(In):
    """One anonymous response: nothing that says who answered."""

    area_id: str = Field(max_length=32, description="Where the respondent lives")
    gender: Gender | None = None
    age_band: AgeBand | None = None
    groups: dict[str, str] = Field(
        default_factory=dict, max_length=4, description="Programme-defined breakdown values"
    )
    answers: dict[str, str] = Field(min_length=1, max_length=40)


class WaveOut(Out):
    wave_id: UUID
    area_id: str
    forum_id: UUID | None
    title_en: str
    title_ar: str
    instrument_code: str
    instrument_version: int
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
    instrument_code: str = surveys.STANDARD_CODE
    instrument_version: int = 1
    min_cell_size: int
    overall: dict[str, Any] = Field(description="The overall cell: responses and items")
    by: list[str]
    cells: list[dict[str, Any]] = Field(description="One per breakdown combination")


# --- community safety plans ------------------------------------------------------------------


class SourceIn(In):
    """Where an indicator's figures come from. A baseline series or a survey item is fetched
    (incidents' API, published survey results); `manual` and `qualitative` are typed in."""

    kind: plans.SourceKind
    area_id: str | None = Field(
        None, max_length=32, description="incidents_baseline (required), survey_item (default: "
        "the plan's area): the area its figures are of",
    )  # fmt: skip
    iccs_code: str | None = Field(None, pattern=ICCS_CODE, description="incidents_baseline")
    item: str | None = Field(
        None, pattern=SURVEY_CODE, description="survey_item: an item of a survey instrument"
    )
    instrument: str = Field(
        surveys.STANDARD_CODE, pattern=SURVEY_CODE, description="survey_item: its instrument"
    )
    baseline_from: date | None = Field(
        None, description="incidents_baseline: default the 52 weeks before the plan starts"
    )
    baseline_to: date | None = None

    @model_validator(mode="after")
    def _fields_for_kind(self) -> SourceIn:
        if self.kind == "incidents_baseline" and not (self.area_id and self.iccs_code):
            raise ValueError("area_id and iccs_code: required for an incidents_baseline source")
        if self.kind == "survey_item" and not self.item:
            raise ValueError("item: required for a survey_item source")
        return self


class IndicatorIn(In):
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    source: SourceIn
    baseline: float | None = Field(
        None, description="manual only: a fetched source's baseline is computed"
    )
    target: float | None = Field(
        None, description="incidents_baseline: weekly incidents; survey_item: a share (0..1)"
    )

    @model_validator(mode="after")
    def _numbers_unless_qualitative(self) -> IndicatorIn:
        if self.source.kind != "qualitative" and self.target is None:
            raise ValueError("target: required unless the source is qualitative")
        if self.source.kind == "manual" and self.baseline is None:
            raise ValueError("baseline: required for a manual indicator")
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
    """Each indicator also carries `origin` (computed from its source, or manual),
    `baseline` and `baseline_as_of`, `latest` (value, as_of, origin), `progress`, `status`,
    `trend` and `history` (the values recorded)."""

    elapsed_share: float
    as_of: date | None = None


# --- outreach --------------------------------------------------------------------------------


class ParticipantsIn(In):
    count: int = Field(ge=1, le=1_000_000)
    gender: Gender | None = None
    group: GroupCode | None = None


class ActivityIn(In):
    kind: ActivityKindCode
    audience: AudienceCode
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
    by_audience: dict[str, int] = Field(description="Activities by audience code")
    by_origin: dict[str, int] = Field(
        description="Activities by the origin of the forum that ran them (no_forum, unknown)"
    )
    participants: int
    participants_by_kind: dict[str, int]
    participants_by_audience: dict[str, int]
    participants_by_origin: dict[str, int]
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
