"""Follow-through: action life cycle, overdue detection and setting a forum's priorities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from libs.chassis.errors import RuleViolation
from libs.contracts.fora import ActionStatus
from libs.reference.concerns import COMMUNITY_CONCERNS
from libs.reference.model import Reference

from .areas import UnknownArea, contains
from .vocabulary import is_iccs_category

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
    """An ICCS section or division the reference knows, or a community concern code."""
    if is_iccs_category(category):
        if not reference.is_valid_iccs(category):
            raise RuleViolation("category", f"{category!r} is not an ICCS section or division")
    elif category not in COMMUNITY_CONCERNS:
        raise RuleViolation(
            "category", f"unknown community concern; one of {sorted(COMMUNITY_CONCERNS)}"
        )


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
