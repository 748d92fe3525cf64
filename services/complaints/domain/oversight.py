"""Oversight bodies' jurisdiction and the time the ministry has to answer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .clocks import Deadline, RulePack, add_span

RECOMMENDATION_CLOCK = "recommendation_response"


@dataclass(frozen=True)
class Jurisdiction:
    body_id: str
    national: bool
    governorates: tuple[str, ...]

    def covers(self, governorate: str) -> bool:
        return self.national or governorate in self.governorates


def respond_by(now: datetime, within_days: int | None, pack: RulePack) -> datetime:
    """The answer is due in the days the body asked for, or in the pack's response time."""
    if within_days:
        return now + timedelta(days=within_days)
    return add_span(now, pack.recommendation_response, pack)


def recommendation_deadline(
    recommendation_id: str, made_at: datetime, due_at: datetime
) -> Deadline:
    """The answer clock: warned a week ahead, or a quarter of the time for a short one."""
    warn = due_at - min(timedelta(days=7), (due_at - made_at) / 4)
    return Deadline(RECOMMENDATION_CLOCK, recommendation_id, due_at, warn)
