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
BaselineMethod = Literal["historical_limits", "farrington_flexible", "ewma"]


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


class BaselineAlertRaised(_BaselineAlert):
    event_type = "baseline.alert_raised"

    raised_at: datetime


class BaselineAlertCleared(_BaselineAlert):
    event_type = "baseline.alert_cleared"

    cleared_at: datetime
