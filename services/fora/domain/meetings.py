"""Meeting rules: who counts towards quorum, and how attendance is tallied.

Quorum counts members only (walk-ins have no vote). The default rule is a simple majority of
the members on the day; a forum may set a fraction or a fixed number instead. A women-only
session's quorum is counted among the forum's women members. Meeting kinds are reference data
(`meeting_kinds` vocabulary): a kind says whose presence makes quorum, or that none is needed
(a public consultation, a town hall, a focus group: no quorum to fail).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.chassis.errors import RuleViolation
from libs.contracts.fora import AgeBand, Gender, Group

from .vocabulary import MeetingKind


class QuorumRule(BaseModel):
    """majority: more than half; fraction: at least ceil(value × members); count: at least value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["majority", "fraction", "count"] = "majority"
    value: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _value_matches_kind(self) -> QuorumRule:
        if self.kind == "majority" and self.value is not None:
            raise ValueError("value: must be omitted for a majority rule")
        if self.kind == "fraction" and (self.value is None or self.value > 1):
            raise ValueError("value: a fraction rule needs a value in (0, 1]")
        if self.kind == "count" and (self.value is None or self.value != int(self.value)):
            raise ValueError("value: a count rule needs a whole number")
        return self

    def needed(self, members: int) -> int:
        """Members who must be present for quorum, out of `members`."""
        if self.kind == "majority" or self.value is None:  # the validator: None only then
            return members // 2 + 1
        if self.kind == "fraction":
            return math.ceil(self.value * members - 1e-9)
        return int(self.value)

    def met(self, present: int, members: int) -> bool:
        return members > 0 and present >= self.needed(members)


@dataclass(frozen=True)
class Person:
    """An attendee as the tally sees them: no identity, only the counted attributes."""

    gender: Gender | None
    age_band: AgeBand | None
    group: Group | None


@dataclass(frozen=True)
class WalkIns:
    count: int
    gender: Gender | None = None
    age_band: AgeBand | None = None
    group: Group | None = None


@dataclass(frozen=True)
class Tally:
    members_present: int
    walk_ins: int
    women: int
    men: int
    groups: dict[str, int] = field(default_factory=dict)
    age_bands: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.members_present + self.walk_ins


def tally(members: Sequence[Person], walk_ins: Iterable[WalkIns]) -> Tally:
    walk_ins = list(walk_ins)
    genders: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    for person in members:
        genders[person.gender or "unknown"] += 1
        groups[person.group or "other"] += 1
        if person.age_band:
            ages[person.age_band] += 1
    for entry in walk_ins:
        genders[entry.gender or "unknown"] += entry.count
        groups[entry.group or "other"] += entry.count
        if entry.age_band:
            ages[entry.age_band] += entry.count
    return Tally(
        members_present=len(members),
        walk_ins=sum(entry.count for entry in walk_ins),
        women=genders["female"],
        men=genders["male"],
        groups=dict(sorted((g, n) for g, n in groups.items() if n)),
        age_bands=dict(sorted((a, n) for a, n in ages.items() if n)),
    )


def quorum(
    rule: QuorumRule, kind: MeetingKind, present: Sequence[Person], roll: Sequence[Person]
) -> tuple[bool | None, int]:
    """Whether the members present make quorum out of the forum's roll on the day, and how
    many were needed; (None, 0) for a kind that needs no quorum."""
    if kind.quorum == "none":
        return None, 0
    if kind.quorum == "women_members":
        present = [p for p in present if p.gender == "female"]
        roll = [p for p in roll if p.gender == "female"]
    return rule.met(len(present), len(roll)), rule.needed(len(roll))


def check_attendance(
    status: str,
    kind: MeetingKind,
    held_on: date,
    today: date,
    present: Sequence[UUID],
    roll: Mapping[UUID, Person],
    walk_ins: Sequence[WalkIns],
) -> None:
    """Attendance is recorded once, for a meeting held by today, of members on the day's roll
    (each once); a women-only session has no male attendee."""
    if status != "scheduled":
        raise RuleViolation("meeting", f"is {status}; attendance is recorded once")
    if held_on > today:
        raise RuleViolation("held_on", "must not be in the future")
    for i, member_id in enumerate(present):
        if member_id not in roll:
            raise RuleViolation(("members_present", i), f"{member_id} is not a member on that day")
    if len(set(present)) != len(present):
        raise RuleViolation("members_present", "lists a member twice")
    if kind.women_only:
        men = [m for m in present if roll[m].gender == "male"]
        if men or any(w.gender == "male" for w in walk_ins):
            raise RuleViolation("members_present", "a women-only session has no male attendees")


def check_held(status: str, rule: str) -> None:
    """Minutes and a closing report exist only for a held meeting."""
    if status != "held":
        raise RuleViolation.conflict(rule)


def check_cancellable(status: str) -> None:
    if status != "scheduled":
        raise RuleViolation.conflict(f"meeting is {status}")


def attaches_pending_items(kind: MeetingKind, scheduled_for: date, today: date) -> bool:
    """Items proposed while no meeting was ahead (alerts) wait for the next decision meeting
    (regular or follow-up)."""
    return kind.decision and scheduled_for >= today
