"""Weekly counts per station x ICCS category, and the series baselines read from them.

Current series read `weekly_counts`; "as of" series are rebuilt from `incident_versions`, the
classification each incident had at that recorded time, so a past report can be reproduced
exactly after later corrections. Larger areas are summed from their stations when read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference.model import Reference

from ..domain.counts import CountKey
from ..domain.series_filters import SeriesFilter

DAY = timedelta(days=1)
AREA_COLUMN = {
    "station": "station_id",
    "district": "district_code",
    "governorate": "governorate_code",
}


async def apply_changes(session: AsyncSession, delta: Counter[CountKey]) -> None:
    """Add the changes in one statement, rows in a fixed order: two uploads for the same
    station cannot deadlock on each other's counts."""
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


#: A bulk batch's count key: `CountKey` with the week as its ISO date text, as the batch's
#: records already hold it (turning 10,000 dates into text was a tenth of a batch's Python).
TextCountKey = tuple[str, str, str, str]


async def apply_changes_in_bulk(session: AsyncSession, delta: Counter[TextCountKey]) -> None:
    """`apply_changes` for a bulk batch's thousands of keys: the same upsert, its arrays sent
    as one array literal each (every element quoted), which the server parses in a fraction
    of what encoding a Python list element by element costs the client. The server orders
    the rows, in byte order as `apply_changes` sorts them, so that no two writers of counts
    can deadlock on each other's (sorting 10,000 tuples in Python cost more than this)."""
    keys = [k for k, v in delta.items() if v]
    if not keys:
        return

    def literal(texts: list[str]) -> str:
        joined = '","'.join(texts)
        if "\\" in joined or joined.count('"') != 2 * (len(texts) - 1):  # a quote in a value
            joined = '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in texts)
        return '{"' + joined + '"}'

    stations, codes, versions, weeks = (list(column) for column in zip(*keys, strict=True))
    await session.execute(
        text(
            "INSERT INTO weekly_counts"
            " (station_id, iccs_code, counting_rules_version, week_start, n)"
            " SELECT * FROM unnest(CAST(CAST(:stations AS text) AS varchar[]),"
            " CAST(CAST(:codes AS text) AS varchar[]), CAST(CAST(:versions AS text) AS varchar[]),"
            " CAST(CAST(:weeks AS text) AS date[]), CAST(CAST(:ns AS text) AS int[]))"
            " AS k(station_id, iccs_code, counting_rules_version, week_start, n)"
            ' ORDER BY station_id COLLATE "C", iccs_code COLLATE "C",'
            ' counting_rules_version COLLATE "C", week_start'
            " ON CONFLICT (station_id, iccs_code, counting_rules_version, week_start)"
            " DO UPDATE SET n = weekly_counts.n + excluded.n"
        ),
        {
            "stations": literal(stations),
            "codes": literal(codes),
            "versions": literal(versions),
            "weeks": literal(weeks),
            "ns": "{" + ",".join(str(delta[k]) for k in keys) + "}",
        },
    )


async def epoch_start(session: AsyncSession, version: str, as_of: datetime | None) -> date | None:
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
    first: date | None = (
        await session.execute(text(query), {"v": version, "as_of": as_of})
    ).scalar()
    return first


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


async def filtered_counts_by_week(
    session: AsyncSession,
    reference: Reference,
    area: str,
    category: str | None,
    version: str,
    upto: date,
    series: SeriesFilter,
    as_of: datetime | None = None,
) -> dict[date, int]:
    """An area's weekly counts of the incidents `series` keeps (domain/series_filters.py), in
    one category or in all (`category` None: each incident once). Read from the incidents'
    classifications, not `weekly_counts`, which has no victim or domestic dimension."""
    if as_of is None:
        when = "v.valid_to IS NULL"
    else:
        when = "v.valid_from <= :as_of AND (v.valid_to IS NULL OR v.valid_to > :as_of)"
    where = [
        when,
        "v.status = 'active'",
        "v.counting_rules_version = :v",
        "v.week_start <= :upto",
        "v.station_id = ANY(CAST(:stations AS varchar[]))",
    ]
    if category is not None:
        where.append(":code = ANY(v.categories)")
    if series.domestic is not None:
        # a domestic offence in the category (ICCS codes nest by prefix)
        exists = (
            "EXISTS (SELECT 1 FROM offences o WHERE o.incident_id = v.incident_id"
            " AND o.domestic AND starts_with(o.iccs_code, :prefix))"
        )
        where.append(exists if series.domestic else f"NOT {exists}")
    if series.by_victim:
        where.append(
            "EXISTS (SELECT 1 FROM incidents i, jsonb_array_elements(i.victims) p"
            " WHERE i.incident_id = v.incident_id"
            " AND (CAST(:sex AS text) IS NULL OR p->>'sex' = :sex)"
            " AND (CAST(:band AS text) IS NULL OR p->>'age_band' = :band))"
        )
    rows = await session.execute(
        text(
            "SELECT v.week_start, count(*) FROM incident_versions v WHERE "
            + " AND ".join(where)
            + " GROUP BY v.week_start"
        ),
        {
            "as_of": as_of,
            "v": version,
            "upto": upto,
            "stations": reference.stations_in(area),
            "code": category,
            "prefix": category or "",
            "sex": series.victim_sex,
            "band": series.victim_age_band,
        },
    )
    return {week: int(n) for week, n in rows}


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
    return {week: int(n) for week, n in rows}


async def window_counts(
    session: AsyncSession,
    reference: Reference,
    area: str,
    category: str | None,
    before: tuple[date, date],
    after: tuple[date, date],
) -> tuple[int, int]:
    """Active incidents (as currently classified) occurring in each window, dates inclusive."""
    level = reference.area_level(area)
    where_area = f" AND {AREA_COLUMN[level]} = :area" if level in AREA_COLUMN else ""
    row = (
        await session.execute(
            text(
                "SELECT count(*) FILTER (WHERE occurred_at >= :b0 AND occurred_at < :b1),"
                " count(*) FILTER (WHERE occurred_at >= :a0 AND occurred_at < :a1)"
                " FROM incident_versions WHERE valid_to IS NULL AND status = 'active'"
                " AND (CAST(:category AS varchar) IS NULL OR :category = ANY(categories))"
                " AND ((occurred_at >= :b0 AND occurred_at < :b1)"
                " OR (occurred_at >= :a0 AND occurred_at < :a1))" + where_area
            ),
            {
                "area": area,
                "category": category,
                "b0": before[0],
                "b1": before[1] + DAY,
                "a0": after[0],
                "a1": after[1] + DAY,
            },
        )
    ).one()
    return int(row[0]), int(row[1])


async def active_in_week(session: AsyncSession, station_id: str, week: date) -> int:
    """A station's incidents that count in a week, as currently classified."""
    n = await session.scalar(
        text(
            "SELECT count(*) FROM incident_versions WHERE station_id = :s AND week_start = :w"
            " AND valid_to IS NULL AND status = 'active'"
        ),
        {"s": station_id, "w": week},
    )
    return int(n or 0)
