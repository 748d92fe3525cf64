"""Baseline alerts: the candidates a week's evaluation looks at, open alerts, their changes,
and the closed weeks queued for re-evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference.model import Reference

from ..tables import alerts


async def candidates(
    session: AsyncSession,
    reference: Reference,
    areas: Sequence[str],
    version: str,
    method: str,
    weeks: tuple[date, date],
    min_cases: int,
) -> list[tuple[str, str]]:
    """(area, category) pairs with at least `min_cases` incidents in the weeks given
    (inclusive), and the pairs with an alert open under `method`."""
    mapping = [(s, a) for a in areas for s in reference.stations_in(a)]
    rows = await session.execute(
        text(
            "SELECT m.a, iccs_code FROM weekly_counts"
            " JOIN unnest(CAST(:stations AS varchar[]), CAST(:areas AS varchar[])) AS m(s, a)"
            " ON station_id = m.s"
            " WHERE counting_rules_version = :v AND week_start BETWEEN :from AND :week"
            " GROUP BY m.a, iccs_code HAVING sum(n) >= :min"
            " UNION SELECT area_id, iccs_code FROM alerts WHERE status = 'raised'"
            " AND method = :method AND area_id = ANY(CAST(:all_areas AS varchar[]))"
            " ORDER BY 1, 2"
        ),
        {
            "stations": [m[0] for m in mapping],
            "areas": [m[1] for m in mapping],
            "all_areas": list(areas),
            "v": version,
            "from": weeks[0],
            "week": weeks[1],
            "min": min_cases,
            "method": method,
        },
    )
    return [(area, code) for area, code in rows]


async def open_alerts(session: AsyncSession, method: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The raised alerts of a method, by (area, category)."""
    rows = await session.execute(
        select(alerts).where(alerts.c.status == "raised", alerts.c.method == method)
    )
    return {(r.area_id, r.iccs_code): dict(r._mapping) for r in rows}


async def insert_raised(
    session: AsyncSession, alert_id: UUID, week: date, now: datetime, stats: dict[str, Any]
) -> None:
    await session.execute(
        alerts.insert().values(
            alert_id=alert_id, status="raised", last_week=week, raised_at=now, **stats
        )
    )


async def keep_open(session: AsyncSession, alert_id: UUID, last_week: date) -> None:
    await session.execute(
        update(alerts).where(alerts.c.alert_id == alert_id).values(last_week=last_week)
    )


async def clear(session: AsyncSession, alert_id: UUID, week: date, now: datetime) -> None:
    await session.execute(
        update(alerts)
        .where(alerts.c.alert_id == alert_id)
        .values(status="cleared", cleared_at=now, last_week=week)
    )


async def take_rechecks(session: AsyncSession, limit: int) -> list[tuple[str, date]]:
    """Remove and return up to `limit` queued (station, week) rows; rows another transaction
    holds are skipped, so two replicas never take the same change."""
    rows = await session.execute(
        text(
            "DELETE FROM alert_rechecks WHERE (station_id, week_start) IN ("
            " SELECT station_id, week_start FROM alert_rechecks ORDER BY changed_at"
            " LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING station_id, week_start"
        ),
        {"limit": limit},
    )
    return [(station_id, week) for station_id, week in rows]


async def newest(
    session: AsyncSession,
    status: str | None,
    area: str | None,
    category: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    query = select(alerts).order_by(alerts.c.raised_at.desc(), alerts.c.area_id).limit(limit)
    if status:
        query = query.where(alerts.c.status == status)
    if area:
        query = query.where(alerts.c.area_id == area)
    if category:
        query = query.where(alerts.c.iccs_code == category)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def one(session: AsyncSession, alert_id: UUID) -> dict[str, Any] | None:
    row = (await session.execute(select(alerts).where(alerts.c.alert_id == alert_id))).first()
    return dict(row._mapping) if row else None
