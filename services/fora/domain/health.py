"""Forum health: is the forum meeting, is it representative, does it follow through?

Figures for one period (a calendar quarter by default), counted up to an `as_of` day so a
quarter in progress is not penalised for meetings and deadlines still ahead:

- meetings planned: decision meetings (regular and follow-up: the `decision` attribute of the
  meeting kind) scheduled in the period up to as_of; held: those held in it. Consultations,
  town halls and focus groups are outreach, not the forum's meetings. Women-only sessions
  are counted apart (they add to participation but are not the forum's decision meetings).
- quorum rate: held regular meetings that made quorum / held regular meetings.
- share of women (and of each group): among attendances at held regular meetings — the rooms
  where decisions are made — against a target (default one third).
- actions closed on time: actions due in the period up to as_of (dropped ones excluded) that
  were done by their due date / those actions.
- concerns on an agenda: concerns raised in the period that reached a meeting agenda / raised.

Rolling up (a coordination council, an area) adds the counts, then divides: never an average
of ratios.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from libs.chassis.errors import RuleViolation

from .follow_up import closed_on_time

DEFAULT_WOMEN_TARGET = 1 / 3


def period(
    start: date | None, end: date | None, as_of: date | None, today: date
) -> tuple[date, date, date]:
    """The period asked for (default: the quarter of `as_of`), and the day figures are counted
    up to (never after today)."""
    if (start is None) != (end is None):
        raise RuleViolation(None, "give both period_start and period_end, or neither")
    if start is None or end is None:
        start, end = quarter_of(as_of or today)
    if end < start:
        raise RuleViolation(None, "period_end must not be before period_start")
    return start, end, min(as_of or today, today)


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


@dataclass(frozen=True)
class MeetingFact:
    scheduled_for: date
    kind: str  # a meeting_kinds code
    status: str  # scheduled | held | cancelled
    held_on: date | None = None
    quorum_met: bool = False
    attendees: int = 0
    women: int = 0
    groups: dict[str, int] = field(default_factory=dict)
    # One of the forum's decision meetings (regular, follow-up); None: only "regular" is.
    decision: bool | None = None

    @property
    def is_decision(self) -> bool:
        return self.kind == "regular" if self.decision is None else self.decision


@dataclass(frozen=True)
class ActionFact:
    due_on: date | None
    status: str
    closed_on: date | None


@dataclass(frozen=True)
class ConcernFact:
    raised_on: date
    on_agenda: bool


@dataclass(frozen=True)
class Health:
    period_start: date
    period_end: date
    meetings_planned: int
    meetings_held: int
    meetings_with_quorum: int
    women_only_sessions: int
    attendees: int
    women_attendees: int
    group_attendees: dict[str, int]
    actions_due: int
    actions_closed_on_time: int
    concerns_raised: int
    concerns_on_agenda: int
    women_target: float = DEFAULT_WOMEN_TARGET

    @property
    def quorum_rate(self) -> float | None:
        return _share(self.meetings_with_quorum, self.meetings_held)

    @property
    def meeting_rate(self) -> float | None:
        return _share(self.meetings_held, self.meetings_planned)

    @property
    def women_share(self) -> float | None:
        return _share(self.women_attendees, self.attendees)

    @property
    def meets_women_target(self) -> bool | None:
        share = self.women_share
        return None if share is None else share + 1e-9 >= self.women_target

    @property
    def group_shares(self) -> dict[str, float]:
        return {g: n / self.attendees for g, n in sorted(self.group_attendees.items())}

    @property
    def on_time_share(self) -> float | None:
        return _share(self.actions_closed_on_time, self.actions_due)

    @property
    def agenda_share(self) -> float | None:
        return _share(self.concerns_on_agenda, self.concerns_raised)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "meetings": {
                "planned": self.meetings_planned,
                "held": self.meetings_held,
                "held_rate": _round(self.meeting_rate),
                "with_quorum": self.meetings_with_quorum,
                "quorum_rate": _round(self.quorum_rate),
                "women_only_sessions": self.women_only_sessions,
            },
            "attendance": {
                "attendees": self.attendees,
                "women": self.women_attendees,
                "women_share": _round(self.women_share),
                "women_target": _round(self.women_target),
                "meets_women_target": self.meets_women_target,
                "group_shares": {g: _round(s) for g, s in self.group_shares.items()},
            },
            "actions": {
                "due": self.actions_due,
                "closed_on_time": self.actions_closed_on_time,
                "on_time_share": _round(self.on_time_share),
            },
            "concerns": {
                "raised": self.concerns_raised,
                "on_agenda": self.concerns_on_agenda,
                "agenda_share": _round(self.agenda_share),
            },
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def forum_health(
    start: date,
    end: date,
    as_of: date,
    meetings: Iterable[MeetingFact],
    actions: Iterable[ActionFact],
    concerns: Iterable[ConcernFact],
    women_target: float = DEFAULT_WOMEN_TARGET,
) -> Health:
    last = min(end, as_of)
    meetings = list(meetings)
    regular = [m for m in meetings if m.is_decision]
    held = [m for m in regular if m.status == "held" and m.held_on and start <= m.held_on <= last]
    groups: Counter[str] = Counter()
    for m in held:
        groups.update(m.groups)
    due = [a for a in actions if a.status != "dropped" and a.due_on and start <= a.due_on <= last]
    raised = [c for c in concerns if start <= c.raised_on <= last]
    return Health(
        period_start=start,
        period_end=end,
        # Cancelled meetings were still planned: cancelling is what the rate should show.
        meetings_planned=sum(1 for m in regular if start <= m.scheduled_for <= last),
        meetings_held=len(held),
        meetings_with_quorum=sum(1 for m in held if m.quorum_met),
        women_only_sessions=sum(
            1
            for m in meetings
            if m.kind == "women_only"
            and m.status == "held"
            and m.held_on
            and start <= m.held_on <= last
        ),
        attendees=sum(m.attendees for m in held),
        women_attendees=sum(m.women for m in held),
        group_attendees=dict(groups),
        actions_due=len(due),
        actions_closed_on_time=sum(
            1 for a in due if closed_on_time(a.status, a.due_on, a.closed_on)
        ),
        concerns_raised=len(raised),
        concerns_on_agenda=sum(1 for c in raised if c.on_agenda),
        women_target=women_target,
    )


def roll_up(parts: Sequence[Health], start: date, end: date, women_target: float) -> Health:
    """Add up the counts of several fora over the same period."""
    groups: Counter[str] = Counter()
    for part in parts:
        groups.update(part.group_attendees)
    total = {
        name: sum(getattr(p, name) for p in parts)
        for name in (
            "meetings_planned", "meetings_held", "meetings_with_quorum", "women_only_sessions",
            "attendees", "women_attendees", "actions_due", "actions_closed_on_time",
            "concerns_raised", "concerns_on_agenda",
        )
    }  # fmt: skip
    return Health(start, end, group_attendees=dict(groups), women_target=women_target, **total)
