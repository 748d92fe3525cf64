"""Events of the community-policing fora domain: registration, meetings, concerns, actions.

Fora events carry counts and codes: never member names, minutes or the wording of a concern.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field, model_validator

from .base import CODE_PATTERN, EventModel

ForumType = Literal[
    "community_police_forum",
    "women_safety_forum",
    "youth_forum",
    "business_forum",
    "school_safety_forum",
    "neighbourhood_watch",
]
ForumLevel = Literal["station", "district", "governorate"]
ActionStatus = Literal["open", "in_progress", "done", "blocked", "dropped"]


class ForumRegistered(EventModel):
    event_type = "forum.registered"

    forum_id: UUID
    forum_type: ForumType
    level: ForumLevel
    area_code: str = Field(max_length=16, description="Station, district or governorate code")
    station_id: str | None = Field(default=None, max_length=32)
    registered_at: datetime


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
