"""What a record or correction does to the weekly counts per station x ICCS category.

A record adds one to every (station, category, week) its classification counts in; a correction
takes its old classification away and adds the new one. Changes are summed here first, so
storage touches each row once per batch (`repositories.counts`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

CountKey = tuple[str, str, str, date]  # station_id, iccs_code, counting_rules_version, week


@dataclass(frozen=True)
class Classification:
    """What one version of an incident counts as: where, when, in which categories."""

    station_id: str
    week_start: date
    counting_rules_version: str
    categories: tuple[str, ...]
    active: bool


def changes(classifications: Iterable[Classification], sign: int = 1) -> Counter[CountKey]:
    delta: Counter[CountKey] = Counter()
    for c in classifications:
        if c.active:
            for category in c.categories:
                delta[(c.station_id, category, c.counting_rules_version, c.week_start)] += sign
    return delta


def moved(before: Classification, after: Classification) -> Counter[CountKey]:
    """A correction: the old classification's counts taken away, the new one's added."""
    delta = changes([before], -1)
    delta.update(changes([after]))
    return delta
