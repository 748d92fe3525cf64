"""Every statement on the crime read models (incident_facts, baseline_alerts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    Row,
    String,
    case,
    cast,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.db import driver_connection

from ..domain.scope import Filters
from ..repositories.areas import area_clause
from ..tables import baseline_alerts, incident_facts

AREA_COLUMNS = {
    "governorate": incident_facts.c.governorate_code,
    "district": incident_facts.c.district_code,
    "station": incident_facts.c.station_id,
}


#: from this many rows a batch goes by COPY through a staging table (fewer: one INSERT each)
COPY_FROM = 64
_STAGE = "incident_facts_stage"


async def insert_incidents(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """The batch's rows, on the driver, in the session's transaction; a row whose incident is
    already there is skipped, as before.

    Through SQLAlchemy, binding the rows' four arrays item by item was most of a consumer
    batch's time (profiled: ~200 of ~310 µs per event); one prepared INSERT per row (asyncpg
    executemany) still cost the server a statement each. A batch now goes by binary COPY into
    a temporary staging table (per connection, emptied at commit) and one INSERT ... SELECT
    from it, which keeps ON CONFLICT DO NOTHING (COPY alone cannot skip a conflict)."""
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(columns)
    raw = await driver_connection(session)
    records = [tuple(row[c] for c in columns) for row in rows]
    if len(rows) < COPY_FROM:
        params = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        await raw.executemany(
            f"INSERT INTO incident_facts ({names}) VALUES ({params}) ON CONFLICT DO NOTHING",
            records,
        )
        return
    await raw.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE}"
        " (LIKE incident_facts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    await raw.copy_records_to_table(_STAGE, records=records, columns=columns)
    # In the order copied: of two rows for one incident in a batch, the first stays, as before.
    await raw.execute(
        f"INSERT INTO incident_facts ({names}) SELECT {names} FROM {_STAGE}"
        f" ORDER BY ctid ON CONFLICT DO NOTHING; TRUNCATE {_STAGE}"
    )


async def correct_incident(session: AsyncSession, incident_id: UUID, values: dict) -> None:
    await session.execute(
        update(incident_facts).where(incident_facts.c.incident_id == incident_id).values(values)
    )


async def upsert_alert(session: AsyncSession, row: dict[str, Any], changes: dict) -> None:
    await session.execute(
        insert(baseline_alerts)
        .values(row)
        .on_conflict_do_update(index_elements=["alert_id"], set_=changes)
    )


def incident_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    f = incident_facts.c
    clauses = [
        f.status == "active",
        f.occurred_at >= filters.start_at,
        f.occurred_at < filters.end_before,
        area_clause(incident_facts, filters.area),
    ]
    if filters.category:
        clauses.append(f.categories.any(filters.category))
    return clauses


async def count_incidents(session: AsyncSession, filters: Filters) -> int:
    query = select(func.count()).select_from(incident_facts).where(*incident_conditions(filters))
    return (await session.execute(query)).scalar_one()


async def counts_by_area(session: AsyncSession, filters: Filters, level: str) -> dict[str, int]:
    column = AREA_COLUMNS[level]
    query = select(column, func.count()).where(*incident_conditions(filters)).group_by(column)
    return dict((await session.execute(query)).tuples().all())


async def counts_by_category(session: AsyncSession, filters: Filters) -> dict[str, int]:
    code = func.unnest(incident_facts.c.categories).label("code")
    inner = select(code).where(*incident_conditions(filters)).subquery()
    query = select(inner.c.code, func.count()).group_by(inner.c.code)
    return dict((await session.execute(query)).tuples().all())


async def counts_over_time(session: AsyncSession, filters: Filters, unit: str) -> dict[str, int]:
    """Incidents per bucket ("YYYY-MM-DD" Mondays for weeks, "YYYY-MM" for months)."""
    utc = func.timezone("UTC", incident_facts.c.occurred_at)
    bucket = cast(func.date_trunc(unit, utc), Date).label("bucket")
    query = select(bucket, func.count()).where(*incident_conditions(filters)).group_by(bucket)
    rows: Sequence[tuple[date, int]] = (await session.execute(query)).tuples().all()
    return {(b.isoformat() if unit == "week" else b.strftime("%Y-%m")): n for b, n in rows}


async def alerts(
    session: AsyncSession, areas: list[str], first_week: date, filters: Filters
) -> Sequence[Row[Any]]:
    """Alerts of the areas from the week of `first_week` to the filters' end, newest first; a
    category matches alerts of its codes and of the codes above it."""
    a = baseline_alerts.c
    query = (
        select(baseline_alerts)
        .where(a.area_id.in_(areas), a.week_start >= first_week, a.week_start <= filters.end)
        .order_by(a.week_start.desc(), a.area_id, a.iccs_code, a.alert_id)
    )
    if filters.category:
        c = filters.category
        query = query.where(
            a.iccs_code.startswith(c) | (func.left(c, func.length(a.iccs_code)) == a.iccs_code)
        )
    return (await session.execute(query)).all()


def domestic_clause(filters: Filters) -> ColumnElement[bool]:
    """A domestic offence in the filters' category (in any category without one), as the
    incidents service's `domestic=true` counts."""
    f = incident_facts.c
    if filters.category:
        return f.domestic_categories.any(filters.category)
    return func.cardinality(f.domestic_categories) > 0


async def counts_by_victim(
    session: AsyncSession, filters: Filters, column: str
) -> dict[str, tuple[int, int]]:
    """(incidents, domestic incidents) per value of a victim array column (`victim_sexes`,
    `victim_age_bands`), an incident counted once per value; "no_victim_recorded" for
    incidents without victims."""
    array = incident_facts.c[column]
    none = literal(["no_victim_recorded"], ARRAY(String(32)))
    value = func.unnest(case((func.cardinality(array) == 0, none), else_=array)).label("value")
    inner = (
        select(value, domestic_clause(filters).label("domestic"))
        .where(*incident_conditions(filters))
        .subquery()
    )
    query = select(inner.c.value, func.count(), func.count().filter(inner.c.domestic)).group_by(
        inner.c.value
    )
    rows = (await session.execute(query)).tuples().all()
    return {v: (int(n), int(d)) for v, n, d in rows}


async def domestic_counts_by_area(
    session: AsyncSession, filters: Filters, level: str
) -> dict[str, tuple[int, int]]:
    column = AREA_COLUMNS[level]
    query = (
        select(column, func.count(), func.count().filter(domestic_clause(filters)))
        .where(*incident_conditions(filters))
        .group_by(column)
    )
    rows = (await session.execute(query)).tuples().all()
    return {a: (int(n), int(d)) for a, n, d in rows}


async def domestic_over_time(session: AsyncSession, filters: Filters, unit: str) -> dict[str, int]:
    """Domestic-violence incidents per bucket, as `counts_over_time`."""
    utc = func.timezone("UTC", incident_facts.c.occurred_at)
    bucket = cast(func.date_trunc(unit, utc), Date).label("bucket")
    query = (
        select(bucket, func.count())
        .where(*incident_conditions(filters), domestic_clause(filters))
        .group_by(bucket)
    )
    rows: Sequence[tuple[date, int]] = (await session.execute(query)).tuples().all()
    return {(b.isoformat() if unit == "week" else b.strftime("%Y-%m")): n for b, n in rows}
