"""The consumers: one per topic, so a slow or failing topic never holds the others back. Each
projection runs inside the inbox transaction of its consumer (or of the rebuild)."""

from __future__ import annotations

from libs.chassis.consumer import ConsumerSpec
from libs.contracts.topics import (
    COMPLAINTS_STATUS,
    FORA_ACTIVITY,
    INCIDENTS_BASELINES,
    INCIDENTS_RECORDED,
)

from .accountability.projection import apply_complaint_events
from .crime.projection import apply_baseline_events, apply_incident_events
from .engagement.projection import apply_fora_events
from .freshness.projection import stamped

INCIDENTS_CONSUMER = ConsumerSpec(
    name="incidents", topics=(INCIDENTS_RECORDED.name,), apply=apply_incident_events
)
BASELINES_CONSUMER = ConsumerSpec(
    name="baselines", topics=(INCIDENTS_BASELINES.name,), apply=apply_baseline_events
)
COMPLAINTS_CONSUMER = ConsumerSpec(
    name="complaints", topics=(COMPLAINTS_STATUS.name,), apply=apply_complaint_events
)
FORA_CONSUMER = ConsumerSpec(name="fora", topics=(FORA_ACTIVITY.name,), apply=apply_fora_events)

# Each also stamps the freshness of what it applied ("figures as of", freshness/projection.py).
CONSUMERS = tuple(
    stamped(spec)
    for spec in (INCIDENTS_CONSUMER, BASELINES_CONSUMER, COMPLAINTS_CONSUMER, FORA_CONSUMER)
)
