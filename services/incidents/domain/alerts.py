"""Alerts: one open alert per area, category and method is one episode of a rise."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from libs.reference.model import Reference

from .baseline_methods import WeekEstimate

AlertAction = Literal["raise", "keep", "clear"]


def alert_action(open_since: date | None, week: date, alarm: bool) -> AlertAction | None:
    """What evaluating `week` does to an area-category's alert.

    No open alert: an alarm raises one. An open alert stays open while weeks keep alarming and
    clears at the first week that does not (or when a correction takes the alarm away from
    the very week that raised it). Evaluating a week before the open alert's own week changes
    nothing: late data about the past does not end a current rise.
    """
    if open_since is None:
        return "raise" if alarm else None
    if week < open_since:
        return None
    return "keep" if alarm else "clear"


def every_area(reference: Reference) -> list[str]:
    return [
        reference.national_code,
        *sorted(reference.governorates),
        *sorted(reference.districts),
        *sorted(reference.stations),
    ]


def alert_statistics(
    reference: Reference, area: str, code: str, week: date, est: WeekEstimate
) -> dict[str, Any]:
    """What an alert row and its event say about the week that raised or cleared it."""
    return {
        "area_level": reference.area_level(area),
        "area_id": area,
        "iccs_code": code,
        "week_start": week,
        "observed": est.observed,
        "expected": round(est.expected, 4),
        "upper_limit": round(est.upper_limit, 4),
        "score": round(est.score, 4),
        "method": est.method,
        "method_version": est.method_version,
        "statistic": round(est.statistic, 4),
    }
