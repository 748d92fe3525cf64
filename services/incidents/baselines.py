"""Baselines per area x ICCS category: weekly series from storage, estimates from
`baseline_methods`, rates from the reference population.

Current series read `weekly_counts`; "as of" series are rebuilt from `incident_versions`, the
classification each incident had at that recorded time, so a past report can be reproduced
exactly after later corrections. A series starts at the first week of its counting-rules
version: a change of counting rules restarts every baseline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference.model import Reference

from . import baseline_methods
from .baseline_methods import Method, WeekEstimate

WEEK = timedelta(days=7)
AREA_COLUMN = {
    "station": "station_id",
    "district": "district_code",
    "governorate": "governorate_code",
}


def weeks_between(first: date, last: date) -> list[date]:
    return [first + WEEK * i for i in range((last - first) // WEEK + 1)] if last >= first else []


async def epoch_start(
    session: AsyncSession, reference: Reference, version: str, as_of: datetime | None
) -> date | None:
    """The first week with any incident under this counting-rules version (nationally)."""
    if as_of is None:
        query = (
            "SELECT min(week_start) FROM weekly_counts WHERE counting_rules_version = :v AND n > 0"
        )
    else:
        query = (
            "SELECT min(week_start) FROM incident_versions"
            " WHERE counting_rules_version = :v AND valid_from <= :as_of"
        )
    return (await session.execute(text(query), {"v": version, "as_of": as_of})).scalar()


async def counts_by_week(
    session: AsyncSession,
    reference: Reference,
    pairs: Sequence[tuple[str, str]],
    version: str,
    upto: date,
    as_of: datetime | None = None,
) -> dict[tuple[str, str], dict[date, int]]:
    """Weekly counts for (area, category) pairs, up to and including week `upto`."""
    result: dict[tuple[str, str], dict[date, int]] = defaultdict(dict)
    if as_of is None:
        # (station, area, category) for every station of every pair's area: one statement
        mapping = [(s, a, c) for a, c in pairs for s in reference.stations_in(a)]
        rows = await session.execute(
            text(
                "SELECT m.a, m.c, week_start, sum(n) FROM weekly_counts JOIN unnest("
                "CAST(:stations AS varchar[]), CAST(:areas AS varchar[]),"
                " CAST(:codes AS varchar[])) AS m(s, a, c) ON station_id = m.s AND iccs_code = m.c"
                " WHERE counting_rules_version = :v AND week_start <= :upto"
                " GROUP BY m.a, m.c, week_start"
            ),
            {
                "stations": [m[0] for m in mapping],
                "areas": [m[1] for m in mapping],
                "codes": [m[2] for m in mapping],
                "v": version,
                "upto": upto,
            },
        )
        for area, code, week, n in rows:
            result[(area, code)][week] = int(n)
        return result
    for area, code in pairs:
        result[(area, code)] = await _counts_as_of(
            session, reference, area, code, version, upto, as_of
        )
    return result


async def _counts_as_of(
    session: AsyncSession,
    reference: Reference,
    area: str,
    code: str,
    version: str,
    upto: date,
    as_of: datetime,
) -> dict[date, int]:
    level = reference.area_level(area)
    where_area = f" AND {AREA_COLUMN[level]} = :area" if level in AREA_COLUMN else ""
    rows = await session.execute(
        text(
            "SELECT week_start, count(*) FROM incident_versions"
            " WHERE valid_from <= :as_of AND (valid_to IS NULL OR valid_to > :as_of)"
            " AND status = 'active' AND counting_rules_version = :v AND :code = ANY(categories)"
            " AND week_start <= :upto" + where_area + " GROUP BY week_start"
        ),
        {"as_of": as_of, "v": version, "code": code, "upto": upto, "area": area},
    )
    return dict(rows.all())


def series(counts: dict[date, int], first: date, last: date) -> list[int]:
    """A dense weekly series (zeros for weeks with no incident)."""
    return [counts.get(week, 0) for week in weeks_between(first, last)]


def estimates(
    counts: dict[date, int], first: date, weeks: Sequence[date], method: Method
) -> list[WeekEstimate | None]:
    """Estimates for the given weeks (consecutive, ascending) of a series starting at `first`."""
    if not weeks or weeks[-1] < first:
        return [None] * len(weeks)
    dense = series(counts, first, weeks[-1])
    start = (weeks[0] - first) // WEEK
    out = baseline_methods.estimate_range(dense, max(start, 0), len(dense), method)
    return [None] * max(-start, 0) + list(out)


def rate_per_100k(reference: Reference, area: str, observed: int) -> float | None:
    """Stations have no population of their own: no rate for them rather than a wrong one."""
    level = reference.area_level(area)
    if level == "station":
        return None
    return round(observed / reference.population(level, area) * 100_000, 4)
