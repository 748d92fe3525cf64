"""Baseline alerts: a weekly count per area and ICCS category rose above its expected range.

Published by the incidents service (which owns the baselines) on jisr.incidents.baselines.v1.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from .base import EventModel
from .incidents import ICCS_CODE

AreaLevel = Literal["station", "district", "governorate", "national"]
# The incidents service's method registry (services/incidents/domain/baseline_methods.py);
# "historical_limits" and "ewma" are the names its weekly and restarted variants had before.
BaselineMethod = Literal[
    "historical_limits",
    "farrington_flexible",
    "ewma",
    "farrington_1996",
    "noufaily_2013",
    "stroup_1989",
    "historical_limits_weekly",
    "ewma_chart",
    "ewma_restarted",
]


class _BaselineAlert(EventModel):
    """What raising and clearing an alert share: the alert, its area, category and statistics."""

    alert_id: UUID
    area_level: AreaLevel
    area_id: str = Field(max_length=32)
    iccs_code: str = Field(pattern=ICCS_CODE)
    week_start: date
    observed: int = Field(ge=0)
    expected: float = Field(ge=0)
    upper_limit: float
    score: float = Field(description="Method-specific exceedance score, e.g. a z-score")
    method: BaselineMethod
    method_version: str | None = Field(
        None, pattern=r"^[0-9]{1,8}$", description="Version of the method's definition"
    )
    statistic: float | None = Field(
        None,
        description="What the method compares with upper_limit: the week's count, the 4-week"
        " total (stroup_1989) or the EWMA statistic (ewma_chart)",
    )
    trend_used: bool | None = Field(None, description="The expected value includes a trend")


class BaselineAlertRaised(_BaselineAlert):
    event_type = "baseline.alert_raised"

    raised_at: datetime


class BaselineAlertCleared(_BaselineAlert):
    event_type = "baseline.alert_cleared"

    cleared_at: datetime
