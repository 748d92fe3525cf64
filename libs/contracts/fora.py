"""Events of the community-policing fora domain: registration, members, meetings, concerns,
actions, SARA problem-solving cases and forum health.

Fora events carry counts and codes: never member names, minutes, the wording of a concern or a
survey answer. Members appear only by their pseudonymous id; survey results only as counts of
cells holding at least the minimum cell size of responses.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from .base import CODE_PATTERN, EventModel
from .incidents import ICCS_CODE

ForumType = Literal[
    "community_police_forum",
    "women_safety_forum",
    "youth_forum",
    "business_forum",
    "school_safety_forum",
    "neighbourhood_watch",
    "local_security_council",
    "coordination_council",
]
ForumLevel = Literal["station", "district", "governorate", "national"]
ActionStatus = Literal["open", "in_progress", "done", "blocked", "dropped"]
MemberRole = Literal[
    "chair", "vice_chair", "secretary", "police_liaison", "community_representative"
]
#: The group a member represents, or an attendee belongs to: a code of the `member_groups`
#: vocabulary of the country's reference set (libs/reference), e.g. youth, media, judiciary.
Group = Annotated[str, Field(pattern=CODE_PATTERN, description="A member_groups code")]
#: A code of one of the reference vocabularies (meeting kinds, forum origins, activity kinds,
#: audiences), so a country adds values without a new event version.
VocabularyCode = Annotated[str, Field(pattern=CODE_PATTERN)]
Gender = Literal["female", "male"]
AgeBand = Literal["under_18", "18_29", "30_44", "45_59", "60_plus"]
SaraStage = Literal["scanning", "analysis", "response", "assessment", "closed"]
AreaLevel = Literal["station", "district", "governorate", "national"]


class ForumRegistered(EventModel):
    event_type = "forum.registered"

    forum_id: UUID
    forum_type: ForumType
    level: ForumLevel
    area_code: str = Field(max_length=16, description="Station, district or governorate code")
    station_id: str | None = Field(default=None, max_length=32)
    registered_at: datetime
    parent_forum_id: UUID | None = Field(
        default=None, description="The coordination council this forum reports to"
    )
    origin: VocabularyCode | None = Field(
        default=None, description="Who established it: a forum_origins code, e.g. police"
    )
    origin_programme: VocabularyCode | None = Field(
        default=None, description="The establishing programme or NGO as a code, e.g. iom"
    )


class MemberJoined(EventModel):
    """A member joined a forum: role and the group they represent, never who they are."""

    event_type = "member.joined"

    forum_id: UUID
    member_id: UUID = Field(description="Pseudonymous id; the name is kept apart, encrypted")
    role: MemberRole
    represents: Group
    gender: Gender | None = None
    age_band: AgeBand | None = None
    joined_on: date


class GroupCount(EventModel):
    group: Group
    count: int = Field(ge=0)


class AgeBandCount(EventModel):
    age_band: AgeBand
    count: int = Field(ge=0)


class Attendance(EventModel):
    """Head counts of one meeting; total may exceed women + men (gender not given)."""

    women: int = Field(ge=0)
    men: int = Field(ge=0)
    total: int = Field(ge=0)

    @model_validator(mode="after")
    def _total_covers_counts(self) -> Attendance:
        if self.total < self.women + self.men:
            raise ValueError("total must be at least women + men")
        return self


class MeetingHeld(EventModel):
    event_type = "meeting.held"

    forum_id: UUID
    meeting_id: UUID
    held_on: date
    attendance: Attendance
    quorum_met: bool = Field(
        description="False too when quorum_applies is False: read that first"
    )
    women_only: bool = False
    kind: VocabularyCode | None = Field(default=None, description="A meeting_kinds code")
    quorum_applies: bool = Field(
        default=True,
        description="False for a kind that needs no quorum (a public consultation, a town "
        "hall): not a failed quorum, leave it out of quorum rates",
    )
    groups: list[GroupCount] | None = Field(default=None, max_length=16)
    age_bands: list[AgeBandCount] | None = Field(default=None, max_length=8)
    members_present: int | None = Field(default=None, ge=0)
    walk_ins: int | None = Field(default=None, ge=0)


class ConcernRaised(EventModel):
    event_type = "concern.raised"

    forum_id: UUID
    concern_id: UUID
    category: str = Field(pattern=CODE_PATTERN, description="Concern category code")
    area_code: str = Field(max_length=16)
    raised_by_group: str = Field(
        pattern=CODE_PATTERN, description="Group code, e.g. women, youth, traders, residents"
    )
    raised_at: datetime


class ActionStatusChanged(EventModel):
    event_type = "action.status_changed"

    forum_id: UUID
    action_id: UUID
    concern_id: UUID | None = None
    from_status: ActionStatus | None = Field(description="None when the action is created")
    to_status: ActionStatus
    due_on: date | None = None
    changed_at: datetime
    overdue: bool = False


class ActionOverdue(EventModel):
    """An open action passed its due date; published once per action and due date."""

    event_type = "action.overdue"

    forum_id: UUID
    action_id: UUID
    concern_id: UUID | None = None
    status: ActionStatus
    due_on: date
    detected_on: date
    days_overdue: int = Field(ge=1)


class FrozenBaseline(EventModel):
    """The incidents baseline a SARA case will be judged against, fixed when the case opens."""

    method: str = Field(max_length=32)
    from_date: date
    to_date: date
    weeks: int = Field(ge=0)
    observed: int = Field(ge=0)
    expected: float = Field(ge=0)
    weeks_flagged: int = Field(ge=0)


class SaraCaseOpened(EventModel):
    event_type = "sara_case.opened"

    forum_id: UUID
    case_id: UUID
    area_level: AreaLevel
    area_id: str = Field(max_length=32)
    iccs_code: str | None = Field(default=None, pattern=ICCS_CODE)
    comparison_area_id: str = Field(max_length=32)
    displacement_area_id: str | None = Field(default=None, max_length=32)
    linked_incidents: int = Field(ge=0)
    linked_concerns: int = Field(ge=0)
    alert_id: UUID | None = None
    baseline: FrozenBaseline
    opened_at: datetime


class SaraStageChanged(EventModel):
    event_type = "sara_case.stage_changed"

    forum_id: UUID
    case_id: UUID
    from_stage: SaraStage
    to_stage: SaraStage
    changed_at: datetime


class SaraCaseAssessed(EventModel):
    """Process and impact of a SARA case's response, against its frozen before period."""

    event_type = "sara_case.assessed"

    forum_id: UUID
    case_id: UUID
    interventions_planned: int = Field(ge=0)
    interventions_as_planned: int = Field(ge=0)
    before_from: date
    before_to: date
    after_from: date
    after_to: date
    treated_before: int = Field(ge=0)
    treated_after: int = Field(ge=0)
    comparison_before: int = Field(ge=0)
    comparison_after: int = Field(ge=0)
    displacement_before: int | None = Field(default=None, ge=0)
    displacement_after: int | None = Field(default=None, ge=0)
    wdd: float
    wdd_p: float | None = None
    etest_p: float | None = None
    impact: Literal["reduction", "increase", "no_significant_change"]
    displacement: Literal["displacement", "diffusion_of_benefits", "none", "not_measured"]
    assessed_at: datetime
    before_frozen: int | None = Field(
        default=None, ge=0, description="The treated before count frozen when the case opened"
    )
    late_recorded_before: int | None = Field(
        default=None, description="Recorded since for the before period: treated_before - frozen"
    )
    before_figures: Literal["frozen", "revised"] | None = Field(
        default=None, description="Which before figures the impact was judged on"
    )


class GroupShare(EventModel):
    group: Group
    share: float = Field(ge=0, le=1)


class ForumHealthChanged(EventModel):
    """A forum's health figures for a period changed (recomputed after each relevant write)."""

    event_type = "forum.health_changed"

    forum_id: UUID
    period_start: date
    period_end: date
    meetings_planned: int = Field(ge=0)
    meetings_held: int = Field(ge=0)
    meetings_with_quorum: int = Field(ge=0)
    women_only_sessions: int = Field(default=0, ge=0)
    attendees: int = Field(ge=0)
    women_attendees: int = Field(ge=0)
    women_share: float | None = Field(default=None, ge=0, le=1)
    women_target: float = Field(ge=0, le=1)
    meets_women_target: bool | None = None
    group_shares: list[GroupShare] = Field(default_factory=list, max_length=16)
    actions_due: int = Field(ge=0)
    actions_closed_on_time: int = Field(ge=0)
    concerns_raised: int = Field(ge=0)
    concerns_on_agenda: int = Field(ge=0)
    computed_at: datetime


SurveyItem = Literal[
    "feel_safe_after_dark",
    "trust_police",
    "advise_report_domestic_violence",
    "advise_report_theft",
    "advise_report_assault",
    "heard_of_council",
]
#: A survey item or breakdown code: a standard one (SurveyItem; area, gender, age_band) or one
#: a programme's instrument defines (concerned_domestic_violence, population_group).
SurveyCode = Annotated[str, Field(pattern=CODE_PATTERN)]
SurveyBreakdown = SurveyCode


class SurveyItemCount(EventModel):
    """How many in a cell answered an item, and how many gave a positive answer (e.g. feel
    very or fairly safe, would advise reporting)."""

    item: SurveyCode
    answered: int = Field(ge=0)
    positive: int | None = Field(
        default=None, ge=0, description="None when fewer than the minimum cell size answered"
    )


class SurveyGroupValue(EventModel):
    """A cell's value of a programme-defined breakdown, e.g. population_group = refugee."""

    breakdown: SurveyCode
    value: SurveyCode


class SurveyCell(EventModel):
    """One cell of a results table. A suppressed cell carries no counts at all."""

    area_id: str | None = Field(default=None, max_length=32, description="Set when by area")
    gender: Literal["female", "male", "unknown"] | None = Field(
        default=None, description="Set when by gender"
    )
    suppressed: bool
    responses: int | None = Field(default=None, ge=0)
    items: list[SurveyItemCount] = Field(default_factory=list, max_length=40)
    age_band: Literal[AgeBand, "unknown"] | None = Field(
        default=None, description="Set when by age_band"
    )
    groups: list[SurveyGroupValue] | None = Field(
        default=None, max_length=2, description="Set when by a programme-defined breakdown"
    )

    @model_validator(mode="after")
    def _suppressed_cells_say_nothing(self) -> SurveyCell:
        if self.suppressed and (self.responses is not None or self.items):
            raise ValueError("a suppressed cell carries no counts")
        return self


class SurveyTable(EventModel):
    by: list[SurveyBreakdown] = Field(max_length=2, description="[] is the whole wave")
    cells: list[SurveyCell] = Field(max_length=2000)


class SurveyResultsPublished(EventModel):
    """A perception survey wave's results, as the fora service publishes them: the whole wave,
    the table by each breakdown of its instrument (area, gender, age band, programme groups)
    and by area and gender, cells under `min_cell_size` responses suppressed together with
    complements chosen so that no hidden cell follows from any combination of the published
    ones (across tables too). Published again, whole, when late responses change them; the
    latest publication of a wave replaces earlier ones."""

    event_type = "survey.results_published"

    wave_id: UUID
    forum_id: UUID | None = None
    area_id: str = Field(max_length=32, description="The area the wave covers")
    opens_on: date
    closes_on: date
    min_cell_size: int = Field(ge=1)
    responses: int = Field(ge=0, description="All responses of the wave (its overall cell)")
    tables: list[SurveyTable] = Field(max_length=16)
    published_at: datetime
    instrument: SurveyCode | None = Field(default=None, description="The instrument asked")
    instrument_version: int | None = Field(default=None, ge=1)


class PlanIndicatorValued(EventModel):
    """A community safety plan's indicator got a value for a period: computed from its source
    (an incidents baseline series, a survey item's published share) or typed in (manual)."""

    event_type = "plan.indicator_valued"

    plan_id: UUID
    forum_id: UUID | None = None
    area_id: str = Field(max_length=32, description="The area the plan covers")
    indicator_id: UUID
    source: Literal["incidents_baseline", "survey_item", "manual", "qualitative"]
    origin: Literal["computed", "manual"]
    source_area_id: str | None = Field(default=None, max_length=32)
    iccs_code: str | None = Field(default=None, pattern=ICCS_CODE)
    item: SurveyCode | None = None
    period: str = Field(pattern=r"^\d{4}-(Q[1-4]|\d{2})$")
    value: float | None = None
    rating: Literal["not_started", "some_progress", "achieved"] | None = None
    baseline: float | None = None
    target: float | None = None
    status: Literal["achieved", "on_track", "behind", "no_data"]
    as_of: date | None = Field(default=None, description="The last day the value counts")
    recorded_at: datetime


class ActivityParticipants(EventModel):
    gender: Literal["female", "male", "unknown"]
    count: int = Field(ge=0)


class ActivityRecorded(EventModel):
    """An outreach or training activity: its kind and audience (vocabulary codes), how many
    took part by gender, and its direct and indirect beneficiaries. Counts only."""

    event_type = "activity.recorded"

    activity_id: UUID
    forum_id: UUID | None = None
    area_id: str = Field(max_length=32)
    kind: VocabularyCode
    audience: VocabularyCode
    held_on: date
    participants: int = Field(ge=0)
    participants_by_gender: list[ActivityParticipants] = Field(max_length=3)
    participants_by_group: list[GroupCount] = Field(default_factory=list, max_length=64)
    direct_beneficiaries: int = Field(ge=0)
    indirect_beneficiaries: int = Field(ge=0)


class MembershipCount(EventModel):
    group: Group
    gender: Literal["female", "male", "unknown"]
    members: int = Field(ge=0)


class ForumMembershipCounted(EventModel):
    """A forum's current members, counted by the group they represent and gender, after a
    member joined or left: what representation figures are made of. Counts only."""

    event_type = "forum.membership_counted"

    forum_id: UUID
    members: int = Field(ge=0)
    by_group_and_gender: list[MembershipCount] = Field(max_length=256)
    counted_at: datetime
