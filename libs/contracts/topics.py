"""The topic registry: the single truth about every Kafka topic jisr uses.

deploy/ (Strimzi KafkaTopics, compose bootstrap) and `jisr up` topic creation are generated from
this list, so what is deployed cannot drift from the contracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    key: str  # what the record key is, e.g. "incident_id"
    producer: str  # the one service allowed to write it
    consumers: tuple[str, ...]
    event_types: tuple[str, ...]  # short event types, e.g. "incident.recorded"
    partitions: int = 6
    retention_ms: int = 30 * DAY_MS
    compacted: bool = False
    description: str = ""
    config: dict[str, str] = field(default_factory=dict)

    def kafka_config(self) -> dict[str, str]:
        cfg = {
            "cleanup.policy": "compact" if self.compacted else "delete",
            "retention.ms": str(-1 if self.compacted else self.retention_ms),
        }
        cfg.update(self.config)
        return cfg


COMPLAINTS_STATUS = Topic(
    name="jisr.complaints.status.v1",
    key="complaint_id",
    producer="complaints",
    consumers=("analytics", "oversight"),
    event_types=(
        "complaint.received",
        "complaint.status_changed",
        "complaint.finding_recorded",
        "complaint.deadline_breached",
        "complaint.closed",
        "complaint.deadline_approaching",
        "complaint.recommendation_made",
        "complaint.recommendation_answered",
    ),
    retention_ms=365 * DAY_MS,
    description="Every status change of every complaint, pseudonymised, for oversight bodies.",
)

FORA_ACTIVITY = Topic(
    name="jisr.fora.activity.v1",
    key="forum_id (a survey wave run without a forum: the wave's area)",
    producer="fora",
    consumers=("analytics",),
    event_types=(
        "forum.registered",
        "meeting.held",
        "concern.raised",
        "action.status_changed",
        "member.joined",
        "action.overdue",
        "sara_case.opened",
        "sara_case.stage_changed",
        "sara_case.assessed",
        "forum.health_changed",
        "survey.results_published",
    ),
    description="Community-policing fora: registration, members, meetings, concerns, actions, "
    "SARA cases, forum health and perception survey results (codes and counts only).",
)

INCIDENTS_RECORDED = Topic(
    name="jisr.incidents.recorded.v1",
    key="incident_id",
    producer="incidents",
    consumers=("analytics",),
    event_types=(
        "incident.recorded",
        "incident.reclassified",
        "incident.voided",
        "incident.merged",
        "incident.outcome_set",
        "station.period_closed",
    ),
    retention_ms=90 * DAY_MS,
    description="Station incident records and their corrections (codes and areas only).",
)

INCIDENTS_BASELINES = Topic(
    name="jisr.incidents.baselines.v1",
    key="area_id",
    producer="incidents",
    consumers=("analytics", "fora"),
    event_types=("baseline.alert_raised", "baseline.alert_cleared"),
    description="Baseline alerts per area and ICCS category.",
)

TOPICS: tuple[Topic, ...] = (
    COMPLAINTS_STATUS,
    FORA_ACTIVITY,
    INCIDENTS_RECORDED,
    INCIDENTS_BASELINES,
)


def dead_letter_topic(consumer_group: str) -> str:
    """One dead-letter topic per consumer group, e.g. jisr.dlq.analytics."""
    return f"jisr.dlq.{consumer_group}"


def topic_named(name: str) -> Topic:
    for topic in TOPICS:
        if topic.name == name:
            return topic
    raise KeyError(name)


def topic_for_event(event_type: str) -> Topic:
    """The topic an event type is published on (short type, e.g. "incident.recorded")."""
    for topic in TOPICS:
        if event_type in topic.event_types:
            return topic
    raise KeyError(f"no topic carries {event_type!r}")
