"""Weekly counts per station x ICCS category, kept current inside each write's transaction.

A record adds one to every (station, category, week) its classification counts in; a correction
takes its old classification away and adds the new one. Changes are summed in Python first, so
one statement per batch touches each row once, in a fixed order (no deadlocks between two
uploads for the same station). Larger areas are summed from their stations when read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

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


async def apply_changes(session: AsyncSession, delta: Counter[CountKey]) -> None:
    keys = sorted(k for k, v in delta.items() if v)
    if not keys:
        return
    await session.execute(
        text(
            "INSERT INTO weekly_counts"
            " (station_id, iccs_code, counting_rules_version, week_start, n)"
            " SELECT * FROM unnest(CAST(:stations AS varchar[]), CAST(:codes AS varchar[]),"
            " CAST(:versions AS varchar[]), CAST(:weeks AS date[]), CAST(:ns AS int[]))"
            " ON CONFLICT (station_id, iccs_code, counting_rules_version, week_start)"
            " DO UPDATE SET n = weekly_counts.n + excluded.n"
        ),
        {
            "stations": [k[0] for k in keys],
            "codes": [k[1] for k in keys],
            "versions": [k[2] for k in keys],
            "weeks": [k[3] for k in keys],
            "ns": [delta[k] for k in keys],
        },
    )
