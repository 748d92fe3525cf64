"""The topic registry: the single truth about every Kafka topic jisr uses.

deploy/ (Strimzi KafkaTopics, compose bootstrap) and `jisr up` topic creation are generated from
this list, so what is deployed cannot drift from the contracts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class RecordKey:
    """What the records of one event type are keyed by (so ordered by), and how to read it.

    The publishing code, the AsyncAPI document and the tests all take the key from here, so
    what a record is keyed by and what the documentation says cannot disagree.
    """

    describes: str  # e.g. "incident_id"
    of: Callable[[Any], str]


def by_field(name: str) -> RecordKey:
    return RecordKey(name, lambda event: str(getattr(event, name)))


def _forum_or_area(event: Any) -> str:
    return str(event.forum_id) if event.forum_id is not None else str(event.area_id)


#: A forum's events stay in order; a survey wave run without a forum is keyed by its area.
FORUM_OR_AREA = RecordKey(
    "forum_id (a survey wave, plan or activity without a forum: its area)", _forum_or_area
)


@dataclass(frozen=True)
class Topic:
    name: str
    producer: str  # the one service allowed to write it
    consumers: tuple[str, ...]
    keys: Mapping[str, RecordKey]  # short event type (e.g. "incident.recorded") -> its key
    partitions: int = 6
    retention_ms: int = 30 * DAY_MS
    compacted: bool = False
    description: str = ""
    config: dict[str, str] = field(default_factory=dict)

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(self.keys)

    def kafka_config(self) -> dict[str, str]:
        cfg = {
            "cleanup.policy": "compact" if self.compacted else "delete",
            "retention.ms": str(-1 if self.compacted else self.retention_ms),
        }
        cfg.update(self.config)
        return cfg


#: The complaints ledger's checkpoints share one key, so they stay in order on one partition.
LEDGER_LOG = RecordKey("the ledger (one key: \"complaints-ledger\")", lambda _: "complaints-ledger")

COMPLAINTS_STATUS = Topic(
    name="jisr.complaints.status.v1",
    producer="complaints",
    consumers=("analytics", "oversight"),
    keys=dict.fromkeys(
        (
            "complaint.received",
            "complaint.status_changed",
            "complaint.finding_recorded",
            "complaint.deadline_breached",
            "complaint.closed",
            "complaint.deadline_approaching",
            "complaint.recommendation_made",
            "complaint.recommendation_answered",
        ),
        by_field("complaint_id"),
    )
    | {"ledger.checkpoint_signed": LEDGER_LOG}
    # A body's registration and changes stay in order per body.
    | dict.fromkeys(("oversight_body.registered", "oversight_body.changed"), by_field("body_id")),
    retention_ms=365 * DAY_MS,
    description="Every status change of every complaint, pseudonymised, for oversight bodies, "
    "the ledger's signed checkpoints (Merkle tree heads), and each oversight body's "
    "registered jurisdiction.",
)

FORA_ACTIVITY = Topic(
    name="jisr.fora.activity.v1",
    producer="fora",
    consumers=("analytics",),
    keys={
        **dict.fromkeys(
            (
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
            ),
            by_field("forum_id"),
        ),
        "survey.results_published": FORUM_OR_AREA,
        # A plan or activity of an area with no forum is keyed by that area.
        "plan.indicator_valued": FORUM_OR_AREA,
        "activity.recorded": FORUM_OR_AREA,
        "forum.membership_counted": by_field("forum_id"),
    },
    description="Community-policing fora: registration, members, meetings, concerns, actions, "
    "SARA cases, forum health and perception survey results (codes and counts only).",
)

INCIDENTS_RECORDED = Topic(
    name="jisr.incidents.recorded.v1",
    producer="incidents",
    consumers=("analytics",),
    keys={
        **dict.fromkeys(
            (
                "incident.recorded",
                "incident.reclassified",
                "incident.voided",
                "incident.merged",
                "incident.outcome_set",
            ),
            by_field("incident_id"),
        ),
        # A station's closed weeks stay in order per station; they name no incident.
        "station.period_closed": by_field("station_id"),
    },
    retention_ms=90 * DAY_MS,
    description="Station incident records and their corrections (codes and areas only).",
)

INCIDENTS_BASELINES = Topic(
    name="jisr.incidents.baselines.v1",
    producer="incidents",
    consumers=("analytics", "fora"),
    keys=dict.fromkeys(("baseline.alert_raised", "baseline.alert_cleared"), by_field("area_id")),
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


#: Looked up for every event staged (a bulk upload stages thousands): one dict, not a scan.
_TOPIC_OF_EVENT: dict[str, Topic] = {
    event_type: topic for topic in TOPICS for event_type in topic.keys
}


def topic_for_event(event_type: str) -> Topic:
    """The topic an event type is published on (short type, e.g. "incident.recorded")."""
    try:
        return _TOPIC_OF_EVENT[event_type]
    except KeyError:
        raise KeyError(f"no topic carries {event_type!r}") from None


def record_key(event: Any) -> str:
    """The Kafka record key of an event, as its topic's registry entry says."""
    return topic_for_event(event.event_type).keys[event.event_type].of(event)
