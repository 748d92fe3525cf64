"""Follow-through: action life cycle, overdue detection and setting a forum's priorities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from libs.contracts.fora import ActionStatus

OPEN_STATUSES: frozenset[str] = frozenset({"open", "in_progress", "blocked"})
# Dropped is final (record a new action instead); done may be reopened if the problem returns.
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "blocked", "done", "dropped"}),
    "in_progress": frozenset({"open", "blocked", "done", "dropped"}),
    "blocked": frozenset({"open", "in_progress", "done", "dropped"}),
    "done": frozenset({"in_progress"}),
    "dropped": frozenset(),
}


class InvalidTransition(ValueError):
    pass


def check_transition(current: ActionStatus, new: ActionStatus) -> None:
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final)"
        raise InvalidTransition(f"cannot go from {current} to {new}; allowed: {allowed}")


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
        raise ValueError(f"not candidates of this vote: {sorted(map(str, unknown))}")
    if method == "votes":
        scores = {c: float((votes or {}).get(c, 0)) for c in candidates}
    else:
        scores = dict.fromkeys(candidates, 0.0)
        for ballot in ballots or ():
            if len(set(ballot)) != len(ballot):
                raise ValueError("a ballot ranks each concern at most once")
            for position, concern in enumerate(ballot):
                scores[concern] += len(candidates) - position
    order = sorted(candidates, key=lambda c: (-scores[c], candidates.index(c)))
    return [RankedConcern(c, i + 1, scores[c]) for i, c in enumerate(order)]
