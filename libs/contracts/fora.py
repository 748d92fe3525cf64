"""Events of the community-policing fora domain: registration, members, meetings, concerns,
actions, SARA problem-solving cases and forum health.

Fora events carry counts and codes: never member names, minutes, the wording of a concern or a
survey answer. Members appear only by their pseudonymous id; survey results only as counts of
cells holding at least the minimum cell size of responses.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
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
#: The groups a member represents, or an attendee belongs to.
Group = Literal[
    "womens_organisation",
    "youth",
    "refugees_idps",
    "host_community",
    "tribal",
    "religious",
    "business",
    "ngo",
    "school",
    "police",
    "other",
]
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
    quorum_met: bool
    women_only: bool = False
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
SurveyBreakdown = Literal["area", "gender"]


class SurveyItemCount(EventModel):
    """How many in a cell answered an item, and how many gave a positive answer (e.g. feel
    very or fairly safe, would advise reporting)."""

    item: SurveyItem
    answered: int = Field(ge=0)
    positive: int | None = Field(
        default=None, ge=0, description="None when fewer than the minimum cell size answered"
    )


class SurveyCell(EventModel):
    """One cell of a results table. A suppressed cell carries no counts at all."""

    area_id: str | None = Field(default=None, max_length=32, description="Set when by area")
    gender: Literal["female", "male", "unknown"] | None = Field(
        default=None, description="Set when by gender"
    )
    suppressed: bool
    responses: int | None = Field(default=None, ge=0)
    items: list[SurveyItemCount] = Field(default_factory=list, max_length=8)

    @model_validator(mode="after")
    def _suppressed_cells_say_nothing(self) -> SurveyCell:
        if self.suppressed and (self.responses is not None or self.items):
            raise ValueError("a suppressed cell carries no counts")
        return self


class SurveyTable(EventModel):
    by: list[SurveyBreakdown] = Field(max_length=2, description="[] is the whole wave")
    cells: list[SurveyCell] = Field(max_length=2000)


class SurveyResultsPublished(EventModel):
    """A perception survey wave's results, as the fora service publishes them: the table by
    area and gender, cells under `min_cell_size` responses (and a complement) suppressed.
    No margin (overall, by area, by gender) is published with it, since a margin minus the
    visible cells would give a hidden cell away: readers add visible cells up. Published
    again, whole, when late responses change them; the latest publication of a wave replaces
    earlier ones."""

    event_type = "survey.results_published"

    wave_id: UUID
    forum_id: UUID | None = None
    area_id: str = Field(max_length=32, description="The area the wave covers")
    opens_on: date
    closes_on: date
    min_cell_size: int = Field(ge=1)
    responses: int = Field(ge=0, description="All responses of the wave (its overall cell)")
    tables: list[SurveyTable] = Field(max_length=4)
    published_at: datetime
