"""The events fora consumes: incidents baseline alerts, turned into proposed agenda items."""

from __future__ import annotations

from libs.chassis.consumer import ConsumerSpec
from libs.contracts.topics import INCIDENTS_BASELINES

from .application.alerts import apply_alert_events

ALERTS_CONSUMER = ConsumerSpec(
    name="alerts", topics=(INCIDENTS_BASELINES.name,), apply=apply_alert_events
)
