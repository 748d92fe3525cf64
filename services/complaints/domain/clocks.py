"""Statutory clocks as a rule pack: pure date arithmetic over a complaint's status history.

A rule says while which statuses a clock runs, how long until it is due (working days, calendar
days, months), whether it repeats, how early to warn, and in which statuses it is paused (time
suspended does not count). The scheduler (deadlines.py) asks `running_deadlines` what is due
and records each (complaint, clock, instance) once.

The default pack holds the published figures (DESIGN.md): acknowledgement, a progress update
every 4 weeks, investigations escalated at 12 months then every 6 months, the outcome notice
within 5 working days, a 28-day review window; working days skip the weekend (Friday and
Saturday for Jordan) and a holiday calendar. A jurisdiction supplies its own pack as JSON
(`JISR_COMPLAINTS_RULE_PACK=/path/pack.json`, same shape as `DEFAULT_PACK.to_json()`).
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from libs.contracts.complaints import ComplaintStatusChanged

from .lifecycle import (
    COMPLAINTS_OFFICER,
    DEFAULT_REVIEW,
    OVERSIGHT,
    REVIEWER,
    RUN_STARTS,
    STATUSES,
    ReviewPolicy,
    transition_for,
)

MAX_INSTANCES = 100  # a repeating clock yields at most this many due instances


@dataclass(frozen=True)
class Span:
    """A length of time in the units statutes use; `seconds` is for tests and drills."""

    working_days: int = 0
    days: int = 0
    months: int = 0
    seconds: int = 0

    def is_zero(self) -> bool:
        return not (self.working_days or self.days or self.months or self.seconds)


@dataclass(frozen=True)
class ClockRule:
    kind: str
    runs_in: frozenset[str]  # the clock runs while the status is one of these
    due: Span
    repeat: Span | None = None  # then due again every `repeat` while still running
    warn_before: Span = field(default_factory=Span)  # calendar days/seconds only
    paused_in: frozenset[str] = frozenset()  # statuses (within runs_in) that stop time counting
    restarted_by_update: bool = False  # an update sent to the complainant restarts the clock


@dataclass(frozen=True)
class RulePack:
    jurisdiction: str
    timezone: str
    weekend: frozenset[int]  # Python weekday numbers: Monday 0 … Sunday 6
    holidays: frozenset[date]
    rules: tuple[ClockRule, ...]
    recommendation_response: Span = field(default_factory=lambda: Span(days=56))
    retention: Span = field(default_factory=lambda: Span(months=72))
    #: Who decides reviews: {"deciders": ["oversight", "reviewer"], "independent_of_outcome":
    #: true} by default (IOPC and CCRB: never the unit that decided the outcome).
    review: ReviewPolicy = DEFAULT_REVIEW

    def to_json(self) -> str:
        def plain(value: Any) -> Any:
            if isinstance(value, frozenset):
                return sorted(plain(v) for v in value)
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value

        return json.dumps(plain(asdict(self)), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> RulePack:
        raw = json.loads(text)
        rules = tuple(_rule(r) for r in raw["rules"])
        return cls(
            jurisdiction=raw["jurisdiction"],
            timezone=raw.get("timezone", "UTC"),
            weekend=frozenset(raw.get("weekend", [5, 6])),
            holidays=frozenset(date.fromisoformat(d) for d in raw.get("holidays", [])),
            rules=rules,
            recommendation_response=Span(**raw.get("recommendation_response", {"days": 56})),
            retention=Span(**raw.get("retention", {"months": 72})),
            review=_review(raw.get("review", {})),
        )


REVIEW_DECIDERS = frozenset({OVERSIGHT, REVIEWER, COMPLAINTS_OFFICER})


def _review(raw: dict[str, Any]) -> ReviewPolicy:
    deciders = frozenset(raw.get("deciders", DEFAULT_REVIEW.deciders))
    unknown = sorted(deciders - REVIEW_DECIDERS)
    if unknown or not deciders:
        raise ValueError(
            f"review.deciders must name some of {sorted(REVIEW_DECIDERS)}; got {sorted(deciders)}"
        )
    return ReviewPolicy(deciders, bool(raw.get("independent_of_outcome", True)))


def _rule(raw: dict[str, Any]) -> ClockRule:
    unknown = set(raw.get("runs_in", [])) - set(STATUSES) | (
        set(raw.get("paused_in", [])) - set(STATUSES)
    )
    if unknown:
        raise ValueError(f"rule {raw.get('kind')!r} names unknown statuses: {sorted(unknown)}")
    return ClockRule(
        kind=raw["kind"],
        runs_in=frozenset(raw["runs_in"]),
        due=Span(**raw["due"]),
        repeat=Span(**raw["repeat"]) if raw.get("repeat") else None,
        warn_before=Span(**raw.get("warn_before", {})),
        paused_in=frozenset(raw.get("paused_in", [])),
        restarted_by_update=raw.get("restarted_by_update", False),
    )


_INVESTIGATING = frozenset({"formal_investigation", "assigned", "under_investigation", "suspended"})
_OPEN = frozenset(STATUSES) - {"received", "closed", "not_accepted", "referred"}

DEFAULT_PACK = RulePack(
    jurisdiction="JO",
    timezone="Asia/Amman",
    weekend=frozenset({4, 5}),  # Friday, Saturday
    holidays=frozenset(),  # a ministry lists its public holidays in its own pack
    rules=(
        ClockRule(
            "acknowledgement",
            frozenset({"received"}),
            Span(working_days=3),
            warn_before=Span(days=1),
        ),
        ClockRule(
            "progress_update",
            _OPEN,
            Span(days=28),
            repeat=Span(days=28),
            warn_before=Span(days=3),
            restarted_by_update=True,
        ),
        ClockRule(
            "investigation_escalation",
            _INVESTIGATING,
            Span(months=12),
            repeat=Span(months=6),
            warn_before=Span(days=30),
            paused_in=frozenset({"suspended"}),
        ),
        ClockRule(
            "outcome_notice", frozenset({"outcome"}), Span(working_days=5), warn_before=Span(days=1)
        ),
        ClockRule(
            "review_window",
            frozenset({"complainant_notified", "review_window"}),
            Span(days=28),
            warn_before=Span(days=3),
        ),
    ),
)


# --- calendar arithmetic ---------------------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    """Same day of month `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def is_working_day(day: date, pack: RulePack) -> bool:
    return day.weekday() not in pack.weekend and day not in pack.holidays


def add_working_days(moment: datetime, count: int, pack: RulePack) -> datetime:
    """`count` working days later, at the same local time, in the pack's time zone."""
    local = moment.astimezone(ZoneInfo(pack.timezone))
    day = local.date()
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day, pack):
            count -= 1
    shifted = datetime.combine(day, local.timetz()).replace(tzinfo=local.tzinfo)
    return shifted.astimezone(moment.tzinfo)


def add_span(moment: datetime, span: Span, pack: RulePack) -> datetime:
    out = add_months(moment, span.months) if span.months else moment
    out += timedelta(days=span.days, seconds=span.seconds)
    return add_working_days(out, span.working_days, pack) if span.working_days else out


# --- deadlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusEntry:
    status: str
    at: datetime
    notified: bool = False  # the complainant was sent an update about it
    reason: str | None = None


@dataclass(frozen=True)
class Deadline:
    kind: str
    instance: str  # stable identity of this occurrence: "<anchor>#<n>"
    due_at: datetime
    warn_at: datetime


def _anchor(rule: ClockRule, history: Sequence[StatusEntry]) -> datetime | None:
    """When the clock's current run started, or None if it is not running now."""
    if not history or history[-1].status not in rule.runs_in:
        return None
    anchor = None
    previous = None
    for entry in history:
        entering = entry.status in rule.runs_in and previous not in rule.runs_in
        if entering or (rule.restarted_by_update and entry.notified and anchor is not None):
            anchor = entry.at
        previous = entry.status
    return anchor


def _pauses(
    rule: ClockRule, history: Sequence[StatusEntry]
) -> list[tuple[datetime, datetime | None]]:
    """Intervals spent in a pausing status; the last may still be open (end None)."""
    spans: list[tuple[datetime, datetime | None]] = []
    for entry, following in zip(history, [*history[1:], None], strict=True):
        if entry.status in rule.paused_in:
            spans.append((entry.at, following.at if following else None))
    return spans


def _shift_by_pauses(
    anchor: datetime, nominal: datetime, pauses: Iterable[tuple[datetime, datetime | None]]
) -> datetime | None:
    """The moment the clock has *run* for (nominal − anchor); None while paused indefinitely."""
    clock, remaining = anchor, nominal - anchor
    for start, end in sorted(pauses, key=lambda p: p[0]):
        if end is not None and end <= clock:
            continue
        start = max(start, clock)
        if clock + remaining <= start:
            break
        remaining -= start - clock
        if end is None:
            return None
        clock = end
    return clock + remaining


def running_deadlines(
    history: Sequence[StatusEntry], pack: RulePack, horizon: datetime
) -> list[Deadline]:
    """Every due instance of every running clock whose warning time is at or before `horizon`,
    plus the next one still ahead (so callers can show "next deadline")."""
    out: list[Deadline] = []
    for rule in pack.rules:
        anchor = _anchor(rule, history)
        if anchor is None:
            continue
        pauses = [p for p in _pauses(rule, history) if p[1] is None or p[1] > anchor]
        nominal = add_span(anchor, rule.due, pack)
        for n in range(1, MAX_INSTANCES + 1):
            due = _shift_by_pauses(anchor, nominal, pauses)
            if due is None:
                break
            warn = due - timedelta(days=rule.warn_before.days, seconds=rule.warn_before.seconds)
            out.append(Deadline(rule.kind, f"{anchor.isoformat()}#{n}", due, warn))
            if warn > horizon or rule.repeat is None or rule.repeat.is_zero():
                break
            nominal = add_span(nominal, rule.repeat, pack)
    return out


def next_deadline(history: Sequence[StatusEntry], pack: RulePack, now: datetime) -> Deadline | None:
    upcoming = [d for d in running_deadlines(history, pack, now) if d.due_at > now]
    return min(upcoming, key=lambda d: d.due_at, default=None)


def shown_deadline(
    history: Sequence[StatusEntry], pack: RulePack, now: datetime
) -> tuple[Deadline, bool] | None:
    """The deadline a complainant is shown and whether it is overdue: the oldest running
    deadline already passed (it stays visible, as overdue), else the next one ahead."""
    running = running_deadlines(history, pack, now)
    overdue = [d for d in running if d.due_at <= now]
    if overdue:
        return min(overdue, key=lambda d: d.due_at), True
    upcoming = next_deadline(history, pack, now)
    return (upcoming, False) if upcoming else None


def review_window_ends(
    history: Sequence[StatusEntry], pack: RulePack, now: datetime
) -> datetime | None:
    """When the running review_window clock of the pack falls due (None if the pack has none)."""
    due = [d.due_at for d in running_deadlines(history, pack, now) if d.kind == "review_window"]
    return min(due, default=None)


def status_history(entries: Iterable[ComplaintStatusChanged]) -> list[StatusEntry]:
    """A complaint's ledger entries, oldest first, as the clocks read them."""
    history: list[StatusEntry] = []
    suspended_in_run = False
    for entry in entries:
        edge = transition_for(entry.from_status, entry.to_status)
        notified = bool(edge and edge.notify)
        if entry.to_status == "assigned":
            suspended_in_run = False
        elif entry.to_status == "suspended":
            # Only a first suspension is told (lifecycle._tells).
            notified, suspended_in_run = notified and not suspended_in_run, True
        history.append(StatusEntry(entry.to_status, entry.changed_at, notified, entry.reason))
    return history


def current_run(history: Sequence[StatusEntry]) -> list[StatusEntry]:
    """The entries since the case's latest triage or formal investigation began: what came
    before (findings, outcome) was superseded by it."""
    starts = [i for i, e in enumerate(history) if e.status in RUN_STARTS]
    return list(history[starts[-1] :]) if starts else list(history)
