"""Community safety plans (the outcome-based model used in Jenin): goals, outcomes, indicators,
and progress each period against each indicator's baseline and target.

An indicator's source says where its figures come from: an incidents baseline series (area and
ICCS category), a perception-survey item (its positive share) or a qualitative assessment
(rated not_started / some_progress / achieved by the forum).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from libs.chassis.errors import RuleViolation

SourceKind = Literal["incidents_baseline", "survey_item", "qualitative"]
Rating = Literal["not_started", "some_progress", "achieved"]
Status = Literal["achieved", "on_track", "behind", "no_data"]


@dataclass(frozen=True)
class IndicatorProgress:
    progress: float | None  # share of the way from baseline to target
    status: Status


def elapsed_share(start: date, end: date, on: date) -> float:
    """How much of the plan period has passed on `on` (0..1)."""
    total = (end - start).days
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (on - start).days / total))


def indicator_progress(
    kind: SourceKind,
    baseline: float | None,
    target: float | None,
    value: float | None,
    rating: Rating | None,
    elapsed: float,
) -> IndicatorProgress:
    """Numeric indicators move from baseline towards target (up or down); on track means at
    least as far along as the plan's time is; qualitative ones follow their rating."""
    if kind == "qualitative":
        if rating is None:
            return IndicatorProgress(None, "no_data")
        share = {"not_started": 0.0, "some_progress": 0.5, "achieved": 1.0}[rating]
    else:
        if value is None or baseline is None or target is None:
            return IndicatorProgress(None, "no_data")
        if target == baseline:
            share = 1.0 if value == target else 0.0
        else:
            share = (value - baseline) / (target - baseline)
    if share >= 1:
        status: Status = "achieved"
    elif share + 1e-9 >= elapsed:
        status = "on_track"
    else:
        status = "behind"
    return IndicatorProgress(round(share, 4), status)


def check_period(start: date, end: date) -> None:
    if end <= start:
        raise RuleViolation("period_end", "must be after period_start")


def indicators(goals: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """A plan's indicators by id, from its tree of goals and outcomes."""
    return {i["indicator_id"]: i for g in goals for o in g["outcomes"] for i in o["indicators"]}


def check_value(
    indicator: Mapping[str, Any] | None, index: int, value: float | None, rating: str | None
) -> None:
    """The `index`th value recorded: for an indicator of the plan, a rating if it is
    qualitative and a number otherwise."""
    if indicator is None:
        raise RuleViolation(("values", index, "indicator_id"), "not an indicator of this plan")
    kind = indicator["source"]["kind"]
    qualitative = kind == "qualitative"
    if qualitative and rating is None or not qualitative and value is None:
        field = "rating" if qualitative else "value"
        raise RuleViolation(("values", index, field), f"required for a {kind}")
