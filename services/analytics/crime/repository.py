"""Every statement on the crime read models (incident_facts, baseline_alerts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Date, Row, cast, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.scope import Filters
from ..repositories.areas import area_clause
from ..tables import baseline_alerts, incident_facts

AREA_COLUMNS = {
    "governorate": incident_facts.c.governorate_code,
    "district": incident_facts.c.district_code,
    "station": incident_facts.c.station_id,
}


async def insert_incidents(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(incident_facts).on_conflict_do_nothing(), rows)


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
