"""Every event type jisr publishes, by CloudEvents type; consumers decode records with it."""

from __future__ import annotations

from .base import EventModel
from .baselines import BaselineAlertCleared, BaselineAlertRaised
from .complaints import (
    ComplaintClosed,
    ComplaintDeadlineApproaching,
    ComplaintDeadlineBreached,
    ComplaintFindingRecorded,
    ComplaintReceived,
    ComplaintRecommendationAnswered,
    ComplaintRecommendationMade,
    ComplaintStatusChanged,
    LedgerCheckpointSigned,
    OversightBodyChanged,
    OversightBodyRegistered,
)
from .fora import (
    ActionOverdue,
    ActionStatusChanged,
    ActivityRecorded,
    ConcernRaised,
    ForumHealthChanged,
    ForumMembershipCounted,
    ForumRegistered,
    MeetingHeld,
    MemberJoined,
    PlanIndicatorValued,
    SaraCaseAssessed,
    SaraCaseOpened,
    SaraStageChanged,
    SurveyResultsPublished,
)
from .incidents import (
    IncidentMerged,
    IncidentOutcomeSet,
    IncidentReclassified,
    IncidentRecorded,
    IncidentVoided,
    StationPeriodClosed,
)

ALL_EVENTS: tuple[type[EventModel], ...] = (
    ComplaintReceived,
    ComplaintStatusChanged,
    ComplaintFindingRecorded,
    ComplaintDeadlineBreached,
    ComplaintClosed,
    ComplaintDeadlineApproaching,
    ComplaintRecommendationMade,
    ComplaintRecommendationAnswered,
    LedgerCheckpointSigned,
    OversightBodyRegistered,
    OversightBodyChanged,
    ForumRegistered,
    MeetingHeld,
    ConcernRaised,
    ActionStatusChanged,
    MemberJoined,
    ActionOverdue,
    SaraCaseOpened,
    SaraStageChanged,
    SaraCaseAssessed,
    ForumHealthChanged,
    SurveyResultsPublished,
    PlanIndicatorValued,
    ActivityRecorded,
    ForumMembershipCounted,
    IncidentRecorded,
    IncidentReclassified,
    IncidentVoided,
    IncidentMerged,
    IncidentOutcomeSet,
    StationPeriodClosed,
    BaselineAlertRaised,
    BaselineAlertCleared,
)

CATALOGUE: dict[str, type[EventModel]] = {model.ce_type(): model for model in ALL_EVENTS}


def event_class(ce_type: str) -> type[EventModel]:
    """The model of a CloudEvents type, e.g. "jisr.incident.recorded.v1"; KeyError if unknown."""
    try:
        return CATALOGUE[ce_type]
    except KeyError:
        raise KeyError(f"unknown event type {ce_type!r}") from None
