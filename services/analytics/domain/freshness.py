"""How current the figures are, in one block every page and JSON view carries (pure).

Two warnings, each with what fixes it:
- behind: a consumed topic holds more events past analytics' committed offsets than a small
  threshold (JISR_FRESHNESS_MAX_LAG): the figures are still catching up, by themselves;
- history short: the broker holds fewer events of a topic than its producer's outbox retained
  as published, or than analytics applied from it while the topic still starts at offset 0
  (nothing expired): the broker lost history (a local broker restarted), and a rebuild now would
  shrink the figures. `jisr outbox replay` puts the events back; `jisr analytics rebuild` then
  checks the read models against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class TopicState:
    topic: str
    producer: str
    as_of: datetime | None  # the latest event time applied; None: nothing applied yet
    applied: int  # distinct events applied
    lag: int | None  # events past the committed offsets; None: the broker did not say
    on_broker: int | None = None  # records the topic holds; None: not checked yet
    complete: bool = False  # the topic still holds everything written to it
    retained: int | None = None  # published outbox rows retained; None: not readable here
    # events applied when the broker was last counted (compared with that count, not with
    # `applied` now, which keeps growing while the count is up to 15 s old)
    applied_checked: int | None = None

    @property
    def history_short(self) -> bool:
        if self.on_broker is None:
            return False
        if self.retained is not None and self.on_broker < self.retained:
            return True
        applied = self.applied if self.applied_checked is None else self.applied_checked
        return self.complete and self.on_broker < applied


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def assess(states: list[TopicState], max_lag: int, checked_at: datetime | None) -> dict[str, Any]:
    """The freshness block: "as of", the two warnings and the commands that fix them."""
    short = [s for s in states if s.history_short]
    fix = [f"jisr outbox replay --service {s.producer} --topic {s.topic}" for s in short]
    times = [s.as_of for s in states if s.as_of is not None]
    return {
        "as_of": _iso(max(times)) if times else None,
        "behind": any(s.lag is not None and s.lag > max_lag for s in states),
        "lag_known": bool(states) and all(s.lag is not None for s in states),
        "history_short": bool(short),
        "max_lag": max_lag,
        "checked_at": _iso(checked_at),
        "fix": [*fix, "jisr analytics rebuild"] if short else [],
        "topics": [
            {
                "topic": s.topic,
                "as_of": _iso(s.as_of),
                "applied": s.applied,
                "lag": s.lag,
                "behind": s.lag is not None and s.lag > max_lag,
                "on_broker": s.on_broker,
                "retained": s.retained,
                "history_short": s.history_short,
            }
            for s in states
        ],
    }


def unknown(max_lag: int) -> dict[str, Any]:
    """Before the first check (the first seconds after a start): nothing is claimed fresh."""
    return assess([], max_lag, None)


def for_page(block: dict[str, Any]) -> dict[str, Any]:
    """The block as the banner shows it: times in UTC to the minute, the events waiting."""

    def text(value: str | None) -> str | None:
        if value is None:
            return None
        return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    waiting = sum(t["lag"] or 0 for t in block["topics"])
    topics = [t | {"as_of_text": text(t["as_of"])} for t in block["topics"]]
    return block | {"as_of_text": text(block["as_of"]), "waiting": waiting, "topics": topics}
