"""Follow-through: action life cycle, overdue detection and setting a forum's priorities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from uuid import UUID

from libs.chassis.errors import RuleViolation
from libs.contracts.fora import ActionStatus
from libs.reference.model import Reference

from .areas import UnknownArea, contains
from .vocabulary import CONCERN_CATEGORIES, check_code, is_iccs_category

OPEN_STATUSES: frozenset[str] = frozenset({"open", "in_progress", "blocked"})
# Dropped is final (record a new action instead); done may be reopened if the problem returns.
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "blocked", "done", "dropped"}),
    "in_progress": frozenset({"open", "blocked", "done", "dropped"}),
    "blocked": frozenset({"open", "in_progress", "done", "dropped"}),
    "done": frozenset({"in_progress"}),
    "dropped": frozenset(),
}


def check_transition(current: ActionStatus, new: ActionStatus) -> None:
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final)"
        raise RuleViolation("status", f"cannot go from {current} to {new}; allowed: {allowed}")


def not_after(field: str, day: date, today: date) -> None:
    """Concerns, actions and progress are recorded as they happen, not ahead of time."""
    if day > today:
        raise RuleViolation(field, "must not be in the future")


def check_category(reference: Reference, category: str) -> None:
    """An ICCS section or division the reference knows, or a code of the country's
    `concern_categories` vocabulary."""
    if is_iccs_category(category):
        if not reference.is_valid_iccs(category):
            raise RuleViolation("category", "not an ICCS section or division")
    else:
        check_code(reference.vocabulary(CONCERN_CATEGORIES), category, "category")


def check_concern_area(reference: Reference, forum_area: str, area_id: str) -> None:
    try:
        inside = contains(reference, forum_area, area_id)
    except UnknownArea as exc:
        raise RuleViolation("area_id", exc.args[0]) from exc
    if not inside:
        raise RuleViolation("area_id", f"must lie within the forum's area {forum_area}")


@dataclass(frozen=True)
class Progress:
    """What a progress report does to an action."""

    status: ActionStatus
    due_on: date
    closed_on: date | None
    changed: bool  # status or due date moved: an event


def progress(
    current: ActionStatus,
    due_on: date,
    closed_on: date | None,
    created_on: date,
    *,
    on: date,
    today: date,
    new_status: ActionStatus | None,
    new_due_on: date | None,
) -> Progress:
    """Apply a progress report made on `on`: the new status (by the allowed transitions), the
    due date (rescheduled or kept), and when it was closed (done: the first day it was)."""
    not_after("on", on, today)
    if on < created_on:
        raise RuleViolation("on", f"must not be before the action was agreed ({created_on})")
    status, due = new_status or current, new_due_on or due_on
    if new_status and new_status != current:
        check_transition(current, new_status)
    closed = on if status == "done" and current != "done" else closed_on
    if status != "done":
        closed = None
    return Progress(status, due, closed, status != current or due != due_on)


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    return status in OPEN_STATUSES and due_on is not None and due_on < today


def closed_on_time(status: str, due_on: date | None, closed_on: date | None) -> bool:
    return status == "done" and closed_on is not None and (due_on is None or closed_on <= due_on)


# --- priorities ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedConcern:
    concern_id: UUID
    rank: int
    score: float


def rank_concerns(
    method: Literal["votes", "ranking"],
    candidates: Sequence[UUID],
    votes: dict[UUID, int] | None = None,
    ballots: Sequence[Sequence[UUID]] | None = None,
) -> list[RankedConcern]:
    """Order candidates by votes, or by Borda count over ranked ballots (a first place on a
    ballot of n candidates scores n, the last 1, an unranked candidate 0).

    Ties keep the candidates' given order (the order they were raised), so a rerun is stable.
    """
    unknown = set(votes or {}) | {c for ballot in ballots or () for c in ballot}
    unknown -= set(candidates)
    if unknown:
        raise RuleViolation(method, f"not candidates of this vote: {sorted(map(str, unknown))}")
    if method == "votes":
        scores = {c: float((votes or {}).get(c, 0)) for c in candidates}
    else:
        scores = dict.fromkeys(candidates, 0.0)
        for ballot in ballots or ():
            if len(set(ballot)) != len(ballot):
                raise RuleViolation(method, "a ballot ranks each concern at most once")
            for position, concern in enumerate(ballot):
                scores[concern] += len(candidates) - position
    order = sorted(candidates, key=lambda c: (-scores[c], candidates.index(c)))
    return [RankedConcern(c, i + 1, scores[c]) for i, c in enumerate(order)]


# --- follow-up: actions a meeting reviewed ---------------------------------------------------


@dataclass(frozen=True)
class Note:
    """One entry of an action's progress log (the first, from_status None, is its agreeing)."""

    order: int
    noted_on: date
    from_status: str | None
    to_status: str
    note: str | None


def status_on(notes: Sequence[Note], day: date | None, default: str = "open") -> str:
    """The action's status at the end of `day` by its log (None: before anything)."""
    if day is None:
        return default
    status = default
    for n in sorted(notes, key=lambda n: (n.noted_on, n.order)):
        if n.noted_on <= day:
            status = n.to_status
    return status


def reviewed_action(
    action: dict[str, Any], notes: Sequence[Note], meeting_day: date, previous: date | None
) -> dict[str, Any]:
    """What a meeting on `meeting_day` saw of an action: its status at the previous review
    (`previous`, or when it was agreed), its status on the day, the progress in between."""
    since = previous or action["created_on"]
    before = status_on(notes, since)
    now = status_on(notes, meeting_day)
    progress_since = [
        {"noted_on": n.noted_on, "from_status": n.from_status, "to_status": n.to_status,
         "note": n.note}
        for n in sorted(notes, key=lambda n: (n.noted_on, n.order))
        if n.from_status is not None
        and (n.noted_on > since or (previous is None and n.noted_on == since))
        and n.noted_on <= meeting_day
    ]  # fmt: skip
    return {
        **action,
        "previously_reviewed_on": previous,
        "status_before": before,
        "status_at_review": now,
        "closed": now == "done",
        "overdue": is_overdue(now, action["due_on"], meeting_day),
        "progress_since": progress_since,
    }


def review_counts(reviewed: Sequence[dict[str, Any]]) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    for r in reviewed:
        by_status[r["status_at_review"]] = by_status.get(r["status_at_review"], 0) + 1
    return {
        "reviewed": len(reviewed),
        "closed": sum(1 for r in reviewed if r["closed"]),
        "progressed": sum(1 for r in reviewed if r["status_at_review"] != r["status_before"]),
        "still_open": sum(1 for r in reviewed if r["status_at_review"] in OPEN_STATUSES),
        "overdue": sum(1 for r in reviewed if r["overdue"]),
        "by_status": dict(sorted(by_status.items())),
    }


def check_reviewable(
    meeting_status: str, meeting_day: date, created_on: date, index: int
) -> None:
    """A meeting reviews actions agreed before it (at any earlier meeting of the forum), and
    records its reviews while scheduled or once held, not after it was cancelled."""
    if meeting_status == "cancelled":
        raise RuleViolation.conflict("the meeting was cancelled: it reviewed nothing")
    if created_on > meeting_day:
        raise RuleViolation(("action_ids", index), "was agreed after this meeting")
